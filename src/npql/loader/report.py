"""Where loading problems are collected: errors, and warnings (errors too when strict)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from npql.errors import LoadError, Location, Problem


@dataclass
class Report:
    """Every problem one load finds; errors are raised together at the end."""

    strict: bool = False
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def error(self, problem: Problem) -> None:
        """Record an error."""
        self.errors.append(problem)

    def warn(self, problem: Problem) -> None:
        """Record a warning; in strict mode it is an error."""
        (self.errors if self.strict else self.warnings).append(problem)

    def raise_if_errors(self) -> None:
        """Raise one LoadError holding every error recorded so far."""
        if self.errors:
            raise LoadError(self.errors)


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
