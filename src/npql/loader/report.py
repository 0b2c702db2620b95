"""Where loading problems are collected: errors, and warnings (errors too when strict)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from npql.errors import LoadError, Location, Problem

MAX_KEPT = 1000
"""Problems of each sort kept in full; the rest are only counted (hostile inputs have millions)."""


@dataclass
class Report:
    """Every problem one load finds; errors are raised together at the end."""

    strict: bool = False
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    dropped_errors: int = 0
    dropped_warnings: int = 0
    seen: set[Problem] = field(default_factory=set)

    def error(self, problem: Problem) -> None:
        """Record an error (once: two checks of one field may find the same problem)."""
        if problem in self.seen:
            return
        self.seen.add(problem)
        if len(self.errors) < MAX_KEPT:
            self.errors.append(problem)
        else:
            self.dropped_errors += 1

    def warn(self, problem: Problem) -> None:
        """Record a warning (once); in strict mode it is an error."""
        if self.strict:
            self.error(problem)
            return
        if problem in self.seen:
            return
        self.seen.add(problem)
        if len(self.warnings) < MAX_KEPT:
            self.warnings.append(problem)
        else:
            self.dropped_warnings += 1

    def all_warnings(self) -> tuple[Problem, ...]:
        """The warnings, with a last one counting those not kept."""
        return tuple(self.warnings) + _more(self.dropped_warnings, "warnings")

    def raise_if_errors(self) -> None:
        """Raise one LoadError holding every error recorded so far."""
        if self.errors:
            raise LoadError(self.errors + list(_more(self.dropped_errors, "errors")))


def _more(count: int, what: str) -> tuple[Problem, ...]:
    return (Problem(f"... and {count:,} more {what} not shown"),) if count else ()


@dataclass(frozen=True)
class Where:
    """The object being read: its location and name, and the report to tell about it."""

    report: Report
    location: Location | None = None
    obj: str | None = None

    def error(self, message: str, field_path: str | None = None) -> None:
        """Record an error about ``field_path`` of this object."""
        self.report.error(Problem(message, self.location, self.obj, field_path or None))

    def warn(self, message: str, field_path: str | None = None) -> None:
        """Record a warning about ``field_path`` of this object."""
        self.report.warn(Problem(message, self.location, self.obj, field_path or None))

    def named(self, obj: str) -> Where:
        """The same place, naming the object ``obj``."""
        return replace(self, obj=obj)
