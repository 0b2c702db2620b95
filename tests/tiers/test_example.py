"""The table of docs/tiers.md, pinned: every connection of examples/tiers and its answer."""

from __future__ import annotations

from pathlib import Path

import pytest

import npql
from npql.api.cluster import Cluster

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tiers"


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    return npql.load(str(EXAMPLE))


@pytest.mark.parametrize(
    ("query", "allowed"),
    [
        # protect-payments ingress[0] Accept (admin, final)
        ("can pod monitoring/prometheus reach pod payments/ledger:metrics", True),
        # protect-payments ingress[2] Deny
        ("can pod monitoring/prometheus reach pod payments/ledger:grpc", False),
        # protect-payments ingress[1] Pass, then payments/ledger-from-cart admits cart
        ("can pod shop/cart reach pod payments/ledger:grpc", True),
        # Pass, then payments/ledger-from-cart admits cart only
        ("can pod shop/storefront reach pod payments/ledger:grpc", False),
        # egress: pass-dns Pass, no NetworkPolicy, no baseline rule: the default
        ("can pod payments/ledger reach pod kube-system/coredns:53/udp", True),
        # egress: protect-payments egress[0] Deny (networks)
        ("can pod payments/ledger reach ip 203.0.113.7:443", False),
        # egress: protect-payments egress[1] Deny (every namespace)
        ("can pod payments/ledger reach pod monitoring/prometheus:9090", False),
        # storefront is not isolated: baseline Accept from monitoring
        ("can pod monitoring/prometheus reach pod shop/storefront:metrics", True),
        # shop/cart-from-storefront isolates cart: final, the baseline Accept never counts
        ("can pod monitoring/prometheus reach pod shop/cart:metrics", False),
        # shop/cart-from-storefront admits storefront on http
        ("can pod shop/storefront reach pod shop/cart:http", True),
        # baseline Deny from other namespaces
        ("can pod kube-system/coredns reach pod shop/storefront:http", False),
        # baseline Accept from shop (same namespace)
        ("can pod shop/cart reach pod shop/storefront:http", True),
        # no rule has a peer for external sources: the default
        ("can internet reach pod shop/storefront:http", True),
    ],
)
def test_documented_answers(cluster: Cluster, query: str, allowed: bool) -> None:
    assert cluster.query(query).allowed is allowed


def test_bulk_answers_match(cluster: Cluster) -> None:
    what = str(cluster.query("what can pod payments/ledger reach"))
    assert "kube-system/coredns[Deployment] : TCP 53,UDP 53" in what
    assert "1 destination(s)" in what
    who = str(cluster.query("who can reach pod payments/ledger"))
    assert "monitoring/prometheus[Deployment] -> payments/ledger[Deployment] : TCP 9090" in who
    assert "shop/cart[Deployment] -> payments/ledger[Deployment] : TCP 9000" in who
    assert "2 source(s)" in who


def test_no_warnings(cluster: Cluster) -> None:
    answer = cluster.query("can pod shop/cart reach pod payments/ledger:grpc")
    assert answer.to_dict()["warnings"] == []
