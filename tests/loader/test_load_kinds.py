"""Kinds: modelled, skipped (counted) and unmodelled policy kinds (counted; strict fails)."""

from __future__ import annotations

import pytest
from loader_helpers import dump, only_problem

from npql.errors import LoadError
from npql.loader import load_text


def obj(api_version: str | None, kind: str, name: str = "x") -> dict[str, object]:
    data: dict[str, object] = {"kind": kind, "metadata": {"name": name}, "spec": {}}
    if api_version is not None:
        data["apiVersion"] = api_version
    return data


def test_other_kinds_are_skipped_and_counted() -> None:
    cluster = load_text(
        dump(obj("v1", "ConfigMap"), obj("v1", "ConfigMap", "y"), obj("v1", "Route"))
    )
    assert cluster.skipped == {"ConfigMap": 2, "Route": 1}
    assert cluster.warnings == ()


@pytest.mark.parametrize(
    ("api_version", "kind", "key"),
    [
        ("projectcalico.org/v3", "NetworkPolicy", "projectcalico.org/NetworkPolicy"),
        ("projectcalico.org/v3", "GlobalNetworkPolicy", "projectcalico.org/GlobalNetworkPolicy"),
        ("crd.projectcalico.org/v1", "NetworkPolicy", "crd.projectcalico.org/NetworkPolicy"),
        ("cilium.io/v2", "CiliumNetworkPolicy", "CiliumNetworkPolicy"),
        ("cilium.io/v2", "CiliumClusterwideNetworkPolicy", "CiliumClusterwideNetworkPolicy"),
        ("crd.antrea.io/v1beta1", "NetworkPolicy", "crd.antrea.io/NetworkPolicy"),
        ("crd.antrea.io/v1beta1", "ClusterNetworkPolicy", "crd.antrea.io/ClusterNetworkPolicy"),
        ("example.com/v1", "NetworkPolicy", "example.com/NetworkPolicy"),
    ],
)
def test_unmodelled_policy_kinds(api_version: str, kind: str, key: str) -> None:
    text = dump(obj(api_version, kind))
    cluster = load_text(text)
    assert cluster.unmodelled == {key: 1}
    assert cluster.policies == () and cluster.skipped == {}
    problem = only_problem(text, strict=True)
    assert key in problem.message and problem.location is not None


def test_k8s_network_policy_api_versions() -> None:
    for api_version in ("networking.k8s.io/v1", None, "extensions/v1beta1"):
        assert len(load_text(dump(obj(api_version, "NetworkPolicy"))).policies) == 1


def test_kinds_of_other_groups_are_skipped() -> None:
    cluster = load_text(
        dump(obj("serving.knative.dev/v1", "Service"), obj("example.com/v1", "Pod"))
    )
    assert cluster.skipped == {"serving.knative.dev/Service": 1, "example.com/Pod": 1}
    assert cluster.services == () and cluster.pods == ()


def test_calico_non_policy_kinds_are_skipped() -> None:
    assert load_text(dump(obj("projectcalico.org/v3", "IPPool"))).skipped == {"IPPool": 1}


def test_cluster_scoped_policy_kinds_are_modelled() -> None:
    anp = obj("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy")
    anp["spec"] = {
        "priority": 5,
        "subject": {"namespaces": {}},
        "ingress": [{"action": "Deny", "from": [{"namespaces": {}}]}],
    }
    cnp = obj("policy.networking.k8s.io/v1alpha2", "ClusterNetworkPolicy", "c")
    cnp["spec"] = {
        "tier": "Baseline",
        "priority": 1,
        "subject": {"namespaces": {}},
        "egress": [
            {
                "action": "Accept",
                "to": [{"networks": ["10.0.0.0/8"]}],
                "protocols": [{"tcp": {"destinationPort": {"number": 443}}}],
            }
        ],
    }
    cluster = load_text(dump(anp, cnp))
    assert cluster.unmodelled == {}
    assert [p.kind for p in cluster.tiered] == ["AdminNetworkPolicy", "ClusterNetworkPolicy"]
    assert cluster.tiered[1].egress[0].ports[0].lo == 443


def test_cluster_scoped_policy_errors_name_the_field() -> None:
    cnp = obj("policy.networking.k8s.io/v1alpha2", "ClusterNetworkPolicy", "c")
    cnp["spec"] = {"tier": "Middle", "priority": 2000, "subject": {"namespaces": {}}}
    with pytest.raises(LoadError) as err:
        load_text(dump(cnp))
    text = str(err.value)
    assert "spec.tier" in text and "spec.priority" in text
