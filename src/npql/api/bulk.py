"""Set-valued answers over existing pods (who / what / connectivity) from the bitset engine."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from npql.fastpath import BitsetEngine
from npql.fastpath.bits import bits_of, indices
from npql.gcpause import gc_paused
from npql.ir.addresses import IPRange, partition
from npql.ir.groups import PodGroup
from npql.ir.sides import PortQuery, Side
from npql.model.objects import ALL_PROTOCOLS, Pod
from npql.model.policy import Direction
from npql.model.ports import EMPTY, FULL, PortSet
from npql.progress import tracker
from npql.solve.results import Connection, EndpointRef, PeerList, Reach, workload_ref


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
    ranges = engine.address_ranges(direction) + list(within or ())
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


class _Refs:
    """Answer endpoints per pod and per address range, built once per answer."""

    def __init__(self) -> None:
        self._pods: dict[int, tuple[str, EndpointRef]] = {}
        self._ranges: dict[IPRange, EndpointRef] = {}

    def pod(self, pod: Pod) -> tuple[str, EndpointRef]:
        found = self._pods.get(id(pod))
        if found is None:
            found = self._pods[id(pod)] = (pod.workload, workload_ref(pod))
        return found

    def range(self, rng: IPRange) -> EndpointRef:
        found = self._ranges.get(rng)
        if found is None:
            found = self._ranges[rng] = address_ref(rng)
        return found


# Above this many rows (columns) in one answer, index every group's matching rules at once.
_PREPARE = 64


def group_pairs(
    engine: BitsetEngine,
    sources: Sequence[PodGroup],
    targets: Sequence[PodGroup],
    query: PortQuery | None = None,
) -> Iterator[tuple[PodGroup, list[tuple[PodGroup, PortSet]]]]:
    """For each source group in order, the target groups (in order) it reaches, with ports.

    Rows (one source, every target) when there are fewer sources than targets, else columns;
    both come from the engine's cells, never from a loop over denied pairs.
    """
    if not sources or not targets:
        return
    wanted = _Filter(engine, query)
    if len(targets) < len(sources):
        yield from _by_columns(engine, sources, targets, wanted)
        return
    if len(sources) > _PREPARE:
        engine.prepare_rows()
    target_bits = bits_of([d.index for d in targets], engine.size)
    position = {d.index: k for k, d in enumerate(targets)}
    empty = engine.ports.empty
    tracker.start("connectivity", len(sources), "sources")
    for s in sources:
        found: list[tuple[int, PodGroup, PortSet]] = []
        for bits, ports in engine.row(s.index):
            for i in indices(bits & target_bits):
                k = position[i]
                d = targets[k]
                allowed = wanted.apply(ports, d)
                if allowed is not empty:
                    found.append((k, d, allowed))
        tracker.advance()
        if found:
            found.sort(key=lambda t: t[0])
            yield s, [(d, p) for _, d, p in found]
    tracker.finish()


def _by_columns(
    engine: BitsetEngine, sources: Sequence[PodGroup], targets: Sequence[PodGroup], wanted: _Filter
) -> Iterator[tuple[PodGroup, list[tuple[PodGroup, PortSet]]]]:
    if len(targets) > _PREPARE:
        engine.prepare_columns()
    source_bits = bits_of([s.index for s in sources], engine.size)
    columns: list[tuple[PodGroup, dict[int, PortSet]]] = []
    with gc_paused():
        _fill_columns(engine, targets, wanted, source_bits, columns)
    for s in sources:
        found = [(d, col[s.index]) for d, col in columns if s.index in col]
        if found:
            yield s, found


def _fill_columns(
    engine: BitsetEngine,
    targets: Sequence[PodGroup],
    wanted: _Filter,
    source_bits: int,
    columns: list[tuple[PodGroup, dict[int, PortSet]]],
) -> None:
    empty = engine.ports.empty
    tracker.start("connectivity", len(targets), "targets")
    for d in targets:
        column: dict[int, PortSet] = {}
        for bits, ports in engine.column(d.index):
            allowed = wanted.apply(ports, d)
            if allowed is not empty:
                column.update(dict.fromkeys(indices(bits & source_bits), allowed))
        tracker.advance()
        if column:
            columns.append((d, column))
    tracker.finish()


class _Filter:
    """The asked ports, per destination group (a port name resolves there)."""

    def __init__(self, engine: BitsetEngine, query: PortQuery | None) -> None:
        self.engine = engine
        self.query = query
        self.constant = (
            None if query is None or query.name is not None else self._intern(query, None)
        )
        self._by_group: dict[int, PortSet] = {}

    def _intern(self, query: PortQuery, group: PodGroup | None) -> PortSet:
        return self.engine.ports.intern(port_filter(query, group))

    def ports(self, d: PodGroup) -> PortSet:
        """The asked ports at group ``d`` (every port when nothing was asked)."""
        if self.query is None:
            return self.engine.ports.full
        if self.constant is not None:
            return self.constant
        found = self._by_group.get(d.index)
        if found is None:
            found = self._by_group[d.index] = self._intern(self.query, d)
        return found

    def apply(self, ports: PortSet, d: PodGroup) -> PortSet:
        """``ports`` narrowed to the asked ports at ``d``."""
        if self.query is None:
            return ports
        return self.engine.ports.intersect(ports, self.ports(d))


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
    refs = _Refs()
    for s, reached in group_pairs(engine, list(sources), list(targets), query):
        for d, ports in reached:
            yield from _expand(s, d, ports, source_pods, target_pods, refs)


def _expand(
    s: PodGroup,
    d: PodGroup,
    ports: PortSet,
    src_pods: set[int] | None,
    dst_pods: set[int] | None,
    refs: _Refs,
) -> Iterator[Connection]:
    targets = [refs.pod(dp) for dp in _pods_in(d, dst_pods)]
    for sp in _pods_in(s, src_pods):
        workload, ref = refs.pod(sp)
        for other, target in targets:
            if workload != other:
                yield Connection(ref, target, ports)


def from_addresses(
    engine: BitsetEngine,
    targets: Iterable[PodGroup],
    *,
    target_pods: set[int] | None = None,
    query: PortQuery | None = None,
    within: tuple[IPRange, ...] | None = None,
) -> Iterator[Connection]:
    """Connections from external address ranges to pods (adjacent equal parts merged)."""
    refs = _Refs()
    for d, runs in inbound_runs(engine, targets, query=query, within=within):
        for rng, ports in runs:
            source = refs.range(rng)
            for dp in _pods_in(d, target_pods):
                yield Connection(source, refs.pod(dp)[1], ports)


def to_addresses(
    engine: BitsetEngine,
    sources: Iterable[PodGroup],
    *,
    source_pods: set[int] | None = None,
    query: PortQuery | None = None,
    within: tuple[IPRange, ...] | None = None,
) -> Iterator[Connection]:
    """Connections from pods to external address ranges (adjacent equal parts merged)."""
    refs = _Refs()
    for s, runs in outbound_runs(engine, sources, query=query, within=within):
        for rng, ports in runs:
            target = refs.range(rng)
            for sp in _pods_in(s, source_pods):
                yield Connection(refs.pod(sp)[1], target, ports)


Runs = list[tuple[IPRange, PortSet]]


def inbound_runs(
    engine: BitsetEngine,
    targets: Iterable[PodGroup],
    *,
    query: PortQuery | None = None,
    within: tuple[IPRange, ...] | None = None,
) -> Iterator[tuple[PodGroup, Runs]]:
    """For each target group, the address ranges that reach it and on which ports (merged
    runs; computed once per behaviour class)."""
    parts = address_parts(engine, Direction.INGRESS, within)
    wanted = _Filter(engine, query)
    answers = engine.ranges(Direction.INGRESS, parts)
    memo: dict[tuple[int, int], Runs] = {}
    for d in targets:
        narrow = wanted.ports(d)
        key = (answers.of(d.index), id(narrow))
        runs = memo.get(key)
        if runs is None:
            found = [
                (a, engine.ports.intersect(p, narrow))
                for a, p in zip(parts, answers.answers(d.index), strict=True)
            ]
            runs = memo[key] = list(merge_runs(found))
        yield d, runs


def outbound_runs(
    engine: BitsetEngine,
    sources: Iterable[PodGroup],
    *,
    query: PortQuery | None = None,
    within: tuple[IPRange, ...] | None = None,
) -> Iterator[tuple[PodGroup, Runs]]:
    """For each source group, the address ranges it reaches and on which ports."""
    parts = address_parts(engine, Direction.EGRESS, within)
    wanted = engine.ports.full if query is None else engine.ports.intern(port_filter(query, None))
    answers = engine.ranges(Direction.EGRESS, parts)
    memo: dict[int, Runs] = {}
    for s in sources:
        key = answers.of(s.index)
        runs = memo.get(key)
        if runs is None:
            found = [
                (a, engine.ports.intersect(p, wanted))
                for a, p in zip(parts, answers.answers(s.index), strict=True)
            ]
            runs = memo[key] = list(merge_runs(found))
        yield s, runs


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


# -- the whole map, without holding every connection -------------------------------------------


class _PortText:
    """``str(ports)`` once per interned port set."""

    def __init__(self) -> None:
        self._texts: dict[int, tuple[PortSet, str]] = {}

    def __call__(self, ports: PortSet) -> str:
        found = self._texts.get(id(ports))
        if found is None or found[0] is not ports:
            found = self._texts[id(ports)] = (ports, str(ports))
        return found[1]


def _external_text(rng: IPRange) -> str:
    return f"{rng}[External]"


def stream_connlist(engine: BitsetEngine) -> Iterator[str]:
    """The lines ``-o connlist`` prints for ``connectivity`` (sorted, unique, IPv4 ranges only),
    one source at a time: memory holds one source's lines, never the whole map."""
    for block in connlist_blocks(engine):
        yield from block


def connlist_blocks(engine: BitsetEngine) -> Iterator[list[str]]:
    """``stream_connlist``'s lines, a source's sorted lines at a time (none empty).

    Sources are sorted by ``"<source> => "``, which sorts their lines as a whole list would be
    (a line is that prefix plus the rest), and each source's lines are sorted on their own.
    """
    with gc_paused():
        lister = _ConnlistSources(engine)
    sources = lister.sources
    tracker.start("connectivity", len(sources), "sources")
    i = 0
    while i < len(sources):
        head = sources[i][0]
        j = i
        while j < len(sources) and sources[j][0] == head:
            j += 1
        lines = lister.lines(head, [g for _, g in sources[i:j]])
        tracker.advance(j - i)
        if lines:
            yield sorted(lines)
        i = j


class _ConnlistSources:
    """Every source of the connlist (workloads and IPv4 ranges) and its lines, on demand."""

    def __init__(self, engine: BitsetEngine) -> None:
        self.engine = engine
        groups = engine.groups
        if len(groups) > _PREPARE:
            engine.prepare_rows()
        self.text_of = _PortText()
        self.inbound: dict[str, list[tuple[str, str]]] = {}
        for d, runs in inbound_runs(engine, groups):
            for rng, ports in runs:
                if rng.version == 4:
                    pt = self.text_of(ports)
                    self.inbound.setdefault(_external_text(rng), []).extend(
                        (dp.workload, pt) for dp in d.pods
                    )
        self.outbound = {
            s.index: [(_external_text(r), p) for r, p in runs if r.version == 4]
            for s, runs in outbound_runs(engine, groups)
        }
        # (text + " => ", group; -1 for an address range), sorted
        self.sources = [(p.workload + " => ", g.index) for g in groups for p in g.pods]
        self.sources += [(text + " => ", -1) for text in self.inbound]
        self.sources.sort(key=lambda t: t[0])
        self._workloads: dict[int, list[str]] = {}
        self._tails: dict[tuple[int, str], list[str]] = {}

    def lines(self, head: str, entries: list[int]) -> set[str]:
        """The lines of one source (``head``: its text and " => "; ``entries``: its groups)."""
        text = head[:-4]
        text_of = self.text_of
        lines: set[str] = set()
        glue = head.__add__
        for g in entries:
            if g < 0:
                lines.update(f"{head}{dst} : {pt}" for dst, pt in self.inbound[text])
                continue
            for bits, ports in self.engine.row(g):
                pt = text_of(ports)
                for i in indices(bits):
                    if i in entries:  # the source's own workload is not a line of its own
                        own = f"{text} : "
                        lines.update(glue(t) for t in self._tails_of(i, pt) if t[: len(own)] != own)
                    else:
                        lines.update(map(glue, self._tails_of(i, pt)))
            lines.update(f"{head}{dst} : {text_of(p)}" for dst, p in self.outbound[g])
        return lines

    def _tails_of(self, group: int, port_text: str) -> list[str]:
        """``"<workload> : <ports>"`` for each workload of ``group``, made once per port set
        (every source reaching the group shares them)."""
        key = (group, port_text)
        tails = self._tails.get(key)
        if tails is None:
            names = self._workloads.get(group)
            if names is None:
                names = list(dict.fromkeys(p.workload for p in self.engine.groups[group].pods))
                self._workloads[group] = names
            tails = self._tails[key] = [f"{dst} : {port_text}" for dst in names]
        return tails


@dataclass(frozen=True, slots=True)
class GroupedConnection:
    """Every source reaches every target on ``ports`` (a workload's own traffic aside, which
    is always allowed). Endpoints: ``*`` (every workload), ``ns/*`` (every workload of a
    namespace), ``ns/name[Kind]``, or ``first-last[External]``."""

    sources: tuple[str, ...]
    targets: tuple[str, ...]
    ports: PortSet

    def __str__(self) -> str:
        return f"{', '.join(self.sources)} => {', '.join(self.targets)} : {self.ports}"


def grouped_connectivity(engine: BitsetEngine) -> list[GroupedConnection]:
    """The connectivity map as exact cross products: sources x targets on one port set.

    Sources whose rows share a cell (the same targets on the same ports) are one line, and
    lines with the same sources and ports are merged. Its size follows the number of distinct
    behaviours, not the number of workloads.
    """
    with gc_paused():
        return _grouped(engine)


def _grouped(engine: BitsetEngine) -> list[GroupedConnection]:
    groups = engine.groups
    size = engine.size
    if len(groups) > _PREPARE:
        engine.prepare_rows()
    cells: dict[tuple[int, int], tuple[PortSet, list[int]]] = {}
    tracker.start("connectivity", size, "groups")
    for g in range(size):
        for bits, ports in engine.row(g):
            slot = cells.get((bits, id(ports)))
            if slot is None:
                cells[(bits, id(ports))] = (ports, [g])
            else:
                slot[1].append(g)
        tracker.advance()
    tracker.finish()
    lines: dict[tuple[int, int], tuple[PortSet, int]] = {}
    for (targets, _), (ports, members) in cells.items():
        key = (bits_of(members, size), id(ports))
        found = lines.get(key)
        lines[key] = (ports, targets if found is None else found[1] | targets)
    describe = _Describer(engine)
    out = [
        GroupedConnection(describe(sources), describe(targets), ports)
        for (sources, _), (ports, targets) in lines.items()
    ]
    out += _grouped_addresses(engine, describe)
    out.sort(key=lambda c: (c.sources, c.targets, str(c.ports)))
    return out


def _grouped_addresses(engine: BitsetEngine, describe: _Describer) -> list[GroupedConnection]:
    size = engine.size
    inbound: dict[tuple[IPRange, int], tuple[PortSet, list[int]]] = {}
    for d, runs in inbound_runs(engine, engine.groups):
        for rng, ports in runs:
            inbound.setdefault((rng, id(ports)), (ports, []))[1].append(d.index)
    outbound: dict[tuple[IPRange, int], tuple[PortSet, list[int]]] = {}
    for s, runs in outbound_runs(engine, engine.groups):
        for rng, ports in runs:
            outbound.setdefault((rng, id(ports)), (ports, []))[1].append(s.index)
    out = []
    for incoming, found in ((True, inbound), (False, outbound)):
        merged: dict[tuple[int, int], tuple[PortSet, list[IPRange]]] = {}
        for (rng, pid), (ports, members) in found.items():
            merged.setdefault((bits_of(members, size), pid), (ports, []))[1].append(rng)
        for (bits, _), (ports, ranges) in merged.items():
            ends = tuple(_external_text(r) for r in sorted(ranges))
            pods = describe(bits)
            out.append(
                GroupedConnection(ends, pods, ports)
                if incoming
                else GroupedConnection(pods, ends, ports)
            )
    return out


class _Describer:
    """A bitset of groups as workloads, whole namespaces as ``ns/*``, everything as ``*``."""

    def __init__(self, engine: BitsetEngine) -> None:
        self.engine = engine
        self.per_namespace: dict[str, int] = {}
        for g in engine.groups:
            self.per_namespace[g.namespace] = self.per_namespace.get(g.namespace, 0) + 1

    def __call__(self, bits: int) -> tuple[str, ...]:
        if bits == self.engine.all:
            return ("*",)
        chosen: dict[str, list[PodGroup]] = {}
        for i in indices(bits):
            g = self.engine.groups[i]
            chosen.setdefault(g.namespace, []).append(g)
        out: list[str] = []
        for ns in sorted(chosen):
            found = chosen[ns]
            if len(found) == self.per_namespace[ns]:
                out.append(f"{ns}/*")
            else:
                out += sorted({p.workload for g in found for p in g.pods})
        return tuple(out)
