"""The C-API connectives make the terms z3py makes, and hand anything unusual back to z3py."""

from __future__ import annotations

from typing import Any

import pytest
import z3

from npql.encode import terms

P, Q, R = z3.Bools("p q r")
X = z3.Int("x")


def _equivalent(a: z3.BoolRef, b: z3.BoolRef) -> bool:
    solver = z3.Solver()
    solver.add(a != b)
    return solver.check() == z3.unsat


@pytest.mark.parametrize(
    ("fast", "slow"),
    [
        (terms.And(P, Q, R), z3.And(P, Q, R)),
        (terms.And([P, Q]), z3.And([P, Q])),
        (terms.And((P,)), z3.And(P)),
        (terms.Or(P, Q), z3.Or(P, Q)),
        (terms.Or([P, z3.Not(Q), R]), z3.Or([P, z3.Not(Q), R])),
        (terms.Implies(P, Q), z3.Implies(P, Q)),
        (terms.Not(P), z3.Not(P)),
        (terms.int_equals(X, 7), X == 7),
        (terms.int_equals(X, -3), X == -3),
    ],
)
def test_fast_terms_are_the_z3py_terms(fast: z3.BoolRef, slow: z3.BoolRef) -> None:
    assert fast.eq(slow)  # structurally the same term, not only equivalent
    assert _equivalent(fast, slow)


@pytest.mark.parametrize(
    ("fast", "slow"),
    [
        (lambda: terms.And(P, True), lambda: z3.And(P, True)),
        (lambda: terms.Or(False, Q), lambda: z3.Or(False, Q)),
        (lambda: terms.Implies(True, Q), lambda: z3.Implies(True, Q)),
        (lambda: terms.And(), lambda: z3.And()),
        (lambda: terms.Or([]), lambda: z3.Or([])),
    ],
)
def test_python_values_and_empty_lists_go_to_z3py(fast: Any, slow: Any) -> None:
    assert fast().eq(slow())


def test_a_quantified_or_foreign_context_term_goes_to_z3py() -> None:
    other = z3.Context()
    p_other = z3.Bool("p", other)
    with pytest.raises(z3.Z3Exception):  # z3py refuses mixed contexts; so must we
        terms.And(P, p_other)
    forall = z3.ForAll([X], X == X)
    assert terms.And(P, forall).eq(z3.And(P, forall))


def test_int_equals_reuses_one_numeral_and_keeps_sorts_right() -> None:
    equals = terms.IntEqualities()
    assert equals(X, 5).arg(1) is not None
    assert len(equals._numerals) == 1
    equals(z3.Int("y"), 5)
    assert len(equals._numerals) == 1
    real = z3.Real("r")  # Z3 coerces the numeral as z3py does
    assert _equivalent(equals(real, 5), real == 5)
    with pytest.raises(z3.Z3Exception):  # not arithmetic: z3py's error
        equals(z3.Bool("b"), 5)  # type: ignore[arg-type]


def test_assert_all_asserts_every_fact() -> None:
    solver = z3.Solver()
    terms.assert_all(solver, [P, terms.Not(Q), z3.BoolVal(True)])
    assert solver.check() == z3.sat
    model = solver.model()
    assert z3.is_true(model[P]) and z3.is_false(model[Q])
    terms.assert_all(solver, [Q])
    assert solver.check() == z3.unsat
