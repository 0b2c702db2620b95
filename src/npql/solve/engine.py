"""The one place that calls ``Solver.check``: sat, unsat and unknown are three outcomes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import z3

from npql.encode.encoding import Encoding, Tracked


@dataclass(frozen=True)
class Outcome:
    """The result of one check: a model when sat, the core's meanings when unsat."""

    status: str  # "sat", "unsat" or "unknown"
    model: z3.ModelRef | None = None
    core: tuple[Tracked, ...] = ()
    reason: str | None = None


class IncrementalSolver:
    """A solver holding an encoding's facts; each check adds query constraints in a scope.

    Facts the encoding adds lazily (a label key first named by a query) are pushed before each
    check, so the solver stays warm between queries.
    """

    def __init__(self, encoding: Encoding, timeout_ms: int | None = None) -> None:
        self.encoding = encoding
        self.solver = z3.Solver()
        self.solver.set("core.minimize", True)
        # Ctrl-C belongs to Python: the CLI and the REPL interrupt a running check themselves.
        self.solver.set("ctrl_c", False)
        self.timeout_ms = timeout_ms
        self._added = 0
        self.focus: list[z3.BoolRef] | None = None  # literals a question needs (None = all)

    @contextmanager
    def focused(self, literals: list[z3.BoolRef] | None) -> Iterator[None]:
        """Within the block, checks assume only ``literals`` (see Encoding.literals_for)."""
        previous, self.focus = self.focus, literals
        try:
            yield
        finally:
            self.focus = previous

    def interrupt(self) -> None:
        """Stop a running check from another thread; it then reports unknown ("interrupted").

        Only the running check is cancelled (not the Z3 context), so later questions work.
        """
        self.solver.interrupt()

    def _sync(self) -> None:
        hard = self.encoding.hard
        if self._added < len(hard):
            self.solver.add(*hard[self._added :])
            self._added = len(hard)

    def check(
        self,
        constraints: Sequence[z3.BoolRef],
        *,
        timeout_ms: int | None = None,
        literals: Sequence[z3.BoolRef] | None = None,
    ) -> Outcome:
        """Is there an assignment satisfying the policies' semantics and ``constraints``?

        ``literals`` narrows the tracked definitions assumed (Encoding.literals_for).
        """
        self._sync()
        limit = timeout_ms if timeout_ms is not None else self.timeout_ms
        self.solver.set("timeout", int(limit) if limit else 0)
        self.solver.push()
        try:
            self.solver.add(*constraints)
            if literals is None:
                literals = self.focus if self.focus is not None else self.encoding.literals
            assumed = literals
            result = self.solver.check(*assumed)
            return self._outcome(result)
        finally:
            self.solver.pop()

    def _outcome(self, result: z3.CheckSatResult) -> Outcome:
        if result == z3.sat:
            return Outcome("sat", model=self.solver.model())
        if result == z3.unsat:
            meaning = self.encoding.meaning
            core = tuple(
                meaning[str(lit)] for lit in self.solver.unsat_core() if str(lit) in meaning
            )
            return Outcome("unsat", core=core)
        return Outcome("unknown", reason=_reason(self.solver.reason_unknown()))


def _reason(raw: str) -> str:
    if "timeout" in raw or "canceled" in raw:
        return "timeout"
    if "interrupt" in raw:
        return "interrupted"
    if "memory" in raw or "resource" in raw:
        return "resource limit"
    return raw or "solver gave up"
