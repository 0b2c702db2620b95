"""``--script -o markdown``: a pull-request comment: summary, assertions, connectivity."""

from __future__ import annotations

import re

from npql.render.report import ERROR, Outcome, outcomes, succeeded
from npql.solve.results import ConnectivityResult, ScriptReport, Status

MAX_CONNECTION_ROWS = 200

_BADGES = {
    Status.PASSED.value: "✅ passed",
    Status.FAILED.value: "❌ failed",
    Status.UNKNOWN.value: "❔ unknown",
    ERROR: "⚠️ error",
}


def inert(text: str) -> str:
    """Text whose ``&``, ``<`` and ``>`` read as themselves, not as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cell(text: str) -> str:
    """Text safe inside a table cell: pipes escaped, line breaks as ``<br>``, markup inert."""
    return inert(text).replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def code(text: str) -> str:
    """Inline code that survives backticks in the text (as a table cell)."""
    one_line = " ".join(text.split())
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", one_line)), default=0) + 1)
    pad = " " if one_line.startswith("`") or one_line.endswith("`") else ""
    return f"{ticks}{pad}{one_line}{pad}{ticks}".replace("|", "\\|")


def fenced(text: str) -> str:
    """A ``text`` code block whose fence is longer than any backtick run inside."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence}text\n{text}\n{fence}"


def _summary(report: ScriptReport) -> str:
    mark = "✅" if succeeded(report) else "❌"
    text = f"{report.passed} passed, {report.failed} failed, {report.unknown} unknown"
    if report.errors:
        text += f", {report.errors} error(s)"
    return f"{mark} **{text}**"


def _assertion_table(rows: list[Outcome]) -> list[str]:
    if not rows:
        return ["_No assertions in this script._"]
    lines = ["| Line | Assertion | Status | Detail |", "| ---: | --- | --- | --- |"]
    lines += [
        f"| {o.line} | {code(o.text)} | {_BADGES[o.status]} | {cell(o.message)} |" for o in rows
    ]
    return lines


def _details(rows: list[Outcome]) -> list[str]:
    lines: list[str] = []
    for o in rows:
        if o.ok or not o.detail:
            continue
        summary = inert(" ".join(f"line {o.line}: {o.text}".split()))
        lines += [
            "",
            f"<details><summary>{summary}</summary>",
            "",
            fenced(o.detail),
            "",
            "</details>",
        ]
    return lines


def connectivity_table(result: ConnectivityResult) -> list[str]:
    """The allowed connections as a table, at most MAX_CONNECTION_ROWS rows."""
    if not result.connections:
        return ["_No connection is allowed._"]
    lines = ["| Source | Destination | Ports |", "| --- | --- | --- |"]
    shown = result.connections[:MAX_CONNECTION_ROWS]
    lines += [
        f"| {cell(str(c.source))} | {cell(str(c.target))} | {cell(str(c.ports))} |" for c in shown
    ]
    hidden = len(result.connections) - len(shown)
    if hidden:
        lines += [
            "",
            f"_{hidden} more connection(s) not shown: first {MAX_CONNECTION_ROWS} of "
            f"{len(result.connections)}; use `-o json` or `-o html` for all._",
        ]
    return lines


def _warnings(warnings: tuple[str, ...]) -> list[str]:
    return ["", *[f"> ⚠️ {cell(w)}" for w in warnings]] if warnings else []


def render_markdown(report: ScriptReport, connectivity: ConnectivityResult | None = None) -> str:
    """The script run (and the connectivity map, when given) as GitHub-flavoured Markdown."""
    rows = outcomes(report)
    lines = [f"### npql: {cell(report.path)}", "", _summary(report), ""]
    lines += _assertion_table(rows)
    lines += _details(rows)
    if connectivity is not None:
        lines += ["", f"#### Connectivity ({len(connectivity.connections)} allowed)", ""]
        lines += connectivity_table(connectivity)
        lines += _warnings(connectivity.warnings)
    return "\n".join(lines) + "\n"
