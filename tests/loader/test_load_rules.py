"""Objects the API server would reject: errors, or warnings where the meaning is clear.

Also duplicates (objects, and keys of one YAML mapping), and kind/apiVersion types.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from loader_helpers import dump, netpol, only_problem, problems

from npql.errors import LoadError
from npql.loader import load_paths, load_text


def error_at(spec: dict[str, Any]) -> tuple[str | None, str]:
    problem = only_problem(netpol(spec), source="np.yaml")
    assert problem.obj == "NetworkPolicy default/np"
    assert problem.location is not None and problem.location.path == "np.yaml"
    return problem.field, problem.message


def test_more_than_two_policy_types() -> None:
    field, message = error_at({"policyTypes": ["Ingress", "Egress", "Ingress"]})
    assert field == "spec.policyTypes" and "more than two" in message
    assert load_text(netpol({"policyTypes": ["Ingress", "Ingress"]})).policies


@pytest.mark.parametrize("cidr", ["fe80::%eth0/64", "10.0.0.0/8 ", "010.0.0.0/8", "10.0.0.0/-1"])
def test_cidrs_go_would_not_parse(cidr: str) -> None:
    field, message = error_at({"ingress": [{"from": [{"ipBlock": {"cidr": cidr}}]}]})
    assert field == "spec.ingress[0].from[0].ipBlock.cidr" and "invalid CIDR" in message


@pytest.mark.parametrize(
    ("peer", "field"),
    [
        ({"podSelector": None, "namespaceSelector": None}, "spec.egress[0].to[0]"),
        ({"ipBlock": {"cidr": ""}}, "spec.egress[0].to[0].ipBlock.cidr"),
        (
            {"namespaceSelector": {"matchLabels": {"a": 1}}},
            "spec.egress[0].to[0].namespaceSelector.matchLabels[a]",
        ),
        (
            {"ipBlock": {"cidr": "10.0.0.0/8", "except": "10.1.0.0/16"}},
            "spec.egress[0].to[0].ipBlock.except",
        ),
    ],
)
def test_more_peer_errors(peer: dict[str, Any], field: str) -> None:
    assert error_at({"egress": [{"to": [peer]}]})[0] == field


@pytest.mark.parametrize(
    ("port", "field"),
    [
        ({"port": ""}, "port"),
        ({"protocol": ""}, "protocol"),
        ({"port": 80, "endPort": 0}, "endPort"),
        ({"port": 2.0}, "port"),
        ({"port": None, "endPort": 9}, "endPort"),
    ],
)
def test_more_port_errors(port: dict[str, Any], field: str) -> None:
    assert error_at({"ingress": [{"ports": [port]}]})[0] == f"spec.ingress[0].ports[0].{field}"


def test_null_protocol_and_port_are_defaults() -> None:
    (found,) = load_text(
        netpol({"ingress": [{"ports": [{"protocol": None, "port": None}]}]})
    ).policies
    assert found.ingress[0].ports[0].protocol.value == "TCP"
    assert found.ingress[0].ports[0].port is None


# Duplicates


def test_duplicates_across_files_name_both(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(netpol({}, name="same"))
    (tmp_path / "b.yaml").write_text(
        "kind: ConfigMap\n---\n" + netpol({"ingress": [{}]}, name="same")
    )
    cluster = load_paths([str(tmp_path)])
    (policy,) = cluster.policies
    assert policy.location is not None and policy.location.path.endswith("a.yaml")
    (warning,) = cluster.warnings
    assert warning.location is not None and warning.location.path.endswith("b.yaml")
    assert warning.location.document == 1 and "a.yaml:1 (document 1)" in warning.message
    assert "duplicate NetworkPolicy" in warning.message
    with pytest.raises(LoadError) as info:
        load_paths([str(tmp_path)], strict=True)
    assert "a.yaml" in str(info.value) and "b.yaml" in str(info.value)


@pytest.mark.parametrize("kind", ["Namespace", "Service", "Deployment", "Pod"])
def test_duplicates_of_every_kind(kind: str) -> None:
    spec = {"template": {"spec": {}}} if kind == "Deployment" else {}
    obj = {
        "apiVersion": "apps/v1" if kind == "Deployment" else "v1",
        "kind": kind,
        "metadata": {"name": "x"},
        "spec": spec,
    }
    cluster = load_text(dump(obj, obj), source="d.yaml")
    assert [w.message.split(":")[0] for w in cluster.warnings] == [f"duplicate {kind}"]
    assert "duplicate" in only_problem(dump(obj, obj), strict=True).message


def test_same_name_in_other_namespaces_or_kinds_is_no_duplicate() -> None:
    text = netpol({}, name="a") + "---\n" + netpol({}, name="a", namespace="other")
    text += "---\nkind: Service\nmetadata: {name: a}\n"
    assert not load_text(text).warnings


def test_duplicate_keys_in_a_mapping() -> None:
    text = "kind: Pod\nmetadata:\n  name: a\n  name: b\n"
    problem = only_problem(text, source="k.yaml")
    assert problem.location is not None and problem.location.line == 4
    assert 'duplicate key "name" (first at line 3)' in problem.message


def test_duplicate_keys_in_json() -> None:
    text = '{"kind": "Pod", "kind": "Service"}'
    assert 'duplicate key "kind"' in only_problem(text, source="k.json").message


def test_merge_keys_are_not_duplicates() -> None:
    text = (
        "kind: PodList\nitems:\n- metadata: &m {name: a, labels: {app: web}}\n"
        "- metadata:\n    <<: *m\n    name: b\n"
    )
    assert [p.name for p in load_text(text).pods] == ["a", "b"]


# kind and apiVersion


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("kind: 7\nmetadata: {name: a}\n", "kind"),
        ("kind: [Pod]\n", "kind"),
        ("kind: Pod\napiVersion: {v: 1}\nmetadata: {name: a}\n", "apiVersion"),
        ("kind: PodList\nitems: [{kind: true}]\n", "kind"),
    ],
)
def test_kind_and_api_version_must_be_strings(text: str, field: str) -> None:
    problem = only_problem(text, source="t.yaml")
    assert problem.field == field and "must be a string" in problem.message
    assert problem.obj is not None and "t.yaml" in str(problem)


# Workload selectors


def deployment(selector: Any, labels: dict[str, str], kind: str = "Deployment") -> str:
    return dump(
        {
            "apiVersion": "v1" if kind == "ReplicationController" else "apps/v1",
            "kind": kind,
            "metadata": {"name": "d"},
            "spec": {"selector": selector, "template": {"metadata": {"labels": labels}}},
        }
    )


def test_selector_must_select_the_template() -> None:
    text = deployment({"matchLabels": {"app": "x"}}, {"app": "y"})
    (warning,) = load_text(text).warnings
    assert warning.field == "spec.selector" and "does not select" in warning.message
    assert only_problem(text, strict=True).field == "spec.selector"
    expressions = {"matchExpressions": [{"key": "app", "operator": "In", "values": ["y"]}]}
    assert not load_text(deployment(expressions, {"app": "y", "more": "z"})).warnings


def test_empty_selector_is_invalid_for_apps() -> None:
    (warning,) = load_text(deployment({}, {"app": "y"}, "StatefulSet")).warnings
    assert "empty selector" in warning.message


def test_replication_controller_selector_is_a_map() -> None:
    assert not load_text(deployment({"app": "y"}, {"app": "y"}, "ReplicationController")).warnings
    assert not load_text(deployment({}, {"app": "y"}, "ReplicationController")).warnings
    (warning,) = load_text(deployment({"app": "x"}, {"app": "y"}, "ReplicationController")).warnings
    assert "does not select" in warning.message
    assert only_problem(deployment({"app": 1}, {}, "ReplicationController")).field == (
        "spec.selector[app]"
    )


def test_invalid_selector_is_an_error_not_also_a_mismatch() -> None:
    found = problems(deployment({"matchLabels": {"app": "x y"}}, {"app": "y"}))
    assert [p.field for p in found] == ["spec.selector.matchLabels[app]"]
    assert only_problem(deployment("app=y", {"app": "y"})).field == "spec.selector"


# Types of fields npql does not otherwise read


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("spec", "replicas"), "3", "spec.replicas"),
        (
            ("spec", "template", "spec", "containers"),
            [{"name": "c", "env": [{"name": "P", "value": 80}]}],
            "spec.template.spec.containers[0].env[0].value",
        ),
        (
            ("spec", "template", "spec", "containers"),
            [{"name": "c", "args": ["--port", 80]}],
            "spec.template.spec.containers[0].args[1]",
        ),
        (("metadata", "annotations"), {"enabled": True}, "metadata.annotations[enabled]"),
        (
            ("spec", "strategy"),
            {"rollingUpdate": {"maxSurge": 1.5}},
            "spec.strategy.rollingUpdate.maxSurge",
        ),
    ],
)
def test_common_type_mistakes(path: tuple[str, ...], value: Any, field: str) -> None:
    obj: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {"template": {"spec": {}}},
    }
    target = obj
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert only_problem(dump(obj)).field == field
