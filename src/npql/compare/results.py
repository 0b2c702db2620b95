"""What comparisons and clean-up checks answer: plain values, no solver types.

Every result has ``lines()`` (text), ``to_dict()`` (JSON, schema ``npql/v1``) and
``markdown()``; the renderers live in :mod:`npql.render.diff`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from npql.compare.elements import Element
from npql.errors import Location
from npql.model.cluster import Cluster
from npql.model.objects import NAMESPACE_NAME_LABEL, ContainerPort, Namespace, Pod, Protocol
from npql.model.ports import PortSet
from npql.solve.results import EndpointRef, Status, Witness

OLD, NEW = "old", "new"


class _Rendered:
    """Text, JSON and Markdown through :mod:`npql.render.diff`."""

    __slots__ = ()

    def lines(self) -> list[str]:
        """Human-readable lines."""
        from npql.render.diff import text_lines

        return text_lines(self)  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (schema ``npql/v1``)."""
        from npql.render.diff import to_dict

        return to_dict(self)  # type: ignore[arg-type]

    def markdown(self) -> str:
        """Markdown, e.g. for a pull-request comment."""
        from npql.render.diff import markdown

        return markdown(self)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return "\n".join(self.lines())


# -- differences ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairChange:
    """Two endpoints whose allowed ports differ between the versions.

    ``only_in`` is ``"old"`` / ``"new"`` when a workload of the pair exists in that version
    only: then every connection of the pair is removed / added with it.
    """

    source: EndpointRef
    target: EndpointRef
    before: PortSet
    after: PortSet
    added: PortSet
    removed: PortSet
    only_in: str | None = None


@dataclass(frozen=True, slots=True)
class PossibleEndpoint:
    """One end of a difference over every possible pod: a pod that need not exist, or an
    external address.

    A pod has a namespace (``new_namespace`` when neither version has it), the labels and named
    container ports it needs, and its namespace's labels in each version; an address has
    ``address`` and ``cidr``, the range of addresses both versions treat alike.
    """

    namespace: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict, hash=False)
    named_ports: tuple[ContainerPort, ...] = ()
    namespace_labels_old: Mapping[str, str] = field(default_factory=dict, hash=False)
    namespace_labels_new: Mapping[str, str] = field(default_factory=dict, hash=False)
    new_namespace: bool = False
    address: str | None = None
    cidr: str | None = None

    @property
    def is_address(self) -> bool:
        """An external address rather than a pod."""
        return self.namespace is None

    def namespace_labels(self, version: str) -> Mapping[str, str]:
        """The namespace's labels in ``version`` ("old" or "new")."""
        return self.namespace_labels_old if version == OLD else self.namespace_labels_new

    def ref(self, version: str = NEW) -> EndpointRef:
        """As an answer endpoint (``kind`` "Hypothetical" or "External")."""
        if self.namespace is None:
            return EndpointRef(kind="External", cidr=self.cidr or self.address)
        return EndpointRef(
            kind="Hypothetical",
            namespace=self.namespace,
            labels=dict(self.labels),
            namespace_labels=dict(self.namespace_labels(version)),
            new_namespace=self.new_namespace,
        )

    def pod(self, name: str) -> Pod | None:
        """The pod, made real (None for an address)."""
        if self.namespace is None:
            return None
        ips = (self.address,) if self.address else ()
        return Pod(
            self.namespace, name, "Pod", dict(self.labels), self.named_ports, ips, False, name
        )

    def __str__(self) -> str:
        return str(self.ref())


@dataclass(frozen=True, slots=True)
class PossibleChange:
    """A difference for pods that need not exist: one witness pair, every port on which its
    access changed, and why each version decides as it does."""

    change: str  # "added" or "removed"
    source: PossibleEndpoint
    target: PossibleEndpoint
    ports: PortSet
    port: int
    protocol: Protocol
    allowed_by: tuple[str, ...] = ()  # rules admitting it in the version that allows it
    denied_in: tuple[str, ...] = ()  # directions denying it in the other version
    isolating: tuple[str, ...] = ()  # policies isolating those directions there

    @property
    def allowing(self) -> str:
        """The version that allows the connection."""
        return NEW if self.change == "added" else OLD

    def apply(self, model: Cluster, version: str) -> tuple[Cluster, Pod | str, Pod | str]:
        """``model`` (of ``version``) with the witness pods created, and the two endpoints
        (a pod, or an address as text): evaluate them with any evaluator to check the witness."""
        namespaces = dict(model.namespaces)
        pods = list(model.pods)
        ends: list[Pod | str] = []
        for end, name in ((self.source, "npql-witness-src"), (self.target, "npql-witness-dst")):
            pod = end.pod(name)
            if pod is None:
                ends.append(end.address or "")
                continue
            labels = dict(end.namespace_labels(version))
            labels.setdefault(NAMESPACE_NAME_LABEL, pod.namespace)
            if pod.namespace not in namespaces or not namespaces[pod.namespace].declared:
                namespaces[pod.namespace] = Namespace(pod.namespace, labels)
            pods.append(pod)
            ends.append(pod)
        updated = replace(model, namespaces=namespaces, pods=tuple(pods))
        return updated, ends[0], ends[1]


@dataclass(frozen=True, slots=True)
class DiffResult(_Rendered):
    """The semantic difference of two versions of a set of manifests.

    ``changes``: existing workload pairs (matched by ``ns/name[Kind]``) and workload / address
    range pairs whose allowed ports differ, and every connection of a workload that exists in
    one version only. ``possible``: differences for pods that need not exist, one witness per
    class (up to the limit); ``possible_complete`` when every class was found.
    """

    query: str
    old: str
    new: str
    changes: tuple[PairChange, ...] = ()
    only_old: tuple[EndpointRef, ...] = ()
    only_new: tuple[EndpointRef, ...] = ()
    possible: tuple[PossibleChange, ...] = ()
    possible_searched: bool = True
    possible_complete: bool = True
    reason: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """Some connection is added or removed (existing pairs or possible pods)."""
        return bool(self.changes or self.possible)

    @property
    def added(self) -> tuple[PairChange, ...]:
        """Existing pairs that gain access."""
        return tuple(c for c in self.changes if not c.added.is_empty())

    @property
    def removed(self) -> tuple[PairChange, ...]:
        """Existing pairs that lose access."""
        return tuple(c for c in self.changes if not c.removed.is_empty())

    def connlist_lines(self) -> list[str]:
        """``+ src => dst : conn`` / ``- src => dst : conn`` for existing pairs."""
        from npql.render.diff import connlist_lines

        return connlist_lines(self)


# -- gates ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContainmentResult(_Rendered):
    """Whether the new version allows nothing the old one did not (``mode`` "no-new-access"),
    or both allow exactly the same ("equivalent"); a violation comes with its witness: an
    existing pair first (``change`` and a concrete ``witness`` with the rules that admit it),
    else a possible pod (``possible``)."""

    query: str
    mode: str
    holds: bool | None
    message: str
    change: PairChange | None = None
    witness: Witness | None = None
    possible: PossibleChange | None = None
    reason: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def passed(self) -> bool | None:
        """Same as ``holds``."""
        return self.holds


@dataclass(frozen=True, slots=True)
class SafeStep:
    """One step of a safe-change check."""

    name: str
    status: Status
    message: str
    witness: Witness | None = None
    change: PairChange | None = None
    possible: PossibleChange | None = None


@dataclass(frozen=True, slots=True)
class SafeChangeResult(_Rendered):
    """A change checked against its intent: (i) the intended connection was not allowed
    before, (ii) it is allowed after, (iii) nothing outside the intent's sources x targets x
    ports changed, for existing pairs and for every possible pod."""

    query: str
    intent: str
    steps: tuple[SafeStep, ...]
    warnings: tuple[str, ...] = ()

    @property
    def holds(self) -> bool | None:
        """True when every step passed, False when one failed, None when one is unknown."""
        if any(s.status is Status.FAILED for s in self.steps):
            return False
        if any(s.status is Status.UNKNOWN for s in self.steps):
            return None
        return True

    @property
    def passed(self) -> bool | None:
        """Same as ``holds``."""
        return self.holds


# -- clean-up ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RedundantElement:
    """An element removable without changing what is allowed.

    ``reason``: "ignored" (its direction is not in policyTypes), "empty" (it admits or selects
    nothing by itself), "shadowed" (one other rule, ``shadowed_by``, admits all it admits) or
    "covered" (the others together do).
    """

    element: Element
    reason: str
    detail: str
    shadowed_by: str | None = None
    location: Location | None = None

    @property
    def ident(self) -> str:
        """The element's id."""
        return self.element.ident


@dataclass(frozen=True, slots=True)
class RedundancyResult(_Rendered):
    """Redundant elements, for the loaded pods or for every possible pod.

    Found greedily: the elements are removable *together*, and each one alone, without changing
    what is allowed. ``reason`` is set when some check was undecided (those elements are kept).
    """

    query: str
    any_pod: bool
    findings: tuple[RedundantElement, ...]
    checked: int = 0
    reason: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LintFinding:
    """One lint finding: a code, a severity, a message, and where."""

    code: str
    severity: str  # "error", "warning" or "info"
    message: str
    obj: str
    location: Location | None = None

    @property
    def where(self) -> str:
        """``path:line`` (or the path alone, or empty)."""
        if self.location is None:
            return ""
        if self.location.line is None:
            return self.location.path
        return f"{self.location.path}:{self.location.line}"


@dataclass(frozen=True, slots=True)
class LintResult(_Rendered):
    """Every lint finding, in file and line order."""

    query: str
    findings: tuple[LintFinding, ...]
    warnings: tuple[str, ...] = ()

    def count(self, severity: str) -> int:
        """How many findings have this severity."""
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def passed(self) -> bool:
        """No error and no warning (info findings do not fail)."""
        return not any(f.severity in ("error", "warning") for f in self.findings)


CompareResult = DiffResult | ContainmentResult | SafeChangeResult | RedundancyResult | LintResult
