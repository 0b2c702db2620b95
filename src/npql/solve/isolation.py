"""Is an endpoint isolated? One satisfiability question per direction, pods that need not exist
included: a sat answer is a pod (existing or not) that breaks the expectation."""

from __future__ import annotations

import z3

from npql.encode.query import isolated, side_constraint
from npql.ir.sides import Side
from npql.model.policy import Direction
from npql.solve.can import decode_endpoint
from npql.solve.engine import IncrementalSolver
from npql.solve.results import EndpointRef


def find_isolation_counterexample(
    solver: IncrementalSolver,
    side: Side,
    direction: Direction,
    *,
    expect_isolated: bool,
    timeout_ms: int | None = None,
) -> tuple[str, EndpointRef | None, str | None]:
    """("holds", None, None), ("fails", pod, None) or ("unknown", None, reason)."""
    enc = solver.encoding
    ep = enc.dst if direction is Direction.INGRESS else enc.src
    state = isolated(enc, direction)
    wrong = z3.Not(state) if expect_isolated else state
    outcome = solver.check(
        [side_constraint(enc, ep, side), ep.is_pod, wrong], timeout_ms=timeout_ms
    )
    if outcome.status == "unknown":
        return "unknown", None, outcome.reason
    if outcome.status == "unsat":
        return "holds", None, None
    assert outcome.model is not None
    return "fails", decode_endpoint(enc, outcome.model, ep, side.pods), None
