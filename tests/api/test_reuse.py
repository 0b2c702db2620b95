"""Carrying warm state to a reloaded cluster: reused only when answers cannot differ.

Every reuse is checked against a fresh Cluster (and, for random edits, against the reference
evaluator): a wrong reuse would be a wrong answer.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import npql.api.cluster as api_cluster
from npql.api import Options
from npql.api.cluster import Cluster, load
from npql.api.reuse import CARRIED, EncodingReuse, carry_over, exact, merge
from npql.errors import Location
from npql.loader import ParseCache
from npql.model import Cluster as Model
from npql.model import Namespace, Pod, Protocol
from npql.query import ast
from reference import allowed
from shop_copies import copy_shop, shop_answers
from strategies import (
    POD_LABEL_KEYS,
    POD_LABEL_VALUES,
    clusters,
    network_policies,
    tiered_clusters,
)

SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"

CAN = [
    "can app=web reach app=api:8443",
    "can pod shop/api reach pod data/postgres:5432",
    "can ns monitoring reach app=api:9090",
    "can app=api reach app=postgres:5432",
    "can app=prometheus reach app=postgres:5432",
    "can internet reach app=web:8080",
    "can ip 10.1.2.3 reach app=web:8080",
    "can any pod reach app=postgres:5432",
    "can app=web reach any pod in ns data",
]
WHO = [
    "who can reach app=postgres:5432",
    "who can reach app=api",
    "who can reach app=web:8080",
    "what can app=api in ns shop reach",
]


def answers(cluster: Cluster) -> list[object]:
    return shop_answers(cluster, CAN, WHO)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return copy_shop(tmp_path)


@pytest.fixture
def sliced(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every question about existing pods gets a slice (as clusters of > 400 groups do)."""
    monkeypatch.setattr(api_cluster, "SLICE_ABOVE", 0)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def warm(folder: Path, cache: ParseCache) -> Cluster:
    cluster = load(str(folder), parse_cache=cache)
    answers(cluster)
    return cluster


def test_an_unchanged_reload_keeps_everything(shop: Path) -> None:
    cache = ParseCache()
    old = warm(shop, cache)
    before = answers(old)
    reloaded = carry_over(old, load(str(shop), parse_cache=cache))
    new = reloaded.cluster
    assert reloaded.reuse.encoding is EncodingReuse.KEPT
    assert set(reloaded.reuse.kept) == {n for n in CARRIED if n in old.__dict__}
    assert {"policies", "grouping", "bitsets", "solver"} <= set(reloaded.reuse.kept)
    for name in reloaded.reuse.kept:
        assert new.__dict__[name] is old.__dict__[name]
    assert all(a is b for a, b in zip(new.model.pods, old.model.pods, strict=True))
    assert answers(new) == before == answers(load(str(shop)))


def test_a_policy_edit_rebuilds_the_encoding(shop: Path) -> None:
    cache = ParseCache()
    old = warm(shop, cache)
    edit(shop / "policies.yaml", "except: [10.0.0.0/8]", "except: [10.0.0.0/16]")
    edit(shop / "policies.yaml", "ports: [{port: pg}]", "ports: [{port: 5433}]")
    reloaded = carry_over(old, load(str(shop), parse_cache=cache))
    new = reloaded.cluster
    assert reloaded.reuse.encoding is EncodingReuse.REBUILT
    assert reloaded.reuse.changed == {"shop", "data"}
    assert "solver" not in new.__dict__
    fresh = answers(load(str(shop)))
    assert answers(new) == fresh
    assert new.solver is not old.solver
    assert fresh != answers(old)  # the edits changed answers


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("workloads.yaml", "port: 443, targetPort: https", "port: 444, targetPort: https"),
        ("workloads.yaml", "image: nginx", "image: nginx:1.27"),
        ("policies.yaml", "# data: default-deny", "# data (edited): default-deny"),
    ],
    ids=["service", "image", "comment"],
)
def test_edits_that_change_no_input_keep_everything(
    shop: Path, file: str, old: str, new: str
) -> None:
    cache = ParseCache()
    before = warm(shop, cache)
    edit(shop / file, old, new)
    reloaded = carry_over(before, load(str(shop), parse_cache=cache))
    assert reloaded.reuse.encoding is EncodingReuse.KEPT
    assert reloaded.cluster.solver is before.solver
    assert answers(reloaded.cluster) == answers(load(str(shop)))


def test_the_service_edit_is_seen_though(shop: Path) -> None:
    cache = ParseCache()
    old = warm(shop, cache)
    edit(shop / "workloads.yaml", "port: 443, targetPort: https", "port: 444, targetPort: https")
    new = carry_over(old, load(str(shop), parse_cache=cache)).cluster
    assert new.bitsets is old.bitsets
    assert new.query("who can reach svc shop/api:444").to_dict()["sources"]


def test_moved_lines_are_a_change(shop: Path) -> None:
    """A pod whose line moved is not the same pod: answers name lines (lint, explain)."""
    cache = ParseCache()
    old = warm(shop, cache)
    workloads = shop / "workloads.yaml"
    workloads.write_text("# a new first line\n" + workloads.read_text())
    reloaded = carry_over(old, load(str(shop), parse_cache=cache))
    assert reloaded.reuse.encoding is EncodingReuse.REBUILT
    lines = {p.name: p.location.line for p in reloaded.cluster.model.pods if p.location}
    assert lines == {p.name: p.location.line for p in load(str(shop)).model.pods if p.location}
    assert answers(reloaded.cluster) == answers(old)


def test_slices_of_unchanged_namespaces_are_kept(shop: Path, sliced: None) -> None:
    cache = ParseCache()
    old = warm(shop, cache)
    assert old._slices and "solver" in old.__dict__
    edit(shop / "policies.yaml", "ports: [{port: 8080}]", "ports: [{port: 8081}]")
    reloaded = carry_over(old, load(str(shop), parse_cache=cache))
    new, reuse = reloaded.cluster, reloaded.reuse
    assert reuse.encoding is EncodingReuse.PARTIAL and reuse.changed == {"shop"}
    assert "shop" in reuse.reencoded and "solver" not in new.__dict__
    kept = {groups for groups, solver in new._slices.items() if old._slices.get(groups) is solver}
    assert kept and len(kept) == reuse.slices_kept < len(old._slices)
    for groups in kept:
        assert "shop" not in {new.grouping.groups[i].namespace for i in groups}
    fresh = load(str(shop))
    assert answers(new) == answers(fresh)
    assert new.query("can internet reach app=web:8081").allowed  # the edit is seen


def test_other_options_start_cold(shop: Path) -> None:
    cache = ParseCache()
    old = warm(shop, cache)
    new = load(str(shop), parse_cache=cache, ipblocks_match_pod_ips=True)
    reloaded = carry_over(old, new)
    assert reloaded.cluster is new and reloaded.reuse.encoding is EncodingReuse.REBUILT
    slower = load(str(shop), parse_cache=cache, timeout_ms=1234)
    assert carry_over(old, slower).cluster is slower


def test_a_cluster_that_computed_already_is_left_alone(shop: Path) -> None:
    old = warm(shop, ParseCache())
    new = load(str(shop))
    assert new.grouping is not None
    assert carry_over(old, new).cluster is new


def test_nothing_computed_nothing_to_say(shop: Path) -> None:
    cache = ParseCache()
    old = load(str(shop), parse_cache=cache)
    reloaded = carry_over(old, load(str(shop), parse_cache=cache))
    assert reloaded.reuse.encoding is EncodingReuse.NONE and not reloaded.reuse.kept


# ----------------------------------------------------------------------------- exactness


def test_exact_sees_what_equality_does_not() -> None:
    pod = Pod("ns", "web", "Pod", labels={"a": "1", "b": "2"}, location=Location("f", 0, 3))
    assert exact(pod, copy.deepcopy(pod))
    assert pod == replace(pod, location=Location("f", 0, 4))
    assert not exact(pod, replace(pod, location=Location("f", 0, 4)))
    assert pod == replace(pod, labels={"b": "2", "a": "1"})
    assert not exact(pod, replace(pod, labels={"b": "2", "a": "1"}))
    assert not exact((1,), (True,)) and not exact({"a": 1}, {"a": 1.0})


def test_merge_takes_the_old_objects_that_are_exactly_equal() -> None:
    pods = (Pod("a", "p0", "Pod", {"app": "x"}), Pod("a", "p1", "Pod", {"app": "y"}))
    old = Model(namespaces={"a": Namespace("a", {"n": "a"})}, pods=pods)
    new = copy.deepcopy(old)
    new = replace(new, pods=(new.pods[0], replace(new.pods[1], labels={"app": "z"})))
    merged = merge(old, new)
    assert merged.namespaces is old.namespaces
    assert merged.pods[0] is old.pods[0] and merged.pods[1] is new.pods[1]


# ------------------------------------------------------------------------- random edits


EDITS = ("none", "policy", "add", "drop", "tier", "pod", "namespace", "moved", "order")


@st.composite
def edited(draw: st.DrawFn, model: Model) -> tuple[str, Model]:
    """``model`` as a reload after one random edit reads it: new objects throughout."""
    again = copy.deepcopy(model)
    kind = draw(st.sampled_from(EDITS))
    if (kind in ("policy", "drop") and not again.policies) or (kind == "tier" and not again.tiered):
        kind = "add"
    if kind == "policy":
        i = draw(st.integers(0, len(again.policies) - 1))
        old = again.policies[i]
        policy = draw(network_policies(old.namespace, old.name))
        return kind, replace(again, policies=_put(again.policies, i, policy))
    if kind == "add":
        namespace = draw(st.sampled_from(sorted(again.namespaces)))
        policy = draw(network_policies(namespace, "added"))
        return kind, replace(again, policies=(*again.policies, policy))
    if kind == "drop":
        i = draw(st.integers(0, len(again.policies) - 1))
        return kind, replace(again, policies=again.policies[:i] + again.policies[i + 1 :])
    if kind == "tier":
        i = draw(st.integers(0, len(again.tiered) - 1))
        return kind, replace(again, tiered=again.tiered[:i] + again.tiered[i + 1 :])
    if kind == "pod":
        i = draw(st.integers(0, len(again.pods) - 1))
        labels = draw(
            st.dictionaries(st.sampled_from(POD_LABEL_KEYS), st.sampled_from(POD_LABEL_VALUES))
        )
        return kind, replace(again, pods=_put(again.pods, i, replace(again.pods[i], labels=labels)))
    if kind == "namespace":
        name = draw(st.sampled_from(sorted(again.namespaces)))
        labels = {**again.namespaces[name].labels, "team": draw(st.sampled_from(["x", "y"]))}
        spaces = {**again.namespaces, name: replace(again.namespaces[name], labels=labels)}
        return kind, replace(again, namespaces=spaces)
    if kind == "moved":
        i = draw(st.integers(0, len(again.pods) - 1))
        moved = replace(again.pods[i], location=Location("moved.yaml", 0, 9))
        return kind, replace(again, pods=_put(again.pods, i, moved))
    if kind == "order":
        return kind, replace(again, pods=tuple(reversed(again.pods)))
    return kind, again


def _put(items: tuple[object, ...], index: int, item: object) -> tuple:  # type: ignore[type-arg]
    return items[:index] + (item,) + items[index + 1 :]


@pytest.fixture
def slicing() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _can(src: Pod, dst: Pod, port: int, proto: Protocol) -> ast.CanReach:
    return ast.CanReach(
        ast.PodRef(src.namespace, src.name),
        ast.PodRef(dst.namespace, dst.name),
        ast.PortSpec(ast.PortRange(port, port), proto),
    )


def _pairs(model: Model) -> list[tuple[Pod, Pod]]:
    return [(s, d) for s in model.pods for d in model.pods if s is not d]


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.one_of(clusters(), tiered_clusters()).filter(lambda m: len(m.pods) >= 2),
    st.data(),
    st.booleans(),
)
def test_random_edits_answer_as_a_fresh_load(
    slicing: pytest.MonkeyPatch, model: Model, data: st.DataObject, sliced: bool
) -> None:
    slicing.setattr(api_cluster, "SLICE_ABOVE", 0 if sliced else 400)
    old = Cluster(model, Options())
    for src, dst in _pairs(model):  # warm: the whole encoding, or one slice per pair
        old.query(_can(src, dst, 80, Protocol.TCP))
    what, after = data.draw(edited(model))
    reloaded = carry_over(old, Cluster(after, Options()))
    event(f"{what}: {reloaded.reuse.encoding.value}")
    new = reloaded.cluster
    for src, dst in _pairs(new.model):
        for port, proto in ((80, Protocol.TCP), (8080, Protocol.TCP), (53, Protocol.UDP)):
            expected = allowed(after, src, dst, port, proto)
            assert new.query(_can(src, dst, port, proto)).allowed == expected, (what, src, dst)
    assert exact(new.model, after)
    if what == "none":
        assert reloaded.reuse.encoding is EncodingReuse.KEPT
