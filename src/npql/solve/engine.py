"""The one place that calls ``Solver.check``: sat, unsat and unknown are three outcomes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import z3

from npql.encode.encoding import Encoding, Tracked
from npql.encode.terms import assert_all


@dataclass(frozen=True)
class Outcome:
    """The result of one check: a model when sat, the core's meanings when unsat."""

    status: str  # "sat", "unsat" or "unknown"
    model: z3.ModelRef | None = None
    core: tuple[Tracked, ...] = ()
    reason: str | None = None


class IncrementalSolver:
    """A solver holding an encoding's facts; each check adds query constraints under a guard.

    Facts the encoding adds lazily (a label key first named by a query) are added before each
    check, so the solver stays warm between queries.

    A check's constraints are asserted as ``guard -> constraints`` and ``guard`` is assumed;
    afterwards ``not guard`` retires them for good. Unlike push/pop this keeps what the solver
    learned about the cluster's facts across questions (a pop discards it): on the 1,000-pod
    benchmark a warm check of two existing pods takes 2 ms this way and 13 ms with push/pop.
    Retired guards are dead clauses, so the solver is rebuilt after ``REBUILD_AFTER`` checks.
    """

    REBUILD_AFTER = 2000

    def __init__(self, encoding: Encoding, timeout_ms: int | None = None) -> None:
        self.encoding = encoding
        self.timeout_ms = timeout_ms
        self.focus: list[z3.BoolRef] | None = None  # literals a question needs (None = all)
        self._checks = 0
        self.solver = self._fresh_solver()
        self._added = 0

    @staticmethod
    def _fresh_solver() -> z3.Solver:
        solver = z3.Solver()
        # Ctrl-C belongs to Python: the CLI and the REPL interrupt a running check themselves.
        solver.set("ctrl_c", False)
        return solver

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
        if self._checks >= self.REBUILD_AFTER:
            self.solver, self._added, self._checks = self._fresh_solver(), 0, 0
        hard = self.encoding.hard
        if self._added < len(hard):
            assert_all(self.solver, hard[self._added :])
            self._added = len(hard)

    def check(
        self,
        constraints: Sequence[z3.BoolRef],
        *,
        timeout_ms: int | None = None,
        literals: Sequence[z3.BoolRef] | None = None,
        minimal_core: bool = True,
    ) -> Outcome:
        """Is there an assignment satisfying the policies' semantics and ``constraints``?

        ``literals`` narrows the tracked definitions assumed (Encoding.literals_for). With
        ``minimal_core`` an unsat core is made minimal (Z3's ``core.minimize``), which can
        cost more than the check; callers that trim the core themselves turn it off.
        """
        self._sync()
        limit = timeout_ms if timeout_ms is not None else self.timeout_ms
        self.solver.set("timeout", int(limit) if limit else 0)
        self.solver.set("core.minimize", minimal_core)
        self._checks += 1
        guard = z3.Bool(f"{self.encoding.tag}check#{self._checks}")
        self.solver.add(z3.Implies(guard, z3.And(*constraints)))
        if literals is None:
            literals = self.focus if self.focus is not None else self.encoding.literals
        try:
            return self._outcome(self.solver.check(*literals, guard))
        finally:
            self.solver.add(z3.Not(guard))

    def _outcome(self, result: z3.CheckSatResult) -> Outcome:
        if result == z3.sat:
            return Outcome("sat", model=self.solver.model())
        if result == z3.unsat:
            meaning = self.encoding.meaning_by_id
            ids = (lit.get_id() for lit in self.solver.unsat_core())
            core = tuple(meaning[i] for i in ids if i in meaning)
            return Outcome("unsat", core=core)
        return Outcome("unknown", reason=unknown_reason(self.solver.reason_unknown()))


def unknown_reason(raw: str) -> str:
    """Z3's reason_unknown in the words answers use (timeout, interrupted, ...)."""
    if "timeout" in raw or "canceled" in raw:
        return "timeout"
    if "interrupt" in raw:
        return "interrupted"
    if "memory" in raw or "resource" in raw:
        return "resource limit"
    return raw or "solver gave up"
