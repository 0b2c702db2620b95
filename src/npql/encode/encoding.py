"""NetworkPolicy semantics as Z3 constraints over a symbolic source and destination.

The connection (src, dst, port, protocol) is allowed iff the source's egress admits it and the
destination's ingress admits it. For each direction, with S the subject pod (dst for ingress,
src for egress) and P the peer:

    ok  <=>  not S.is_pod  or  not isolated(S)  or  OR_r fires_r
    isolated(S)  <=>  OR_{policies p with the direction} selects_p(S)
    fires_r  <=>  selects_{policy(r)}(S) and peers_r(P) and ports_r(dst)

Each definition is guarded by a tracking literal, and every check assumes all of them: with
all assumed, the semantics are exact; when a check is unsat, the unsat core names the rules
and isolating policies the denial rests on. ``fires_r -> selects(S)`` is asserted unguarded so
that rules of policies that do not select the subject never enter a core.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import z3

from npql.encode.endpoint import EXTERNAL, HYPOTHETICAL, SymEndpoint
from npql.encode.terms import And, Implies, Not, Or, int_equals
from npql.encode.vocabulary import Vocabulary
from npql.gcpause import gc_paused
from npql.ir.addresses import IPRange
from npql.ir.groups import Grouping, PodGroup
from npql.ir.policies import (
    AddressPeer,
    NamedPorts,
    PeerIR,
    PolicyIR,
    PolicySet,
    RuleIR,
    TierRuleIR,
)
from npql.model.cluster import Cluster
from npql.model.objects import NAMESPACE_NAME_LABEL, Protocol
from npql.model.policy import Direction
from npql.model.ports import MAX_PORT, MIN_PORT
from npql.model.selector import LabelSelector, Operator, Requirement
from npql.model.tiered import Action, Tier

PROTOCOL_IDS: Mapping[Protocol, int] = {Protocol.TCP: 0, Protocol.UDP: 1, Protocol.SCTP: 2}
PROTOCOL_OF_ID: Mapping[int, Protocol] = {v: k for k, v in PROTOCOL_IDS.items()}


@dataclass(frozen=True, slots=True)
class Tracked:
    """What a tracking literal stands for: a rule's definition or a policy's isolation."""

    kind: str  # "rule" or "isolation"
    ident: str  # rule id or policy id
    direction: Direction
    namespace: str | None = None  # a NetworkPolicy's namespace; None for cluster-scoped rules
    policy: str | None = None  # the NetworkPolicy a rule or isolation belongs to


class Encoding:
    """The cluster's policies as Z3 constraints over two symbolic endpoints.

    ``hard`` holds facts that are always true (structure of groups and namespaces);
    ``assumptions`` the tracking literals of the policy semantics.
    """

    def __init__(
        self,
        cluster: Cluster,
        policies: PolicySet,
        grouping: Grouping,
        *,
        ipblocks_match_pod_ips: bool = False,
        tag: str = "",
        vocab: Vocabulary | None = None,
        existing_only: bool = False,
    ) -> None:
        # ``tag`` prefixes every variable, so two encodings (two versions of a policy set) can
        # live in one solver; sharing ``vocab`` makes their label values comparable.
        self.tag = tag
        # A slice answers questions about its existing pods (and addresses) only: endpoints
        # are never hypothetical, so namespaces without a pod in the slice need no facts.
        self.existing_only = existing_only
        self.cluster = cluster
        self.policies = policies
        self.grouping = grouping
        self.match_pod_addresses = ipblocks_match_pod_ips
        self.vocab = vocab if vocab is not None else Vocabulary()
        self.src = SymEndpoint(f"{tag}src")
        self.dst = SymEndpoint(f"{tag}dst")
        self.port = z3.Int(f"{tag}port")
        self.protocol = z3.Int(f"{tag}protocol")
        self.hard: list[z3.BoolRef] = []
        self.meaning: dict[str, Tracked] = {}
        self.literals: list[z3.BoolRef] = []
        self._literal_meanings: list[Tracked] = []
        self._literal_ids: list[int] = []
        self.meaning_by_id: dict[int, Tracked] = {}  # Z3 ast id of a literal -> its meaning
        self.fires: dict[str, z3.BoolRef] = {}
        # rule fire variables by the namespace of their NetworkPolicy (None: cluster-scoped)
        self.fires_in: defaultdict[str | None, list[tuple[str, z3.BoolRef]]] = defaultdict(list)
        self.blocks: list[tuple[IPRange, ...]] = []
        self._block_index: dict[tuple[IPRange, ...], int] = {}
        self._ns_keys: set[str] = set()
        self._label_keys: set[str] = set()
        with gc_paused():  # tens of thousands of acyclic terms
            self._intern_cluster()
            self._structure()
            self.ingress_ok = self._direction(Direction.INGRESS, self.dst, self.src)
            self.egress_ok = self._direction(Direction.EGRESS, self.src, self.dst)
        self.allowed = And(self.egress_ok, self.ingress_ok)

    # -- vocabulary ----------------------------------------------------------------------------

    def _intern_cluster(self) -> None:
        for name, ns in self.cluster.namespaces.items():
            self.vocab.intern(name)
            for value in ns.labels.values():
                self.vocab.intern(value)
        for group in self.grouping.groups:
            self.vocab.intern(group.namespace)
            for value in group.labels.values():
                self.vocab.intern(value)

    def group(self, index: int) -> PodGroup:
        """The pod group with this index (a slice holds some groups, indices kept)."""
        if not hasattr(self, "_by_index"):
            self._by_index = {g.index: g for g in self.grouping.groups}
        return self._by_index[index]

    def value_id(self, text: str) -> int:
        """The integer standing for a label value or namespace name."""
        return self.vocab.intern(text)

    # -- structure: what every endpoint must satisfy -------------------------------------------

    def _structure(self) -> None:
        self.hard += [self.port >= MIN_PORT, self.port <= MAX_PORT]
        self.hard += [self.protocol >= 0, self.protocol <= 2]
        for ep in (self.src, self.dst):
            self.hard += self._endpoint_structure(ep)
        for key in sorted(self.policies.label_keys()):
            self.ensure_label_key(key)
        for key in sorted(self.policies.namespace_label_keys() | {NAMESPACE_NAME_LABEL}):
            self.ensure_namespace_key(key)
        self._named_keys: set[tuple[str, Protocol]] = set()
        for name, protocol in sorted(self.policies.named_ports()):
            self.ensure_named_port(name, protocol)

    def _endpoint_structure(self, ep: SymEndpoint) -> list[z3.BoolRef]:
        # A sliced encoding holds a subset of the groups, with their indices kept.
        count = max((g.index for g in self.grouping.groups), default=-1) + 1
        facts = [
            ep.group >= EXTERNAL,
            ep.group < count,
            (ep.group == EXTERNAL) == Not(ep.is_pod),
            ep.namespace >= 0,
            *([ep.group != HYPOTHETICAL] if self.existing_only else []),
            Implies(ep.ip_v6, And(ep.ip >= 0, ep.ip < 2**128)),
            Implies(Not(ep.ip_v6), And(ep.ip >= 0, ep.ip < 2**32)),
        ]
        for group in self.grouping.groups:
            facts.append(
                Implies(
                    ep.group_is(group.index),
                    ep.namespace_is(self.value_id(group.namespace)),
                )
            )
        return facts

    def ensure_label_key(self, key: str) -> None:
        """Tie a pod label key's variables to what each existing group has."""
        if key in self._label_keys:
            return
        self._label_keys.add(key)
        for ep in (self.src, self.dst):
            has, val = ep.label(key)
            for group in self.grouping.groups:
                self.hard.append(
                    Implies(ep.group_is(group.index), self._fix(has, val, group.labels.get(key)))
                )

    def ensure_namespace_key(self, key: str) -> None:
        """Tie a namespace label key's variables to each existing namespace's labels."""
        if key in self._ns_keys:
            return
        self._ns_keys.add(key)
        for ep in (self.src, self.dst):
            has, val = ep.ns_label(key)
            if key == NAMESPACE_NAME_LABEL:
                # The API server sets this label on every namespace, to the namespace's name.
                self.hard += [Implies(ep.is_pod, has), val == ep.namespace]
                continue
            for name in self._namespaces_with_facts():
                labels = self.cluster.namespace_labels(name)
                self.hard.append(
                    Implies(
                        ep.namespace_is(self.value_id(name)), self._fix(has, val, labels.get(key))
                    )
                )
            for group in self.grouping.groups:
                if group.namespace not in self.cluster.namespaces:
                    labels = group.namespace_labels
                    self.hard.append(
                        Implies(
                            ep.namespace_is(self.value_id(group.namespace)),
                            self._fix(has, val, labels.get(key)),
                        )
                    )

    def _namespaces_with_facts(self) -> list[str]:
        """Existing namespaces whose labels the endpoints are tied to."""
        if not self.existing_only:
            return list(self.cluster.namespaces)
        if not hasattr(self, "_slice_namespaces"):
            present = {g.namespace for g in self.grouping.groups}
            self._slice_namespaces = [n for n in self.cluster.namespaces if n in present]
        return self._slice_namespaces

    def _fix(self, has: z3.BoolRef, val: z3.ArithRef, value: str | None) -> z3.BoolRef:
        if value is None:
            return Not(has)
        return And(has, int_equals(val, self.value_id(value)))

    def ensure_named_port(self, name: str, protocol: Protocol) -> None:
        """Tie a named port's variables to what each existing group declares."""
        if (name, protocol) in self._named_keys:
            return
        self._named_keys.add((name, protocol))
        for ep in (self.src, self.dst):
            has, num = ep.named_port(name, protocol)
            self.hard += [Implies(has, And(num >= MIN_PORT, num <= MAX_PORT))]
            for group in self.grouping.groups:
                number = group.named_ports.get((name, protocol))
                fact = Not(has) if number is None else And(has, int_equals(num, number))
                self.hard.append(Implies(ep.group_is(group.index), fact))
            self.hard.append(Implies(Not(ep.is_pod), Not(has)))

    # -- address blocks ------------------------------------------------------------------------

    def block(self, ranges: tuple[IPRange, ...]) -> int:
        """Index of an address block, declaring its membership facts on first use."""
        found = self._block_index.get(ranges)
        if found is not None:
            return found
        index = len(self.blocks)
        self.blocks.append(ranges)
        self._block_index[ranges] = index
        for ep in (self.src, self.dst):
            self.hard += self._block_facts(ep, index, ranges)
        return index

    def _block_facts(
        self, ep: SymEndpoint, index: int, ranges: tuple[IPRange, ...]
    ) -> list[z3.BoolRef]:
        member = ep.in_block(index)
        facts = [Implies(Not(ep.is_pod), member == self.address_in(ep, ranges))]
        for group in self.grouping.groups:
            inside = any(r.contains(v, a) for v, a in group.addresses for r in ranges)
            facts.append(Implies(ep.group_is(group.index), member if inside else Not(member)))
        return facts

    def address_in(self, ep: SymEndpoint, ranges: Iterable[IPRange]) -> z3.BoolRef:
        """The endpoint's address lies in one of the ranges."""
        return Or([And(ep.ip_v6 == (r.version == 6), ep.ip >= r.lo, ep.ip <= r.hi) for r in ranges])

    # -- selectors and peers -------------------------------------------------------------------

    def requirement(self, req: Requirement, has: z3.BoolRef, val: z3.ArithRef) -> z3.BoolRef:
        """One selector requirement over a (has, value) pair."""
        ids = [self.value_id(v) for v in req.values]
        if req.operator is Operator.EXISTS:
            return has
        if req.operator is Operator.DOES_NOT_EXIST:
            return Not(has)
        if req.operator is Operator.IN:
            return And(has, Or([int_equals(val, i) for i in ids]))
        return Or(Not(has), And([Not(int_equals(val, i)) for i in ids]))

    def pod_selector(self, selector: LabelSelector, ep: SymEndpoint) -> z3.BoolRef:
        """The endpoint is a pod whose labels match the selector."""
        terms = [self.requirement(r, *ep.label(r.key)) for r in selector.requirements]
        for r in selector.requirements:
            self.ensure_label_key(r.key)
        return And(ep.is_pod, *terms)

    def namespace_selector(self, selector: LabelSelector, ep: SymEndpoint) -> z3.BoolRef:
        """The endpoint is a pod whose namespace's labels match the selector."""
        for r in selector.requirements:
            self.ensure_namespace_key(r.key)
        terms = [self.requirement(r, *ep.ns_label(r.key)) for r in selector.requirements]
        return And(ep.is_pod, *terms)

    def in_namespace(self, name: str, ep: SymEndpoint) -> z3.BoolRef:
        """The endpoint is a pod in the named namespace."""
        return And(ep.is_pod, ep.namespace_is(self.value_id(name)))

    def peer(self, peer: PeerIR, ep: SymEndpoint) -> z3.BoolRef:
        """A compiled peer matches the endpoint."""
        if isinstance(peer, AddressPeer):
            member = ep.in_block(self.block(peer.ranges))
            if peer.pods_too or self.match_pod_addresses:
                return member
            return And(Not(ep.is_pod), member)
        terms = [self.pod_selector(peer.pod_selector, ep)]
        if peer.namespace_name is not None:
            terms.append(self.in_namespace(peer.namespace_name, ep))
        if peer.namespace_selector is not None:
            terms.append(self.namespace_selector(peer.namespace_selector, ep))
        return And(terms)

    def ports(self, rule: RuleIR | TierRuleIR, dst: SymEndpoint) -> z3.BoolRef:
        """The connection's port and protocol match one of the rule's port entries."""
        if not rule.ports:
            return z3.BoolVal(True)
        terms = []
        for entry in rule.ports:
            if isinstance(entry, NamedPorts):
                for protocol in entry.protocols():
                    has, num = dst.named_port(entry.name, protocol)
                    proto = int_equals(self.protocol, PROTOCOL_IDS[protocol])
                    terms.append(And(proto, has, self.port == num))
            else:
                proto = int_equals(self.protocol, PROTOCOL_IDS[entry.protocol])
                terms.append(And(proto, self.port >= entry.lo, self.port <= entry.hi))
        return Or(terms)

    def selects(self, policy: PolicyIR, ep: SymEndpoint) -> z3.BoolRef:
        """The policy selects the endpoint: a pod of its namespace matching its podSelector."""
        return And(
            self.in_namespace(policy.namespace, ep), self.pod_selector(policy.pod_selector, ep)
        )

    # -- directions ----------------------------------------------------------------------------

    def literals_for(
        self, egress_namespaces: set[str] | None, ingress_namespaces: set[str] | None
    ) -> list[z3.BoolRef]:
        """The tracking literals a question needs.

        When the subject of a direction is known to lie in some namespaces, NetworkPolicies of
        other namespaces cannot select it: their definitions are left out (their rules can
        then only be false, as ``fires -> selects`` is unconditional). None = any namespace.
        """
        wanted = {Direction.EGRESS: egress_namespaces, Direction.INGRESS: ingress_namespaces}
        return self._literals_kept(wanted, lambda meaning: meaning.namespace)

    def literals_selecting(
        self,
        egress_groups: tuple[PodGroup, ...] | None,
        ingress_groups: tuple[PodGroup, ...] | None,
    ) -> list[z3.BoolRef]:
        """The tracking literals a question about existing pods needs: cluster-scoped rules,
        and the NetworkPolicies that select one of the subject's groups.

        A NetworkPolicy that selects none of them cannot isolate the subject, and its rules
        cannot fire (``fires -> selects`` is unconditional), so leaving its definitions out
        keeps the semantics exact and the unsat core small. None = any pod (all literals of
        that direction are kept).
        """
        wanted = {
            Direction.EGRESS: _selecting(self.policies, egress_groups, Direction.EGRESS),
            Direction.INGRESS: _selecting(self.policies, ingress_groups, Direction.INGRESS),
        }
        return self._literals_kept(wanted, lambda meaning: meaning.policy)

    def _literals_kept(
        self,
        wanted: Mapping[Direction, set[str] | None],
        scope: Callable[[Tracked], str | None],
    ) -> list[z3.BoolRef]:
        """Literals whose ``scope`` (namespace or policy) is wanted for their direction;
        cluster-scoped ones (scope None) always, and every one where ``wanted`` is None."""
        out = []
        for literal, meaning in zip(self.literals, self._literal_meanings, strict=True):
            chosen, key = wanted[meaning.direction], scope(meaning)
            if key is None or chosen is None or key in chosen:
                out.append(literal)
        return out

    def tracked(self) -> list[tuple[z3.BoolRef, int, Tracked]]:
        """Every tracking literal with its Z3 id and what it stands for."""
        return list(zip(self.literals, self._literal_ids, self._literal_meanings, strict=True))

    def _track(self, name: str, meaning: Tracked, body: z3.BoolRef) -> None:
        literal = z3.Bool(name)
        self.literals.append(literal)
        self.meaning[name] = meaning
        self.meaning_by_id[literal.get_id()] = meaning
        self._literal_ids.append(literal.get_id())
        self._literal_meanings.append(meaning)
        self.hard.append(Implies(literal, body))

    def isolated_var(self, direction: Direction) -> z3.BoolRef:
        """True when the direction's subject (dst for ingress, src for egress) is isolated."""
        return z3.Bool(f"{self.tag}isolated.{direction.value.lower()}")

    def _direction(
        self, direction: Direction, subject: SymEndpoint, peer: SymEndpoint
    ) -> z3.BoolRef:
        tag = direction.value.lower()
        isolated = self.isolated_var(direction)
        relevant = [p for p in self.policies.policies if direction in p.directions]
        selections = {p.ident: self.selects(p, subject) for p in relevant}
        self.hard.append(Implies(isolated, Or(list(selections.values()))))
        fires: list[z3.BoolRef] = []
        for policy in relevant:
            selected = selections[policy.ident]
            self._track(
                f"{self.tag}iso:{tag}:{policy.ident}",
                Tracked("isolation", policy.ident, direction, policy.namespace, policy.ident),
                Implies(selected, isolated),
            )
            for rule in policy.rules(direction):
                fire = z3.Bool(f"{self.tag}fires:{rule.ident}")
                self.fires[rule.ident] = fire
                self.fires_in[policy.namespace].append((rule.ident, fire))
                fires.append(fire)
                self.hard.append(Implies(fire, selected))
                body = And(selected, self.peer_of(rule, peer), self.ports(rule, self.dst))
                self._track(
                    f"{self.tag}rule:{rule.ident}",
                    Tracked("rule", rule.ident, direction, policy.namespace, policy.ident),
                    fire == body,
                )
        np_decides = Or(fires) if fires else z3.BoolVal(False)
        admin = self._tier(Tier.ADMIN, direction, subject, peer)
        baseline = self._tier(Tier.BASELINE, direction, subject, peer)
        if admin is None and baseline is None:
            return Or(Not(subject.is_pod), Not(isolated), *fires)
        admin_allow, admin_open = admin or (z3.BoolVal(False), z3.BoolVal(True))
        base_allow, base_open = baseline or (z3.BoolVal(False), z3.BoolVal(True))
        below = z3.If(isolated, np_decides, Or(base_allow, base_open))
        return Or(Not(subject.is_pod), admin_allow, And(admin_open, below))

    def _tier(
        self, tier: Tier, direction: Direction, subject: SymEndpoint, peer: SymEndpoint
    ) -> tuple[z3.BoolRef, z3.BoolRef] | None:
        """(the tier allows, the tier leaves the decision to the next one); first match wins.

        Each rule's match is a tracked definition, so a denial's core can name admin and
        baseline rules too. None when the tier has no rule in this direction.
        """
        rules = self.policies.tier_rules(tier, direction)
        if not rules:
            return None
        earlier: list[z3.BoolRef] = []
        allow: list[z3.BoolRef] = []
        passed: list[z3.BoolRef] = []
        for rule in rules:
            match = z3.Bool(f"{self.tag}matches:{rule.ident}")
            body = And(
                self.tier_subject(rule, subject),
                self.peer_of(rule, peer),
                self.ports(rule, self.dst),
            )
            self._track(
                f"{self.tag}rule:{rule.ident}",
                Tracked("rule", rule.ident, direction),
                match == body,
            )
            first = And(match, *[Not(e) for e in earlier])
            if rule.action is Action.ALLOW:
                decided = z3.Bool(f"{self.tag}fires:{rule.ident}")
                self.hard.append(decided == first)
                self.fires[rule.ident] = decided
                self.fires_in[None].append((rule.ident, decided))
                allow.append(decided)
            elif rule.action is Action.PASS:
                passed.append(first)
            earlier.append(match)
        untouched = And([Not(e) for e in earlier])
        return Or(allow) if allow else z3.BoolVal(False), Or(untouched, *passed)

    def tier_subject(self, rule: TierRuleIR, ep: SymEndpoint) -> z3.BoolRef:
        """A cluster-scoped rule's subject selects the endpoint."""
        return And(
            self.namespace_selector(rule.subject_namespaces, ep),
            self.pod_selector(rule.subject_pods, ep),
        )

    def peer_of(self, rule: RuleIR | TierRuleIR, ep: SymEndpoint) -> z3.BoolRef:
        """Some peer of the rule matches the endpoint (every endpoint if the rule has none)."""
        if rule.peers is None:
            return z3.BoolVal(True)
        return Or([self.peer(p, ep) for p in rule.peers])

    # -- endpoint constraints used by queries --------------------------------------------------

    def is_group(self, ep: SymEndpoint, groups: Iterable[PodGroup]) -> z3.BoolRef:
        """The endpoint is one of these existing pod groups."""
        return Or([ep.group_is(g.index) for g in groups])

    def is_hypothetical(self, ep: SymEndpoint) -> z3.BoolRef:
        """The endpoint is a pod that need not exist, in a namespace with a valid name."""
        valid = [ep.namespace == i for i in self.vocab.namespace_name_ids()]
        fresh = ep.namespace >= len(self.vocab)
        return And(ep.group == HYPOTHETICAL, Or(*valid, fresh))

    def is_address(self, ep: SymEndpoint, ranges: Iterable[IPRange]) -> z3.BoolRef:
        """The endpoint is an external address in one of the ranges."""
        return And(ep.group == EXTERNAL, self.address_in(ep, ranges))


def _selecting(
    policies: PolicySet, groups: tuple[PodGroup, ...] | None, direction: Direction
) -> set[str] | None:
    """Idents of the NetworkPolicies with ``direction`` that select one of ``groups``."""
    if groups is None:
        return None
    chosen: set[str] = set()
    for group in groups:
        for policy in policies.by_namespace.get(group.namespace, ()):
            if direction in policy.directions and policy.pod_selector.matches(group.labels):
                chosen.add(policy.ident)
    return chosen
