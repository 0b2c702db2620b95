"""The semantic difference of two versions of a set of manifests.

Two parts, two engines:

* **existing workloads** (bitsets): workloads are matched by ``ns/name[Kind]``; for every pair
  of matched workloads, and every matched workload with every range of a common partition of
  both versions' ipBlock boundaries, the allowed ports before and after. Workloads in one
  version only have all their connections reported as added (or removed) with them.
* **every possible pod** (Z3): ``new.allowed and not old.allowed`` (and the reverse) over pods
  that need not exist and external addresses, linked so both versions see the same connection;
  up to ``limit`` classes of difference, each with a witness (labels, namespace, port) and the
  exact ports on which the witness pair's access changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from npql.api import bulk
from npql.compare.concrete import alike_range, pair_ports
from npql.compare.ports import subtract
from npql.compare.results import NEW, OLD, DiffResult, PairChange, PossibleChange
from npql.encode.link import Version
from npql.fastpath import BitsetEngine
from npql.ir.addresses import IPRange, partition
from npql.model.objects import Pod
from npql.model.policy import Direction
from npql.model.ports import EMPTY, PortSet
from npql.solve.compare import PairSolver, differences
from npql.solve.results import EndpointRef, workload_ref

if TYPE_CHECKING:
    from npql.api.cluster import Cluster

DEFAULT_LIMIT = 10


def version_of(cluster: Cluster) -> Version:
    """What the solver needs of one loaded version."""
    return Version(
        cluster.model,
        cluster.policies,
        cluster.grouping,
        cluster.options.ipblocks_match_pod_ips,
    )


def warnings_of(*clusters: Cluster) -> tuple[str, ...]:
    """Both versions' warnings, once each."""
    return tuple(dict.fromkeys(w for c in clusters for w in c.warnings))


def diff(
    old: Cluster,
    new: Cluster,
    *,
    limit: int = DEFAULT_LIMIT,
    possible: bool = True,
    old_name: str = OLD,
    new_name: str = NEW,
    timeout_ms: int | None = None,
) -> DiffResult:
    """Connections added and removed between ``old`` and ``new``.

    ``limit`` bounds the classes of difference over possible pods reported per direction
    (added, removed); ``possible=False`` skips the solver part.
    """
    changes, only_old, only_new = existing_changes(old, new)
    found: list[PossibleChange] = []
    complete, reason = True, None
    if possible:
        found, complete, reason = possible_changes(old, new, limit=limit, timeout_ms=timeout_ms)
    return DiffResult(
        query=f"diff {old_name} {new_name}",
        old=old_name,
        new=new_name,
        changes=tuple(changes),
        only_old=only_old,
        only_new=only_new,
        possible=tuple(found),
        possible_searched=possible,
        possible_complete=complete,
        reason=reason,
        warnings=warnings_of(old, new),
    )


# -- existing workloads --------------------------------------------------------------------------


def _by_workload(cluster: Cluster) -> dict[str, Pod]:
    return {p.workload: p for p in cluster.model.pods}


def existing_changes(
    old: Cluster, new: Cluster
) -> tuple[list[PairChange], tuple[EndpointRef, ...], tuple[EndpointRef, ...]]:
    """Changed pairs (sorted), and the workloads only the old / only the new version has."""
    old_pods, new_pods = _by_workload(old), _by_workload(new)
    common = sorted(set(old_pods) & set(new_pods))
    classes: dict[tuple[int, int], list[Pod]] = {}
    for w in common:
        key = (old.grouping.group_of[id(old_pods[w])], new.grouping.group_of[id(new_pods[w])])
        classes.setdefault(key, []).append(new_pods[w])
    changes = list(_pair_changes(old.bitsets, new.bitsets, classes))
    changes += _address_changes(old, new, classes)
    only_old = sorted(set(old_pods) - set(new_pods))
    only_new = sorted(set(new_pods) - set(old_pods))
    changes += _one_sided(old, {old_pods[w] for w in only_old}, OLD)
    changes += _one_sided(new, {new_pods[w] for w in only_new}, NEW)
    changes.sort(key=lambda c: (c.source.sort_key(), c.target.sort_key()))
    return (
        changes,
        tuple(workload_ref(old_pods[w]) for w in only_old),
        tuple(workload_ref(new_pods[w]) for w in only_new),
    )


def _change(
    source: EndpointRef,
    target: EndpointRef,
    before: PortSet,
    after: PortSet,
    only_in: str | None = None,
) -> PairChange:
    return PairChange(
        source, target, before, after, subtract(after, before), subtract(before, after), only_in
    )


def _pair_changes(
    old: BitsetEngine, new: BitsetEngine, classes: dict[tuple[int, int], list[Pod]]
) -> Iterator[PairChange]:
    for ks, sources in classes.items():
        for kd, targets in classes.items():
            before = old.between(ks[0], kd[0])
            after = new.between(ks[1], kd[1])
            if before == after:
                continue
            for s in sources:
                for d in targets:
                    if s.workload != d.workload:
                        yield _change(workload_ref(s), workload_ref(d), before, after)


def common_parts(old: Cluster, new: Cluster, direction: Direction) -> list[IPRange]:
    """The address space cut at every ipBlock boundary of either version (one direction)."""
    ranges = old.policies.address_ranges(direction) + new.policies.address_ranges(direction)
    return partition(4, ranges) + partition(6, ranges)


def _merge(
    runs: Iterable[tuple[IPRange, PortSet, PortSet]],
) -> Iterator[tuple[IPRange, PortSet, PortSet]]:
    """Adjacent parts with the same before/after ports, merged; unchanged parts dropped."""
    current: tuple[IPRange, PortSet, PortSet] | None = None
    for rng, before, after in runs:
        if (
            current is not None
            and (current[1], current[2]) == (before, after)
            and current[0].version == rng.version
            and current[0].hi + 1 == rng.lo
        ):
            current = (IPRange(rng.version, current[0].lo, rng.hi), before, after)
            continue
        if current is not None and current[1] != current[2]:
            yield current
        current = (rng, before, after)
    if current is not None and current[1] != current[2]:
        yield current


def _address_changes(
    old: Cluster, new: Cluster, classes: dict[tuple[int, int], list[Pod]]
) -> Iterator[PairChange]:
    inbound = common_parts(old, new, Direction.INGRESS)
    outbound = common_parts(old, new, Direction.EGRESS)
    for (go, gn), pods in classes.items():
        runs = [(a, old.bitsets.from_range(a, go), new.bitsets.from_range(a, gn)) for a in inbound]
        for rng, before, after in _merge(runs):
            for pod in pods:
                yield _change(bulk.address_ref(rng), workload_ref(pod), before, after)
        runs = [(a, old.bitsets.to_range(go, a), new.bitsets.to_range(gn, a)) for a in outbound]
        for rng, before, after in _merge(runs):
            for pod in pods:
                yield _change(workload_ref(pod), bulk.address_ref(rng), before, after)


def _one_sided(cluster: Cluster, only: set[Pod], version: str) -> list[PairChange]:
    """Every connection of workloads that exist in one version only."""
    if not only:
        return []
    engine = cluster.bitsets
    group_of = cluster.grouping.group_of
    between = lru_cache(maxsize=None)(engine.between)
    out: list[PairChange] = []

    def add(source: EndpointRef, target: EndpointRef, ports: PortSet) -> None:
        before, after = (ports, EMPTY) if version == OLD else (EMPTY, ports)
        out.append(_change(source, target, before, after, version))

    for s in cluster.model.pods:
        for d in cluster.model.pods:
            if s.workload == d.workload or (s not in only and d not in only):
                continue
            ports = between(group_of[id(s)], group_of[id(d)])
            if not ports.is_empty():
                add(workload_ref(s), workload_ref(d), ports)
    ids = {id(p) for p in only}
    groups = cluster.grouping.groups_for(only)
    for c in bulk.from_addresses(engine, groups, target_pods=ids):
        add(c.source, c.target, c.ports)
    for c in bulk.to_addresses(engine, groups, source_pods=ids):
        add(c.source, c.target, c.ports)
    return out


# -- every possible pod --------------------------------------------------------------------------


def possible_changes(
    old: Cluster,
    new: Cluster,
    *,
    limit: int = DEFAULT_LIMIT,
    changes: tuple[str, ...] = ("added", "removed"),
    timeout_ms: int | None = None,
    pair: PairSolver | None = None,
) -> tuple[list[PossibleChange], bool, str | None]:
    """Classes of difference over every possible pod: (found, complete, undecided reason)."""
    timeout_ms = timeout_ms if timeout_ms is not None else new.options.timeout_ms
    pair = pair or PairSolver.of(version_of(old), version_of(new), timeout_ms)
    found: list[PossibleChange] = []
    complete, reason = True, None
    for change in changes:
        search = differences(pair, change, limit=limit)
        found += [with_ports(old, new, f) for f in search.found]
        complete = complete and search.complete
        reason = reason or search.reason
    return found, complete, reason


def with_ports(old: Cluster, new: Cluster, found: PossibleChange) -> PossibleChange:
    """The witness with the exact ports its pair gained (or lost), and its address ranges."""
    source, target = found.source, found.target
    if source.address is not None and source.is_address:
        rng = alike_range(old, new, source.address, Direction.INGRESS)
        source = replace(source, cidr=", ".join(rng.cidrs()))
    if target.address is not None and target.is_address:
        rng = alike_range(old, new, target.address, Direction.EGRESS)
        target = replace(target, cidr=", ".join(rng.cidrs()))
    before = pair_ports(old, OLD, found.source, found.target)
    after = pair_ports(new, NEW, found.source, found.target)
    ports = subtract(after, before) if found.change == "added" else subtract(before, after)
    if not ports.contains(found.protocol, found.port):
        ports = PortSet.of(found.protocol, found.port, found.port)
    denying = old if found.change == "added" else new
    isolating = _isolating(denying, found)
    return replace(found, source=source, target=target, ports=ports, isolating=isolating)


def _isolating(cluster: Cluster, found: PossibleChange) -> tuple[str, ...]:
    """Policies isolating the witness's ends in the directions that deny it."""
    out: list[str] = []
    for word in found.denied_in:
        direction = Direction(word.capitalize())
        end = found.target if direction is Direction.INGRESS else found.source
        if end.namespace is None:
            continue
        out += [
            p.ident
            for p in cluster.model.policies_in(end.namespace)
            if direction in p.policy_types and p.pod_selector.matches(end.labels)
        ]
    return tuple(dict.fromkeys(out))
