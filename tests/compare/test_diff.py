"""The semantic diff: exactly the changed connections, for existing pairs and possible pods."""

from __future__ import annotations

import json

from compare_helpers import augment, check_existing, check_possible, example, versions
from hypothesis import HealthCheck, given, settings

import npql
from npql.api.cluster import Cluster, Options
from npql.compare.diff import diff, existing_changes
from npql.model import Cluster as Model
from npql.model import Protocol
from npql.model.ports import PortSet
from strategies import clusters, tiered_clusters

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_adding_a_rule_adds_exactly_that_connection() -> None:
    old, new = example("before"), example("after-safe")
    result = diff(old, new, old_name="before", new_name="after-safe")
    assert result.connlist_lines() == ["+ shop/web[Deployment] => shop/api[Deployment] : TCP 8443"]
    assert not result.only_old and not result.only_new
    assert result.possible_complete and len(result.possible) == 1
    possible = result.possible[0]
    assert possible.change == "added"
    assert possible.ports == PortSet.of(Protocol.TCP, 8443, 8443)
    assert possible.allowed_by == ("shop/api-from-web.ingress[0]",)
    assert possible.denied_in == ("ingress",)
    assert dict(possible.source.labels) == {"app": "web"}
    assert dict(possible.target.labels) == {"app": "api"}
    check_possible(old.model, new.model, possible)
    check_existing(old.model, new.model, list(result.changes))


def test_or_instead_of_and_opens_the_api_to_every_namespace() -> None:
    old, new = example("before"), example("after-broad")
    result = diff(old, new)
    assert result.connlist_lines() == [
        "+ monitoring/prometheus[Deployment] => shop/api[Deployment] : TCP 8443",
        "+ shop/web[Deployment] => shop/api[Deployment] : TCP 8443",
    ]
    assert result.possible and all(p.change == "added" for p in result.possible)
    for p in result.possible:
        check_possible(old.model, new.model, p)


def test_tightening_removes_connections_and_address_ranges() -> None:
    old, new = example("before"), example("after-tighten")
    result = diff(old, new)
    assert not result.added
    assert result.connlist_lines() == [
        "- 0.0.0.0-9.255.255.255[External] => shop/web[Deployment] : TCP 8080",
        "- 11.0.0.0-203.0.112.255[External] => shop/web[Deployment] : TCP 8080",
        "- 203.0.114.0-255.255.255.255[External] => shop/web[Deployment] : TCP 8080",
        "- monitoring/prometheus[Deployment] => shop/api[Deployment] : TCP 9090",
    ]
    assert {p.change for p in result.possible} == {"removed"}
    for p in result.possible:
        check_possible(old.model, new.model, p)
    addresses = [p for p in result.possible if p.source.is_address]
    assert addresses and addresses[0].source.cidr is not None


def test_identical_versions_differ_in_nothing() -> None:
    old, new = example("before"), example("before")
    result = diff(old, new)
    assert not result.changed and result.possible_complete
    assert result.lines()[0].startswith("NO CHANGE")


WORKLOADS = """
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: x}}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: a, labels: {app: client}}
---
apiVersion: v1
kind: Pod
metadata: {name: server, namespace: a, labels: {app: server}}
spec: {containers: [{name: s, image: s, ports: [{name: http, containerPort: 80}]}]}
"""

DENY = """
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: a}
spec: {podSelector: {}, policyTypes: [Ingress]}
"""


def test_workloads_in_one_version_only_are_reported_as_such() -> None:
    extra = """
---
apiVersion: v1
kind: Pod
metadata: {name: newcomer, namespace: a, labels: {app: client}}
"""
    old = npql.loads(WORKLOADS + DENY)
    new = npql.loads(WORKLOADS + DENY + extra)
    changes, only_old, only_new = existing_changes(old, new)
    assert not only_old and [str(w) for w in only_new] == ["a/newcomer[Pod]"]
    assert changes and all(c.only_in == "new" and c.removed.is_empty() for c in changes)
    assert any(str(c.source) == "a/newcomer[Pod]" for c in changes)
    result = diff(old, new)
    assert not result.possible and result.possible_complete  # no policy changed
    text = "\n".join(result.lines())
    assert "workloads only in new: a/newcomer[Pod]" in text
    assert "(workload only in the new version)" in text


def test_namespace_labels_may_differ_between_versions() -> None:
    policy = """
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: server-from-x, namespace: a}
spec:
  podSelector: {matchLabels: {app: server}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: x}}}]}]
"""
    old = npql.loads(WORKLOADS + policy)
    new = npql.loads(WORKLOADS.replace("team: x", "team: y") + policy)
    result = diff(old, new)
    assert result.connlist_lines() == ["- a/client[Pod] => a/server[Pod] : All Connections"]
    assert result.possible
    for p in result.possible:
        check_possible(old.model, new.model, p)
        if not p.source.is_address:
            assert dict(p.source.namespace_labels_old)["team"] == "x"
            assert dict(p.source.namespace_labels_new)["team"] == "y"


def test_renderings() -> None:
    result = diff(example("before"), example("after-broad"), old_name="main", new_name="pr")
    document = result.to_dict()
    assert document["schema"] == "npql/v1" and document["statement"] == "diff"
    assert json.loads(json.dumps(document)) == document
    assert document["changes"][0]["added"]["ports"] == "TCP 8443"
    markdown = result.markdown()
    assert markdown.startswith("### NetworkPolicy changes: `main` → `pr`")
    assert "| ➕ | `shop/web[Deployment]` | `shop/api[Deployment]` | TCP 8443 |  |" in markdown
    assert "+ shop/web[Deployment] => shop/api[Deployment] : TCP 8443" in str(result)


def test_limit_bounds_the_possible_differences() -> None:
    result = diff(example("before"), example("after-tighten"), limit=1)
    assert len(result.possible) == 1  # nothing added; two classes removed, limited to one
    assert not result.possible_complete
    assert len(diff(example("before"), example("after-tighten"), possible=False).possible) == 0


@SETTINGS
@given(versions())
def test_random_diffs_agree_with_the_reference(pair: tuple[object, object]) -> None:
    old_model, new_model = pair
    old, new = Cluster(old_model), Cluster(new_model)  # type: ignore[arg-type]
    result = diff(old, new, limit=3)
    check_existing(old.model, new.model, list(result.changes))
    for p in result.possible:
        check_possible(old.model, new.model, p)
    existing = [c for c in result.changes if c.only_in is None]
    if result.possible_complete and not result.possible:
        assert not existing  # existing pods are possible pods too
    if existing and result.reason is None:
        assert result.possible


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(versions(tiered_clusters()))
def test_random_diffs_under_cluster_scoped_policies(pair: tuple[Model, Model]) -> None:
    old, new = Cluster(pair[0]), Cluster(pair[1])
    result = diff(old, new, limit=2)
    check_existing(old.model, new.model, list(result.changes))
    for p in result.possible:
        check_possible(old.model, new.model, p)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(versions())
def test_random_diffs_when_ipblocks_match_pod_ips(pair: tuple[Model, Model]) -> None:
    options = Options(ipblocks_match_pod_ips=True)
    old, new = Cluster(pair[0], options), Cluster(pair[1], options)
    result = diff(old, new, limit=2)
    check_existing(old.model, new.model, list(result.changes), pod_ips=True)
    for p in result.possible:
        check_possible(old.model, new.model, p, pod_ips=True)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(versions(), clusters())
def test_no_possible_difference_means_none_for_pods_created_later(
    pair: tuple[Model, Model], extra: Model
) -> None:
    old, new = Cluster(pair[0]), Cluster(pair[1])
    result = diff(old, new, limit=1)
    if result.possible or not result.possible_complete:
        return
    # Pods (and namespaces) nobody had created: no connection of theirs may differ either.
    check_existing(augment(pair[0], extra), augment(pair[1], extra), [])
