"""IP addresses as integer intervals, so blocks, excepts and partitions are arithmetic."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True, order=True)
class IPRange:
    """Addresses ``lo``..``hi`` (inclusive) of one IP version (4 or 6)."""

    version: int
    lo: int
    hi: int

    def contains(self, version: int, address: int) -> bool:
        """Whether an address (as an int) of a version lies in the range."""
        return version == self.version and self.lo <= address <= self.hi

    def __str__(self) -> str:
        cls = ipaddress.IPv4Address if self.version == 4 else ipaddress.IPv6Address
        return f"{cls(self.lo)}-{cls(self.hi)}"

    def cidrs(self) -> list[str]:
        """The range as the fewest CIDR blocks."""
        cls = ipaddress.IPv4Address if self.version == 4 else ipaddress.IPv6Address
        return [str(n) for n in ipaddress.summarize_address_range(cls(self.lo), cls(self.hi))]


@lru_cache(maxsize=1 << 16)  # clusters repeat a few CIDRs thousands of times; parsing is slow
def network_range(cidr: str) -> IPRange:
    """The address range of a CIDR (host bits ignored)."""
    net = ipaddress.ip_network(cidr, strict=False)
    return IPRange(net.version, int(net.network_address), int(net.broadcast_address))


def address_value(ip: str) -> tuple[int, int]:
    """(version, integer value) of one IP address."""
    addr = ipaddress.ip_address(ip)
    return addr.version, int(addr)


def subtract(ranges: Iterable[IPRange], hole: IPRange) -> list[IPRange]:
    """Remove ``hole`` from each range."""
    out: list[IPRange] = []
    for r in ranges:
        if r.version != hole.version or hole.hi < r.lo or hole.lo > r.hi:
            out.append(r)
            continue
        if r.lo < hole.lo:
            out.append(IPRange(r.version, r.lo, hole.lo - 1))
        if hole.hi < r.hi:
            out.append(IPRange(r.version, hole.hi + 1, r.hi))
    return out


def block_ranges(cidr: str, excepts: Iterable[str]) -> tuple[IPRange, ...]:
    """An ipBlock as disjoint ranges: the CIDR minus every except."""
    return _block_ranges(cidr, tuple(excepts))


@lru_cache(maxsize=1 << 14)
def _block_ranges(cidr: str, excepts: tuple[str, ...]) -> tuple[IPRange, ...]:
    ranges = [network_range(cidr)]
    for hole in excepts:
        ranges = subtract(ranges, network_range(hole))
    return tuple(sorted(ranges))


def whole_space(version: int) -> IPRange:
    """Every address of an IP version."""
    bits = 32 if version == 4 else 128
    return IPRange(version, 0, (1 << bits) - 1)


def partition(version: int, ranges: Iterable[IPRange]) -> list[IPRange]:
    """Split the whole address space of ``version`` at every boundary of ``ranges``.

    Every input range is then a union of parts, so each part is matched by a block entirely or
    not at all: one evaluation per part is exact for all of its addresses.
    """
    space = whole_space(version)
    cuts = {space.lo, space.hi + 1}
    for r in ranges:
        if r.version == version:
            cuts.update((r.lo, r.hi + 1))
    points = sorted(cuts)
    return [IPRange(version, a, b - 1) for a, b in zip(points, points[1:], strict=False)]
