"""Limits that keep hostile inputs cheap to reject: file size, object count, YAML shape."""

from __future__ import annotations

from dataclasses import dataclass, field

from npql.errors import Location, Problem, UsageError
from npql.loader.report import Report

DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_OBJECTS = 200_000
MAX_DEPTH = 100
"""Deepest nesting of mappings and lists in one document (aliases expanded)."""
MAX_EXPANDED_NODES = 1_000_000
"""Nodes a document may expand to through aliases, beyond ``ALIAS_RATIO`` times its own."""
ALIAS_RATIO = 10


@dataclass(frozen=True)
class Limits:
    """The limits of one load; 0 means unlimited."""

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_objects: int = DEFAULT_MAX_OBJECTS

    @classmethod
    def of(cls, max_file_bytes: int | None = None, max_objects: int | None = None) -> Limits:
        """Limits from keyword arguments: None is the default, 0 is unlimited."""
        return cls(
            _limit("max_file_bytes", max_file_bytes, DEFAULT_MAX_FILE_BYTES),
            _limit("max_objects", max_objects, DEFAULT_MAX_OBJECTS),
        )


def _limit(name: str, value: int | None, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UsageError(f"{name} must be a non-negative integer or None, not {value!r}")
    return value


def size_text(count: int) -> str:
    """A byte count as people read it: ``64 MiB``, ``1.5 KiB``, ``100 bytes``."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.4g} {unit}"
    return f"{count} bytes"


def too_large(limit: int) -> str:
    """The message for a file over ``limit`` bytes."""
    return (
        f"larger than {size_text(limit)}, the limit per file "
        "(raise it with --max-file-size; 0 means no limit)"
    )


@dataclass
class ObjectBudget:
    """Counts documents and List items of one load against ``Limits.max_objects``."""

    limit: int
    report: Report
    count: int = 0
    exhausted: bool = field(default=False)

    def take(self, location: Location) -> bool:
        """Count one more object at ``location``; False (and an error, once) past the limit."""
        if self.exhausted:
            return False
        self.count += 1
        if self.limit and self.count > self.limit:
            self.exhausted = True
            message = (
                f"more than {self.limit:,} objects (documents and List items), the limit; "
                "nothing after this point was read (raise it with --max-objects; 0 means no limit)"
            )
            self.report.error(Problem(message, location))
            return False
        return True
