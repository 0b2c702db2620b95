"""List objects: kind List and every *List kind; kind-less items take the list's kind."""

from __future__ import annotations

from loader_helpers import dump, only_problem

from npql.loader import load_text


def test_pod_list_items_without_kind() -> None:
    text = dump(
        {
            "apiVersion": "v1",
            "kind": "PodList",
            "items": [{"metadata": {"name": "a"}}, {"metadata": {"name": "b"}}],
        }
    )
    cluster = load_text(text)
    assert [(p.name, p.kind) for p in cluster.pods] == [("a", "Pod"), ("b", "Pod")]
    lines = [p.location.line for p in cluster.pods if p.location is not None]
    assert lines == [4, 6]


def test_namespace_and_policy_lists() -> None:
    text = dump(
        {"kind": "NamespaceList", "items": [{"metadata": {"name": "prod"}}]},
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicyList",
            "items": [{"metadata": {"name": "np", "namespace": "prod"}, "spec": {}}],
        },
    )
    cluster = load_text(text)
    assert cluster.namespaces["prod"].declared
    assert cluster.policies[0].ident == "prod/np"


def test_generic_list_and_nested_lists() -> None:
    inner = {
        "kind": "DeploymentList",
        "apiVersion": "apps/v1",
        "items": [
            {"metadata": {"name": "d"}, "spec": {"template": {"metadata": {"labels": {"a": "b"}}}}}
        ],
    }
    text = dump(
        {
            "apiVersion": "v1",
            "kind": "List",
            "items": [
                {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}},
                inner,
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}},
            ],
        }
    )
    cluster = load_text(text)
    assert [p.workload for p in cluster.pods] == ["default/p[Pod]", "default/d[Deployment]"]
    assert cluster.skipped == {"ConfigMap": 1}


def test_kind_less_item_of_plain_list_is_a_warning() -> None:
    cluster = load_text(dump({"kind": "List", "items": [{"metadata": {"name": "a"}}]}))
    assert cluster.pods == () and "without a kind" in cluster.warnings[0].message


def test_empty_and_null_items() -> None:
    assert load_text(dump({"kind": "PodList", "items": None})).pods == ()
    assert load_text(dump({"kind": "PodList", "items": []})).pods == ()


def test_bad_items() -> None:
    assert only_problem(dump({"kind": "PodList", "items": {"a": 1}})).field == "items"
    assert only_problem(dump({"kind": "PodList", "items": ["x"]})).field == "items[0]"
