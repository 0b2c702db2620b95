"""Text, JSON, connlist and Markdown for comparisons, gates, redundancy and lint results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from npql.compare.results import (
    NEW,
    OLD,
    CompareResult,
    ContainmentResult,
    DiffResult,
    LintFinding,
    LintResult,
    PairChange,
    PossibleChange,
    PossibleEndpoint,
    RedundancyResult,
    SafeChangeResult,
    SafeStep,
)
from npql.render.connlist import endpoint_text
from npql.render.json import SCHEMA, endpoint_dict, ports_dict, witness_dict
from npql.solve.results import Witness

# -- text ----------------------------------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def change_lines(c: PairChange) -> list[str]:
    """``+ src => dst : ports`` and/or ``- src => dst : ports``."""
    note = "" if c.only_in is None else f"   (workload only in the {c.only_in} version)"
    out = []
    if not c.added.is_empty():
        out.append(f"+ {c.source} => {c.target} : {c.added}{note}")
    if not c.removed.is_empty():
        out.append(f"- {c.source} => {c.target} : {c.removed}{note}")
    return out


def _labels(labels: Any) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items())) or "no labels"


def endpoint_text_of(end: PossibleEndpoint) -> str:
    """A possible endpoint: ``ns/<new pod {labels}>`` or an address range."""
    return str(end.ref())


def possible_lines(p: PossibleChange) -> list[str]:
    """A difference over possible pods: the line, its witness and why each version decides."""
    sign = "+" if p.change == "added" else "-"
    allowing = p.allowing
    other = OLD if allowing == NEW else NEW
    lines = [f"{sign} {p.source} => {p.target} : {p.ports}"]
    why = ", ".join(p.allowed_by) if p.allowed_by else "no isolation"
    lines.append(f"    e.g. {p.protocol.value} {p.port}; {allowing}: allowed ({why})")
    denial = " and ".join(p.denied_in) or "denied"
    by = f" (isolated by {', '.join(p.isolating)})" if p.isolating else ""
    lines.append(f"    {other}: {denial} denied{by}")
    for role, end in (("source", p.source), ("target", p.target)):
        if end.is_address:
            continue
        detail = []
        if end.new_namespace:
            detail.append(f"in a new namespace {end.namespace}")
        old_ns, new_ns = dict(end.namespace_labels_old), dict(end.namespace_labels_new)
        if old_ns != new_ns:
            detail.append(f"namespace labels old: {_labels(old_ns)}; new: {_labels(new_ns)}")
        elif end.new_namespace:
            detail.append(f"namespace labels {_labels(new_ns)}")
        if end.named_ports:
            ports = ", ".join(f"{p.name}={p.protocol.value}/{p.port}" for p in end.named_ports)
            detail.append(f"container ports {ports}")
        if detail:
            lines.append(f"    {role}: {'; '.join(detail)}")
    return lines


def _diff(r: DiffResult) -> list[str]:
    if not r.changed and r.possible_complete:
        return [
            f"NO CHANGE  {r.old} -> {r.new}: both versions allow the same connections, "
            "between existing workloads and for every possible pod"
            + ("" if r.possible_searched else " (possible pods not checked)")
        ]
    added = sum(1 for c in r.changes if not c.added.is_empty())
    removed = sum(1 for c in r.changes if not c.removed.is_empty())
    lines = [
        f"CHANGED  {r.old} -> {r.new}: {added} pair(s) gain access, {removed} lose access; "
        f"{_plural(len(r.possible), 'difference')} for possible pods"
    ]
    if r.only_old:
        lines.append(f"workloads only in {r.old}: {', '.join(str(w) for w in r.only_old)}")
    if r.only_new:
        lines.append(f"workloads only in {r.new}: {', '.join(str(w) for w in r.only_new)}")
    if r.changes:
        lines.append("existing workloads:")
        lines += [f"  {line}" for c in r.changes for line in change_lines(c)]
    if r.possible:
        lines.append("pods that need not exist (one witness per class of difference):")
        lines += [f"  {line}" for p in r.possible for line in possible_lines(p)]
    if r.possible_searched and not r.possible_complete:
        lines.append(
            f"  incomplete: {r.reason}" if r.reason else "  more differences may exist (limit)"
        )
    return lines


def witness_lines(w: Witness, indent: str = "  ") -> list[str]:
    """A concrete connection and the rules admitting it."""
    egress = ", ".join(w.egress_rules) if w.source_isolated else "not isolated"
    ingress = ", ".join(w.ingress_rules) if w.target_isolated else "not isolated"
    lines = [f"{indent}witness: {w.source} -> {w.target}  {w.protocol}/{w.port}"]
    if w.source.cidr is None:
        lines.append(f"{indent}  egress: {egress}")
    if w.target.cidr is None:
        lines.append(f"{indent}  ingress: {ingress}")
    return lines


def _containment(r: ContainmentResult) -> list[str]:
    word = {True: "PASSED", False: "FAILED", None: "UNKNOWN"}[r.holds]
    lines = [f"{word}  {r.query}", f"  {r.message}"]
    if r.change is not None:
        lines += [f"  {line}" for line in change_lines(r.change)]
    if r.witness is not None:
        lines += witness_lines(r.witness)
    if r.possible is not None:
        lines += [f"  {line}" for line in possible_lines(r.possible)]
    return lines


def _step_lines(step: SafeStep) -> list[str]:
    lines = [f"  [{step.status.value}] {step.name}: {step.message}"]
    if step.change is not None:
        lines += [f"      {line}" for line in change_lines(step.change)]
    if step.witness is not None:
        lines += witness_lines(step.witness, "      ")
    if step.possible is not None:
        lines += [f"      {line}" for line in possible_lines(step.possible)]
    return lines


def _safe(r: SafeChangeResult) -> list[str]:
    word = {True: "SAFE", False: "UNSAFE", None: "UNKNOWN"}[r.holds]
    lines = [f"{word}  change with intent: {r.intent}"]
    for step in r.steps:
        lines += _step_lines(step)
    return lines


def _redundancy(r: RedundancyResult) -> list[str]:
    scope = "every possible pod" if r.any_pod else "the loaded pods"
    if not r.findings:
        lines = [f"NO REDUNDANCY  for {scope}: every element changes what is allowed"]
    else:
        lines = [
            f"{_plural(len(r.findings), 'element')} can be removed, together or one by one, "
            f"without changing what is allowed for {scope}:"
        ]
    for f in r.findings:
        where = f"  ({f.location.path}:{f.location.line})" if f.location is not None else ""
        lines.append(f"  {f.ident}: {f.reason} — {f.detail}{where}")
    if r.reason:
        lines.append(f"  some checks were undecided ({r.reason}): those elements were kept")
    return lines


def lint_line(f: LintFinding) -> str:
    """``path:line: CODE severity: message [object]``."""
    where = f"{f.where}: " if f.where else ""
    return f"{where}{f.code} {f.severity}: {f.message} [{f.obj}]"


def _lint(r: LintResult) -> list[str]:
    lines = [lint_line(f) for f in r.findings]
    counts = ", ".join(_plural(r.count(s), s) for s in ("error", "warning", "info") if r.count(s))
    lines.append(f"{_plural(len(r.findings), 'finding')}" + (f": {counts}" if counts else ""))
    return lines


_TEXT: dict[type, Callable[[Any], list[str]]] = {
    DiffResult: _diff,
    ContainmentResult: _containment,
    SafeChangeResult: _safe,
    RedundancyResult: _redundancy,
    LintResult: _lint,
}


def text_lines(result: CompareResult) -> list[str]:
    """The text answer, warnings last."""
    lines = _TEXT[type(result)](result)
    lines += [f"warning: {w}" for w in result.warnings]
    return lines


def render_text(result: CompareResult) -> str:
    """The text answer as one string (newline-terminated)."""
    return "".join(line + "\n" for line in text_lines(result))


# -- connlist ------------------------------------------------------------------------------------


def connlist_lines(result: DiffResult) -> list[str]:
    """netpol-analyzer-style lines for existing workloads, ``+``/``-`` first; sorted.

    IPv6 ranges are left out (the format has no IPv6 form), and so are pods that need not exist.
    """
    lines = []
    for c in result.changes:
        src, dst = endpoint_text(c.source), endpoint_text(c.target)
        if src is None or dst is None:
            continue
        if not c.added.is_empty():
            lines.append(f"+ {src} => {dst} : {c.added}")
        if not c.removed.is_empty():
            lines.append(f"- {src} => {dst} : {c.removed}")
    return sorted(set(lines), key=lambda line: (line[2:], line[0]))


# -- JSON ----------------------------------------------------------------------------------------


def change_dict(c: PairChange) -> dict[str, Any]:
    """A changed pair: endpoints, ports before/after, added and removed."""
    return {
        "source": endpoint_dict(c.source),
        "target": endpoint_dict(c.target),
        "before": ports_dict(c.before),
        "after": ports_dict(c.after),
        "added": ports_dict(c.added),
        "removed": ports_dict(c.removed),
        "only_in": c.only_in,
    }


def possible_endpoint_dict(end: PossibleEndpoint) -> dict[str, Any]:
    """A possible pod (labels, named ports, namespace labels per version) or address range."""
    if end.is_address:
        return {"cidr": end.cidr or end.address, "address": end.address}
    return {
        "namespace": end.namespace,
        "name": None,
        "kind": "Hypothetical",
        "labels": dict(sorted(end.labels.items())),
        "named_ports": [
            {"name": p.name, "protocol": p.protocol.value, "port": p.port} for p in end.named_ports
        ],
        "namespace_labels": {
            OLD: dict(sorted(end.namespace_labels_old.items())),
            NEW: dict(sorted(end.namespace_labels_new.items())),
        },
        "new_namespace": end.new_namespace,
        "address": end.address,
    }


def possible_dict(p: PossibleChange) -> dict[str, Any]:
    """A difference over possible pods."""
    return {
        "change": p.change,
        "source": possible_endpoint_dict(p.source),
        "target": possible_endpoint_dict(p.target),
        "port": p.port,
        "protocol": p.protocol.value,
        "changed": ports_dict(p.ports),
        "allowed_by": list(p.allowed_by),
        "denied_in": list(p.denied_in),
        "isolating_policies": list(p.isolating),
    }


def _diff_dict(r: DiffResult) -> dict[str, Any]:
    return {
        "statement": "diff",
        "old": r.old,
        "new": r.new,
        "changed": r.changed,
        "changes": [change_dict(c) for c in r.changes],
        "only_old": [endpoint_dict(w) for w in r.only_old],
        "only_new": [endpoint_dict(w) for w in r.only_new],
        "possible": [possible_dict(p) for p in r.possible],
        "possible_searched": r.possible_searched,
        "possible_complete": r.possible_complete,
        "reason": r.reason,
    }


def _containment_dict(r: ContainmentResult) -> dict[str, Any]:
    return {
        "statement": r.mode,
        "holds": r.holds,
        "message": r.message,
        "change": None if r.change is None else change_dict(r.change),
        "witness": None if r.witness is None else witness_dict(r.witness),
        "possible": None if r.possible is None else possible_dict(r.possible),
        "reason": r.reason,
    }


def _step_dict(s: SafeStep) -> dict[str, Any]:
    return {
        "name": s.name,
        "status": s.status.value,
        "message": s.message,
        "change": None if s.change is None else change_dict(s.change),
        "witness": None if s.witness is None else witness_dict(s.witness),
        "possible": None if s.possible is None else possible_dict(s.possible),
    }


def _safe_dict(r: SafeChangeResult) -> dict[str, Any]:
    return {
        "statement": "safe-change",
        "intent": r.intent,
        "holds": r.holds,
        "steps": [_step_dict(s) for s in r.steps],
    }


def _location_dict(location: Any) -> dict[str, Any] | None:
    if location is None:
        return None
    return {"path": location.path, "document": location.document, "line": location.line}


def _redundancy_dict(r: RedundancyResult) -> dict[str, Any]:
    return {
        "statement": "redundancy",
        "any_pod": r.any_pod,
        "checked": r.checked,
        "findings": [
            {
                "element": f.ident,
                "kind": f.element.kind,
                "policy": f.element.policy,
                "reason": f.reason,
                "detail": f.detail,
                "shadowed_by": f.shadowed_by,
                "location": _location_dict(f.location),
            }
            for f in r.findings
        ],
        "reason": r.reason,
    }


def _lint_dict(r: LintResult) -> dict[str, Any]:
    return {
        "statement": "lint",
        "passed": r.passed,
        "counts": {s: r.count(s) for s in ("error", "warning", "info")},
        "findings": [
            {
                "code": f.code,
                "severity": f.severity,
                "message": f.message,
                "object": f.obj,
                "location": _location_dict(f.location),
            }
            for f in r.findings
        ],
    }


_DICT: dict[type, Callable[[Any], dict[str, Any]]] = {
    DiffResult: _diff_dict,
    ContainmentResult: _containment_dict,
    SafeChangeResult: _safe_dict,
    RedundancyResult: _redundancy_dict,
    LintResult: _lint_dict,
}


def to_dict(result: CompareResult) -> dict[str, Any]:
    """The JSON document: ``schema``, ``query``, ``statement``, the answer, ``warnings``."""
    body = _DICT[type(result)](result)
    return {"schema": SCHEMA, "query": result.query, **body, "warnings": list(result.warnings)}


# -- Markdown ------------------------------------------------------------------------------------


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _diff_markdown(r: DiffResult) -> list[str]:
    lines = [f"### NetworkPolicy changes: `{r.old}` → `{r.new}`", ""]
    if not r.changed:
        suffix = "" if r.possible_complete else " (the search over possible pods is incomplete)"
        return [*lines, f"No connection is added or removed.{suffix}"]
    added = sum(1 for c in r.changes if not c.added.is_empty())
    removed = sum(1 for c in r.changes if not c.removed.is_empty())
    lines.append(
        f"**{added} added, {removed} removed** between existing workloads; "
        f"**{len(r.possible)}** difference(s) for pods that do not exist yet."
    )
    if r.only_old or r.only_new:
        lines.append("")
        if r.only_old:
            lines.append(f"Workloads removed: {', '.join(f'`{w}`' for w in r.only_old)}")
        if r.only_new:
            lines.append(f"Workloads added: {', '.join(f'`{w}`' for w in r.only_new)}")
    if r.changes:
        lines += ["", "| | source | destination | ports | note |", "|---|---|---|---|---|"]
        for c in r.changes:
            note = "" if c.only_in is None else f"workload only in {c.only_in}"
            for sign, ports in (("➕", c.added), ("➖", c.removed)):
                if not ports.is_empty():
                    lines.append(
                        f"| {sign} | `{_cell(c.source)}` | `{_cell(c.target)}` | "
                        f"{_cell(ports)} | {note} |"
                    )
    if r.possible:
        lines += ["", "<details><summary>Pods that do not exist yet</summary>", "", "```diff"]
        lines += [line for p in r.possible for line in possible_lines(p)]
        lines += ["```", "", "</details>"]
    if not r.possible_complete:
        lines += ["", "_More differences for possible pods may exist._"]
    return lines


def _lint_markdown(r: LintResult) -> list[str]:
    lines = ["### npql lint", ""]
    if not r.findings:
        return [*lines, "No findings."]
    lines += ["| code | severity | where | message |", "|---|---|---|---|"]
    for f in r.findings:
        message = f"{_cell(f.message)} ({_cell(f.obj)})"
        lines.append(f"| {f.code} | {f.severity} | `{_cell(f.where)}` | {message} |")
    return lines


def _fenced(result: CompareResult) -> list[str]:
    title = {
        ContainmentResult: "Containment",
        SafeChangeResult: "Safe change",
        RedundancyResult: "Redundant rules",
    }.get(type(result), "npql")
    return [f"### {title}", "", "```", *_TEXT[type(result)](result), "```"]


def markdown(result: CompareResult) -> str:
    """Markdown, e.g. a pull-request comment; warnings as a list at the end."""
    if isinstance(result, DiffResult):
        lines = _diff_markdown(result)
    elif isinstance(result, LintResult):
        lines = _lint_markdown(result)
    else:
        lines = _fenced(result)
    if result.warnings:
        lines += ["", *[f"- ⚠️ {_cell(w)}" for w in result.warnings]]
    return "\n".join(lines) + "\n"
