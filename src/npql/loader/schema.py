"""Types of the fields npql does not read, so that a wrong type is never silently accepted.

The API server rejects an object whose field has the wrong JSON type (``replicas: "3"``,
``env[0].value: 8080``). The readers of each kind check the fields they use; this table
covers the common others. Fields not listed are not checked (neither are values inside
free-form parts such as ``resources`` or ``affinity``, beyond being mappings).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

from npql.loader.fields import Fields

Schema: TypeAlias = type | str | list["Schema"] | dict[str, "Schema"]
"""A scalar type, STRING_MAP or INT_OR_STRING, a list of one schema, or a mapping's fields."""
STRING_MAP = "string map"
INT_OR_STRING = "int or string"
ANY_MAP: dict[str, Schema] = {}

_META: dict[str, Schema] = {
    "name": str,
    "namespace": str,
    "labels": STRING_MAP,
    "generateName": str,
    "uid": str,
    "resourceVersion": str,
    "generation": int,
    "selfLink": str,
    "finalizers": [str],
    "annotations": STRING_MAP,
    "managedFields": [ANY_MAP],
    "ownerReferences": [
        {
            "apiVersion": str,
            "kind": str,
            "name": str,
            "uid": str,
            "controller": bool,
            "blockOwnerDeletion": bool,
        }
    ],
}
_ENV: dict[str, Schema] = {"name": str, "value": str, "valueFrom": ANY_MAP}
_CONTAINER: dict[str, Schema] = {
    "name": str,
    "image": str,
    "command": [str],
    "args": [str],
    "workingDir": str,
    "env": [_ENV],
    "envFrom": [ANY_MAP],
    "resources": ANY_MAP,
    "volumeMounts": [ANY_MAP],
    "livenessProbe": ANY_MAP,
    "readinessProbe": ANY_MAP,
    "startupProbe": ANY_MAP,
    "lifecycle": ANY_MAP,
    "imagePullPolicy": str,
    "securityContext": ANY_MAP,
    "stdin": bool,
    "stdinOnce": bool,
    "tty": bool,
    "terminationMessagePath": str,
    "terminationMessagePolicy": str,
}
_POD_SPEC: dict[str, Schema] = {
    "containers": [_CONTAINER],
    "initContainers": [_CONTAINER],
    "ephemeralContainers": [_CONTAINER],
    "volumes": [ANY_MAP],
    "restartPolicy": str,
    "terminationGracePeriodSeconds": int,
    "activeDeadlineSeconds": int,
    "dnsPolicy": str,
    "nodeSelector": STRING_MAP,
    "serviceAccountName": str,
    "serviceAccount": str,
    "automountServiceAccountToken": bool,
    "nodeName": str,
    "hostNetwork": bool,
    "hostPID": bool,
    "hostIPC": bool,
    "shareProcessNamespace": bool,
    "securityContext": ANY_MAP,
    "imagePullSecrets": [ANY_MAP],
    "hostname": str,
    "subdomain": str,
    "affinity": ANY_MAP,
    "schedulerName": str,
    "tolerations": [ANY_MAP],
    "hostAliases": [ANY_MAP],
    "priorityClassName": str,
    "priority": int,
    "dnsConfig": ANY_MAP,
    "readinessGates": [ANY_MAP],
    "runtimeClassName": str,
    "enableServiceLinks": bool,
    "preemptionPolicy": str,
    "topologySpreadConstraints": [ANY_MAP],
}
_TEMPLATE: dict[str, Schema] = {"metadata": _META, "spec": _POD_SPEC}
_JOB_SPEC: dict[str, Schema] = {
    "parallelism": int,
    "completions": int,
    "activeDeadlineSeconds": int,
    "backoffLimit": int,
    "backoffLimitPerIndex": int,
    "maxFailedIndexes": int,
    "ttlSecondsAfterFinished": int,
    "completionMode": str,
    "suspend": bool,
    "manualSelector": bool,
    "podFailurePolicy": ANY_MAP,
    "podReplacementPolicy": str,
    "template": _TEMPLATE,
}
_REPLICAS: dict[str, Schema] = {
    "replicas": int,
    "minReadySeconds": int,
    "template": _TEMPLATE,
}
_SPECS: dict[str, dict[str, Schema]] = {
    "Namespace": {"finalizers": [str]},
    "Pod": _POD_SPEC,
    "Deployment": {
        **_REPLICAS,
        "revisionHistoryLimit": int,
        "paused": bool,
        "progressDeadlineSeconds": int,
        "strategy": {
            "type": str,
            "rollingUpdate": {"maxUnavailable": INT_OR_STRING, "maxSurge": INT_OR_STRING},
        },
    },
    "StatefulSet": {
        **_REPLICAS,
        "serviceName": str,
        "podManagementPolicy": str,
        "updateStrategy": ANY_MAP,
        "revisionHistoryLimit": int,
        "volumeClaimTemplates": [ANY_MAP],
        "persistentVolumeClaimRetentionPolicy": ANY_MAP,
        "ordinals": ANY_MAP,
    },
    "DaemonSet": {
        "minReadySeconds": int,
        "revisionHistoryLimit": int,
        "updateStrategy": ANY_MAP,
        "template": _TEMPLATE,
    },
    "ReplicaSet": _REPLICAS,
    "ReplicationController": _REPLICAS,
    "Job": _JOB_SPEC,
    "CronJob": {
        "schedule": str,
        "timeZone": str,
        "startingDeadlineSeconds": int,
        "concurrencyPolicy": str,
        "suspend": bool,
        "successfulJobsHistoryLimit": int,
        "failedJobsHistoryLimit": int,
        "jobTemplate": {"metadata": _META, "spec": _JOB_SPEC},
    },
    "Service": {
        "type": str,
        "clusterIP": str,
        "clusterIPs": [str],
        "externalIPs": [str],
        "externalName": str,
        "externalTrafficPolicy": str,
        "internalTrafficPolicy": str,
        "sessionAffinity": str,
        "sessionAffinityConfig": ANY_MAP,
        "loadBalancerIP": str,
        "loadBalancerSourceRanges": [str],
        "loadBalancerClass": str,
        "healthCheckNodePort": int,
        "publishNotReadyAddresses": bool,
        "allocateLoadBalancerNodePorts": bool,
        "ipFamilies": [str],
        "ipFamilyPolicy": str,
        "ports": [{"nodePort": int, "appProtocol": str}],
    },
}


def check_types(obj: Fields, kind: str) -> None:
    """Report every listed field of ``obj`` (an object of ``kind``) that has the wrong type."""
    check(obj, {"metadata": _META, "spec": _SPECS.get(kind, ANY_MAP)})


def check(fields: Fields, schema: Mapping[str, Schema]) -> None:
    """Report the fields of one mapping that do not fit ``schema``."""
    for key, expected in schema.items():
        if fields.has(key):
            _check_field(fields, key, expected)


def _check_field(fields: Fields, key: str, expected: Schema) -> None:
    if isinstance(expected, dict):
        found = fields.mapping(key)
        if found is not None:
            check(found, expected)
    elif isinstance(expected, list):
        _check_list(fields, key, expected[0])
    elif expected is str:
        fields.string(key)
    elif expected is int:
        fields.integer(key)
    elif expected is bool:
        fields.boolean(key)
    elif expected == STRING_MAP:
        fields.string_map(key)
    elif expected == INT_OR_STRING:
        fields.int_or_string(key)


def _check_list(fields: Fields, key: str, item: Schema) -> None:
    if isinstance(item, dict):
        for record in fields.records(key):
            check(record, item)
    elif item is str:
        fields.strings(key)
    else:  # pragma: no cover - the table has no other kind of list
        fields.sequence(key)
