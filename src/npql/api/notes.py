"""Warnings that answers carry: where the API leaves behaviour to the plugin, say so."""

from __future__ import annotations

from collections.abc import Iterable

from npql.model.cluster import Cluster
from npql.model.objects import Pod

IPBLOCK_NOTE = (
    "ipBlock rules are matched against external addresses only (as Cilium does); "
    "plugins such as Calico also match pod IPs: use --ipblocks-match-pod-ips"
)
HOST_NETWORK_NOTE = (
    "{pod} uses hostNetwork: whether NetworkPolicy applies to host-network pods depends on "
    "the network plugin; npql evaluates it like any other pod"
)


def cluster_warnings(cluster: Cluster, ipblocks_match_pod_ips: bool) -> tuple[str, ...]:
    """Warnings that hold for every answer over this cluster."""
    out = [str(w) for w in cluster.warnings]
    for kind, count in sorted(cluster.unmodelled.items()):
        out.append(
            f"{count} {kind} object(s) were ignored: npql does not model them yet, "
            "and they may change this answer"
        )
    if not ipblocks_match_pod_ips and _has_ipblocks(cluster) and any(p.ips for p in cluster.pods):
        out.append(IPBLOCK_NOTE)
    return tuple(out)


def host_network_warnings(pods: Iterable[Pod]) -> tuple[str, ...]:
    """One warning per host-network workload an answer involves."""
    names = sorted({p.workload for p in pods if p.host_network})
    return tuple(HOST_NETWORK_NOTE.format(pod=n) for n in names)


def _has_ipblocks(cluster: Cluster) -> bool:
    return any(
        peer.ip_block is not None
        for p in cluster.policies
        for r in p.ingress + p.egress
        for peer in r.peers
    )
