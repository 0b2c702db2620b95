"""Concrete evaluation of one (possibly hypothetical) connection by the bitset engine.

A witness pod that need not exist becomes a one-pod group; the bitset engine then gives every
port on which the pair is allowed, in one version, with no solver involved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from npql.compare.results import PossibleEndpoint
from npql.fastpath import BitsetEngine
from npql.ir.addresses import IPRange, address_value, partition
from npql.ir.groups import Grouping, PodGroup
from npql.model.policy import Direction
from npql.model.ports import PortSet

if TYPE_CHECKING:
    from npql.api.cluster import Cluster


def synthetic_group(end: PossibleEndpoint, version: str, index: int) -> PodGroup:
    """A one-pod group for a pod of a witness, with its namespace as ``version`` labels it."""
    assert end.namespace is not None
    pod = end.pod(f"npql-witness-{index}")
    return PodGroup(
        index=index,
        namespace=end.namespace,
        labels=dict(end.labels),
        namespace_labels=dict(end.namespace_labels(version)),
        named_ports={(p.name, p.protocol): p.port for p in end.named_ports if p.name},
        addresses=(address_value(end.address),) if end.address else (),
        pods=(pod,) if pod is not None else (),
    )


def _atom(end: PossibleEndpoint) -> IPRange:
    assert end.address is not None
    version, value = address_value(end.address)
    return IPRange(version, value, value)


def pair_ports(
    cluster: Cluster, version: str, source: PossibleEndpoint, target: PossibleEndpoint
) -> PortSet:
    """Every port on which ``cluster``'s policies allow source -> target."""
    groups = [
        synthetic_group(end, version, i)
        for i, end in enumerate((source, target))
        if not end.is_address
    ]
    engine = BitsetEngine(
        Grouping(tuple(groups), {}),
        cluster.policies,
        ipblocks_match_pod_ips=cluster.options.ipblocks_match_pod_ips,
    )
    if source.is_address:
        return engine.from_range(_atom(source), 0)
    if target.is_address:
        return engine.to_range(0, _atom(target))
    return engine.between(0, 1)


def alike_range(old: Cluster, new: Cluster, address: str, direction: Direction) -> IPRange:
    """The part of the common partition of both versions' ipBlocks holding ``address``: every
    address of it is treated alike by both (``direction``: the rules that see it)."""
    version, value = address_value(address)
    ranges = old.policies.address_ranges(direction) + new.policies.address_ranges(direction)
    for part in partition(version, ranges):
        if part.lo <= value <= part.hi:
            return part
    return IPRange(version, value, value)
