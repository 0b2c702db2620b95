"""Ports and protocols: container ports of pods, and the shared number/protocol checks."""

from __future__ import annotations

from npql.loader.fields import Fields, clip, shown
from npql.loader.names import port_name_problem
from npql.model import ContainerPort, Protocol

_PROTOCOLS = {p.value: p for p in Protocol}
MAX_PORT = 65535


def parse_protocol(fields: Fields, key: str = "protocol") -> Protocol | None:
    """The protocol at ``key``: TCP when absent; TCP, UDP or SCTP (case-sensitive)."""
    text = fields.string(key)
    if text is None:
        return Protocol.TCP if not fields.has(key) else None
    protocol = _PROTOCOLS.get(text)
    if protocol is None:
        fields.error(f'unsupported protocol "{clip(text)}": must be one of TCP, UDP, SCTP', key)
    return protocol


def port_in_range(fields: Fields, key: str, number: int) -> bool:
    """Whether ``number`` is a port number (1..65535); an error naming ``key`` if not."""
    if 1 <= number <= MAX_PORT:
        return True
    fields.error(f"must be between 1 and {MAX_PORT}, inclusive (got {shown(number)})", key)
    return False


def port_number(fields: Fields, key: str) -> int | None:
    """The port number at ``key``, checked to lie in 1..65535."""
    number = fields.integer(key)
    if number is None or not port_in_range(fields, key, number):
        return None
    return number


def port_name(fields: Fields, key: str) -> str | None:
    """The port name at ``key`` (IANA_SVC_NAME syntax)."""
    name = fields.string(key)
    problem = port_name_problem(name) if name else None
    if problem:
        fields.error(problem, key)
    return None if problem else name or None


def container_ports(pod_spec: Fields) -> tuple[ContainerPort, ...]:
    """The ports of every container of a pod spec (init containers do not count)."""
    containers = pod_spec.records("containers")
    return tuple(port for c in containers for port in _ports_of(c))


def _ports_of(container: Fields) -> list[ContainerPort]:
    found = (_container_port(p) for p in container.records("ports"))
    return [port for port in found if port is not None]


def _container_port(fields: Fields) -> ContainerPort | None:
    if not fields.has("containerPort"):
        fields.warn("container port without containerPort: skipped", "containerPort")
        return None
    number = port_number(fields, "containerPort")
    protocol = parse_protocol(fields)
    name = port_name(fields, "name")
    if number is None or protocol is None:
        return None
    return ContainerPort(number, protocol, name)
