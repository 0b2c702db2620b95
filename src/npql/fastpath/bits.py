"""Bitsets over pod groups as Python ints, and label selectors evaluated into them.

A selector is evaluated once, by an inverted index (label key -> value -> groups), never by
matching it against every group: ``app=web`` costs one lookup however many groups exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from npql.model.selector import LabelSelector, Operator, Requirement

# Below this many members, OR-ing single bits beats filling a byte array.
_FEW = 8


def bits_of(indices: Iterable[int], size: int) -> int:
    """The bitset holding ``indices`` (each below ``size``)."""
    members = indices if isinstance(indices, Sequence) else list(indices)
    if len(members) <= _FEW:
        out = 0
        for i in members:
            out |= 1 << i
        return out
    buf = bytearray((size + 7) >> 3)
    for i in members:
        buf[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buf, "little")


def indices(bits: int) -> list[int]:
    """The members of a bitset, ascending."""
    count = bits.bit_count()
    if count <= 16:
        out = []
        while bits:
            low = bits & -bits
            out.append(low.bit_length() - 1)
            bits ^= low
        return out
    text = bin(bits)[:1:-1]  # least significant bit first
    out = []
    find = text.find
    at = find("1")
    while at >= 0:
        out.append(at)
        at = find("1", at + 1)
    return out


def lowest(bits: int) -> int:
    """The smallest member of a non-empty bitset."""
    return (bits & -bits).bit_length() - 1


class LabelIndex:
    """Selectors over a list of label sets, as bitsets of positions (memoised per selector)."""

    def __init__(self, labels: Sequence[Mapping[str, str]]) -> None:
        self.size = len(labels)
        self.all = (1 << self.size) - 1
        self._values: dict[str, dict[str, list[int]]] = {}
        for i, mapping in enumerate(labels):
            for key, value in mapping.items():
                self._values.setdefault(key, {}).setdefault(value, []).append(i)
        self._requirements: dict[Requirement, int] = {}
        self._selectors: dict[LabelSelector, int] = {}
        self._keys: dict[str, int] = {}

    def selector(self, selector: LabelSelector) -> int:
        """Positions whose labels the selector matches."""
        bits = self._selectors.get(selector)
        if bits is None:
            bits = self.all
            for req in selector.requirements:
                bits &= self.requirement(req)
                if not bits:
                    break
            self._selectors[selector] = bits
        return bits

    def requirement(self, req: Requirement) -> int:
        """Positions whose labels satisfy one requirement."""
        bits = self._requirements.get(req)
        if bits is None:
            bits = self._requirement(req)
            self._requirements[req] = bits
        return bits

    def _requirement(self, req: Requirement) -> int:
        if req.operator is Operator.EXISTS:
            return self._key(req.key)
        if req.operator is Operator.DOES_NOT_EXIST:
            return self.all ^ self._key(req.key)
        values = self._values.get(req.key, {})
        members = [i for v in dict.fromkeys(req.values) for i in values.get(v, ())]
        inside = bits_of(members, self.size)
        return inside if req.operator is Operator.IN else self.all ^ inside

    def _key(self, key: str) -> int:
        bits = self._keys.get(key)
        if bits is None:
            members = [i for positions in self._values.get(key, {}).values() for i in positions]
            bits = bits_of(members, self.size)
            self._keys[key] = bits
        return bits
