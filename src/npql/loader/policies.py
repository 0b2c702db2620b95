"""NetworkPolicy objects (networking.k8s.io), validated and defaulted as the API server does."""

from __future__ import annotations

from enum import Enum
from typing import Literal

from npql.errors import Location
from npql.loader.fields import Fields, clip
from npql.loader.names import port_name_problem
from npql.loader.peers import parse_peers
from npql.loader.ports import parse_protocol, port_in_range
from npql.loader.selectors import parse_selector
from npql.model import Direction, NetworkPolicy, PolicyPort, Rule

_SPEC_FIELDS = frozenset({"podSelector", "policyTypes", "ingress", "egress"})
_PORT_FIELDS = frozenset({"protocol", "port", "endPort"})
_PEER_KEY = {Direction.INGRESS: "from", Direction.EGRESS: "to"}
_DIRECTIONS = {d.value: d for d in Direction}


class _Invalid(Enum):
    """Marks a field that was present but invalid (its error is already reported)."""

    INVALID = 0


INVALID = _Invalid.INVALID
Port = int | str | None | Literal[_Invalid.INVALID]


def parse_policy(obj: Fields, namespace: str, name: str, location: Location) -> NetworkPolicy:
    """A NetworkPolicy from its object; problems go to the object's report."""
    spec = obj.section("spec")
    spec.known(_SPEC_FIELDS)
    return NetworkPolicy(
        namespace=namespace,
        name=name,
        pod_selector=parse_selector(spec.section("podSelector")),
        policy_types=policy_types(spec),
        ingress=_rules(spec, Direction.INGRESS),
        egress=_rules(spec, Direction.EGRESS),
        location=location,
    )


def policy_types(spec: Fields) -> frozenset[Direction]:
    """policyTypes as given, or defaulted: Ingress, plus Egress when there are egress rules."""
    raw = spec.get("policyTypes")
    if isinstance(raw, list) and len(raw) > len(_DIRECTIONS):
        spec.error(f"may not specify more than two policyTypes (got {len(raw)})", "policyTypes")
        return frozenset()
    given = spec.strings("policyTypes")
    if not isinstance(raw, list) or not raw:
        return _default_types(spec)
    return frozenset(d for d in (_direction(spec, p, t) for p, t in given) if d is not None)


def _default_types(spec: Fields) -> frozenset[Direction]:
    egress = spec.get("egress")
    has_egress = isinstance(egress, list) and bool(egress)
    return frozenset({Direction.INGRESS, Direction.EGRESS} if has_egress else {Direction.INGRESS})


def _direction(spec: Fields, path: str, text: str) -> Direction | None:
    direction = _DIRECTIONS.get(text)
    if direction is None:
        spec.where.error(f'unsupported policy type "{clip(text)}": must be Ingress or Egress', path)
    return direction


def _rules(spec: Fields, direction: Direction) -> tuple[Rule, ...]:
    records = spec.records(direction.value.lower())
    return tuple(_rule(rule, _PEER_KEY[direction]) for rule in records)


def _rule(rule: Fields, peer_key: str) -> Rule:
    rule.known(frozenset({peer_key, "ports"}))
    ports = (parse_policy_port(p) for p in rule.records("ports"))
    return Rule(parse_peers(rule, peer_key), tuple(p for p in ports if p is not None))


def parse_policy_port(fields: Fields) -> PolicyPort | None:
    """One entry of ``ports``: protocol (TCP by default), port number or name, endPort."""
    fields.known(_PORT_FIELDS)
    protocol = parse_protocol(fields)
    port = _port(fields)
    end_port = _end_port(fields, port)
    if protocol is None or port is INVALID or end_port is INVALID:
        return None
    return PolicyPort(protocol, port, end_port)


def _port(fields: Fields) -> Port:
    """The port: a number, a name, or None when absent."""
    value = fields.int_or_string("port")
    if isinstance(value, int):
        return value if port_in_range(fields, "port", value) else INVALID
    if isinstance(value, str):
        return _named_port(fields, value)
    return INVALID if fields.has("port") else None


def _named_port(fields: Fields, name: str) -> Port:
    problem = port_name_problem(name)
    if problem:
        fields.error(problem, "port")
    return INVALID if problem else name


def _end_port(fields: Fields, port: Port) -> int | None | Literal[_Invalid.INVALID]:
    """endPort: needs a numeric port and must not be below it."""
    end = fields.integer("endPort")
    if end is None:
        return INVALID if fields.has("endPort") else None
    if not port_in_range(fields, "endPort", end):
        return INVALID
    return end if _end_fits(fields, port, end) else INVALID


def _end_fits(fields: Fields, port: Port, end: int) -> bool:
    if port is None:
        fields.error("may not be specified when port is not specified", "endPort")
    elif isinstance(port, str):
        fields.error("may not be specified when port is non-numeric (a named port)", "endPort")
    elif isinstance(port, int) and end < port:
        fields.error(f"must be greater than or equal to port ({port})", "endPort")
    else:
        return True
    return False
