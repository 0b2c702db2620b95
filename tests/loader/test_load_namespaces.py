"""Namespaces: the default namespace, implicit ones, and the metadata.name label."""

from __future__ import annotations

from loader_helpers import dump, netpol, only_problem

from npql.loader import load_text
from npql.model import NAMESPACE_NAME_LABEL, Namespace


def namespace(name: str, labels: dict[str, str] | None = None) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": labels or {}},
    }


def test_objects_without_namespace_are_in_default() -> None:
    cluster = load_text(dump({"kind": "Pod", "metadata": {"name": "p"}}))
    assert cluster.pods[0].namespace == "default"
    assert cluster.namespaces == {
        "default": Namespace("default", {NAMESPACE_NAME_LABEL: "default"}, declared=False)
    }


def test_implicit_namespaces_from_pods_services_and_policies() -> None:
    text = (
        dump(
            {"kind": "Pod", "metadata": {"name": "p", "namespace": "a"}},
            {"kind": "Service", "metadata": {"name": "s", "namespace": "b"}},
        )
        + "---\n"
        + netpol({}, namespace="c")
    )
    cluster = load_text(text)
    assert list(cluster.namespaces) == ["a", "b", "c"]
    assert all(not ns.declared for ns in cluster.namespaces.values())
    assert cluster.namespaces["b"].labels == {NAMESPACE_NAME_LABEL: "b"}


def test_declared_namespace_gets_the_name_label() -> None:
    cluster = load_text(dump(namespace("prod", {"env": "prod"})))
    ns = cluster.namespaces["prod"]
    assert ns.declared and ns.labels == {"env": "prod", NAMESPACE_NAME_LABEL: "prod"}
    assert "default" not in cluster.namespaces
    assert ns.location is not None


def test_declared_default_namespace() -> None:
    cluster = load_text(dump(namespace("default", {"team": "x"})))
    assert cluster.namespaces["default"].declared


def test_wrong_name_label_is_overwritten_with_a_warning() -> None:
    text = dump(namespace("prod", {NAMESPACE_NAME_LABEL: "staging"}))
    cluster = load_text(text)
    assert cluster.namespaces["prod"].labels[NAMESPACE_NAME_LABEL] == "prod"
    assert cluster.warnings[0].field == f"metadata.labels[{NAMESPACE_NAME_LABEL}]"
    assert only_problem(text, strict=True).obj == "Namespace prod"


def test_namespace_object_ignores_its_own_namespace_field() -> None:
    data = namespace("prod")
    data["metadata"] = {"name": "prod", "namespace": ""}
    assert list(load_text(dump(data)).namespaces) == ["prod"]
