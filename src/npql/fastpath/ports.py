"""Port-set algebra with interning: equal sets are one object, so operations memoise by id.

The evaluator combines a handful of distinct port sets millions of times; interning turns
each union, intersection and difference after the first into one dictionary lookup.
"""

from __future__ import annotations

from npql.model.ports import EMPTY, FULL, PortSet

_Key = tuple[tuple[str, tuple[tuple[int, int], ...]], ...]


class PortAlgebra:
    """Interned port sets and memoised set operations on them."""

    def __init__(self) -> None:
        self._interned: dict[_Key, PortSet] = {}
        self._by_id: dict[int, tuple[PortSet, PortSet]] = {}  # id -> (object, canonical)
        self._union: dict[tuple[int, int], PortSet] = {}
        self._intersect: dict[tuple[int, int], PortSet] = {}
        self._subtract: dict[tuple[int, int], PortSet] = {}
        self.full = self.intern(FULL)
        self.empty = self.intern(EMPTY)

    def intern(self, ports: PortSet) -> PortSet:
        """The canonical object equal to ``ports``."""
        seen = self._by_id.get(id(ports))
        if seen is not None and seen[0] is ports:
            return seen[1]
        key = tuple(sorted((p.value, r) for p, r in ports.ranges.items()))
        found = self._interned.get(key)
        if found is None:
            self._interned[key] = found = ports
        self._by_id[id(ports)] = (ports, found)  # holding ``ports`` keeps its id unique
        return found

    def union(self, a: PortSet, b: PortSet) -> PortSet:
        """a | b (both interned)."""
        if a is b or b is self.empty:
            return a
        if a is self.empty:
            return b
        key = (id(a), id(b))
        out = self._union.get(key)
        if out is None:
            out = self._union[key] = self.intern(a.union(b))
        return out

    def intersect(self, a: PortSet, b: PortSet) -> PortSet:
        """a & b (both interned)."""
        if a is b or b is self.full:
            return a
        if a is self.full:
            return b
        key = (id(a), id(b))
        out = self._intersect.get(key)
        if out is None:
            out = self._intersect[key] = self.intern(a.intersect(b))
        return out

    def subtract(self, a: PortSet, b: PortSet) -> PortSet:
        """a - b (both interned)."""
        if b is self.empty:
            return a
        if a is b:
            return self.empty
        key = (id(a), id(b))
        out = self._subtract.get(key)
        if out is None:
            out = self._subtract[key] = self.intern(a.subtract(b))
        return out
