"""Answer values: what every engine produces and every renderer reads. No solver types here."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from npql.model.objects import Pod
from npql.model.ports import PortSet


def _address_text(cidrs: str) -> str:
    """One CIDR as is; a list of CIDRs (a range that is not one block) as ``first-last``."""
    parts = [ipaddress.ip_network(c.strip()) for c in cidrs.split(",")]
    if len(parts) == 1:
        return cidrs
    return f"{parts[0].network_address}-{parts[-1].broadcast_address}"


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
            return _address_text(self.cidr)
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


class Status(str, Enum):
    """Outcome of an assertion."""

    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class AssertionResult:
    """Answer to an ``assert ...`` statement.

    A failure carries its witness: the connection that should not exist (with the rules that let
    it through), or, for a connection that should exist, the denial proof. ``line`` is the
    script line the assertion came from (0 when not from a script).
    """

    query: str
    status: Status
    message: str
    witness: Witness | None = None
    denial: Denial | None = None
    reason: str | None = None
    warnings: tuple[str, ...] = ()
    line: int = 0

    @property
    def passed(self) -> bool | None:
        """True, False, or None when the solver could not decide."""
        if self.status is Status.UNKNOWN:
            return None
        return self.status is Status.PASSED


@dataclass(frozen=True, slots=True)
class SourceDescription:
    """One selector-shaped part of a space of sources: namespace constraints x pod labels,
    or an address range; ``existing`` lists loaded workloads inside it."""

    namespace: str  # human text: "ns shop", "any namespace with team=web", "a new namespace"
    pods: str  # human text: "pods with app=api,tier!=db" or "any pod"
    namespace_constraints: tuple[str, ...] = ()
    pod_constraints: tuple[str, ...] = ()
    cidr: str | None = None
    target: EndpointRef | None = None
    ports: PortSet = field(default_factory=PortSet)
    existing: tuple[EndpointRef, ...] = ()


@dataclass(frozen=True, slots=True)
class SpaceResult:
    """Answer to ``who could reach``: the exact space of possible sources, as a union."""

    query: str
    parts: tuple[SourceDescription, ...]
    warnings: tuple[str, ...] = ()
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ExposureEntry:
    """One workload's exposure beyond the loaded pods."""

    workload: EndpointRef
    unprotected: bool
    parts: tuple[SourceDescription, ...]


@dataclass(frozen=True, slots=True)
class ExposureResult:
    """Answer to ``exposure``."""

    query: str
    entries: tuple[ExposureEntry, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InfoResult:
    """Answers that are tables or sentences (inspection, show, let, assume, describe)."""

    query: str
    kind: str  # "isolation", "policies", "pods", "show", "let", "assume", "describe", ...
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    sentences: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    data: Mapping[str, object] = field(default_factory=dict, hash=False, compare=False)


Result = (
    CanResult
    | WhoResult
    | WhatResult
    | ConnectivityResult
    | AssertionResult
    | SpaceResult
    | ExposureResult
    | InfoResult
)


@dataclass(frozen=True, slots=True)
class ScriptEntry:
    """One statement of a script run: its line, text, and result (or the user error it raised)."""

    line: int
    text: str
    result: Result | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ScriptReport:
    """Every statement of a script, in order, with counts of assertion outcomes."""

    path: str
    entries: tuple[ScriptEntry, ...]

    def assertions(self) -> list[AssertionResult]:
        """The assertion results, in order."""
        return [e.result for e in self.entries if isinstance(e.result, AssertionResult)]

    @property
    def passed(self) -> int:
        """How many assertions hold."""
        return sum(1 for a in self.assertions() if a.status is Status.PASSED)

    @property
    def failed(self) -> int:
        """How many assertions fail."""
        return sum(1 for a in self.assertions() if a.status is Status.FAILED)

    @property
    def unknown(self) -> int:
        """How many assertions the solver could not decide."""
        return sum(1 for a in self.assertions() if a.status is Status.UNKNOWN)

    @property
    def errors(self) -> int:
        """How many statements raised a user error."""
        return sum(1 for e in self.entries if e.error is not None)


def workload_ref(pod: Pod, namespace_labels: dict[str, str] | None = None) -> EndpointRef:
    """An existing pod as an answer endpoint (its workload)."""
    return EndpointRef(
        kind=pod.kind,
        namespace=pod.namespace,
        name=pod.name,
        labels=dict(pod.labels),
        namespace_labels=namespace_labels or {},
    )
