"""Parsed documents kept between loads, so a reload parses only the files that changed.

Parsing YAML is most of a load (on the 1,000-pod benchmark 0.36 s of 0.45 s), and a REPL
reload usually follows an edit of one file. A file is parsed again unless its path and its
whole text are the same as at the last load; everything after parsing (List expansion, kinds,
checks, warnings, duplicates) runs for every file on every load, so a load through the cache
reports exactly what a fresh one does.

Only parses that reported nothing and fit the object budget are kept, and a kept parse is
reused only while the budget has room for all of its documents: a cached file then counts
against the budget as a fresh parse would, and every problem is found by a fresh parse.

Sharing documents between loads is sound because nothing after parsing changes them: the
loader reads manifests through ``Fields`` and copies what the model keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from npql.errors import Location
from npql.loader.documents import Document, parse_source
from npql.loader.limits import ObjectBudget
from npql.loader.reading import Source
from npql.loader.report import Report


@dataclass(frozen=True, slots=True)
class FileChanges:
    """How the files of the last load compare with those of the load before it."""

    files: int = 0
    changed: int = 0  # files read whose text differs from last time, new files included
    removed: int = 0  # files of the load before that were not read this time
    compared: bool = False  # False when there was no earlier load to compare with

    @property
    def any(self) -> bool:
        """Whether some file changed, appeared or went away."""
        return bool(self.changed or self.removed)


@dataclass(frozen=True, slots=True)
class _Parsed:
    """One file as last read: its text and, when reusable, its documents."""

    text: str
    documents: tuple[Document, ...] | None
    taken: int  # objects the parse took from the budget (documents, empty ones too)


class ParseCache:
    """The parsed files of the last successful load through this cache.

    ``load_paths(..., parse_cache=cache)`` calls ``start`` before and ``finish`` after a load
    that succeeded; a failed load leaves the files of the last good one in place.
    """

    def __init__(self) -> None:
        self._kept: dict[str, _Parsed] = {}
        self._current: dict[str, _Parsed] = {}
        self._reparsed = 0
        self.changes = FileChanges()

    def start(self) -> None:
        """Begin a load: forget what an unfinished one read."""
        self._current = {}
        self._reparsed = 0

    def finish(self) -> FileChanges:
        """End a load that succeeded: keep its files (only those) and count what changed."""
        changed = sum(
            1
            for path, parsed in self._current.items()
            if path not in self._kept or self._kept[path].text != parsed.text
        )
        removed = sum(1 for path in self._kept if path not in self._current)
        self.changes = FileChanges(len(self._current), changed, removed, bool(self._kept))
        self._kept, self._current = self._current, {}
        return self.changes

    @property
    def reparsed(self) -> int:
        """Files the current (or last) load had to parse."""
        return self._reparsed

    def parse(self, source: Source, report: Report, budget: ObjectBudget) -> list[Document]:
        """``parse_source``, reusing the last load's documents when the text is the same."""
        known = self._kept.get(source.path)
        documents = known.documents if known is not None and known.text == source.text else None
        if known is None or documents is None or not _take(budget, known.taken, source.path):
            return self._parse(source, report, budget)
        self._current[source.path] = known
        return list(documents)

    def _parse(self, source: Source, report: Report, budget: ObjectBudget) -> list[Document]:
        self._reparsed += 1
        before, counted = _problems(report), budget.count
        documents = parse_source(source, report, budget)
        clean = _problems(report) == before and not budget.exhausted
        kept = tuple(_slim(d) for d in documents) if clean else None
        self._current[source.path] = _Parsed(source.text, kept, budget.count - counted)
        return documents


def _problems(report: Report) -> tuple[int, int, int, int]:
    """How many problems ``report`` holds: a parse that adds one is not kept."""
    return (
        len(report.errors),
        report.dropped_errors,
        len(report.warnings),
        report.dropped_warnings,
    )


def _take(budget: ObjectBudget, count: int, path: str) -> bool:
    """Count a cached file's objects, if all fit; else False and nothing is counted.

    When they do not all fit, the file is parsed again so the limit's error names the very
    document where a fresh load stops.
    """
    if budget.exhausted or (budget.limit and budget.count + count > budget.limit):
        return False
    location = Location(path)
    return all(budget.take(location) for _ in range(count))


def _slim(document: Document) -> Document:
    """The document without its YAML node tree unless List expansion may read it.

    Nodes give the lines of List items (``documents._list_items``) and are four fifths of a
    parse's memory. A mapping whose ``kind`` is a string not ending in ``List`` is never
    expanded, so its node is never read again.
    """
    data = document.data
    kind = data.get("kind") if isinstance(data, dict) else None
    if isinstance(kind, str) and not kind.endswith("List"):
        return replace(document, node=None)
    return document
