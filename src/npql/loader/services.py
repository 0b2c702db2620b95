"""Service objects: a selector and a port map."""

from __future__ import annotations

from npql.errors import Location
from npql.loader.fields import Fields
from npql.loader.meta import Meta
from npql.loader.names import label_map, port_name_problem
from npql.loader.ports import parse_protocol, port_in_range, port_number
from npql.model import Service, ServicePort


def parse_service(obj: Fields, meta: Meta, location: Location) -> Service | None:
    """A Service; ``selector`` stays None when the Service has none."""
    if meta.namespace is None:
        return None
    spec = obj.section("spec")
    selector = label_map(spec, "selector") if spec.has("selector") else None
    ports = (_service_port(p) for p in spec.records("ports"))
    return Service(
        namespace=meta.namespace,
        name=meta.name,
        selector=selector,
        ports=tuple(p for p in ports if p is not None),
        location=location,
    )


def _service_port(fields: Fields) -> ServicePort | None:
    if not fields.has("port"):
        fields.error("is required", "port")
    port = port_number(fields, "port")
    protocol = parse_protocol(fields)
    target = _target_port(fields, port)
    name = fields.string("name") or None
    if port is None or protocol is None or target is None:
        return None
    return ServicePort(port, target, protocol, name)


def _target_port(fields: Fields, port: int | None) -> int | str | None:
    """targetPort: a number, a container port name, or (when absent or 0) ``port``."""
    value = fields.int_or_string("targetPort")
    if value is None and fields.has("targetPort"):
        return None
    if not value:
        return port
    if isinstance(value, int):
        return value if port_in_range(fields, "targetPort", value) else None
    problem = port_name_problem(value)
    if problem:
        fields.error(problem, "targetPort")
    return None if problem else value
