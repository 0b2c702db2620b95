"""Warnings that answers carry: where the API leaves behaviour to the plugin, say so."""

from __future__ import annotations

from collections.abc import Iterable

from npql.model.cluster import Cluster
from npql.model.objects import Pod
from npql.model.tiered import TieredPolicy

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
    out += tier_warnings(cluster)
    return tuple(out)


def tier_warnings(cluster: Cluster) -> list[str]:
    """Precedence ties and peers that manifests cannot decide, for cluster-scoped policies."""
    out = []
    by_rank: dict[tuple[str, int], list[TieredPolicy]] = {}
    for p in cluster.tiered:
        # A BaselineAdminNetworkPolicy is a singleton without priority: it cannot tie.
        if p.kind != "BaselineAdminNetworkPolicy":
            by_rank.setdefault((p.tier.value, p.priority), []).append(p)
    for (tier, priority), same in sorted(by_rank.items()):
        actions = {r.action for p in same for r in p.ingress + p.egress}
        if len(same) > 1 and len(actions) > 1:
            names = ", ".join(p.ident for p in same)
            out.append(
                f"ambiguous precedence: {tier}-tier policies {names} share priority {priority};"
                " where more than one matches a connection the implementation may apply any of "
                "them (npql applies them in kind, then name order)"
            )
    if any(peer.domain_names for p in cluster.tiered for r in p.egress for peer in r.peers):
        out.append(
            "domainNames peers cannot be decided from manifests: answers about external "
            "destinations that such a rule could accept are UNKNOWN"
        )
    if any(peer.nodes is not None for p in cluster.tiered for r in p.egress for peer in r.peers):
        out.append("nodes peers are not modelled: they match no pod or address in these answers")
    return out


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
