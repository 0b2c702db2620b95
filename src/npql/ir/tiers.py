"""Cluster-scoped policies compiled into rules in evaluation order, per tier and direction."""

from __future__ import annotations

from collections.abc import Iterable

from npql.ir.addresses import block_ranges
from npql.ir.policies import (
    AddressPeer,
    NamedPorts,
    NumericPorts,
    PeerIR,
    PodPeer,
    PortEntry,
    TierRuleIR,
)
from npql.model.policy import Direction
from npql.model.selector import LabelSelector
from npql.model.tiered import TieredPeer, TieredPolicy, TieredPort, TieredRule


def compile_peer(peer: TieredPeer) -> list[PeerIR]:
    """Pods or namespaces peers select pods; networks select addresses, pods' included."""
    if peer.is_pods:
        assert peer.namespace_selector is not None
        return [PodPeer(peer.pod_selector or LabelSelector(), None, peer.namespace_selector)]
    if peer.networks:
        return [AddressPeer(block_ranges(cidr, ()), cidr, pods_too=True) for cidr in peer.networks]
    return []  # nodes (not in manifests) and domainNames match no pod or address we know


def compile_port(port: TieredPort) -> PortEntry:
    """A numbered range, or a container-port name."""
    if port.name is not None:
        return NamedPorts(port.protocol, port.name)
    assert port.protocol is not None
    return NumericPorts(port.protocol, port.lo, port.hi)


def _rules(
    policy: TieredPolicy, direction: Direction, rules: tuple[TieredRule, ...]
) -> Iterable[TierRuleIR]:
    for index, rule in enumerate(rules):
        peers = tuple(p for peer in rule.peers for p in compile_peer(peer))
        yield TierRuleIR(
            ident=f"{policy.ident}.{direction.value.lower()}[{index}]",
            policy=policy.ident,
            tier=policy.tier,
            priority=policy.priority,
            order=0,
            direction=direction,
            index=index,
            action=rule.action,
            subject_namespaces=policy.subject_namespaces,
            subject_pods=policy.subject_pods or LabelSelector(),
            peers=peers,
            ports=tuple(compile_port(p) for p in rule.ports),
            undecidable=any(peer.domain_names for peer in rule.peers),
        )


def compile_tiers(policies: Iterable[TieredPolicy]) -> tuple[TierRuleIR, ...]:
    """Every rule, sorted by tier, direction, priority, policy name and rule index."""
    ordered = sorted(policies, key=lambda p: (p.tier.value, p.priority, p.kind, p.name))
    out: list[TierRuleIR] = []
    for policy in ordered:
        out += _rules(policy, Direction.INGRESS, policy.ingress)
        out += _rules(policy, Direction.EGRESS, policy.egress)
    return tuple(_numbered(out))


def _numbered(rules: list[TierRuleIR]) -> Iterable[TierRuleIR]:
    from dataclasses import replace

    for order, rule in enumerate(rules):
        yield replace(rule, order=order)
