"""How far the current long step has got: the numbers behind the CLI's progress bar.

Steps that can take seconds (reading manifests, whole-cluster connectivity) report here, and
the CLI's status line reads the numbers from its own thread every tenth of a second. The
module uses the standard library only and imports nothing from npql, so any layer may report
without an import cycle. Nobody has to read it: for library users, tests and the REPL a
report is a couple of attribute writes and nothing else, which is why reports can sit in
loops.

One worker thread reports at a time (the CLI answers in one thread). A reader may see a
phase change half done; it is redrawn a tenth of a second later, and ``Snapshot.done`` is
clamped to the total so such a frame is never absurd.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["BYTES", "Snapshot", "Tracker", "tracker"]

#: The unit that the status line shows as megabytes.
BYTES = "bytes"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the reader sees: the phase, and how much of its work is done when that is known.

    ``total`` is None for work of unknown size (a single Z3 check, say), which the status
    line shows as a spinner rather than a bar.
    """

    phase: str
    total: int | None
    done: int = 0
    unit: str = ""

    @property
    def fraction(self) -> float | None:
        """Done over total in [0, 1]; None when there is no total to measure against."""
        if not self.total:
            return None
        return min(max(self.done / self.total, 0.0), 1.0)


class Tracker:
    """The current phase and its counter; written by the worker, read by the status line.

    The phase, total and unit travel together as one tuple, replaced in a single assignment,
    so a reader never pairs a phase with another phase's total.
    """

    __slots__ = ("_job", "done")

    def __init__(self) -> None:
        self._job: tuple[str, int | None, str] = ("starting", None, "")
        self.done = 0

    def start(self, phase: str, total: int | None = None, unit: str = "") -> None:
        """Begin a phase; with a ``total`` (in ``unit``, e.g. ``"sources"`` or ``BYTES``) the
        status line draws a bar, without one a spinner."""
        self.done = 0
        self._job = (phase, total, unit)

    def advance(self, n: int = 1) -> None:
        """Count ``n`` more units of the current phase as done (cheap: one addition)."""
        self.done += n

    def finish(self) -> None:
        """The measured part of the phase is over: keep its name, drop the bar.

        Whatever follows until the next ``start`` (sorting, merging, printing) is shown as a
        spinner, not as a bar stuck at 100%.
        """
        self._job = (self._job[0], None, "")

    @contextmanager
    def stage(self, phase: str) -> Iterator[None]:
        """A short named step inside another phase, which is shown again afterwards."""
        job, done = self._job, self.done
        self.start(phase)
        try:
            yield
        finally:
            self.done = done
            self._job = job

    def snapshot(self) -> Snapshot:
        """The current state, as one consistent value for the reader."""
        phase, total, unit = self._job
        done = self.done
        if total is not None:
            done = min(done, total)
        return Snapshot(phase, total, done, unit)


#: The one tracker every stage reports to and the CLI reads.
tracker = Tracker()
