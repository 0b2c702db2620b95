"""Human-readable answers: one line per fact, warnings last."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from npql.explain.values import ExplainResult
from npql.render.explain import explanation_lines
from npql.solve.results import (
    AssertionResult,
    CanResult,
    ConnectivityResult,
    Denial,
    EndpointRef,
    ExposureResult,
    InfoResult,
    Result,
    SourceDescription,
    SpaceResult,
    Status,
    Verdict,
    WhatResult,
    WhoResult,
    Witness,
)

DROPPED = (
    "blocked traffic is dropped by the network plugin: the client times out "
    "(it does not get 'connection refused')"
)


def _side_lines(w: Witness) -> list[str]:
    if w.self_connection:
        return ["  a pod always reaches itself: no policy applies to its own traffic"]
    egress = (
        f"admitted by {', '.join(w.egress_rules)}"
        if w.source_isolated
        else "not isolated for egress"
        if w.source.cidr is None
        else "external source"
    )
    ingress = (
        f"admitted by {', '.join(w.ingress_rules)}"
        if w.target_isolated
        else "not isolated for ingress"
        if w.target.cidr is None
        else "external destination"
    )
    return [f"  egress  ({w.source}): {egress}", f"  ingress ({w.target}): {ingress}"]


def _hypothetical_lines(ep: EndpointRef, role: str) -> list[str]:
    if ep.kind != "Hypothetical":
        return []
    labels = ", ".join(f"{k}={v}" for k, v in sorted(ep.labels.items())) or "(none needed)"
    ns_state = "new namespace" if ep.new_namespace else "existing namespace"
    ns_labels = ", ".join(f"{k}={v}" for k, v in sorted(ep.namespace_labels.items()))
    return [
        f"  {role} would be a new pod in {ns_state} {ep.namespace} ({ns_labels})",
        f"    with labels: {labels}",
    ]


def _can(r: CanResult) -> list[str]:
    if r.verdict is Verdict.UNKNOWN:
        return [f"UNKNOWN  {r.query}", f"  the solver could not decide: {r.reason}"]
    if r.verdict is Verdict.ALLOWED:
        assert r.witness is not None
        w = r.witness
        return [f"ALLOWED  {r.query}", *_witness_lines(w)]
    lines = [f"DENIED  {r.query}", f"  {DROPPED}"]
    if r.denial is not None:
        lines += _denial_lines(r.denial)
        if not r.denial.isolating_policies and not r.denial.rules:
            lines.append("  nothing matches: no pod or address fits both sides")
    return lines


def _who(r: WhoResult) -> list[str]:
    lines = [f"{len(r.sources)} source(s) can reach: {r.query.removeprefix('who can reach ')}"]
    for src in r.sources:
        for reach in src.reaches:
            lines.append(f"  {src.endpoint} -> {reach.endpoint} : {reach.ports}")
    return lines


def _what(r: WhatResult) -> list[str]:
    lines = [f"{len(r.destinations)} destination(s): {r.query}"]
    lines += [f"  {d.endpoint} : {d.ports}" for d in r.destinations]
    return lines


def _connectivity(r: ConnectivityResult) -> list[str]:
    return [f"{c.source} => {c.target} : {c.ports}" for c in r.connections]


def _witness_lines(w: Witness) -> list[str]:
    lines = [f"  {w.source} -> {w.target}  {w.protocol}/{w.port}"]
    lines += _hypothetical_lines(w.source, "source")
    lines += _hypothetical_lines(w.target, "target")
    return lines + _side_lines(w)


def _assertion(r: AssertionResult) -> list[str]:
    where = f"line {r.line}: " if r.line else ""
    lines = [f"{r.status.value.upper()}  {where}{r.query}", f"  {r.message}"]
    if r.status is Status.FAILED and r.witness is not None:
        lines += _witness_lines(r.witness)
    if r.status is Status.FAILED and r.denial is not None:
        lines += _denial_lines(r.denial)
    return lines


def _denial_lines(d: Denial) -> list[str]:
    lines = []
    if d.isolating_policies:
        lines.append(f"  isolated by: {', '.join(d.isolating_policies)}")
    if d.rules:
        lines.append(f"  no rule admits it among: {', '.join(d.rules)}")
    return lines


def description_text(part: SourceDescription) -> str:
    """One part of a space of sources, as a sentence fragment."""
    if part.cidr is not None:
        return f"addresses {EndpointRef(kind='External', cidr=part.cidr)}"
    text = f"{part.pods} in {part.namespace}"
    if part.existing:
        shown = ", ".join(str(e) for e in part.existing[:5])
        more = f" and {len(part.existing) - 5} more" if len(part.existing) > 5 else ""
        text += f"  (loaded: {shown}{more})"
    return text


def _space(r: SpaceResult) -> list[str]:
    lines = [
        f"{len(r.parts)} kind(s) of source could reach: {r.query.removeprefix('who could reach ')}"
    ]
    for part in r.parts:
        lines.append(f"  {description_text(part)} -> {part.target} : {part.ports}")
    if r.reason:
        lines.append(f"  {r.reason}")
    return lines


def _exposure(r: ExposureResult) -> list[str]:
    lines = []
    for entry in r.entries:
        if entry.unprotected:
            lines.append(f"{entry.workload}: UNPROTECTED - no policy isolates it for ingress")
            continue
        lines.append(f"{entry.workload}: reachable from")
        lines += [f"  {description_text(p)} : {p.ports}" for p in entry.parts]
        if not entry.parts:
            lines.append("  nothing: every ingress is denied")
    return lines


def _info(r: InfoResult) -> list[str]:
    lines = list(r.sentences)
    if r.rows:
        widths = [max(len(str(x)) for x in col) for col in zip(r.columns, *r.rows, strict=False)]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        lines.append(fmt.format(*r.columns).rstrip())
        lines += [fmt.format(*row).rstrip() for row in r.rows]
    return lines


def _explain(r: ExplainResult) -> list[str]:
    if not r.explanations:
        return [f"{r.verdict.upper()}  {r.query}", *[f"  {n}" for n in r.notes]]
    lines: list[str] = []
    for e in r.explanations:
        lines += explanation_lines(e)
    return lines + [f"  {n}" for n in r.notes]


_SHAPES: dict[type, Callable[[Any], list[str]]] = {
    ExplainResult: _explain,
    AssertionResult: _assertion,
    SpaceResult: _space,
    ExposureResult: _exposure,
    InfoResult: _info,
    CanResult: _can,
    WhoResult: _who,
    WhatResult: _what,
    ConnectivityResult: _connectivity,
}


def _namespace_of(endpoint: EndpointRef) -> str:
    if endpoint.cidr is not None:
        return "(external)"
    return endpoint.namespace or "?"


def _summary(result: Result | ExplainResult, limit: int) -> list[str]:
    """Counts per namespace, for answers longer than ``limit`` lines."""
    if isinstance(result, WhoResult):
        ends = [s.endpoint for s in result.sources]
    elif isinstance(result, WhatResult):
        ends = [d.endpoint for d in result.destinations]
    elif isinstance(result, ConnectivityResult):
        ends = [c.source for c in result.connections]
    else:
        return []
    counts: dict[str, int] = {}
    for end in ends:
        counts[_namespace_of(end)] = counts.get(_namespace_of(end), 0) + 1
    noun = "connections from" if isinstance(result, ConnectivityResult) else "entries in"
    return [f"  {n:>6} {noun} {ns}" for ns, n in sorted(counts.items())]


def render_text(result: Result | ExplainResult, limit: int | None = None) -> str:
    """The answer as text, warnings last; past ``limit`` lines, a per-namespace summary first
    and the first ``limit`` lines (``None`` lists everything)."""
    shape = _SHAPES.get(type(result))
    if shape is None:  # compare results (diff, lint, redundancy...) render themselves
        rendered: Any = result
        lines = [*rendered.lines(), *[f"warning: {w}" for w in rendered.warnings]]
        return "\n".join(lines) + "\n"
    lines = shape(result)
    if limit is not None and len(lines) > limit + 1:
        hidden = len(lines) - 1 - limit
        summary = _summary(result, limit)
        lines = [lines[0], *summary, *lines[1 : limit + 1]]
        lines.append(f"... {hidden} more line(s): use --all (or -o json) to list everything")
    lines += [f"warning: {w}" for w in result.warnings]
    return "\n".join(lines) + "\n"
