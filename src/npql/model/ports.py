"""Sets of (protocol, port) pairs: the currency of every "on which ports" answer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from npql.model.objects import ALL_PROTOCOLS, Protocol

MIN_PORT = 1
MAX_PORT = 65535

Interval = tuple[int, int]


def merge_intervals(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Sort and merge overlapping or adjacent inclusive intervals."""
    merged: list[Interval] = []
    for lo, hi in sorted(intervals):
        if merged and lo <= merged[-1][1] + 1:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return tuple(merged)


def intersect_intervals(a: tuple[Interval, ...], b: tuple[Interval, ...]) -> tuple[Interval, ...]:
    """Intersection of two merged interval lists (two-pointer sweep)."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def _minus(a: tuple[Interval, ...], b: tuple[Interval, ...]) -> tuple[Interval, ...]:
    """Merged intervals ``a`` minus merged intervals ``b``."""
    out: list[Interval] = []
    for lo, hi in a:
        start = lo
        for blo, bhi in b:
            if bhi < start or blo > hi:
                continue
            if blo > start:
                out.append((start, blo - 1))
            start = max(start, bhi + 1)
            if start > hi:
                break
        if start <= hi:
            out.append((start, hi))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class PortSet:
    """For each protocol, a merged tuple of inclusive port intervals. Absent protocol = no ports."""

    ranges: Mapping[Protocol, tuple[Interval, ...]] = field(default_factory=dict, hash=False)

    @classmethod
    def all(cls) -> PortSet:
        """Every port of every protocol."""
        return FULL

    @classmethod
    def none(cls) -> PortSet:
        """No port at all."""
        return EMPTY

    @classmethod
    def of(cls, protocol: Protocol, lo: int = MIN_PORT, hi: int = MAX_PORT) -> PortSet:
        """Ports lo..hi of one protocol."""
        return cls({protocol: ((lo, hi),)})

    def __hash__(self) -> int:
        return hash(tuple(sorted((p.value, r) for p, r in self.ranges.items())))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PortSet) and dict(self.ranges) == dict(other.ranges)

    def is_empty(self) -> bool:
        """True when no (protocol, port) is in the set."""
        return not self.ranges

    def is_full(self) -> bool:
        """True when every port of TCP, UDP and SCTP is in the set."""
        return all(self.ranges.get(p) == ((MIN_PORT, MAX_PORT),) for p in ALL_PROTOCOLS)

    def contains(self, protocol: Protocol, port: int) -> bool:
        """Whether one (protocol, port) is in the set."""
        return any(lo <= port <= hi for lo, hi in self.ranges.get(protocol, ()))

    def union(self, other: PortSet) -> PortSet:
        """Set union."""
        if self.is_empty() or other.is_full():
            return other
        if other.is_empty() or self.is_full():
            return self
        out = dict(self.ranges)
        for proto, ivs in other.ranges.items():
            out[proto] = merge_intervals(out.get(proto, ()) + ivs)
        return PortSet(out)

    def intersect(self, other: PortSet) -> PortSet:
        """Set intersection."""
        if self.is_full():
            return other
        if other.is_full():
            return self
        out = {}
        for proto, ivs in self.ranges.items():
            both = intersect_intervals(ivs, other.ranges.get(proto, ()))
            if both:
                out[proto] = both
        return PortSet(out)

    def subtract(self, other: PortSet) -> PortSet:
        """Set difference."""
        if other.is_empty() or self.is_empty():
            return self
        if other.is_full():
            return EMPTY
        out = {}
        for proto, ivs in self.ranges.items():
            rest = _minus(ivs, other.ranges.get(proto, ()))
            if rest:
                out[proto] = rest
        return PortSet(out)

    def __str__(self) -> str:
        """netpol-analyzer's connection text: ``All Connections`` or ``TCP 80,UDP 53``."""
        if self.is_full():
            return "All Connections"
        if self.is_empty():
            return "No Connections"
        parts = []
        for proto in sorted(self.ranges, key=lambda p: p.value):
            ranges = ",".join(
                str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in self.ranges[proto]
            )
            parts.append(f"{proto.value} {ranges}")
        return ",".join(parts)


FULL = PortSet({p: ((MIN_PORT, MAX_PORT),) for p in ALL_PROTOCOLS})
EMPTY = PortSet({})
