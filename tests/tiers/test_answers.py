"""Statements other than ``can`` over clusters with cluster-scoped policies.

Each answer is compared with what ``can`` (the Z3 engine, checked in test_cnp.py and against
the reference) says about the same connection.
"""

from __future__ import annotations

import pytest

from npql.api.cluster import Cluster

from .test_cnp import FROM_ALL, FROM_DEV, PROD, PROD_DENY_INGRESS, cluster, cnp

TCP_9090 = "[{tcp: {destinationPort: {number: 9090}}}]"


def _could_rows(c: Cluster, statement: str) -> list[tuple[str, str]]:
    """(description or cidr, ports text) of each source of a who-could answer."""
    rows = c.query(statement).to_dict()["sources"]
    assert isinstance(rows, list)
    return [(str(r.get("cidr") or r.get("description")), str(r["ports"])) for r in rows]


def test_who_can_reach_follows_the_admin_tier() -> None:
    # cnp:deny-9090 (Admin) denies TCP 9090 into prod: the bitset answer leaves it out.
    c = cluster(
        cnp(
            "deny-9090",
            "Admin",
            0,
            PROD,
            ingress=f"[{{action: Deny, from: {FROM_ALL}, protocols: {TCP_9090}}}]",
        )
    )
    assert c.query("can pod dev/client reach pod prod/web:9090/tcp").allowed is False
    assert c.query("can pod dev/client reach pod prod/web:9091/tcp").allowed is True
    text = str(c.query("who can reach pod prod/web"))
    assert "dev/client[Pod] -> prod/web[Pod] : SCTP 1-65535,TCP 1-9089,9091-65535,UDP" in text


def test_who_could_reach_asked_on_the_denied_port() -> None:
    # Asked on TCP 9090 alone, the symbolic answer is right: no pod, only addresses (a
    # namespaces peer matches no external address).
    c = cluster(
        cnp(
            "deny-9090",
            "Admin",
            0,
            PROD,
            ingress=f"[{{action: Deny, from: {FROM_ALL}, protocols: {TCP_9090}}}]",
        )
    )
    sources = [name for name, _ in _could_rows(c, "who could reach pod prod/web:9090")]
    assert sources == ["0.0.0.0/0", "::/0"]


def test_who_could_reach_without_a_port_splits_at_tier_rule_ports() -> None:
    # cnp:deny-9090 (Admin) denies TCP 9090 from every pod: no pod reaches TCP 9090, so the
    # pod sources cannot be "All Connections".
    c = cluster(
        cnp(
            "deny-9090",
            "Admin",
            0,
            PROD,
            ingress=f"[{{action: Deny, from: {FROM_ALL}, protocols: {TCP_9090}}}]",
        )
    )
    rows = _could_rows(c, "who could reach pod prod/web")
    pod_rows = [ports for name, ports in rows if "any pod" in name]
    assert pod_rows and all(ports != "All Connections" for ports in pod_rows)


def test_exposure_sees_an_admin_accept_on_its_own_port() -> None:
    # prod/deny-ingress isolates prod; cnp:metrics (Admin Accept from every namespace on
    # TCP 9090) lets every pod in on that port alone.
    c = cluster(
        PROD_DENY_INGRESS,
        cnp(
            "metrics",
            "Admin",
            0,
            PROD,
            ingress=f"[{{action: Accept, from: {FROM_ALL}, protocols: {TCP_9090}}}]",
        ),
    )
    assert c.query("can pod dev/client reach pod prod/web:9090/tcp").allowed is True
    assert "TCP 9090" in str(c.query("who could reach pod prod/web:9090"))
    assert "TCP 9090" in str(c.query("exposure of pod prod/web"))


BASELINE_DENY_DEV = cnp(
    "base-deny", "Baseline", 0, PROD, ingress=f"[{{action: Deny, from: {FROM_DEV}}}]"
)
ADMIN_ACCEPT_DEV = cnp(
    "let-dev", "Admin", 0, PROD, ingress=f"[{{action: Accept, from: {FROM_DEV}}}]"
)


@pytest.mark.parametrize(
    ("docs", "expected"),
    [
        # cnp:base-deny (Baseline Deny from dev) decides: denied, while no NP isolates web.
        ((BASELINE_DENY_DEV,), False),
        # cnp:let-dev (Admin Accept) decides: allowed, though prod/deny-ingress isolates web.
        ((PROD_DENY_INGRESS, ADMIN_ACCEPT_DEV), True),
    ],
)
def test_why_agrees_with_can(docs: tuple[str, ...], expected: bool) -> None:
    c = cluster(*docs)
    connection = "pod dev/client reach pod prod/web:8080/tcp"
    assert c.query(f"can {connection}").allowed is expected
    word = "can" if expected else "can't"
    explanations = c.query(f"why {word} {connection}").to_dict()["explanations"]
    assert isinstance(explanations, list)
    assert [e["allowed"] for e in explanations] == [expected]
