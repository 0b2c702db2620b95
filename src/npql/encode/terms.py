"""Boolean connectives and integer equalities built through Z3's C API.

z3py's ``And``/``Or``/``Implies``/``Not`` and ``==`` look at every argument (its context,
its sort, whether a Python value must be converted, whether it is a probe) before making
the term. The encoding builds tens of thousands of terms whose arguments are already Z3
Booleans of one context, and on a 1,000-pod cluster those checks were most of the time the
whole-cluster encoding took. These functions make the same terms directly, and hand any
other argument (a Python bool, a probe, a mix of contexts) to z3py, so the result is
always the term z3py would have made.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import z3
from z3 import z3core

_BoolRef = z3.BoolRef
_ArithRef = z3.ArithRef


def _direct(items: Sequence[Any]) -> Any:
    """The shared context when every item is a plain z3 Boolean of it, else None."""
    if not items:
        return None
    ctx = items[0].ctx if items[0].__class__ is _BoolRef else None
    if ctx is None:
        return None
    for item in items:
        if item.__class__ is not _BoolRef or item.ctx is not ctx:
            return None
    return ctx


def _array(items: Sequence[z3.BoolRef]) -> Any:
    asts = (z3.Ast * len(items))()
    for i, item in enumerate(items):
        asts[i] = item.as_ast()
    return asts


def And(*args: Any) -> z3.BoolRef:  # noqa: N802 - the z3py name, so call sites read the same
    """``z3.And``: of the arguments, or of one list or tuple of them."""
    items = args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args
    ctx = _direct(items)
    if ctx is None:
        return z3.And(*args)
    return _BoolRef(z3core.Z3_mk_and(ctx.ref(), len(items), _array(items)), ctx)


def Or(*args: Any) -> z3.BoolRef:  # noqa: N802
    """``z3.Or``: of the arguments, or of one list or tuple of them."""
    items = args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args
    ctx = _direct(items)
    if ctx is None:
        return z3.Or(*args)
    return _BoolRef(z3core.Z3_mk_or(ctx.ref(), len(items), _array(items)), ctx)


def Implies(a: Any, b: Any) -> z3.BoolRef:  # noqa: N802
    """``z3.Implies(a, b)``."""
    ctx = _direct((a, b))
    if ctx is None:
        return z3.Implies(a, b)
    return _BoolRef(z3core.Z3_mk_implies(ctx.ref(), a.as_ast(), b.as_ast()), ctx)


def Not(a: Any) -> z3.BoolRef:  # noqa: N802
    """``z3.Not(a)``."""
    if a.__class__ is not _BoolRef:
        return z3.Not(a)
    ctx = a.ctx
    return _BoolRef(z3core.Z3_mk_not(ctx.ref(), a.as_ast()), ctx)


def assert_all(solver: z3.Solver, facts: Sequence[Any]) -> None:
    """``solver.add(*facts)``."""
    ctx = solver.ctx
    for fact in facts:
        if fact.__class__ is _BoolRef and fact.ctx is ctx:
            z3core.Z3_solver_assert(ctx.ref(), solver.solver, fact.as_ast())
        else:
            solver.add(fact)


class IntEqualities:
    """``var == n`` for an arithmetic variable and a Python int, with each numeral made once
    (Z3 coerces the numeral to a real variable's sort, as z3py does; the rest goes to z3py)."""

    def __init__(self) -> None:
        self._numerals: dict[tuple[int, int], z3.ArithRef] = {}

    def __call__(self, var: z3.ArithRef, n: int) -> z3.BoolRef:
        if var.__class__ is not _ArithRef or n.__class__ is not int:
            return var == n
        ctx = var.ctx
        key = (id(ctx), n)
        numeral = self._numerals.get(key)
        if numeral is None:
            numeral = self._numerals[key] = z3.IntVal(n, ctx)
        return _BoolRef(z3core.Z3_mk_eq(ctx.ref(), var.as_ast(), numeral.as_ast()), ctx)


int_equals = IntEqualities()  # numerals are per context, and the context lives as long as npql
