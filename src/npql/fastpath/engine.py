"""Allowed port sets between pod groups and address ranges, by direct evaluation of the IR."""

from __future__ import annotations

from functools import lru_cache

from npql.ir.addresses import IPRange
from npql.ir.groups import Grouping, PodGroup, peer_matches_group
from npql.ir.policies import AddressPeer, NamedPorts, PolicyIR, PolicySet, RuleIR
from npql.model.policy import Direction
from npql.model.ports import EMPTY, FULL, PortSet


class BitsetEngine:
    """Evaluates connections between groups (and address ranges) over one compiled cluster.

    For each group it keeps the rules that apply to it per direction (None = not isolated),
    and for each rule the bitset of groups its peers match.
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
        self.rule_ports = lru_cache(maxsize=None)(self._rule_ports)

    # -- setup ---------------------------------------------------------------------------------

    def _selecting(self, group: PodGroup, direction: Direction) -> list[PolicyIR]:
        return [
            p
            for p in self.policies.by_namespace.get(group.namespace, ())
            if direction in p.directions and p.pod_selector.matches(group.labels)
        ]

    def _rules_applying(self, group: PodGroup, direction: Direction) -> tuple[RuleIR, ...] | None:
        """Rules that can admit traffic for this group; None when nothing isolates it."""
        selecting = self._selecting(group, direction)
        if not selecting:
            return None
        return tuple(r for p in selecting for r in p.rules(direction))

    def peer_bits(self, rule: RuleIR) -> int:
        """Bitset of the groups some peer of the rule matches (all groups when peers is None)."""
        bits = self._peer_bits.get(rule.ident)
        if bits is None:
            bits = self._compute_peer_bits(rule)
            self._peer_bits[rule.ident] = bits
        return bits

    def _compute_peer_bits(self, rule: RuleIR) -> int:
        if rule.peers is None:
            return (1 << len(self.groups)) - 1
        bits = 0
        for g in self.groups:
            if any(peer_matches_group(p, g, addresses=self.match_addresses) for p in rule.peers):
                bits |= 1 << g.index
        return bits

    def _rule_ports(self, rule: RuleIR, dst: int | None) -> PortSet:
        """Ports the rule admits towards destination group ``dst`` (None = an external address)."""
        if not rule.ports:
            return FULL
        out = EMPTY
        for entry in rule.ports:
            if isinstance(entry, NamedPorts):
                number = (
                    None
                    if dst is None
                    else self.groups[dst].named_ports.get((entry.name, entry.protocol))
                )
                if number is not None:
                    out = out.union(PortSet.of(entry.protocol, number, number))
            else:
                out = out.union(PortSet.of(entry.protocol, entry.lo, entry.hi))
        return out

    # -- queries -------------------------------------------------------------------------------

    def isolated(self, group: int, direction: Direction) -> bool:
        """Whether some policy isolates the group in a direction."""
        return self._applied[direction][group] is not None

    def applied_rules(self, group: int, direction: Direction) -> tuple[RuleIR, ...] | None:
        """Rules applying to a group in a direction, None if it is not isolated."""
        return self._applied[direction][group]

    def ingress(self, src: int, dst: int) -> PortSet:
        """Ports on which ``dst``'s ingress admits group ``src``."""
        rules = self._applied[Direction.INGRESS][dst]
        if rules is None:
            return FULL
        out = EMPTY
        for r in rules:
            if self.peer_bits(r) >> src & 1:
                out = out.union(self.rule_ports(r, dst))
        return out

    def egress(self, src: int, dst: int) -> PortSet:
        """Ports on which ``src``'s egress admits group ``dst``."""
        rules = self._applied[Direction.EGRESS][src]
        if rules is None:
            return FULL
        out = EMPTY
        for r in rules:
            if self.peer_bits(r) >> dst & 1:
                out = out.union(self.rule_ports(r, dst))
        return out

    def between(self, src: int, dst: int) -> PortSet:
        """Ports allowed from group ``src`` to group ``dst``: egress AND ingress."""
        egress = self.egress(src, dst)
        if egress.is_empty():
            return egress
        return egress.intersect(self.ingress(src, dst))

    def from_range(self, atom: IPRange, dst: int) -> PortSet:
        """Ports on which addresses of ``atom`` (one partition part) may reach group ``dst``."""
        rules = self._applied[Direction.INGRESS][dst]
        if rules is None:
            return FULL
        out = EMPTY
        for r in rules:
            if _admits_range(r, atom):
                out = out.union(self.rule_ports(r, dst))
        return out

    def to_range(self, src: int, atom: IPRange) -> PortSet:
        """Ports on which group ``src`` may reach addresses of ``atom`` (one partition part)."""
        rules = self._applied[Direction.EGRESS][src]
        if rules is None:
            return FULL
        out = EMPTY
        for r in rules:
            if _admits_range(r, atom):
                out = out.union(self.rule_ports(r, None))
        return out


def _admits_range(rule: RuleIR, atom: IPRange) -> bool:
    """Whether a rule's peers admit a partition part (a part lies inside a block or outside it)."""
    if rule.peers is None:
        return True
    return any(
        isinstance(p, AddressPeer)
        and any(r.version == atom.version and r.lo <= atom.lo and atom.hi <= r.hi for r in p.ranges)
        for p in rule.peers
    )
