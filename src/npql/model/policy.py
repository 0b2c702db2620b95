"""NetworkPolicy as the API defines it, validated and with defaults applied."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from npql.errors import Location
from npql.model.objects import Protocol
from npql.model.selector import LabelSelector


class Direction(str, Enum):
    """A policy type: Ingress or Egress."""

    INGRESS = "Ingress"
    EGRESS = "Egress"


@dataclass(frozen=True, slots=True)
class IPBlock:
    """An ipBlock peer: a CIDR minus some CIDRs (IPv4 or IPv6, already validated)."""

    cidr: str
    excepts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Peer:
    """One entry of ``from``/``to``.

    Exactly one of the forms holds: pod_selector and/or namespace_selector, or ip_block.
    A peer with only pod_selector means pods of the policy's own namespace; with only
    namespace_selector, every pod of the matching namespaces; with both, their AND.
    """

    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None
    ip_block: IPBlock | None = None


@dataclass(frozen=True, slots=True)
class PolicyPort:
    """One entry of ``ports``: a protocol, and a port number, a named port, or none (all)."""

    protocol: Protocol = Protocol.TCP
    port: int | str | None = None
    end_port: int | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """One ingress or egress rule. Empty ``peers`` means every peer; empty ``ports``, all ports."""

    peers: tuple[Peer, ...] = ()
    ports: tuple[PolicyPort, ...] = ()


@dataclass(frozen=True, slots=True)
class NetworkPolicy:
    """A NetworkPolicy with policyTypes defaulted as the API server does."""

    namespace: str
    name: str
    pod_selector: LabelSelector
    policy_types: frozenset[Direction]
    ingress: tuple[Rule, ...] = ()
    egress: tuple[Rule, ...] = ()
    location: Location | None = field(default=None, compare=False)

    @property
    def ident(self) -> str:
        """``namespace/name``: how answers name this policy."""
        return f"{self.namespace}/{self.name}"

    def rules(self, direction: Direction) -> tuple[Rule, ...]:
        """The rules of one direction (ingress or egress)."""
        return self.ingress if direction is Direction.INGRESS else self.egress

    def rule_id(self, direction: Direction, index: int) -> str:
        """Stable id of a rule, e.g. ``default/allow-web.ingress[0]``."""
        return f"{self.ident}.{direction.value.lower()}[{index}]"
