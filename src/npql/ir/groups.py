"""Pods grouped so that no policy can tell two pods of one group apart.

Answers over existing pods are computed per group, never per pod: 10,000 replicas of a
few dozen label sets cost a few dozen evaluations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from npql.gcpause import gc_paused
from npql.ir.addresses import address_value
from npql.ir.policies import AddressPeer, PodPeer, PolicySet
from npql.model.cluster import Cluster
from npql.model.objects import Pod, Protocol


@dataclass(frozen=True, slots=True)
class PodGroup:
    """Pods of one namespace that agree on every label, port name and address policies use."""

    index: int
    namespace: str
    labels: Mapping[str, str] = field(hash=False)
    namespace_labels: Mapping[str, str] = field(hash=False)
    named_ports: Mapping[tuple[str, Protocol], int] = field(hash=False)
    addresses: tuple[tuple[int, int], ...] = ()
    pods: tuple[Pod, ...] = ()


@dataclass(frozen=True, slots=True)
class Grouping:
    """The groups, and for every pod the index of its group."""

    groups: tuple[PodGroup, ...]
    group_of: Mapping[int, int] = field(hash=False)  # id(pod) -> group index

    def group_for(self, pod: Pod) -> PodGroup:
        """The group a pod belongs to."""
        return self.groups[self.group_of[id(pod)]]

    def groups_for(self, pods: Iterable[Pod]) -> list[PodGroup]:
        """Distinct groups of some pods, in group order."""
        indices = sorted({self.group_of[id(p)] for p in pods})
        return [self.groups[i] for i in indices]


def pod_addresses(pod: Pod) -> tuple[tuple[int, int], ...]:
    """The pod's IPs as (version, int), for plugins where ipBlocks match pod IPs."""
    return tuple(sorted({address_value(ip) for ip in pod.ips}))


def group_pods(
    cluster: Cluster,
    policies: PolicySet,
    *,
    extra_keys: Iterable[str] = (),
    with_addresses: bool = False,
) -> Grouping:
    """Group the cluster's pods by what policies (and ``extra_keys``) can observe of them."""
    # The index and the groups are acyclic; pausing the cyclic collector spares full
    # collections over the whole loaded cluster (most of the time on 100,000 pods).
    with gc_paused():
        return _group_pods(cluster, policies, extra_keys, with_addresses)


def _group_pods(
    cluster: Cluster, policies: PolicySet, extra_keys: Iterable[str], with_addresses: bool
) -> Grouping:
    keys = policies.label_keys() | frozenset(extra_keys)
    watch_addresses = _address_peers_see_pods(policies, with_addresses)
    index: dict[_GroupKey, list[Pod]] = {}
    for pod in cluster.pods:
        labels = tuple(sorted((k, v) for k, v in pod.labels.items() if k in keys))
        # Every declared port name, not only those policies use: queries may name others.
        ports = tuple(sorted((p.name, p.protocol, p.port) for p in pod.ports if p.name))
        addresses = pod_addresses(pod) if watch_addresses else ()
        index.setdefault(_GroupKey(pod.namespace, labels, ports, addresses), []).append(pod)
    return _build_grouping(cluster, list(index.items()))


def _address_peers_see_pods(policies: PolicySet, plugin_matches_pods: bool) -> bool:
    """Whether some address peer can match a pod: a cluster-scoped ``networks`` peer always,
    an ipBlock when the plugin matches pod IPs."""
    peers = [
        peer
        for r in policies.all_rules()
        for peer in r.peers or ()
        if isinstance(peer, AddressPeer)
    ]
    return any(p.pods_too or plugin_matches_pods for p in peers)


class _GroupKey(NamedTuple):
    namespace: str
    labels: tuple[tuple[str, str], ...]
    ports: tuple[tuple[str, Protocol, int], ...]
    addresses: tuple[tuple[int, int], ...]


def _build_grouping(cluster: Cluster, entries: Sequence[tuple[_GroupKey, list[Pod]]]) -> Grouping:
    groups: list[PodGroup] = []
    group_of: dict[int, int] = {}
    for i, (key, pods) in enumerate(entries):
        groups.append(
            PodGroup(
                index=i,
                namespace=key.namespace,
                labels=dict(key.labels),
                namespace_labels=cluster.namespace_labels(key.namespace),
                named_ports={(n, proto): num for n, proto, num in key.ports},
                addresses=key.addresses,
                pods=tuple(pods),
            )
        )
        for pod in pods:
            group_of[id(pod)] = i
    return Grouping(tuple(groups), group_of)


def peer_matches_group(peer: PodPeer | AddressPeer, group: PodGroup, *, addresses: bool) -> bool:
    """Whether a compiled peer matches the pods of a group (addresses only if plugin says so)."""
    if isinstance(peer, AddressPeer):
        return (addresses or peer.pods_too) and any(
            r.contains(v, a) for v, a in group.addresses for r in peer.ranges
        )
    if peer.namespace_name is not None and peer.namespace_name != group.namespace:
        return False
    if peer.namespace_selector is not None and not peer.namespace_selector.matches(
        group.namespace_labels
    ):
        return False
    return peer.pod_selector.matches(group.labels)
