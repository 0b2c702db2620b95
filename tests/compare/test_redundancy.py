"""Redundant policies, rules, peers and ports: the planted ones are found, and nothing else;
removing what is reported changes nothing (reference evaluator on random clusters)."""

from __future__ import annotations

from pathlib import Path

from compare_helpers import augment, example
from hypothesis import HealthCheck, given, settings

import npql
from npql.api.cluster import Cluster
from npql.compare.elements import Element, remove
from npql.compare.redundancy import redundant
from npql.model import ALL_PROTOCOLS, Direction
from npql.model import Cluster as Model
from reference import External, allowed
from strategies import EXTERNAL_IPS, PROBE_PORTS, clusters, tiered_clusters

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _found(cluster: Cluster, any_pod: bool) -> dict[str, tuple[str, str | None]]:
    result = redundant(cluster, any_pod=any_pod)
    return {f.ident: (f.reason, f.shadowed_by) for f in result.findings}


def test_planted_clutter_is_reported_for_the_loaded_pods_and_nothing_else() -> None:
    assert _found(example("redundant"), any_pod=False) == {
        "app/api-ingress.ingress[1]": ("shadowed", "app/api-ingress.ingress[0]"),
        "app/api-ingress.ingress[3]": ("empty", None),
        "app/api-ingress.ingress[4]": ("covered", None),
        "app/batch-ingress": ("empty", None),
        "app/web-ingress.ingress[0].from[1]": ("covered", None),
        "app/web-ingress.ingress[0].ports[1]": ("covered", None),
    }


def test_for_any_pod_only_what_no_possible_pod_needs_is_reported() -> None:
    assert _found(example("redundant"), any_pod=True) == {
        "app/api-ingress.ingress[1]": ("shadowed", "app/api-ingress.ingress[0]"),
        "app/api-ingress.ingress[4]": ("covered", None),
        "app/web-ingress.ingress[0].from[0]": ("covered", None),
    }


def test_findings_carry_lines_and_render() -> None:
    result = redundant(example("redundant"))
    by_id = {f.ident: f for f in result.findings}
    location = by_id["app/api-ingress.ingress[1]"].location
    assert location is not None and location.path.endswith("cluster.yaml")
    lines = Path(location.path).read_text().splitlines()
    assert lines[(location.line or 0) - 1].strip().startswith("- from:")
    port = by_id["app/web-ingress.ingress[0].ports[1]"].location
    assert port is not None and "{port: 8080}" in lines[(port.line or 0) - 1]
    document = result.to_dict()
    assert document["statement"] == "redundancy" and len(document["findings"]) == 6
    assert "shadowed" in str(result)


IGNORED = """
apiVersion: v1
kind: Pod
metadata: {name: a, labels: {app: a}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {}}]}]
  egress: [{to: [{podSelector: {}}]}]
"""


def test_rules_of_a_direction_not_in_policy_types_are_ignored() -> None:
    found = _found(npql.loads(IGNORED), any_pod=True)
    assert found == {"default/p.egress[0]": ("ignored", None)}


def test_a_clean_set_has_no_redundancy_for_any_pod() -> None:
    assert _found(example("before"), any_pod=True) == {}
    assert _found(npql.load("examples/shop"), any_pod=True) == {}


def _connectivity(model: Model) -> dict[tuple[int, int, int, str], bool]:
    """Every pod pair and pod/address pair x probe ports x protocols, by the reference."""
    ends: list[object] = [*model.pods, *(External(ip) for ip in EXTERNAL_IPS)]
    out = {}
    for i, src in enumerate(ends):
        for j, dst in enumerate(ends):
            if isinstance(src, External) and isinstance(dst, External):
                continue
            for port in PROBE_PORTS:
                for proto in ALL_PROTOCOLS:
                    out[(i, j, port, proto.value)] = allowed(model, src, dst, port, proto)  # type: ignore[arg-type]
    return out


@SETTINGS
@given(clusters())
def test_removing_what_is_redundant_for_the_loaded_pods_changes_nothing(model: Model) -> None:
    result = redundant(Cluster(model))
    if not result.findings:
        return
    before = _connectivity(model)
    elements: list[Element] = [f.element for f in result.findings]
    for element in elements:
        assert _connectivity(remove(model, [element])) == before, element
    assert _connectivity(remove(model, elements)) == before


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiered_clusters(), clusters())
def test_redundancy_under_cluster_scoped_policies(model: Model, extra: Model) -> None:
    for any_pod in (False, True):
        result = redundant(Cluster(model), any_pod=any_pod)
        if not result.findings:
            continue
        grown = augment(model, extra) if any_pod else model
        before = _connectivity(grown)
        elements = [f.element for f in result.findings]
        assert _connectivity(remove(grown, elements)) == before, (any_pod, elements)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clusters(), clusters())
def test_redundant_for_any_pod_is_redundant_for_pods_created_later(
    model: Model, extra: Model
) -> None:
    result = redundant(Cluster(model), any_pod=True)
    if not result.findings:
        return
    grown = augment(model, extra)  # pods (and namespaces) that did not exist when checked
    before = _connectivity(grown)
    assert _connectivity(remove(grown, [f.element for f in result.findings])) == before


def test_elements_name_their_place() -> None:
    element = Element("peer", "ns/p", Direction.EGRESS, 2, 1)
    assert element.ident == "ns/p.egress[2].to[1]"
    assert Element("port", "ns/p", Direction.INGRESS, 0, 3).ident == "ns/p.ingress[0].ports[3]"
