"""Allowed port sets between pod groups and address ranges, by direct evaluation of the IR.

Each direction is decided along the tier chain, one port set at a time: admin rules in order
(Allow and Deny decide the ports they match, Pass hands them on), then NetworkPolicies (final
for an isolated pod), then baseline rules, then the default (allow).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from npql.ir.addresses import IPRange
from npql.ir.groups import Grouping, PodGroup, peer_matches_group
from npql.ir.policies import AddressPeer, NamedPorts, PolicyIR, PolicySet, RuleIR, TierRuleIR
from npql.model.policy import Direction
from npql.model.ports import EMPTY, FULL, PortSet
from npql.model.tiered import Action, Tier

AnyRule = RuleIR | TierRuleIR
PeerTest = Callable[[AnyRule], bool]


class BitsetEngine:
    """Evaluates connections between groups (and address ranges) over one compiled cluster.

    For each group it keeps the rules that apply to it per direction and tier (NetworkPolicy
    rules: None = not isolated), and for each rule the bitset of groups its peers match.
    """

    def __init__(
        self, grouping: Grouping, policies: PolicySet, *, ipblocks_match_pod_ips: bool = False
    ) -> None:
        self.grouping = grouping
        self.groups = grouping.groups
        self.policies = policies
        self.match_addresses = ipblocks_match_pod_ips
        self._peer_bits: dict[str, int] = {}
        self._applied = {d: [self._rules_applying(g, d) for g in self.groups] for d in Direction}
        self._tiers = {
            (t, d): [self._tier_rules(g, t, d) for g in self.groups]
            for t in Tier
            for d in Direction
        }
        self.rule_ports = lru_cache(maxsize=None)(self._rule_ports)

    # -- setup ---------------------------------------------------------------------------------

    def _selecting(self, group: PodGroup, direction: Direction) -> list[PolicyIR]:
        return [
            p
            for p in self.policies.by_namespace.get(group.namespace, ())
            if direction in p.directions and p.pod_selector.matches(group.labels)
        ]

    def _rules_applying(self, group: PodGroup, direction: Direction) -> tuple[RuleIR, ...] | None:
        """NetworkPolicy rules for this group; None when no NetworkPolicy isolates it."""
        selecting = self._selecting(group, direction)
        if not selecting:
            return None
        return tuple(r for p in selecting for r in p.rules(direction))

    def _tier_rules(self, group: PodGroup, tier: Tier, direction: Direction) -> list[TierRuleIR]:
        """Cluster-scoped rules whose subject selects the group, in evaluation order."""
        return [
            r
            for r in self.policies.tier_rules(tier, direction)
            if r.subject_namespaces.matches(group.namespace_labels)
            and r.subject_pods.matches(group.labels)
        ]

    def peer_bits(self, rule: AnyRule) -> int:
        """Bitset of the groups some peer of the rule matches (all groups when peers is None)."""
        bits = self._peer_bits.get(rule.ident)
        if bits is None:
            bits = self._compute_peer_bits(rule)
            self._peer_bits[rule.ident] = bits
        return bits

    def _compute_peer_bits(self, rule: AnyRule) -> int:
        if rule.peers is None:
            return (1 << len(self.groups)) - 1
        bits = 0
        for g in self.groups:
            if any(peer_matches_group(p, g, addresses=self.match_addresses) for p in rule.peers):
                bits |= 1 << g.index
        return bits

    def _rule_ports(self, rule: AnyRule, dst: int | None) -> PortSet:
        """Ports the rule admits towards destination group ``dst`` (None = an external address)."""
        if not rule.ports:
            return FULL
        out = EMPTY
        for entry in rule.ports:
            if isinstance(entry, NamedPorts):
                out = out.union(self._named(entry, dst))
            else:
                out = out.union(PortSet.of(entry.protocol, entry.lo, entry.hi))
        return out

    def _named(self, entry: NamedPorts, dst: int | None) -> PortSet:
        out = EMPTY
        if dst is None:
            return out
        for proto in entry.protocols():
            number = self.groups[dst].named_ports.get((entry.name, proto))
            if number is not None:
                out = out.union(PortSet.of(proto, number, number))
        return out

    # -- queries -------------------------------------------------------------------------------

    def isolated(self, group: int, direction: Direction) -> bool:
        """Whether some NetworkPolicy isolates the group in a direction."""
        return self._applied[direction][group] is not None

    def protected(self, group: int, direction: Direction) -> bool:
        """Whether any policy (of any tier) applies to the group in a direction."""
        return self.isolated(group, direction) or any(
            self._tiers[(t, direction)][group] for t in Tier
        )

    def applied_rules(self, group: int, direction: Direction) -> tuple[RuleIR, ...] | None:
        """NetworkPolicy rules applying to a group in a direction, None if it is not isolated."""
        return self._applied[direction][group]

    def _decide(
        self, subject: int, direction: Direction, peer: PeerTest, dst: int | None
    ) -> PortSet:
        """Ports the subject's side admits in a direction, along the tier chain."""
        allowed, undecided = self._admin(subject, direction, peer, dst)
        np_rules = self._applied[direction][subject]
        if np_rules is not None:
            np_ports = EMPTY
            for r in np_rules:
                if peer(r):
                    np_ports = np_ports.union(self.rule_ports(r, dst))
            return allowed.union(undecided.intersect(np_ports))
        return allowed.union(self._baseline(subject, direction, peer, dst, undecided))

    def _admin(
        self, subject: int, direction: Direction, peer: PeerTest, dst: int | None
    ) -> tuple[PortSet, PortSet]:
        """(ports allowed by the admin tier, ports it leaves to the next tiers)."""
        remaining, allowed, passed = FULL, EMPTY, EMPTY
        for r in self._tiers[(Tier.ADMIN, direction)][subject]:
            if remaining.is_empty():
                break
            if not peer(r):
                continue
            hit = self.rule_ports(r, dst).intersect(remaining)
            if r.action is Action.ALLOW:
                allowed = allowed.union(hit)
            elif r.action is Action.PASS:
                passed = passed.union(hit)
            remaining = remaining.subtract(hit)
        return allowed, remaining.union(passed)

    def _baseline(
        self, subject: int, direction: Direction, peer: PeerTest, dst: int | None, open_: PortSet
    ) -> PortSet:
        """Of ``open_`` ports, those the baseline tier (then the default, allow) admits."""
        allowed = EMPTY
        for r in self._tiers[(Tier.BASELINE, direction)][subject]:
            if open_.is_empty():
                break
            if not peer(r):
                continue
            hit = self.rule_ports(r, dst).intersect(open_)
            if r.action is Action.ALLOW:
                allowed = allowed.union(hit)
            open_ = open_.subtract(hit)
        return allowed.union(open_)

    def _group_peer(self, group: int) -> PeerTest:
        return lambda r: bool(self.peer_bits(r) >> group & 1)

    def ingress(self, src: int, dst: int) -> PortSet:
        """Ports on which ``dst``'s ingress admits group ``src``."""
        return self._decide(dst, Direction.INGRESS, self._group_peer(src), dst)

    def egress(self, src: int, dst: int) -> PortSet:
        """Ports on which ``src``'s egress admits group ``dst``."""
        return self._decide(src, Direction.EGRESS, self._group_peer(dst), dst)

    def between(self, src: int, dst: int) -> PortSet:
        """Ports allowed from group ``src`` to group ``dst``: egress AND ingress."""
        egress = self.egress(src, dst)
        if egress.is_empty():
            return egress
        return egress.intersect(self.ingress(src, dst))

    def from_range(self, atom: IPRange, dst: int) -> PortSet:
        """Ports on which addresses of ``atom`` (one partition part) may reach group ``dst``."""
        return self._decide(dst, Direction.INGRESS, lambda r: _admits_range(r, atom), dst)

    def to_range(self, src: int, atom: IPRange) -> PortSet:
        """Ports on which group ``src`` may reach addresses of ``atom`` (one partition part)."""
        return self._decide(src, Direction.EGRESS, lambda r: _admits_range(r, atom), None)


def _admits_range(rule: AnyRule, atom: IPRange) -> bool:
    """Whether a rule's peers admit a partition part (a part lies inside a block or outside it)."""
    if rule.peers is None:
        return True
    return any(
        isinstance(p, AddressPeer)
        and any(r.version == atom.version and r.lo <= atom.lo and atom.hi <= r.hi for r in p.ranges)
        for p in rule.peers
    )
