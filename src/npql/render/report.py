"""What every report format shows: assertion outcomes with their counts, and the connectivity
graph as nodes grouped by namespace. Formats differ in syntax only, never in these facts."""

from __future__ import annotations

from dataclasses import dataclass

from npql.render.text import render_text
from npql.solve.results import (
    AssertionResult,
    ConnectivityResult,
    EndpointRef,
    ScriptEntry,
    ScriptReport,
    Status,
)

ERROR = "error"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One assertion (or a statement that raised a user error) as a report line.

    ``status`` is ``passed``, ``failed``, ``unknown`` or ``error``; ``message`` is one sentence;
    ``detail`` is the full text rendering (witness, denial proof, error) for anything not passed.
    """

    line: int
    text: str
    status: str
    message: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        """True for a passed assertion."""
        return self.status == Status.PASSED.value


def _outcome(entry: ScriptEntry) -> Outcome | None:
    if entry.error is not None:
        first = entry.error.splitlines()[0] if entry.error else "error"
        return Outcome(entry.line, entry.text, ERROR, first, entry.error)
    result = entry.result
    if not isinstance(result, AssertionResult):
        return None
    detail = "" if result.status is Status.PASSED else render_text(result).rstrip("\n")
    line = result.line or entry.line
    return Outcome(line, entry.text, result.status.value, result.message, detail)


def outcomes(report: ScriptReport) -> list[Outcome]:
    """Assertions and failed statements, in script order; other statements are left out."""
    return [o for o in map(_outcome, report.entries) if o is not None]


def counts_text(report: ScriptReport) -> str:
    """``3 passed, 1 failed``, plus unknown and error counts when there are any."""
    text = f"{report.passed} passed, {report.failed} failed"
    if report.unknown:
        text += f", {report.unknown} unknown"
    if report.errors:
        text += f", {report.errors} error(s)"
    return text


def succeeded(report: ScriptReport) -> bool:
    """True when nothing failed, nothing is unknown and no statement raised an error."""
    return not (report.failed or report.unknown or report.errors)


@dataclass(frozen=True, slots=True)
class Node:
    """One endpoint of the connectivity graph; ``key`` (its full text) is unique."""

    key: str
    label: str
    kind: str
    namespace: str | None

    @property
    def external(self) -> bool:
        """True for address ranges (they belong to no namespace)."""
        return self.namespace is None


@dataclass(frozen=True, slots=True)
class Edge:
    """One allowed connection: source key, target key, ports as text."""

    source: str
    target: str
    ports: str


@dataclass(frozen=True, slots=True)
class Graph:
    """Workloads by namespace (sorted), address ranges, and edges (sorted)."""

    namespaces: tuple[tuple[str, tuple[Node, ...]], ...]
    externals: tuple[Node, ...]
    edges: tuple[Edge, ...]

    @property
    def workloads(self) -> list[Node]:
        """Every workload node, namespace by namespace."""
        return [n for _, nodes in self.namespaces for n in nodes]


def _node(ep: EndpointRef) -> Node:
    if ep.is_address or ep.namespace is None:
        return Node(str(ep), str(ep), "External", None)
    # a new pod's text without its namespace, which the graph shows around it
    label = ep.name or str(ep).removeprefix(f"{ep.namespace}/")
    return Node(str(ep), label, ep.kind, ep.namespace)


def connectivity_graph(result: ConnectivityResult) -> Graph:
    """The connectivity answer as a graph with a stable order."""
    endpoints: dict[str, EndpointRef] = {}
    for c in result.connections:
        endpoints.setdefault(str(c.source), c.source)
        endpoints.setdefault(str(c.target), c.target)
    ordered = sorted(endpoints.values(), key=EndpointRef.sort_key)
    nodes = [_node(ep) for ep in ordered]
    by_ns: dict[str, list[Node]] = {}
    for node in nodes:
        if node.namespace is not None:
            by_ns.setdefault(node.namespace, []).append(node)
    keys = {k: ep.sort_key() for k, ep in endpoints.items()}
    edges = sorted(
        {Edge(str(c.source), str(c.target), str(c.ports)) for c in result.connections},
        key=lambda e: (keys[e.source], keys[e.target], e.ports),
    )
    return Graph(
        namespaces=tuple((ns, tuple(by_ns[ns])) for ns in sorted(by_ns)),
        externals=tuple(n for n in nodes if n.external),
        edges=tuple(edges),
    )
