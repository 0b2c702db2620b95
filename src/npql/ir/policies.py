"""The intermediate form: every policy compiled once into selectors, peers, ports and addresses.

Both engines read this form — the Z3 encoding and the bitset fast path — so they cannot
disagree about what a rule says, only about how they evaluate it (and tests check that).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from npql.gcpause import gc_paused
from npql.ir.addresses import IPRange, block_ranges
from npql.model.cluster import Cluster
from npql.model.objects import ALL_PROTOCOLS, Protocol
from npql.model.policy import Direction, NetworkPolicy, Peer, PolicyPort, Rule
from npql.model.ports import MAX_PORT, MIN_PORT
from npql.model.selector import LabelSelector
from npql.model.tiered import Action, Tier


@dataclass(frozen=True, slots=True)
class PodPeer:
    """Pods matching ``pod_selector`` in namespaces given by name or by a label selector."""

    pod_selector: LabelSelector
    namespace_name: str | None = None
    namespace_selector: LabelSelector | None = None


@dataclass(frozen=True, slots=True)
class AddressPeer:
    """Addresses in any of ``ranges`` (an ipBlock minus its excepts)."""

    ranges: tuple[IPRange, ...]
    cidr: str = ""
    # Cluster-scoped ``networks`` peers cover pod-to-pod traffic too, by their API's words;
    # NetworkPolicy ipBlocks leave it to the plugin (--ipblocks-match-pod-ips).
    pods_too: bool = False


PeerIR = PodPeer | AddressPeer


@dataclass(frozen=True, slots=True)
class NumericPorts:
    """Ports lo..hi of one protocol."""

    protocol: Protocol
    lo: int = MIN_PORT
    hi: int = MAX_PORT


@dataclass(frozen=True, slots=True)
class NamedPorts:
    """A container port name, resolved at the destination pod with the same protocol
    (``protocol`` None: AdminNetworkPolicy's namedPort, any protocol the port is declared with).
    """

    protocol: Protocol | None
    name: str

    def protocols(self) -> tuple[Protocol, ...]:
        """The protocols the name may resolve with."""
        return ALL_PROTOCOLS if self.protocol is None else (self.protocol,)


PortEntry = NumericPorts | NamedPorts


@dataclass(frozen=True, slots=True)
class RuleIR:
    """One rule: ``peers`` None admits every peer; empty ``ports`` admits every port."""

    ident: str
    policy: str
    direction: Direction
    index: int
    peers: tuple[PeerIR, ...] | None
    ports: tuple[PortEntry, ...]


@dataclass(frozen=True, slots=True)
class PolicyIR:
    """A policy: the pods it selects (namespace + selector), its directions and rules."""

    ident: str
    namespace: str
    pod_selector: LabelSelector
    directions: frozenset[Direction]
    ingress: tuple[RuleIR, ...]
    egress: tuple[RuleIR, ...]
    source: NetworkPolicy | None = field(default=None, compare=False)

    def rules(self, direction: Direction) -> tuple[RuleIR, ...]:
        """Rules that count for a direction: none unless the direction is in policyTypes."""
        if direction not in self.directions:
            return ()
        return self.ingress if direction is Direction.INGRESS else self.egress


@dataclass(frozen=True, slots=True)
class TierRuleIR:
    """A rule of a cluster-scoped policy, in its tier's evaluation order.

    ``order`` sorts the rules of a tier and direction: by priority, then policy, then rule
    index. ``undecidable`` marks rules whose peers manifests cannot evaluate (domainNames).
    """

    ident: str
    policy: str
    tier: Tier
    priority: int
    order: int
    direction: Direction
    index: int
    action: Action
    subject_namespaces: LabelSelector
    subject_pods: LabelSelector
    peers: tuple[PeerIR, ...]
    ports: tuple[PortEntry, ...]
    undecidable: bool = False


@dataclass(frozen=True, slots=True)
class PolicySet:
    """Every compiled policy, indexed by namespace; cluster-scoped rules in tier order."""

    policies: tuple[PolicyIR, ...]
    by_namespace: Mapping[str, tuple[PolicyIR, ...]] = field(hash=False)
    tiers: tuple[TierRuleIR, ...] = ()

    def tier_rules(self, tier: Tier, direction: Direction) -> tuple[TierRuleIR, ...]:
        """The rules of one tier and direction, first to last."""
        return tuple(r for r in self.tiers if r.tier is tier and r.direction is direction)

    def all_rules(self) -> list[RuleIR | TierRuleIR]:
        return [r for p in self.policies for r in p.ingress + p.egress] + list(self.tiers)

    def label_keys(self) -> frozenset[str]:
        """Pod label keys some policy selector mentions."""
        keys = {k for p in self.policies for k in _pod_keys(p)}
        for t in self.tiers:
            keys |= t.subject_pods.keys()
            keys |= {
                k for peer in t.peers if isinstance(peer, PodPeer) for k in peer.pod_selector.keys()
            }
        return frozenset(keys)

    def namespace_label_keys(self) -> frozenset[str]:
        """Namespace label keys some peer's namespaceSelector (or a subject) mentions."""
        keys = {
            k
            for r in self.all_rules()
            for peer in r.peers or ()
            if isinstance(peer, PodPeer) and peer.namespace_selector is not None
            for k in peer.namespace_selector.keys()
        }
        return frozenset(keys | {k for t in self.tiers for k in t.subject_namespaces.keys()})

    def named_ports(self) -> frozenset[tuple[str, Protocol]]:
        """Every (port name, protocol) a rule names."""
        return frozenset(
            (e.name, proto)
            for r in self.all_rules()
            for e in r.ports
            if isinstance(e, NamedPorts)
            for proto in e.protocols()
        )

    def address_ranges(self, direction: Direction | None = None) -> list[IPRange]:
        """Every range an ipBlock or networks peer of the given direction (or any) names."""
        return [
            rng
            for r in self.all_rules()
            if direction is None or r.direction is direction
            for peer in r.peers or ()
            if isinstance(peer, AddressPeer)
            for rng in peer.ranges
        ]


def _pod_keys(policy: PolicyIR) -> set[str]:
    keys = set(policy.pod_selector.keys())
    for rule in policy.ingress + policy.egress:
        for peer in rule.peers or ():
            if isinstance(peer, PodPeer):
                keys |= peer.pod_selector.keys()
    return keys


def compile_peer(peer: Peer, namespace: str) -> PeerIR:
    """A peer with only a podSelector means pods of the policy's own namespace."""
    if peer.ip_block is not None:
        block = peer.ip_block
        return AddressPeer(block_ranges(block.cidr, block.excepts), block.cidr)
    pod_selector = peer.pod_selector if peer.pod_selector is not None else LabelSelector()
    if peer.namespace_selector is None:
        return PodPeer(pod_selector, namespace_name=namespace)
    return PodPeer(pod_selector, namespace_selector=peer.namespace_selector)


def compile_port(port: PolicyPort) -> PortEntry:
    """A port entry: no port = every port of the protocol; endPort makes a range."""
    if isinstance(port.port, str):
        return NamedPorts(port.protocol, port.port)
    if port.port is None:
        return NumericPorts(port.protocol)
    return NumericPorts(port.protocol, port.port, port.end_port or port.port)


def compile_rule(policy: NetworkPolicy, direction: Direction, index: int, rule: Rule) -> RuleIR:
    """Missing or empty from/to admits every peer; missing or empty ports admits every port."""
    peers = tuple(compile_peer(p, policy.namespace) for p in rule.peers) if rule.peers else None
    return RuleIR(
        ident=policy.rule_id(direction, index),
        policy=policy.ident,
        direction=direction,
        index=index,
        peers=peers,
        ports=tuple(compile_port(p) for p in rule.ports),
    )


def compile_policy(policy: NetworkPolicy) -> PolicyIR:
    """Compile one NetworkPolicy."""
    return PolicyIR(
        ident=policy.ident,
        namespace=policy.namespace,
        pod_selector=policy.pod_selector,
        directions=policy.policy_types,
        ingress=tuple(
            compile_rule(policy, Direction.INGRESS, i, r) for i, r in enumerate(policy.ingress)
        ),
        egress=tuple(
            compile_rule(policy, Direction.EGRESS, i, r) for i, r in enumerate(policy.egress)
        ),
        source=policy,
    )


def compile_policies(cluster: Cluster) -> PolicySet:
    """Compile every NetworkPolicy and cluster-scoped policy of the cluster."""
    from npql.ir.tiers import compile_tiers

    # acyclic and long-lived: collections while it is built would rescan the whole model
    with gc_paused():
        policies = tuple(compile_policy(p) for p in cluster.policies)
    by_ns: dict[str, list[PolicyIR]] = {}
    for p in policies:
        by_ns.setdefault(p.namespace, []).append(p)
    return PolicySet(
        policies, {ns: tuple(ps) for ns, ps in by_ns.items()}, compile_tiers(cluster.tiered)
    )
