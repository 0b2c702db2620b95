"""Set-valued answers over existing pods (who / what / connectivity) from the bitset engine."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from npql.fastpath import BitsetEngine
from npql.ir.addresses import IPRange, partition
from npql.ir.groups import PodGroup
from npql.ir.sides import PortQuery, Side
from npql.model.objects import ALL_PROTOCOLS, Pod
from npql.model.policy import Direction
from npql.model.ports import EMPTY, FULL, PortSet
from npql.solve.can import workload_ref
from npql.solve.results import Connection, EndpointRef, PeerList, Reach


def port_filter(query: PortQuery, group: PodGroup | None) -> PortSet:
    """The asked ports as a set, a port name resolved on the destination group.

    Groups hold pods that declare the same port names, so a name resolves once per group.
    """
    protocols = (query.protocol,) if query.protocol is not None else ALL_PROTOCOLS
    if query.name is None:
        if query.protocol is None and query.lo == 1 and query.hi == 65535:
            return FULL
        return PortSet({p: ((query.lo, query.hi),) for p in protocols})
    number = None if group is None else group.named_ports.get((query.name, protocols[0]))
    return EMPTY if number is None else PortSet.of(protocols[0], number, number)


def address_parts(
    engine: BitsetEngine, direction: Direction, within: tuple[IPRange, ...] | None = None
) -> list[IPRange]:
    """Address space cut at every ipBlock boundary of a direction, IPv4 then IPv6.

    With ``within``, also cut at its boundaries and keep only the parts inside it.
    """
    ranges = engine.policies.address_ranges(direction) + list(within or ())
    parts = partition(4, ranges) + partition(6, ranges)
    if within is None:
        return parts
    return [
        a
        for a in parts
        if any(w.version == a.version and w.lo <= a.lo and a.hi <= w.hi for w in within)
    ]


def _pods_in(group: PodGroup, chosen: set[int] | None) -> Iterator[Pod]:
    return (p for p in group.pods if chosen is None or id(p) in chosen)


def pod_pairs(
    engine: BitsetEngine,
    sources: Iterable[PodGroup],
    targets: Iterable[PodGroup],
    *,
    source_pods: set[int] | None = None,
    target_pods: set[int] | None = None,
    query: PortQuery | None = None,
) -> Iterator[Connection]:
    """Allowed connections between the pods of two sets of groups (no workload to itself)."""
    target_list = list(targets)
    for s in sources:
        for d in target_list:
            ports = engine.between(s.index, d.index)
            if query is not None:
                ports = ports.intersect(port_filter(query, d))
            if ports.is_empty():
                continue
            yield from _expand(s, d, ports, source_pods, target_pods)


def _expand(
    s: PodGroup, d: PodGroup, ports: PortSet, src_pods: set[int] | None, dst_pods: set[int] | None
) -> Iterator[Connection]:
    for sp in _pods_in(s, src_pods):
        for dp in _pods_in(d, dst_pods):
            if sp.workload != dp.workload:
                yield Connection(workload_ref(sp), workload_ref(dp), ports)


def from_addresses(
    engine: BitsetEngine,
    targets: Iterable[PodGroup],
    *,
    target_pods: set[int] | None = None,
    query: PortQuery | None = None,
    within: tuple[IPRange, ...] | None = None,
) -> Iterator[Connection]:
    """Connections from external address ranges to pods (adjacent equal parts merged)."""
    parts = address_parts(engine, Direction.INGRESS, within)
    for d in targets:
        runs = [(a, engine.from_range(a, d.index)) for a in parts]
        if query is not None:
            runs = [(a, ps.intersect(port_filter(query, d))) for a, ps in runs]
        for rng, ports in merge_runs(runs):
            for dp in _pods_in(d, target_pods):
                yield Connection(address_ref(rng), workload_ref(dp), ports)


def to_addresses(
    engine: BitsetEngine,
    sources: Iterable[PodGroup],
    *,
    source_pods: set[int] | None = None,
    query: PortQuery | None = None,
    within: tuple[IPRange, ...] | None = None,
) -> Iterator[Connection]:
    """Connections from pods to external address ranges (adjacent equal parts merged)."""
    parts = address_parts(engine, Direction.EGRESS, within)
    wanted = FULL if query is None else port_filter(query, None)
    for s in sources:
        runs = [(a, engine.to_range(s.index, a).intersect(wanted)) for a in parts]
        for rng, ports in merge_runs(runs):
            for sp in _pods_in(s, source_pods):
                yield Connection(workload_ref(sp), address_ref(rng), ports)


def merge_runs(runs: list[tuple[IPRange, PortSet]]) -> Iterator[tuple[IPRange, PortSet]]:
    """Merge adjacent address parts with equal port sets; drop empty ones."""
    current: tuple[IPRange, PortSet] | None = None
    for rng, ports in runs:
        if (
            current
            and current[1] == ports
            and current[0].version == rng.version
            and current[0].hi + 1 == rng.lo
        ):
            current = (IPRange(rng.version, current[0].lo, rng.hi), ports)
            continue
        if current and not current[1].is_empty():
            yield current
        current = (rng, ports)
    if current and not current[1].is_empty():
        yield current


def address_ref(rng: IPRange) -> EndpointRef:
    """An address range as an answer endpoint (its CIDRs, comma-separated)."""
    return EndpointRef(kind="External", cidr=", ".join(rng.cidrs()))


def group_by_source(connections: Iterable[Connection]) -> tuple[PeerList, ...]:
    """Who-can-reach shape: each source with what it reaches."""
    by_source: dict[EndpointRef, list[Reach]] = {}
    for c in connections:
        by_source.setdefault(c.source, []).append(Reach(c.target, c.ports))
    return tuple(
        PeerList(src, tuple(sorted(reaches, key=lambda r: r.endpoint.sort_key())))
        for src, reaches in sorted(by_source.items(), key=lambda kv: kv[0].sort_key())
    )


def union_by_target(connections: Iterable[Connection]) -> tuple[Reach, ...]:
    """What-can-reach shape: each destination with the union of allowed ports."""
    by_target: dict[EndpointRef, PortSet] = {}
    for c in connections:
        by_target[c.target] = by_target.get(c.target, EMPTY).union(c.ports)
    return tuple(Reach(t, p) for t, p in sorted(by_target.items(), key=lambda kv: kv[0].sort_key()))


def side_pod_ids(side: Side) -> set[int]:
    """Identity set of the exact pods a side selected (groups may hold more)."""
    return {id(p) for p in side.pods}
