"""Symbolic answers ("any pod") against brute force over every label assignment.

On small random clusters, a pod that need not exist is enumerated exhaustively: every
namespace (existing ones, and new ones with every namespace-label assignment) times every
assignment of the pod-label vocabulary. Z3's verdict for ``can any pod reach pod T:P`` must
equal "some enumerated pod is allowed by the reference evaluator", and its witness, built as
a real pod, must itself be allowed.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import npql
from npql.api.cluster import Cluster
from npql.model import NAMESPACE_NAME_LABEL, Namespace, Pod, Protocol
from npql.model import Cluster as Model
from npql.query import ast
from reference import allowed
from strategies import (
    NAMESPACE_LABEL_KEYS,
    NAMESPACE_LABEL_VALUES,
    NAMESPACE_NAMES,
    POD_LABEL_KEYS,
    POD_LABEL_VALUES,
    clusters,
)

ROOT = Path(__file__).resolve().parents[2]
OTHER = "other"  # a value no selector mentions


def _assignments(keys: tuple[str, ...], values: tuple[str, ...]) -> list[dict[str, str]]:
    options = [(None, *values, OTHER)] * len(keys)
    return [
        {k: v for k, v in zip(keys, combo, strict=True) if v is not None}
        for combo in itertools.product(*options)
    ]


def _namespaces(model: Model) -> list[Namespace]:
    out = list(model.namespaces.values())
    for name in (*[n for n in NAMESPACE_NAMES if n not in model.namespaces], "fresh"):
        for labels in _assignments(NAMESPACE_LABEL_KEYS, NAMESPACE_LABEL_VALUES):
            out.append(Namespace(name, {**labels, NAMESPACE_NAME_LABEL: name}))
    return out


def _with_namespace(model: Model, ns: Namespace) -> Model:
    namespaces = dict(model.namespaces) | {ns.name: ns}
    return Model(namespaces=namespaces, pods=model.pods, policies=model.policies)


def brute_force(model: Model, target: Pod, port: int, proto: Protocol) -> bool:
    for ns in _namespaces(model):
        world = _with_namespace(model, ns)
        for labels in _assignments(POD_LABEL_KEYS, POD_LABEL_VALUES):
            probe = Pod(ns.name, "probe", "Pod", labels)
            if allowed(world, probe, target, port, proto):
                return True
    return False


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clusters(), st.sampled_from((80, 443, 8080, 1)), st.sampled_from(list(Protocol)))
def test_any_pod_agrees_with_brute_force(model: Model, port: int, proto: Protocol) -> None:
    cluster = Cluster(model)
    target = model.pods[0]
    statement = ast.CanReach(
        ast.AnyPod(),
        ast.PodRef(target.namespace, target.name),
        ast.PortSpec(ast.PortRange(port, port), proto),
    )
    answer = cluster.query(statement)
    assert answer.allowed == brute_force(model, target, port, proto)
    if answer.allowed:
        src = answer.result.witness.source  # type: ignore[union-attr]
        if src.kind == "Hypothetical":
            ns = Namespace(src.namespace, dict(src.namespace_labels))
            world = model if not src.new_namespace else _with_namespace(model, ns)
            probe = Pod(src.namespace, "probe", "Pod", dict(src.labels))
            assert allowed(world, probe, target, port, proto)


def test_witness_yaml_applied_makes_the_query_true(tmp_path: Path) -> None:
    shop = ROOT / "examples" / "shop"
    cluster = npql.load(str(shop))
    answer = cluster.query("can any pod with tier=cache reach app=postgres:5432")
    assert answer.allowed is True
    from npql.render.manifests import render_manifests

    text = render_manifests(answer.result)
    docs = [d for d in yaml.safe_load_all(text) if d]
    pod = next(d for d in docs if d["kind"] == "Pod")
    assert pod["metadata"]["labels"]["tier"] == "cache"
    (tmp_path / "witness.yaml").write_text(text)
    applied = npql.load([str(shop), str(tmp_path / "witness.yaml")])
    ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
    assert applied.query(f"can pod {ns}/{name} reach app=postgres:5432").allowed is True


def test_closed_target_is_proved_for_every_pod() -> None:
    cluster = npql.load(str(ROOT / "examples" / "shop"))
    answer = cluster.query("can any pod reach app=postgres:6379")
    assert answer.allowed is False
    assert answer.to_dict()["denied_by"]["isolating_policies"]


def test_new_namespace_witness_carries_its_name_label() -> None:
    cluster = npql.load(str(ROOT / "examples" / "shop"))
    answer = cluster.query("can any pod outside ns shop reach app=postgres:5432")
    source = answer.to_dict()["witness"]["source"]
    assert source["new_namespace"] is True
    assert source["namespace_labels"][NAMESPACE_NAME_LABEL] == source["namespace"]
    assert source["namespace_labels"]["team"] == "web" and source["labels"] == {"app": "api"}


def test_assumptions_close_the_gap() -> None:
    cluster = npql.load(str(ROOT / "examples" / "shop"))
    open_gap = cluster.query("assert cannot any pod outside ns shop reach app=postgres:5432")
    assert open_gap.result.passed is False  # type: ignore[union-attr]
    cluster.query("assume no ns with team=web,kubernetes.io/metadata.name!=shop")
    closed = cluster.query("assert cannot any pod outside ns shop reach app=postgres:5432")
    assert closed.result.passed is True  # type: ignore[union-attr]
