"""Answer values: what every engine produces and every renderer reads. No solver types here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from npql.model.ports import PortSet


class Verdict(str, Enum):
    """Three outcomes: unknown is never reported as denied."""

    ALLOWED = "allowed"
    DENIED = "denied"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class EndpointRef:
    """One side of an answer: a workload, an address range, or a pod that need not exist."""

    kind: str  # Deployment, Pod, ... ; "External" for addresses; "Hypothetical" for symbolic pods
    namespace: str | None = None
    name: str | None = None
    cidr: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    namespace_labels: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    new_namespace: bool = field(default=False, compare=False)

    @property
    def is_address(self) -> bool:
        """True for external address ranges."""
        return self.cidr is not None

    def __str__(self) -> str:
        if self.cidr is not None:
            return self.cidr
        if self.kind == "Hypothetical":
            labels = ",".join(f"{k}={v}" for k, v in sorted(self.labels.items())) or "no labels"
            return f"{self.namespace}/<new pod {{{labels}}}>"
        return f"{self.namespace}/{self.name}[{self.kind}]"

    def sort_key(self) -> tuple[int, str]:
        """Workloads first, then addresses."""
        return (1 if self.cidr is not None else 0, str(self))


@dataclass(frozen=True, slots=True)
class Witness:
    """A concrete allowed connection and the rules that admit it on each side."""

    source: EndpointRef
    target: EndpointRef
    port: int
    protocol: str
    egress_rules: tuple[str, ...] = ()
    ingress_rules: tuple[str, ...] = ()
    source_isolated: bool = False
    target_isolated: bool = False
    self_connection: bool = False


@dataclass(frozen=True, slots=True)
class Denial:
    """Why nothing is allowed: the isolating policies and the rules none of which admit it."""

    isolating_policies: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    directions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reach:
    """One endpoint reached (or reaching), on which ports."""

    endpoint: EndpointRef
    ports: PortSet


@dataclass(frozen=True, slots=True)
class CanResult:
    """Answer to ``can A reach B``."""

    query: str
    verdict: Verdict
    witness: Witness | None = None
    denial: Denial | None = None
    reason: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool | None:
        """True, False, or None when the solver could not decide."""
        if self.verdict is Verdict.UNKNOWN:
            return None
        return self.verdict is Verdict.ALLOWED


@dataclass(frozen=True, slots=True)
class PeerList:
    """One source (or destination) and what it reaches (or is reached from)."""

    endpoint: EndpointRef
    reaches: tuple[Reach, ...]


@dataclass(frozen=True, slots=True)
class WhoResult:
    """Answer to ``who can reach T``: every source, with the target pods it reaches."""

    query: str
    sources: tuple[PeerList, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WhatResult:
    """Answer to ``what can S reach``: every destination, with the allowed ports."""

    query: str
    destinations: tuple[Reach, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Connection:
    """One allowed (source, destination, ports) line of a connectivity map."""

    source: EndpointRef
    target: EndpointRef
    ports: PortSet


@dataclass(frozen=True, slots=True)
class ConnectivityResult:
    """Every allowed connection between workloads, and between workloads and address ranges."""

    query: str
    connections: tuple[Connection, ...]
    warnings: tuple[str, ...] = ()


Result = CanResult | WhoResult | WhatResult | ConnectivityResult
