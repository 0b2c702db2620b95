"""Reading inputs: files, folders (recursively) and stdin, as text.

Every failure (missing, unreadable, binary, badly encoded, too large, a symbolic link loop)
is an error naming the path; nothing here raises.
"""

from __future__ import annotations

import codecs
import os
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, TextIO

from npql.errors import Location, Problem
from npql.loader.limits import Limits, too_large
from npql.loader.report import Report

SUFFIXES = (".yaml", ".yml", ".json")
STDIN = "-"
STDIN_NAME = "<stdin>"
# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Source:
    """The text of one input and the name messages use for it."""

    path: str
    text: str


@dataclass
class _Reader:
    """One reading of paths: the report, the limits, and what was read already."""

    report: Report
    limits: Limits
    stdin: TextIO | None
    files: set[tuple[int, int]] = field(default_factory=set)
    folders: set[str] = field(default_factory=set)

    def error(self, message: str) -> None:
        """Record an error; its message starts with the path."""
        self.report.error(Problem(message))

    def path(self, path: str) -> list[Source]:
        """The sources of one path: stdin, a file, or the manifest files of a folder."""
        if path == STDIN:
            stream = self.stdin if self.stdin is not None else sys.stdin
            if stream is None:  # e.g. started without one
                self.error(f"{STDIN_NAME}: cannot read: there is no standard input")
                return []
            source = read_stdin(stream, self.report, self.limits)
            return [source] if source is not None else []
        try:
            mode = os.stat(path).st_mode
        except (OSError, ValueError) as exc:
            self.error(f"{path}: cannot read: {_reason(exc)}")
            return []
        files = self._files_under(path) if stat.S_ISDIR(mode) else [path]
        found = (self.file(f) for f in files)
        return [s for s in found if s is not None]

    def file(self, path: str) -> Source | None:
        """One file as text, unless it was read already (named twice, or by two links)."""
        try:
            with open(path, "rb") as handle:
                info = os.fstat(handle.fileno())
                identity = (info.st_dev, info.st_ino)
                if stat.S_ISREG(info.st_mode) and identity in self.files:
                    return None
                self.files.add(identity)
                data = _read(handle, self.limits.max_file_bytes)
        except (OSError, ValueError) as exc:
            self.error(f"{path}: cannot read: {_reason(exc)}")
            return None
        except MemoryError:
            self.error(f"{path}: cannot read: out of memory")
            return None
        return source_from_bytes(path, data, self.report, self.limits)

    def _files_under(self, root: str) -> list[str]:
        found: list[str] = []
        self._walk(root, frozenset(), found)
        return found

    def _walk(self, folder: str, ancestors: frozenset[str], found: list[str]) -> None:
        real = os.path.realpath(folder)
        if real in ancestors:
            self.error(f"{folder}: symbolic link loop (leads back to {real})")
            return
        if real in self.folders:  # reached again through another link: read once
            return
        self.folders.add(real)
        for entry in self._entries(folder):
            self._visit(entry, ancestors | {real}, found)

    def _entries(self, folder: str) -> list[os.DirEntry[str]]:
        try:
            with os.scandir(folder) as scan:
                return sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            self.error(f"{folder}: cannot read folder: {_reason(exc)}")
            return []

    def _visit(self, entry: os.DirEntry[str], ancestors: frozenset[str], found: list[str]) -> None:
        try:
            is_dir = entry.is_dir()
            wanted = not is_dir and entry.name.lower().endswith(SUFFIXES)
            mode = os.stat(entry.path).st_mode if wanted else 0
        except OSError as exc:
            self.error(f"{entry.path}: cannot read: {_reason(exc)}")
            return
        if is_dir:
            self._walk(entry.path, ancestors, found)
        elif wanted and not stat.S_ISREG(mode):
            # Opening a FIFO would wait for a writer forever; devices may never end.
            self.error(f"{entry.path}: not a regular file (a pipe, socket or device)")
        elif wanted:
            found.append(entry.path)


def read_paths(
    paths: Sequence[str], stdin: TextIO | None, report: Report, limits: Limits | None = None
) -> list[Source]:
    """The sources named by ``paths`` in order; folders give their manifest files, sorted.

    A file reached twice (named twice, inside a named folder too, or through symbolic links)
    is read once.
    """
    reader = _Reader(report, limits or Limits(), stdin)
    return [source for path in paths for source in reader.path(path)]


def _read(handle: IO[bytes], limit: int) -> bytes:
    """At most ``limit + 1`` bytes (all when ``limit`` is 0): enough to tell a file too large."""
    return handle.read(limit + 1) if limit else handle.read()


def _reason(exc: OSError | ValueError) -> str:
    if isinstance(exc, OSError):
        return (exc.strerror or str(exc) or type(exc).__name__).lower()
    return str(exc)


def read_stdin(stream: TextIO, report: Report, limits: Limits) -> Source | None:
    """Standard input: its bytes when it has them (so encodings are told as for files)."""
    limit = limits.max_file_bytes
    try:
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            return source_from_bytes(STDIN_NAME, _read(buffer, limit), report, limits)
        text = stream.read(limit + 1) if limit else stream.read()
    except (OSError, ValueError) as exc:
        report.error(Problem(f"{STDIN_NAME}: cannot read: {_reason(exc)}"))
        return None
    except MemoryError:
        report.error(Problem(f"{STDIN_NAME}: cannot read: out of memory"))
        return None
    if not isinstance(text, str):
        report.error(Problem(f"{STDIN_NAME}: cannot read: not a text stream"))
        return None
    return source_from_text(STDIN_NAME, text, report, limits)


def source_from_bytes(path: str, data: bytes, report: Report, limits: Limits) -> Source | None:
    """The text of a file's bytes: UTF-8, or UTF-16/32 with a byte order mark."""
    if limits.max_file_bytes and len(data) > limits.max_file_bytes:
        report.error(Problem(f"{path}: {too_large(limits.max_file_bytes)}"))
        return None
    text = _decode(path, data, report)
    if text is None:
        return None
    if "\0" in text:
        report.error(Problem(f"{path}: {_binary()}"))
        return None
    return Source(path, text)


def source_from_text(path: str, text: str, report: Report, limits: Limits) -> Source | None:
    """A text given as a string: checked as a file's bytes would be."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        message = f"not valid Unicode text (a lone surrogate at offset {exc.start})"
        report.error(Problem(message, Location(path)))
        return None
    if limits.max_file_bytes and len(data) > limits.max_file_bytes:
        report.error(Problem(too_large(limits.max_file_bytes), Location(path)))
        return None
    if "\0" in text:
        report.error(Problem(_binary(), Location(path)))
        return None
    return Source(path, text)


def _decode(path: str, data: bytes, report: Report) -> str | None:
    codec = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if codec is None and b"\0" in data:
        report.error(Problem(f"{path}: {_binary()}"))
        return None
    try:
        return data.decode(codec or "utf-8")
    except UnicodeDecodeError as exc:
        what = f"not {codec.upper()} text" if codec else "not UTF-8 text"
        bad = data[exc.start : exc.start + 1].hex()
        report.error(Problem(f"{path}: {what} (bad byte 0x{bad} at offset {exc.start})"))
        return None


def _binary() -> str:
    return (
        "binary file (contains NUL bytes), not YAML or JSON "
        "(UTF-16 and UTF-32 need a byte order mark)"
    )
