"""Scripts: a file (or stdin) of statements run in order against one cluster.

A syntax error anywhere stops the script before anything runs (exit 2 naming the line); a
statement that names something that does not exist is recorded as an error and the rest still
runs, so one typo does not hide every other failure.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from npql.errors import NpqlError, QueryError
from npql.query import parse
from npql.solve.results import AssertionResult, ScriptEntry, ScriptReport

if TYPE_CHECKING:
    from npql.api.cluster import Cluster


class ScriptSyntaxError(QueryError):
    """A script that does not parse; the message starts with ``path:line:column``."""


def run_script(cluster: Cluster, text: str, path: str = "<stdin>") -> ScriptReport:
    """Parse every statement first, then answer each in order."""
    try:
        script = parse(text)
    except QueryError as exc:
        raise ScriptSyntaxError(
            f"{path}:{exc.line}:{exc.column}: {exc.message}",
            text=text,
            line=exc.line,
            column=exc.column,
            expected=exc.expected,
            hint=exc.hint,
        ) from exc
    lines = script.lines or tuple(range(1, len(script.statements) + 1))
    entries = []
    for line, statement in zip(lines, script.statements, strict=False):
        entries.append(_run_one(cluster, statement, line))
    return ScriptReport(path, tuple(entries))


def _run_one(cluster: Cluster, statement: object, line: int) -> ScriptEntry:
    text = str(statement)
    try:
        result = cluster.query(statement).result  # type: ignore[arg-type]
    except NpqlError as exc:
        return ScriptEntry(line, text, error=str(exc))
    if isinstance(result, AssertionResult):
        result = _at_line(result, line)
    return ScriptEntry(line, text, result)


def _at_line(result: AssertionResult, line: int) -> AssertionResult:
    return replace(result, line=line)
