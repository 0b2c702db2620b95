"""``\\watch on``: poll the loaded files' modification times and reload when one changes."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

Snapshot = dict[str, float]


def file_mtimes(paths: Iterable[str]) -> Snapshot:
    """Modification time of every file under ``paths`` (folders recursively; ``-`` skipped)."""
    found: Snapshot = {}
    for path in paths:
        if path != "-":
            found.update(_mtimes(Path(path)))
    return found


def _mtimes(path: Path) -> Snapshot:
    if path.is_dir():
        return {
            str(p): _mtime(p) for p in sorted(path.rglob("*")) if p.is_file() and _mtime(p) >= 0
        }
    mtime = _mtime(path)
    return {str(path): mtime} if mtime >= 0 else {}


def _mtime(path: Path) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return -1.0


class Watcher:
    """A daemon thread that calls ``on_change`` when ``snapshot()`` differs from last time."""

    def __init__(
        self, snapshot: Callable[[], Snapshot], on_change: Callable[[], None], interval: float
    ) -> None:
        self.snapshot = snapshot
        self.on_change = on_change
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """True while the polling thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start polling (no-op when already running)."""
        if self.running:
            return
        self._stop.clear()
        last = self.snapshot()  # now, so a change right after start() is seen
        self._thread = threading.Thread(
            target=self._loop, args=(last,), name="npql-watch", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop polling and wait for the thread to end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    def _loop(self, last: Snapshot) -> None:
        while not self._stop.wait(self.interval):
            current = self.snapshot()
            if current != last:
                last = current
                self.on_change()
