"""Port-set arithmetic the comparisons need beyond union and intersection."""

from __future__ import annotations

from npql.model.ports import EMPTY, Interval, PortSet


def _minus(ivs: tuple[Interval, ...], holes: tuple[Interval, ...]) -> tuple[Interval, ...]:
    out: list[Interval] = []
    for lo, hi in ivs:
        start = lo
        for hlo, hhi in holes:
            if hhi < start or hlo > hi:
                continue
            if hlo > start:
                out.append((start, hlo - 1))
            start = max(start, hhi + 1)
            if start > hi:
                break
        if start <= hi:
            out.append((start, hi))
    return tuple(out)


def subtract(a: PortSet, b: PortSet) -> PortSet:
    """Ports in ``a`` and not in ``b``."""
    if a.is_empty() or b.is_full():
        return EMPTY
    if b.is_empty():
        return a
    out = {}
    for proto, ivs in a.ranges.items():
        rest = _minus(ivs, b.ranges.get(proto, ()))
        if rest:
            out[proto] = rest
    return PortSet(out)


def covers(a: PortSet, b: PortSet) -> bool:
    """Every port of ``b`` is in ``a``."""
    return subtract(b, a).is_empty()
