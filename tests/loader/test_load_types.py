"""Every field of every supported kind, given a value of the wrong type, is a LoadError.

Each manifest below sets fields of one kind; every field (at any depth) is replaced in turn
by values of other JSON types. The load must fail with a problem naming the source, the
document, the object and exactly that field, and never raise anything but LoadError.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from loader_helpers import dump

from npql.errors import LoadError, Problem
from npql.loader import load_text

LABELS = {"app": "web", "example.com/tier": "front"}
CONTAINER: dict[str, Any] = {
    "name": "c",
    "image": "nginx:1.25",
    "command": ["nginx"],
    "args": ["-g", "daemon off;"],
    "workingDir": "/",
    "env": [{"name": "PORT", "value": "80"}],
    "imagePullPolicy": "IfNotPresent",
    "ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"}],
    "resources": {},
    "tty": False,
}
POD_SPEC: dict[str, Any] = {
    "containers": [CONTAINER],
    "initContainers": [{"name": "i", "image": "busybox"}],
    "hostNetwork": False,
    "restartPolicy": "Always",
    "nodeSelector": {"disk": "ssd"},
    "serviceAccountName": "sa",
    "terminationGracePeriodSeconds": 30,
    "automountServiceAccountToken": True,
}
META: dict[str, Any] = {
    "name": "web",
    "namespace": "shop",
    "labels": LABELS,
    "annotations": {"note": "x"},
    "finalizers": ["f"],
    "generation": 1,
}
TEMPLATE = {"metadata": {"labels": LABELS}, "spec": POD_SPEC}
SELECTOR = {
    "matchLabels": {"app": "web"},
    "matchExpressions": [{"key": "example.com/tier", "operator": "In", "values": ["front"]}],
}
JOB_SPEC = {"parallelism": 1, "backoffLimit": 2, "suspend": False, "template": TEMPLATE}
OWNER = {
    "apiVersion": "apps/v1",
    "kind": "ReplicaSet",
    "name": "rs",
    "uid": "u",
    "controller": True,
}
POLICY_SPEC = {
    "podSelector": SELECTOR,
    "policyTypes": ["Ingress", "Egress"],
    "ingress": [
        {
            "from": [
                {"podSelector": {"matchLabels": {"app": "a"}}, "namespaceSelector": {}},
                {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}},
            ],
            "ports": [{"protocol": "TCP", "port": 80, "endPort": 90}],
        }
    ],
    "egress": [{"to": [{"namespaceSelector": SELECTOR}], "ports": [{"port": "http"}]}],
}
MANIFESTS: dict[str, dict[str, Any]] = {
    "Namespace": {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
    "Pod": {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {**META, "ownerReferences": [OWNER]},
        "spec": POD_SPEC,
        "status": {"podIP": "10.0.0.1", "podIPs": [{"ip": "10.0.0.1"}]},
    },
    "Deployment": {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": META,
        "spec": {
            "replicas": 2,
            "selector": SELECTOR,
            "template": TEMPLATE,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
            "paused": False,
        },
    },
    "StatefulSet": {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": META,
        "spec": {"replicas": 1, "serviceName": "web", "selector": SELECTOR, "template": TEMPLATE},
    },
    "DaemonSet": {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": META,
        "spec": {"selector": SELECTOR, "template": TEMPLATE, "minReadySeconds": 0},
    },
    "ReplicaSet": {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": META,
        "spec": {"replicas": 1, "selector": SELECTOR, "template": TEMPLATE},
    },
    "ReplicationController": {
        "apiVersion": "v1",
        "kind": "ReplicationController",
        "metadata": META,
        "spec": {"replicas": 1, "selector": {"app": "web"}, "template": TEMPLATE},
    },
    "Job": {"apiVersion": "batch/v1", "kind": "Job", "metadata": META, "spec": JOB_SPEC},
    "CronJob": {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": META,
        "spec": {
            "schedule": "* * * * *",
            "suspend": False,
            "jobTemplate": {"metadata": {"labels": LABELS}, "spec": JOB_SPEC},
        },
    },
    "Service": {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": META,
        "spec": {
            "type": "ClusterIP",
            "selector": {"app": "web"},
            "clusterIPs": ["10.96.0.10"],
            "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}],
        },
    },
    "NetworkPolicy": {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": META,
        "spec": POLICY_SPEC,
    },
}
MANIFESTS = json.loads(json.dumps(MANIFESTS))  # no shared parts: each field is mutated alone
# Maps from arbitrary keys to strings: their entries are named ``field[key]``.
STRING_MAPS = frozenset({"labels", "annotations", "matchLabels", "nodeSelector"})
PLAIN_SELECTORS = frozenset({"Service", "ReplicationController"})
# IntOrString fields, where any string and any integer are of the right type.
INT_OR_STRING = frozenset({"targetPort", "maxSurge", "maxUnavailable"})
WRONG: tuple[object, ...] = (7, 2.5, True, "text", ["x"], {"k": "v"})


def fields(
    kind: str, data: Any, path: str = "", entries: bool = False
) -> Iterator[tuple[str, Any, Any]]:
    """(path, container, key) of every field below ``data``, in npql's path syntax."""
    items = enumerate(data) if isinstance(data, list) else data.items()
    for key, value in items:
        here = (
            f"{path}[{key}]"
            if isinstance(data, list) or entries
            else (f"{path}.{key}" if path else key)
        )
        yield here, data, key
        if isinstance(value, dict | list) and value:
            yield from fields(kind, value, here, _string_map(kind, key))


def _string_map(kind: str, key: object) -> bool:
    return key in STRING_MAPS or (key == "selector" and kind in PLAIN_SELECTORS)


def wrong_values(kind: str, key: object, value: object) -> Iterator[object]:
    """Values of another JSON type than ``value`` has (and than the field accepts)."""
    int_or_string = key in INT_OR_STRING or (kind, key) == ("NetworkPolicy", "port")
    for wrong in WRONG:
        if type(wrong) is type(value) or (int_or_string and type(wrong) in (int, str)):
            continue
        yield wrong


def cases() -> Iterator[tuple[str, str, object]]:
    for kind, manifest in MANIFESTS.items():
        for path, container, key in fields(kind, manifest):
            for wrong in wrong_values(kind, key, container[key]):
                yield kind, path, wrong


def mutated(kind: str, path: str, wrong: object) -> dict[str, Any]:
    manifest = copy.deepcopy(MANIFESTS[kind])
    for here, container, key in fields(kind, manifest):
        if here == path:
            container[key] = wrong
            return manifest
    raise AssertionError(path)


@pytest.mark.parametrize("kind", sorted(MANIFESTS))
def test_the_manifests_are_valid(kind: str) -> None:
    cluster = load_text(dump(MANIFESTS[kind]), source="m.yaml", strict=True)
    assert not cluster.warnings


@pytest.mark.parametrize("kind", sorted(MANIFESTS))
def test_every_field_of_the_wrong_type_is_an_error(kind: str) -> None:
    missed = []
    for case_kind, path, wrong in cases():
        if case_kind != kind:
            continue
        # JSON is YAML: quicker to write than YAML, and read by the same YAML path.
        text = "kind: ConfigMap\n---\n" + json.dumps(mutated(kind, path, wrong), indent=1)
        try:
            load_text(text, source="m.yaml")
        except LoadError as error:
            problems = error.problems
            assert all(named(p) for p in problems), problems
            if not any(p.field == path for p in problems):
                missed.append((path, wrong, [str(p) for p in problems]))
        else:
            missed.append((path, wrong, []))
    assert not missed, "\n".join(map(str, missed))


def named(problem: Problem) -> bool:
    """Whether a problem names the source, the document, and (with a field) the object."""
    location = problem.location
    if location is None or location.path != "m.yaml" or location.document != 1:
        return False
    return problem.field is None or problem.obj is not None


def test_the_cases_cover_every_kind_and_many_fields() -> None:
    found = list(cases())
    assert {kind for kind, _, _ in found} == set(MANIFESTS)
    assert len({(kind, path) for kind, path, _ in found}) > 300


@pytest.mark.parametrize("kind", sorted(MANIFESTS))
def test_null_anywhere_is_absent_or_an_error_naming_the_field(kind: str) -> None:
    """The API server reads null as absent: fine where optional, an error where required."""
    for path, _, _ in fields(kind, MANIFESTS[kind]):
        text = "kind: ConfigMap\n---\n" + json.dumps(mutated(kind, path, None))
        try:
            load_text(text, source="m.yaml")
        except LoadError as error:
            assert all(named(p) for p in error.problems), error.problems


@pytest.mark.parametrize("kind", sorted(MANIFESTS))
@pytest.mark.parametrize("key", [7, 2.5, True, None])
def test_keys_that_are_not_strings(kind: str, key: object) -> None:
    """Every mapping of the manifest gets a key of another type: never a crash."""
    text = yaml.safe_dump({**MANIFESTS[kind], key: "x"})
    for path, container, name in fields(kind, MANIFESTS[kind]):
        if isinstance(container[name], dict):
            manifest = mutated(kind, path, {**container[name], key: "x"})
            text += "---\n" + yaml.safe_dump(manifest)
    try:
        load_text(text, source="m.yaml")
    except LoadError as error:
        assert all(p.location and p.location.path == "m.yaml" for p in error.problems)


@pytest.mark.parametrize("key", [7, True, None, 2.5])
def test_label_keys_that_are_not_strings_name_the_entry(key: object) -> None:
    manifest = mutated("Pod", "metadata.labels", {key: "x", "app": "web"})
    with pytest.raises(LoadError) as info:
        load_text(yaml.safe_dump(manifest), source="m.yaml")
    (problem,) = info.value.problems
    assert problem.field == f"metadata.labels[{key!r}]"
    assert problem.obj == "Pod shop/web" and "keys must be strings" in problem.message


def test_label_values_that_are_not_strings_name_the_entry() -> None:
    manifest = mutated("Deployment", "metadata.labels", {"app": 1, "on": True, "n": None})
    with pytest.raises(LoadError) as info:
        load_text(yaml.safe_dump(manifest), source="m.yaml")
    assert sorted(p.field or "" for p in info.value.problems) == [
        "metadata.labels[app]",
        "metadata.labels[n]",
        "metadata.labels[on]",
    ]
