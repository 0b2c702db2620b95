"""Pods and workloads as endpoints: template labels and ports, owners, collapse, duplicates."""

from __future__ import annotations

from typing import Any

import pytest
from loader_helpers import dump, only_problem, problems

from npql.loader import load_text
from npql.model import ContainerPort, Pod, Protocol

TEMPLATE = {
    "metadata": {"labels": {"app": "web"}},
    "spec": {
        "hostNetwork": True,
        "containers": [
            {"name": "c", "ports": [{"containerPort": 80, "name": "http"}]},
            {"name": "d", "ports": [{"containerPort": 53, "protocol": "UDP"}]},
        ],
        "initContainers": [{"name": "i", "ports": [{"containerPort": 9999}]}],
    },
}


def workload(kind: str, name: str = "web", **extra: Any) -> dict[str, Any]:
    api = {"Job": "batch/v1", "CronJob": "batch/v1", "ReplicationController": "v1"}
    spec = (
        {"jobTemplate": {"spec": {"template": TEMPLATE}}}
        if kind == "CronJob"
        else {
            "replicas": 3,
            "template": TEMPLATE,
        }
    )
    metadata = {"name": name, "namespace": "shop", "labels": {"own": "label"}, **extra}
    return {
        "apiVersion": api.get(kind, "apps/v1"),
        "kind": kind,
        "metadata": metadata,
        "spec": spec,
    }


def pod(name: str, labels: dict[str, str] | None = None, **metadata: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels or {"app": "web"}, **metadata},
        "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 8080}]}]},
    }


def owner(kind: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "name": name,
        "uid": "u1",
        "controller": True,
        **extra,
    }


@pytest.mark.parametrize(
    "kind",
    [
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "ReplicationController",
        "Job",
        "CronJob",
    ],
)
def test_workload_kinds_use_the_pod_template(kind: str) -> None:
    cluster = load_text(dump(workload(kind)))
    assert cluster.pods == (
        Pod(
            namespace="shop",
            name="web",
            kind=kind,
            labels={"app": "web"},
            ports=(ContainerPort(80, Protocol.TCP, "http"), ContainerPort(53, Protocol.UDP)),
            host_network=True,
            pod_name=None,
        ),
    )
    assert cluster.pods[0].location is not None


def test_workload_without_template_is_an_error() -> None:
    text = dump(
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {}}
    )
    assert only_problem(text).field == "spec.template"
    cron = dump(
        {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {}}
    )
    assert only_problem(cron).field == "spec.jobTemplate"


def test_bare_pod() -> None:
    data = pod("p")
    data["spec"]["hostNetwork"] = False
    data["status"] = {"podIP": "10.0.0.1", "podIPs": [{"ip": "fd00::1"}, {"ip": "10.0.0.1"}]}
    (found,) = load_text(dump(data)).pods
    assert (found.workload, found.pod_name, found.ips) == (
        "default/p[Pod]",
        "p",
        ("fd00::1", "10.0.0.1"),
    )
    assert found.ports == (ContainerPort(8080),)


def test_pod_named_after_its_controller_owner() -> None:
    refs = [{"kind": "Other", "name": "x", "uid": "2"}, owner("ReplicaSet", "web-123")]
    (found,) = load_text(dump(pod("web-123-abc", ownerReferences=refs))).pods
    assert (found.name, found.kind, found.pod_name) == ("web-123", "ReplicaSet", "web-123-abc")


def test_node_owner_means_a_bare_pod() -> None:
    refs = [owner("Node", "minikube")]
    (found,) = load_text(dump(pod("etcd-minikube", ownerReferences=refs))).pods
    assert found.workload == "default/etcd-minikube[Pod]"


def test_pods_of_one_owner_collapse() -> None:
    refs = [owner("DaemonSet", "agent")]
    first = pod("agent-a", ownerReferences=refs)
    first["status"] = {"podIP": "10.0.0.1"}
    second = pod("agent-b", ownerReferences=refs)
    second["status"] = {"podIP": "10.0.0.2"}
    second["spec"]["containers"][0]["ports"][0]["containerPort"] = 9090
    cluster = load_text(dump(first, second))
    assert len(cluster.pods) == 1
    found = cluster.pods[0]
    assert (found.workload, found.pod_name) == ("default/agent[DaemonSet]", "agent-a")
    assert found.ips == ("10.0.0.1", "10.0.0.2")
    assert found.ports == (ContainerPort(8080),)
    assert cluster.warnings == ()


def test_pods_of_one_owner_with_different_labels_warn() -> None:
    refs = [owner("ReplicaSet", "rs")]
    text = dump(
        pod("a", {"app": "x"}, ownerReferences=refs), pod("b", {"app": "y"}, ownerReferences=refs)
    )
    cluster = load_text(text)
    assert cluster.pods[0].labels == {"app": "x"}
    message = cluster.warnings[0].message
    assert "pod a" in message and "pod b" in message
    assert "pod b" in only_problem(text, strict=True).message


def test_workload_object_and_its_pods_are_one_endpoint() -> None:
    text = dump(
        workload("ReplicaSet", "rs"),
        pod("rs-1", namespace="shop", ownerReferences=[owner("ReplicaSet", "rs")]),
    )
    cluster = load_text(text)
    assert [p.workload for p in cluster.pods] == ["shop/rs[ReplicaSet]"]
    assert cluster.pods[0].pod_name == "rs-1"


def test_controller_owner_without_uid_warns() -> None:
    ref = owner("ReplicaSet", "rs")
    del ref["uid"]
    text = dump(pod("p", ownerReferences=[ref]))
    cluster = load_text(text, source="pods.yaml")
    assert cluster.pods[0].workload == "default/rs[ReplicaSet]"
    (warning,) = cluster.warnings
    assert warning.field == "metadata.ownerReferences[0].uid"
    assert "pods.yaml" in str(warning)
    assert only_problem(text, strict=True).field == "metadata.ownerReferences[0].uid"


def test_controller_owner_without_kind_is_a_pod_named_after_the_owner() -> None:
    text = dump(pod("p", ownerReferences=[{"name": "sec", "uid": "1", "controller": True}]))
    cluster = load_text(text)
    assert cluster.pods[0].workload == "default/sec[Pod]"
    assert cluster.warnings[0].field == "metadata.ownerReferences[0].kind"


def test_two_controller_owners_is_an_error() -> None:
    text = dump(pod("p", ownerReferences=[owner("ReplicaSet", "a"), owner("ReplicaSet", "b")]))
    assert only_problem(text).field == "metadata.ownerReferences"


def test_container_port_without_number_is_skipped_with_a_warning() -> None:
    data = pod("p")
    data["spec"]["containers"][0]["ports"].append({"name": "udps", "containerport": 3535})
    text = dump(data)
    cluster = load_text(text)
    assert cluster.pods[0].ports == (ContainerPort(8080),)
    assert cluster.warnings[0].field == "spec.containers[0].ports[1].containerPort"
    assert only_problem(text, strict=True).field == "spec.containers[0].ports[1].containerPort"


@pytest.mark.parametrize(
    ("port", "field"),
    [
        ({"containerPort": 0}, "containerPort"),
        ({"containerPort": 70000}, "containerPort"),
        ({"containerPort": "80"}, "containerPort"),
        ({"containerPort": 80, "protocol": "tcp"}, "protocol"),
        ({"containerPort": 80, "name": "HTTP"}, "name"),
    ],
)
def test_container_port_errors(port: dict[str, Any], field: str) -> None:
    data = pod("p")
    data["spec"]["containers"][0]["ports"] = [port]
    assert only_problem(dump(data)).field == f"spec.containers[0].ports[0].{field}"


def test_wrong_types_in_pods() -> None:
    data = pod("p")
    data["spec"] = {"containers": {"name": "c"}, "hostNetwork": "yes please"}
    assert {p.field for p in problems(dump(data))} == {"spec.containers", "spec.hostNetwork"}
    labels = pod("q", {"version": 1})  # type: ignore[dict-item]
    assert only_problem(dump(labels)).field == "metadata.labels[version]"


def test_duplicates_warn_and_keep_the_first() -> None:
    second = workload("Deployment")
    second["spec"]["template"] = {"metadata": {"labels": {"app": "other"}}}
    text = dump(workload("Deployment"), second)
    cluster = load_text(text)
    assert len(cluster.pods) == 1 and cluster.pods[0].labels == {"app": "web"}
    assert "duplicate" in cluster.warnings[0].message
    assert "duplicate" in only_problem(text, strict=True).message
    assert "duplicate" in load_text(dump(pod("p"), pod("p"))).warnings[0].message


def test_missing_name_is_an_error() -> None:
    data = pod("p")
    del data["metadata"]["name"]
    problem = only_problem(dump(data))
    assert (problem.obj, problem.field) == ("Pod default/<unnamed>", "metadata.name")
