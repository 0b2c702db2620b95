"""Pods and workloads (Deployment, StatefulSet, ..., CronJob) as endpoints.

A workload is one endpoint named after itself, with the labels and ports of its pod
template. A Pod with a controller owner is named after the owner; a bare Pod after itself.
"""

from __future__ import annotations

import ipaddress

from npql.errors import Location
from npql.loader.fields import Fields, clip
from npql.loader.meta import Meta
from npql.loader.names import label_map
from npql.loader.ports import container_ports
from npql.loader.selectors import parse_selector
from npql.model import Pod

WORKLOAD_KINDS = frozenset(
    {
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "ReplicationController",
        "Job",
        "CronJob",
    }
)

_NON_EMPTY_SELECTOR = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"})


def workload_pod(obj: Fields, kind: str, meta: Meta, location: Location) -> Pod | None:
    """The endpoint of a workload object, from its pod template."""
    errors = len(obj.where.report.errors)
    spec = _workload_spec(obj, kind)
    template = spec.required("template") if spec is not None else None
    if spec is None or template is None or meta.namespace is None:
        return None
    labels = label_map(template.section("metadata"), "labels")
    _check_selector(spec, kind, labels, errors)
    pod_spec = template.section("spec")
    return Pod(
        namespace=meta.namespace,
        name=meta.name,
        kind=kind,
        labels=labels,
        ports=container_ports(pod_spec),
        host_network=pod_spec.boolean("hostNetwork"),
        location=location,
    )


def _workload_spec(obj: Fields, kind: str) -> Fields | None:
    """The spec holding ``selector`` and ``template`` (a CronJob's is its job template's)."""
    spec = obj.required("spec")
    if spec is not None and kind == "CronJob":
        job = spec.required("jobTemplate")
        spec = job.required("spec") if job is not None else None
    return spec


def _check_selector(spec: Fields, kind: str, labels: dict[str, str], errors: int) -> None:
    """A selector, when given, must be valid and should select the pod template's labels.

    A missing one is not reported: apps/v1 requires it, but the template alone says which
    labels the pods have.
    """
    if not spec.has("selector"):
        return
    if kind == "ReplicationController":  # a plain map; empty means the template's labels
        wanted = label_map(spec, "selector")
        matches = all(labels.get(key) == value for key, value in wanted.items())
        empty = False
    else:
        found = spec.mapping("selector")
        selector = parse_selector(found) if found is not None else None
        matches = selector is None or selector.matches(labels)
        empty = selector is not None and selector.is_empty
    if len(spec.where.report.errors) > errors:
        return  # a selector or label already reported is not compared
    # The pods still get the template's labels, which is all npql needs: a warning.
    if empty and kind in _NON_EMPTY_SELECTOR:
        spec.warn(f"empty selector is invalid for a {kind} (the API server rejects it)", "selector")
    elif not matches:
        spec.warn(
            "does not select the pod template's labels (the API server rejects this; "
            "the template's labels are used)",
            "selector",
        )


def pod_object(obj: Fields, meta: Meta, location: Location) -> Pod | None:
    """The endpoint of a Pod object: named after its controller owner, if any."""
    if meta.namespace is None:
        return None
    spec = obj.section("spec")
    owner = controller_owner(obj.section("metadata"))
    kind, name = owner if owner is not None else ("Pod", meta.name)
    return Pod(
        namespace=meta.namespace,
        name=name,
        kind=kind,
        labels=meta.labels,
        ports=container_ports(spec),
        ips=pod_ips(obj.section("status")),
        host_network=spec.boolean("hostNetwork"),
        pod_name=meta.name,
        location=location,
    )


def controller_owner(metadata: Fields) -> tuple[str, str] | None:
    """(kind, name) of the ownerReference with ``controller: true``, unless it is a Node."""
    controllers = [r for r in metadata.records("ownerReferences") if r.boolean("controller")]
    if len(controllers) > 1:
        metadata.error("only one reference can have controller set to true", "ownerReferences")
    if not controllers:
        return None
    return _owner(controllers[0])


def _owner(ref: Fields) -> tuple[str, str] | None:
    """(kind, name) of a controller reference; like netpol-analyzer, a missing kind is Pod."""
    values = {key: ref.string(key) for key in ("uid", "kind", "name")}
    for key in values:
        if ref.get(key) in (None, ""):
            ref.warn(f"controller ownerReference has no {key}", key)
    kind, name = values["kind"] or "Pod", values["name"]
    return (kind, name) if name and kind != "Node" else None


def pod_ips(status: Fields) -> tuple[str, ...]:
    """status.podIPs[*].ip then status.podIP, checked, without duplicates, in order."""
    found = [(ref.at("ip"), ref.string("ip")) for ref in status.records("podIPs")]
    found.append((status.at("podIP"), status.string("podIP")))
    ips = (_ip(status, path, text) for path, text in found if text)
    return tuple(dict.fromkeys(ip for ip in ips if ip is not None))


def _ip(status: Fields, path: str, text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        status.where.warn(f'invalid IP address "{clip(text)}": ignored', path)
        return None
