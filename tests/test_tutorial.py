"""The tutorial's frontend/backend scenario (../shared/seed), corrected: its claims as tests."""

from __future__ import annotations

from pathlib import Path

import pytest

import npql

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "frontend-backend"

NO_POLICY = EXAMPLE / "deployments.yaml"


@pytest.fixture(scope="module")
def cluster() -> npql.Cluster:
    return npql.load(str(EXAMPLE))


def test_without_policies_everything_is_allowed() -> None:
    bare = npql.load(str(NO_POLICY))
    assert bare.query("can app=frontend reach app=backend:80").allowed is True
    assert bare.query("can app=backend reach app=frontend:12345/udp").allowed is True


def test_frontend_reaches_backend_on_tcp_80(cluster: npql.Cluster) -> None:
    answer = cluster.query("can pod default/frontend reach pod default/backend:80/tcp")
    assert answer.allowed is True
    witness = answer.to_dict()["witness"]
    assert witness["ingress_rules"] == ["default/backend-allow-frontend.ingress[0]"]
    assert witness["source"]["name"] == "frontend" and witness["target"]["name"] == "backend"


@pytest.mark.parametrize("port", ["81", "443", "1-79", "80/udp", "80/sctp"])
def test_frontend_is_denied_on_every_other_port(cluster: npql.Cluster, port: str) -> None:
    answer = cluster.query(f"can app=frontend reach app=backend:{port}")
    assert answer.allowed is False
    assert answer.to_dict()["denied_by"]["isolating_policies"] == ["default/backend-allow-frontend"]


def test_backend_still_reaches_frontend(cluster: npql.Cluster) -> None:
    # frontend is named as a peer, which isolates nothing (erratum 4)
    assert cluster.query("can app=backend reach app=frontend:80").allowed is True
    assert cluster.query("can app=backend reach app=frontend:9999/udp").allowed is True


def test_egress_is_untouched(cluster: npql.Cluster) -> None:
    # policyTypes is only Ingress: backend's egress stays open
    assert cluster.query("can app=backend reach internet:443").allowed is True
    assert cluster.query("can app=frontend reach ip 8.8.8.8:53/udp").allowed is True


def test_denial_says_dropped_not_refused(cluster: npql.Cluster) -> None:
    text = str(cluster.query("can app=frontend reach app=backend:81"))
    assert "DENIED" in text and "times out" in text and "'connection refused'" in text


def test_who_can_reach_backend(cluster: npql.Cluster) -> None:
    sources = cluster.query("who can reach app=backend:80").to_dict()["sources"]
    assert [(s["namespace"], s["name"], s["kind"]) for s in sources] == [
        ("default", "frontend", "Deployment")
    ]
    assert sources[0]["reaches"][0]["ports"] == "TCP 80"


def test_pods_elsewhere_with_frontend_label_are_denied(cluster: npql.Cluster) -> None:
    # podSelector alone means the policy's own namespace
    answer = cluster.query("can any pod with app=frontend in ns other reach app=backend:80")
    assert answer.allowed is False


EMPTY_NS_SELECTOR = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-everywhere, namespace: default}
spec:
  podSelector: {matchLabels: {app: backend}}
  ingress:
  - from:
    - namespaceSelector: {}
"""

SECOND_POLICY = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: backend-allow-gateway, namespace: default}
spec:
  podSelector: {matchLabels: {app: backend}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: api-gateway}}}]
"""

OTHER_NS_POD = """
apiVersion: v1
kind: Pod
metadata: {name: probe, namespace: monitoring, labels: {app: probe}}
"""


def _with(extra: str) -> npql.Cluster:
    texts = [p.read_text() for p in sorted(EXAMPLE.glob("*.yaml"))]
    return npql.loads("\n---\n".join([*texts, extra]))


def test_empty_namespace_selector_admits_every_namespace() -> None:
    # erratum 2: namespaceSelector: {} is all namespaces, not "the default namespace"
    cluster = _with(EMPTY_NS_SELECTOR + "---\n" + OTHER_NS_POD)
    assert cluster.query("can pod monitoring/probe reach app=backend:8080").allowed is True


def test_policies_are_additive() -> None:
    # erratum 3: a second policy adds a source; it does not narrow the first
    cluster = _with(
        SECOND_POLICY
        + "---\n"
        + OTHER_NS_POD.replace("monitoring", "default")
        .replace("probe", "gw")
        .replace("app: gw", "app: api-gateway")
    )
    assert cluster.query("can app=frontend reach app=backend:80").allowed is True
    assert cluster.query("can app=api-gateway reach app=backend:443").allowed is True
    assert cluster.query("can app=frontend reach app=backend:443").allowed is False
