"""Pods and workloads (Deployment, StatefulSet, ..., CronJob) as endpoints.

A workload is one endpoint named after itself, with the labels and ports of its pod
template. A Pod with a controller owner is named after the owner; a bare Pod after itself.
"""

from __future__ import annotations

import ipaddress

from npql.errors import Location
from npql.loader.fields import Fields
from npql.loader.meta import Meta
from npql.loader.names import label_map
from npql.loader.ports import container_ports
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


def workload_pod(obj: Fields, kind: str, meta: Meta, location: Location) -> Pod | None:
    """The endpoint of a workload object, from its pod template."""
    template = _template(obj, kind)
    if template is None or meta.namespace is None:
        return None
    spec = template.section("spec")
    return Pod(
        namespace=meta.namespace,
        name=meta.name,
        kind=kind,
        labels=label_map(template.section("metadata"), "labels"),
        ports=container_ports(spec),
        host_network=spec.boolean("hostNetwork"),
        location=location,
    )


def _template(obj: Fields, kind: str) -> Fields | None:
    spec = obj.required("spec")
    if spec is not None and kind == "CronJob":
        job = spec.required("jobTemplate")
        spec = job.required("spec") if job is not None else None
    return spec.required("template") if spec is not None else None


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
        status.where.warn(f'invalid IP address "{text}": ignored', path)
        return None
