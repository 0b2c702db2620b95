"""The error tree. Every error a user can cause is an NpqlError and maps to exit code 2.

Errors carry structured fields (file, line, column, object, field) so renderers and the REPL can
point at the place; ``str()`` gives the human message, with a caret under the column when the
text is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def caret_snippet(text: str, line: int, column: int) -> str:
    """Return the line ``line`` (1-based) of ``text`` with a caret under ``column`` (1-based)."""
    lines = text.splitlines() or [""]
    index = min(max(line, 1), len(lines)) - 1
    source_line = lines[index]
    pad = "".join("\t" if ch == "\t" else " " for ch in source_line[: max(column - 1, 0)])
    return f"  {source_line}\n  {pad}^"


class NpqlError(Exception):
    """Root of every error npql reports to a user (exit code 2 unless stated otherwise)."""

    exit_code = 2


class UsageError(NpqlError):
    """Bad command-line usage or API arguments."""


@dataclass(frozen=True, slots=True)
class Location:
    """Where an object came from: file, document index (0-based) and line (1-based) if known."""

    path: str
    document: int = 0
    line: int | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
        return f"{where} (document {self.document + 1})"


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem with one input object: an error, or a warning when its meaning is clear."""

    message: str
    location: Location | None = None
    obj: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.location is not None:
            parts.append(str(self.location))
        if self.obj:
            parts.append(self.obj)
        if self.field:
            parts.append(f"field {self.field}")
        prefix = ": ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message


class LoadError(NpqlError):
    """Manifests could not be read or hold objects the API server would reject."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems: tuple[Problem, ...] = (
            (problems,) if isinstance(problems, Problem) else tuple(problems)
        )
        super().__init__("\n".join(str(p) for p in self.problems))


class QueryError(NpqlError):
    """A query that cannot be answered as written: syntax or meaning."""

    def __init__(
        self,
        message: str,
        text: str = "",
        line: int = 1,
        column: int = 1,
        expected: frozenset[str] = frozenset(),
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.text = text
        self.line = line
        self.column = column
        self.expected = expected
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        out = f"{self.message} (line {self.line}, column {self.column})"
        if self.text:
            out += "\n" + caret_snippet(self.text, self.line, self.column)
        if self.expected:
            out += "\n  expected one of: " + ", ".join(sorted(self.expected))
        if self.hint:
            out += f"\n  hint: {self.hint}"
        return out


class QuerySyntaxError(QueryError):
    """The query text does not parse."""


class QuerySemanticError(QueryError):
    """The query parses but names something impossible (port 70000, unknown variable, ...).

    ``token`` is the offending word, so the caller holding the query text can point at it.
    """

    def __init__(self, message: str, *args: object, token: str | None = None, **kw: object) -> None:
        super().__init__(message, *args, **kw)  # type: ignore[arg-type]
        self.token = token

    def located(self, text: str) -> QuerySemanticError:
        """The same error, pointing at ``token`` (or the start) in the query text."""
        if self.text or not text:
            return self
        index = text.find(self.token) if self.token else -1
        line = text.count("\n", 0, max(index, 0)) + 1
        column = max(index, 0) - (text.rfind("\n", 0, max(index, 0)) + 1) + 1
        return QuerySemanticError(
            self.message, text, line, column, self.expected, self.hint, token=self.token
        )


@dataclass(frozen=True, slots=True)
class SolverUnknownReason:
    """Why the solver could not decide: 'timeout', 'interrupted', 'resource' or its own words."""

    reason: str
    detail: str = field(default="")


class InternalError(NpqlError):
    """A bug in npql: exit code 3."""

    exit_code = 3
