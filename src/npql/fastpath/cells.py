"""Cells: a partial partition of groups by allowed ports, and small caches for building them."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

from npql.fastpath.bits import bits_of
from npql.model.ports import PortSet

# (bitset of groups, ports allowed for each of them); a group is in at most one cell, and
# the ports of a cell are never empty. Port sets are interned (see PortAlgebra).
Cells = tuple[tuple[int, PortSet], ...]


class CellBuilder:
    """Accumulates groups per port set (by the identity of interned port sets)."""

    __slots__ = ("_bits", "_members", "_ports")

    def __init__(self) -> None:
        self._bits: dict[int, int] = {}
        self._members: dict[int, list[int]] = {}
        self._ports: dict[int, PortSet] = {}

    def add_bits(self, bits: int, ports: PortSet) -> None:
        """Add a bitset of groups allowed ``ports``."""
        key = id(ports)
        old = self._bits.get(key)
        if old is None:
            self._bits[key] = bits
            self._ports[key] = ports
        else:
            self._bits[key] = old | bits

    def add_member(self, group: int, ports: PortSet) -> None:
        """Add one group allowed ``ports`` (cheaper than a bitset per group)."""
        key = id(ports)
        members = self._members.get(key)
        if members is None:
            self._members[key] = [group]
            self._ports[key] = ports
        else:
            members.append(group)

    def cells(self, size: int, drop: PortSet | None) -> Cells:
        """The cells, without empty ones and without those allowed ``drop``."""
        out: list[tuple[int, PortSet]] = []
        for key, ports in self._ports.items():
            if ports is drop:
                continue
            bits = self._bits.get(key, 0)
            members = self._members.get(key)
            if members:
                bits |= bits_of(members, size)
            if bits:
                out.append((bits, ports))
        return tuple(out)


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Lru(Generic[K, V]):
    """A bounded map that forgets the least recently used entry."""

    __slots__ = ("_data", "size")

    def __init__(self, size: int) -> None:
        self._data: OrderedDict[K, V] = OrderedDict()
        self.size = size

    def get(self, key: K) -> V | None:
        """The value, or None."""
        found = self._data.get(key)
        if found is not None:
            self._data.move_to_end(key)
        return found

    def put(self, key: K, value: V) -> None:
        """Store, forgetting the oldest entry beyond ``size``."""
        self._data[key] = value
        if len(self._data) > self.size:
            self._data.popitem(last=False)
