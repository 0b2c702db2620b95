"""Allowed port sets between pod groups and address ranges, by direct evaluation of the IR.

Each direction is decided along the tier chain, one port set at a time: admin rules in order
(Allow and Deny decide the ports they match, Pass hands them on), then NetworkPolicies (final
for an isolated pod), then baseline rules, then the default (allow).

Single pairs (``between``, ``ingress``, ``egress``) evaluate that chain directly. Bulk answers
(``row``: every destination of one source; ``column``: every source of one destination) never
visit pairs one by one. They use two facts:

* the decision of a subject's side depends only on its *chain* (which rules apply to it, in
  order) and on which of those rules match the peer (plus, for named ports, the port numbers
  of the destination). So the peers of one subject split into a few *cells* (bitsets of groups
  matched by the same rules), and the chain is evaluated once per cell;
* seen from a fixed peer, the subjects split the same way: a subject whose chain holds no rule
  matching the peer gets its chain's default answer, and only the subjects whose chain holds a
  matching rule need another evaluation (memoised per chain and matching rules).

A row is then the cell-wise intersection of the source's egress cells and the destinations'
ingress answers towards that source; a column the same, transposed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from npql.fastpath.bits import LabelIndex, bits_of, indices
from npql.fastpath.cells import CellBuilder, Cells, Lru
from npql.fastpath.classes import (
    AnyRule,
    BehaviourClasses,
    Chain,
    NamedKey,
    PeerTest,
    RangeAnswers,
    admits_range,
    named_identity,
)
from npql.fastpath.ports import PortAlgebra
from npql.gcpause import gc_paused
from npql.ir.addresses import IPRange
from npql.ir.groups import Grouping, PodGroup, peer_matches_group
from npql.ir.policies import (
    AddressPeer,
    NamedPorts,
    PodPeer,
    PolicyIR,
    PolicySet,
    RuleIR,
    TierRuleIR,
)
from npql.model.policy import Direction
from npql.model.ports import PortSet
from npql.model.selector import LabelSelector
from npql.model.tiered import Action, Tier
from npql.progress import tracker

__all__ = ["AnyRule", "BitsetEngine", "Cells", "PeerTest"]

_CACHE_ROWS = 4096  # rows and columns kept (LRU)
_SPARSE = 64  # a row (column) reaching at most this many groups asks their classes one by one


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
        self.size = len(self.groups)
        self.all = (1 << self.size) - 1
        self.ports = PortAlgebra()
        with gc_paused(), tracker.stage("indexing pod labels"):
            self._labels = LabelIndex([g.labels for g in self.groups])
            self._namespaces = _NamespaceIndex(self.groups)
        self._peer_bits: dict[str, int] = {}
        self._peer_memo: dict[PodPeer | AddressPeer, int] = {}
        self._static_ports: dict[int, tuple[PortSet, tuple[NamedKey, ...]]] = {}
        self._named_bits_cache: dict[NamedKey, list[int]] = {}
        self._named_ports: dict[tuple[int, tuple[int | None, ...]], PortSet] = {}
        with gc_paused(), tracker.stage("matching policies to pods"):
            self._applied = {d: self._np_rules(d) for d in Direction}
            self._tiers = {(t, d): self._tier_rules(t, d) for t in Tier for d in Direction}
        self._chains: dict[Direction, list[Chain]] = {}
        self._chain_of: dict[Direction, list[int]] = {}
        self._address_ranges: dict[Direction, list[IPRange]] = {}
        self._classes: dict[Direction, BehaviourClasses] = {}
        self._rows: Lru[tuple[int, tuple[int, ...]], Cells] = Lru(_CACHE_ROWS)
        self._columns: Lru[tuple[object, ...], Cells] = Lru(_CACHE_ROWS)
        self._range_answers: Lru[tuple[Direction, tuple[IPRange, ...]], RangeAnswers] = Lru(16)
        self._setup_done = False

    # -- setup ---------------------------------------------------------------------------------

    def _np_rules(self, direction: Direction) -> list[tuple[RuleIR, ...] | None]:
        """Per group, the NetworkPolicy rules applying to it; None when none isolates it."""
        selecting: list[list[PolicyIR]] = [[] for _ in self.groups]
        for namespace, policies in self.policies.by_namespace.items():
            in_namespace = self._namespaces.named(namespace)
            if not in_namespace:
                continue
            for p in policies:
                if direction not in p.directions:
                    continue
                for g in indices(in_namespace & self._labels.selector(p.pod_selector)):
                    selecting[g].append(p)
        return [
            tuple(r for p in ps for r in p.rules(direction)) if ps else None for ps in selecting
        ]

    def _tier_rules(self, tier: Tier, direction: Direction) -> list[list[TierRuleIR]]:
        """Per group, the cluster-scoped rules whose subject selects it, in evaluation order."""
        out: list[list[TierRuleIR]] = [[] for _ in self.groups]
        for r in self.policies.tier_rules(tier, direction):
            subjects = self._namespaces.selector(r.subject_namespaces) & self._labels.selector(
                r.subject_pods
            )
            for g in indices(subjects):
                out[g].append(r)
        return out

    def _setup(self) -> None:
        """Chains per group and direction, interned (done on the first bulk question)."""
        if self._setup_done:
            return
        with gc_paused(), tracker.stage("building rule chains"):
            self._setup_chains()
        self._setup_done = True

    def _setup_chains(self) -> None:
        for d in Direction:
            interned: dict[tuple[tuple[int, ...], tuple[int, ...] | None, tuple[int, ...]], int]
            interned = {}
            chains: list[Chain] = []
            chain_of: list[int] = []
            for g in range(self.size):
                admin = tuple(self._tiers[(Tier.ADMIN, d)][g])
                np_rules = self._applied[d][g]
                baseline = tuple(self._tiers[(Tier.BASELINE, d)][g])
                key = (
                    tuple(map(id, admin)),
                    None if np_rules is None else tuple(map(id, np_rules)),
                    tuple(map(id, baseline)),
                )
                cid = interned.get(key)
                if cid is None:
                    cid = interned[key] = len(chains)
                    chains.append(Chain.of(admin, np_rules, baseline))
                chain_of.append(cid)
            self._chains[d] = chains
            self._chain_of[d] = chain_of
        self._classes = {
            d: BehaviourClasses(self, d, self._chains[d], self._chain_of[d]) for d in Direction
        }

    def peer_bits(self, rule: AnyRule) -> int:
        """Bitset of the groups some peer of the rule matches (all groups when peers is None)."""
        bits = self._peer_bits.get(rule.ident)
        if bits is None:
            bits = self._compute_peer_bits(rule)
            self._peer_bits[rule.ident] = bits
        return bits

    def _compute_peer_bits(self, rule: AnyRule) -> int:
        if rule.peers is None:
            return self.all
        bits = 0
        for p in rule.peers:
            found = self._peer_memo.get(p)
            if found is None:
                found = self._peer_memo[p] = self._one_peer(p)
            bits |= found
        return bits

    def _one_peer(self, peer: PodPeer | AddressPeer) -> int:
        if isinstance(peer, AddressPeer):
            if not (self.match_addresses or peer.pods_too):
                return 0
            return bits_of(
                [
                    i
                    for i, g in enumerate(self.groups)
                    if g.addresses and peer_matches_group(peer, g, addresses=True)
                ],
                self.size,
            )
        bits = self._labels.selector(peer.pod_selector)
        if peer.namespace_name is not None:
            bits &= self._namespaces.named(peer.namespace_name)
        if peer.namespace_selector is not None:
            bits &= self._namespaces.selector(peer.namespace_selector)
        return bits

    def rule_ports(self, rule: AnyRule, dst: int | None) -> PortSet:
        """Ports the rule admits towards destination group ``dst`` (None = an external address)."""
        static = self._static_ports.get(id(rule))
        if static is None:
            static = self._static_ports[id(rule)] = self._split_ports(rule)
        ports, named = static
        if not named:
            return ports
        if dst is None:
            return ports  # a port name never resolves at an external address
        declared = self.groups[dst].named_ports
        numbers = tuple(declared.get(k) for k in named)
        key = (id(rule), numbers)
        found = self._named_ports.get(key)
        if found is None:
            found = ports
            for (_, proto), number in zip(named, numbers, strict=True):
                if number is not None:
                    found = self.ports.union(
                        found, self.ports.intern(PortSet.of(proto, number, number))
                    )
            self._named_ports[key] = found
        return found

    def _split_ports(self, rule: AnyRule) -> tuple[PortSet, tuple[NamedKey, ...]]:
        """(union of the rule's numbered entries, the (name, protocol) of its named entries)."""
        if not rule.ports:
            return self.ports.full, ()
        out = self.ports.empty
        named: list[NamedKey] = []
        for entry in rule.ports:
            if isinstance(entry, NamedPorts):
                named += ((entry.name, proto) for proto in entry.protocols())
            else:
                out = self.ports.union(
                    out, self.ports.intern(PortSet.of(entry.protocol, entry.lo, entry.hi))
                )
        return out, tuple(named)

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
        return self._evaluate(
            tuple(self._tiers[(Tier.ADMIN, direction)][subject]),
            self._applied[direction][subject],
            tuple(self._tiers[(Tier.BASELINE, direction)][subject]),
            peer,
            dst,
        )

    def _evaluate(
        self,
        admin: Sequence[TierRuleIR],
        np_rules: Sequence[RuleIR] | None,
        baseline: Sequence[TierRuleIR],
        peer: PeerTest,
        dst: int | None,
    ) -> PortSet:
        """The tier chain: admin rules in order, then NetworkPolicies (final for an isolated
        subject), then baseline rules, then the default (allow)."""
        ops = self.ports
        empty = ops.empty
        remaining, allowed, passed = ops.full, empty, empty
        for r in admin:
            if remaining is empty:
                break
            if not peer(r):
                continue
            hit = ops.intersect(self.rule_ports(r, dst), remaining)
            if r.action is Action.ALLOW:
                allowed = ops.union(allowed, hit)
            elif r.action is Action.PASS:
                passed = ops.union(passed, hit)
            remaining = ops.subtract(remaining, hit)
        undecided = ops.union(remaining, passed)
        if np_rules is not None:
            np_ports = empty
            for np_rule in np_rules:
                if peer(np_rule):
                    np_ports = ops.union(np_ports, self.rule_ports(np_rule, dst))
            return ops.union(allowed, ops.intersect(undecided, np_ports))
        open_, admitted = undecided, empty
        for r in baseline:
            if open_ is empty:
                break
            if not peer(r):
                continue
            hit = ops.intersect(self.rule_ports(r, dst), open_)
            # A baseline Pass hands its ports to the next tier, which is the default: allow.
            if r.action is not Action.DENY:
                admitted = ops.union(admitted, hit)
            open_ = ops.subtract(open_, hit)
        return ops.union(allowed, ops.union(admitted, open_))

    def _run(self, chain: Chain, peer: PeerTest, dst: int | None) -> PortSet:
        return self._evaluate(chain.admin, chain.np, chain.baseline, peer, dst)

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
        return self.ports.intersect(egress, self.ingress(src, dst))

    def from_range(self, atom: IPRange, dst: int) -> PortSet:
        """Ports on which addresses of ``atom`` (one partition part) may reach group ``dst``."""
        return self._decide(dst, Direction.INGRESS, lambda r: admits_range(r, atom), dst)

    def to_range(self, src: int, atom: IPRange) -> PortSet:
        """Ports on which group ``src`` may reach addresses of ``atom`` (one partition part)."""
        return self._decide(src, Direction.EGRESS, lambda r: admits_range(r, atom), None)

    # -- bulk ----------------------------------------------------------------------------------

    def row(self, src: int) -> Cells:
        """Every destination group ``src`` may reach: (bitset of groups, ports) cells."""
        self._setup()
        egress = self._classes[Direction.EGRESS]
        ingress = self._classes[Direction.INGRESS]
        matching = ingress.matching(src)
        key = (egress.of[src], matching)
        cells = self._rows.get(key)
        if cells is None:
            own = egress.own_cells(egress.of[src])
            cells = self._cross(own, ingress, matching, None)
            self._rows.put(key, cells)
        return cells

    def column(self, dst: int) -> Cells:
        """Every source group that may reach ``dst``: (bitset of groups, ports) cells."""
        self._setup()
        egress = self._classes[Direction.EGRESS]
        ingress = self._classes[Direction.INGRESS]
        matching = egress.matching(dst)
        key = (ingress.of[dst], matching, named_identity(self.groups[dst]))
        cells = self._columns.get(key)
        if cells is None:
            own = ingress.own_cells(ingress.of[dst])
            cells = self._cross(own, egress, matching, dst)
            self._columns.put(key, cells)
        return cells

    def _cross(
        self, own: Cells, other: BehaviourClasses, tokens: tuple[int, ...], dst: int | None
    ) -> Cells:
        """``own`` cells (one side's answer per peer) narrowed by the peers' own side, which
        sees the fixed group through the rules of ``tokens`` (``dst``: the fixed destination,
        when the peers are sources)."""
        if not own:
            return ()
        universe = 0
        for bits, _ in own:
            universe |= bits
        if universe.bit_count() > max(_SPARSE, self.size >> 4):
            return self._combine(own, other.transposed(tokens, dst))
        # few peers: ask each one's class directly
        ops = self.ports
        matched = other.matched(tokens)
        out = CellBuilder()
        for bits, mine in own:
            for g in indices(bits):
                out.add_member(g, ops.intersect(mine, other.answer(other.of[g], matched, dst)))
        return out.cells(self.size, ops.empty)

    def ranges(self, direction: Direction, parts: Sequence[IPRange]) -> RangeAnswers:
        """Answers of every group towards (egress) or from (ingress) address parts."""
        self._setup()
        key = (direction, tuple(parts))
        found = self._range_answers.get(key)
        if found is None:
            found = RangeAnswers(self._classes[direction], key[1])
            self._range_answers.put(key, found)
        return found

    def address_ranges(self, direction: Direction) -> list[IPRange]:
        """Every range an ipBlock or networks peer of a direction names (kept once computed)."""
        found = self._address_ranges.get(direction)
        if found is None:
            found = self._address_ranges[direction] = self.policies.address_ranges(direction)
        return found

    def prepare_rows(self) -> None:
        """Index, for every group, the ingress rules matching it (before many ``row`` calls)."""
        self._setup()
        with gc_paused(), tracker.stage("indexing rules"):
            self._classes[Direction.INGRESS].index_all()

    def prepare_columns(self) -> None:
        """Index, for every group, the egress rules matching it (before many ``column`` calls)."""
        self._setup()
        with gc_paused(), tracker.stage("indexing rules"):
            self._classes[Direction.EGRESS].index_all()

    def _combine(self, left: Cells, right: Cells) -> Cells:
        """Cell-wise intersection of two partial partitions."""
        ops = self.ports
        out = CellBuilder()
        for lbits, lports in left:
            for rbits, rports in right:
                both = lbits & rbits
                if both:
                    out.add_bits(both, ops.intersect(lports, rports))
        return out.cells(self.size, ops.empty)

    def _refine(self, rules: Iterable[AnyRule], universe: int) -> list[tuple[int, frozenset[int]]]:
        """Split ``universe`` by which of ``rules`` match each group (their peer bitsets)."""
        cells: list[tuple[int, tuple[int, ...]]] = [(universe, ())]
        for r in rules:
            peers = self.peer_bits(r)
            rid = id(r)
            split: list[tuple[int, tuple[int, ...]]] = []
            for bits, sig in cells:
                inside = bits & peers
                if not inside:
                    split.append((bits, sig))
                elif inside == bits:
                    split.append((bits, (*sig, rid)))
                else:
                    split.append((inside, (*sig, rid)))
                    split.append((bits ^ inside, sig))
            cells = split
        return [(bits, frozenset(sig)) for bits, sig in cells]

    def _split_named(
        self, cells: list[tuple[int, frozenset[int]]], named: Iterable[NamedKey]
    ) -> list[tuple[int, frozenset[int]]]:
        """Split cells further so each cell's groups agree on the numbers of ``named`` ports."""
        for key in named:
            numbers = self._named_bits(key)
            split: list[tuple[int, frozenset[int]]] = []
            for bits, sig in cells:
                rest = bits
                for members in numbers:
                    part = rest & members
                    if part:
                        split.append((part, sig))
                        rest ^= part
                        if not rest:
                            break
                if rest:
                    split.append((rest, sig))
            cells = split
        return cells

    def _named_bits(self, key: NamedKey) -> list[int]:
        """For one (port name, protocol): bitsets of the groups declaring each port number."""
        cache = self._named_bits_cache
        found = cache.get(key)
        if found is None:
            by_number: dict[int, list[int]] = {}
            for i, g in enumerate(self.groups):
                number = g.named_ports.get(key)
                if number is not None:
                    by_number.setdefault(number, []).append(i)
            found = cache[key] = [bits_of(v, self.size) for v in by_number.values()]
        return found


class _NamespaceIndex:
    """Groups by namespace, and namespace selectors as bitsets of groups."""

    def __init__(self, groups: Sequence[PodGroup]) -> None:
        members: dict[str, list[int]] = {}
        labels: dict[str, Mapping[str, str]] = {}
        for i, g in enumerate(groups):
            members.setdefault(g.namespace, []).append(i)
            labels.setdefault(g.namespace, g.namespace_labels)
        size = len(groups)
        self._names = list(members)
        self._bits = {ns: bits_of(v, size) for ns, v in members.items()}
        self._index = LabelIndex([labels[ns] for ns in self._names])
        self._selectors: dict[LabelSelector, int] = {}

    def named(self, namespace: str) -> int:
        """Groups of one namespace."""
        return self._bits.get(namespace, 0)

    def selector(self, selector: LabelSelector) -> int:
        """Groups whose namespace's labels the selector matches."""
        bits = self._selectors.get(selector)
        if bits is None:
            bits = 0
            for i in indices(self._index.selector(selector)):
                bits |= self._bits[self._names[i]]
            self._selectors[selector] = bits
        return bits
