"""Loading Kubernetes manifests (files, folders, stdin, text) into a validated Cluster.

Only safe YAML loading is used. Every problem of every input is collected, and errors are
raised together as one LoadError; warnings go to ``Cluster.warnings`` (errors when strict).
Hostile inputs (alias bombs, deep nesting, huge or binary files) are LoadErrors too, found
before they cost much: see ``npql.loader.limits``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from npql.errors import UsageError
from npql.loader.build import build_cluster
from npql.loader.cache import FileChanges, ParseCache
from npql.loader.limits import DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_OBJECTS, Limits
from npql.loader.reading import read_paths, source_from_text
from npql.loader.report import Report
from npql.model import Cluster

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "DEFAULT_MAX_OBJECTS",
    "FileChanges",
    "ParseCache",
    "load_paths",
    "load_text",
]


def load_paths(
    paths: Sequence[str],
    *,
    strict: bool = False,
    stdin: TextIO | None = None,
    max_file_bytes: int | None = None,
    max_objects: int | None = None,
    parse_cache: ParseCache | None = None,
) -> Cluster:
    """Load files, folders (recursively: .yaml, .yml, .json) and ``-`` (stdin) into a Cluster.

    Raises LoadError naming every problem; with ``strict`` warnings and unmodelled policy
    kinds are errors too. ``max_file_bytes`` limits each file (64 MiB by default) and
    ``max_objects`` all documents and List items together (200,000 by default); None means
    the default, 0 no limit. ``parse_cache`` parses only files whose text changed since the
    last load through it, and then tells which did (``parse_cache.changes``).
    """
    limits = Limits.of(max_file_bytes, max_objects)
    report = Report(strict)
    names = [paths] if isinstance(paths, str) else list(paths)
    if parse_cache is None:
        return build_cluster(read_paths(names, stdin, report, limits), report, limits)
    parse_cache.start()
    sources = read_paths(names, stdin, report, limits)
    cluster = build_cluster(sources, report, limits, parse_cache=parse_cache)
    parse_cache.finish()
    return cluster


def load_text(
    text: str,
    *,
    source: str = "<string>",
    strict: bool = False,
    max_file_bytes: int | None = None,
    max_objects: int | None = None,
) -> Cluster:
    """Load manifests from a string; ``source`` names it in messages (``.json`` means JSON).

    The limits are those of ``load_paths``; ``max_file_bytes`` applies to the UTF-8 encoding.
    """
    if not isinstance(text, str):
        raise UsageError(f"load_text needs a str, not {type(text).__name__}")
    limits = Limits.of(max_file_bytes, max_objects)
    report = Report(strict)
    found = source_from_text(source, text, report, limits)
    return build_cluster([found] if found is not None else [], report, limits)
