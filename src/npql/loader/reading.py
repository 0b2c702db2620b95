"""Reading inputs: files, folders (recursively) and stdin, as text."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from npql.errors import Problem
from npql.loader.report import Report

SUFFIXES = (".yaml", ".yml", ".json")
STDIN = "-"
STDIN_NAME = "<stdin>"


@dataclass(frozen=True)
class Source:
    """The text of one input and the name messages use for it."""

    path: str
    text: str


def read_paths(paths: Sequence[str], stdin: TextIO | None, report: Report) -> list[Source]:
    """The sources named by ``paths`` in order; folders give their manifest files, sorted."""
    sources: list[Source] = []
    for path in paths:
        sources.extend(_read_path(path, stdin, report))
    return sources


def _read_path(path: str, stdin: TextIO | None, report: Report) -> list[Source]:
    if path == STDIN:
        return _read_stdin(stdin if stdin is not None else sys.stdin, report)
    mode = _mode(path, report)
    if mode is None:
        return []
    files = _files_under(path, report) if stat.S_ISDIR(mode) else [path]
    found = (read_file(f, report) for f in files)
    return [s for s in found if s is not None]


def _mode(path: str, report: Report) -> int | None:
    try:
        return os.stat(path).st_mode
    except OSError as exc:
        report.error(Problem(f"{path}: cannot read: {_reason(exc)}"))
        return None


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


def _read_stdin(stream: TextIO, report: Report) -> list[Source]:
    try:
        text = stream.read()
    except (OSError, UnicodeDecodeError) as exc:
        report.error(Problem(f"{STDIN_NAME}: cannot read: {exc}"))
        return []
    return [Source(STDIN_NAME, text)] if _is_text(STDIN_NAME, text, report) else []


def read_file(path: str, report: Report) -> Source | None:
    """One file as text; binary or non-UTF-8 content is an error."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        report.error(Problem(f"{path}: cannot read: {_reason(exc)}"))
        return None
    text = _decode(path, data, report)
    return Source(path, text) if text is not None else None


def _decode(path: str, data: bytes, report: Report) -> str | None:
    if b"\0" in data:
        report.error(Problem(_binary(path)))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.error(Problem(f"{path}: not UTF-8 text (bad byte at offset {exc.start})"))
        return None


def _binary(path: str) -> str:
    return f"{path}: binary file (contains NUL bytes), not YAML or JSON"


def _is_text(path: str, text: str, report: Report) -> bool:
    if "\0" in text:
        report.error(Problem(_binary(path)))
        return False
    return True


def _files_under(root: str, report: Report) -> list[str]:
    found: list[str] = []
    _walk(root, frozenset(), found, report)
    return found


def _walk(folder: str, ancestors: frozenset[str], found: list[str], report: Report) -> None:
    real = os.path.realpath(folder)
    if real in ancestors:
        report.error(Problem(f"{folder}: symbolic link loop (leads back to {real})"))
        return
    for entry in _entries(folder, report):
        _visit(entry, ancestors | {real}, found, report)


def _entries(folder: str, report: Report) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as scan:
            return sorted(scan, key=lambda e: e.name)
    except OSError as exc:
        report.error(Problem(f"{folder}: cannot read folder: {_reason(exc)}"))
        return []


def _visit(
    entry: os.DirEntry[str], ancestors: frozenset[str], found: list[str], report: Report
) -> None:
    try:
        is_dir = entry.is_dir()
    except OSError as exc:
        report.error(Problem(f"{entry.path}: cannot read: {_reason(exc)}"))
        return
    if is_dir:
        _walk(entry.path, ancestors, found, report)
    elif entry.name.lower().endswith(SUFFIXES):
        found.append(entry.path)
