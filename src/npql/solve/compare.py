"""Z3 questions about two versions of a policy set, and about removing parts of one.

* :func:`differences` — connections one version allows and the other does not, over every pod
  that could exist (and external addresses), one witness per *class* of difference: the class
  is which rules fire and which ends are isolated in each version, so a witness stands for all
  connections that differ for the same reason.
* :class:`RemovalSolver` — whether removing policies, rules, peers or ports changes what is
  allowed: one encoding, one solver, each question an incremental check under assumptions.

Everything returned is solver-free (:mod:`npql.compare.results`).
"""

from __future__ import annotations

import ipaddress
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import z3

from npql.compare.elements import Element, Removal
from npql.compare.results import NEW, OLD, PossibleChange, PossibleEndpoint
from npql.encode.encoding import PROTOCOL_OF_ID, Encoding
from npql.encode.endpoint import SymEndpoint
from npql.encode.link import (
    Linked,
    Space,
    Version,
    hypothetical_address_facts,
    pair_domain,
)
from npql.encode.query import membership, port_constraint
from npql.ir.policies import PolicyIR, RuleIR
from npql.ir.sides import PortQuery
from npql.model.objects import NAMESPACE_NAME_LABEL, ContainerPort, Pod
from npql.model.policy import Direction
from npql.model.ports import EMPTY
from npql.solve.can import decode_labels
from npql.solve.engine import Outcome, unknown_reason

_ACTIVE: weakref.WeakSet[_Checker] = weakref.WeakSet()


def interrupt_all() -> None:
    """Stop every running comparison check (from another thread); each then reports unknown."""
    for checker in list(_ACTIVE):
        checker.interrupt()


class _Checker:
    """A solver fed incrementally from growing lists of facts; each check in its own scope."""

    def __init__(self, timeout_ms: int | None) -> None:
        self.solver = z3.Solver()
        self.timeout_ms = timeout_ms
        self.checks = 0
        self._fed: dict[int, int] = {}
        _ACTIVE.add(self)

    def interrupt(self) -> None:
        """Stop a running check from another thread (it reports unknown)."""
        self.solver.ctx.interrupt()

    def _feed(self, facts: list[z3.BoolRef]) -> None:
        done = self._fed.get(id(facts), 0)
        if done < len(facts):
            self.solver.add(*facts[done:])
            self._fed[id(facts)] = len(facts)

    def _run(
        self,
        constraints: Sequence[z3.BoolRef],
        literals: list[z3.BoolRef],
        assumptions: Sequence[z3.BoolRef] = (),
    ) -> tuple[Outcome, set[str]]:
        """One check; when unsat, the names of ``assumptions`` in the core."""
        self.checks += 1
        self.solver.set("timeout", int(self.timeout_ms) if self.timeout_ms else 0)
        self.solver.push()
        try:
            self.solver.add(*constraints)
            result = self.solver.check(*literals, *assumptions)
            if result == z3.sat:
                return Outcome("sat", model=self.solver.model()), set()
            if result == z3.unsat:
                names = {str(a) for a in assumptions}
                core = {str(c) for c in self.solver.unsat_core()} & names if names else set()
                return Outcome("unsat"), core
            return Outcome("unknown", reason=unknown_reason(self.solver.reason_unknown())), set()
        finally:
            self.solver.pop()


# -- two versions --------------------------------------------------------------------------------


class PairSolver(_Checker):
    """Both versions' encodings and their links, in one solver."""

    def __init__(self, linked: Linked, timeout_ms: int | None = None) -> None:
        super().__init__(timeout_ms)
        self.linked = linked

    @classmethod
    def of(cls, old: Version, new: Version, timeout_ms: int | None = None) -> PairSolver:
        """Encode and link two versions."""
        return cls(Linked(old, new), timeout_ms)

    def check(
        self, constraints: Sequence[z3.BoolRef], assumptions: Sequence[z3.BoolRef] = ()
    ) -> Outcome:
        """Is there a connection in the symbolic domain satisfying ``constraints``?"""
        return self.check_core(constraints, assumptions)[0]

    def check_core(
        self, constraints: Sequence[z3.BoolRef], assumptions: Sequence[z3.BoolRef] = ()
    ) -> tuple[Outcome, set[str]]:
        """:meth:`check` under extra ``assumptions``; when unsat, those in the core (by name)."""
        domain = self.linked.domain()
        self.linked.sync()
        for enc in self.linked.encodings:
            self._feed(enc.hard)
        self._feed(self.linked.facts)
        return self._run([domain, *constraints], self.linked.literals, assumptions)


@dataclass
class Search:
    """Differences found; ``complete`` when no other class exists, ``reason`` if undecided."""

    found: list[PossibleChange] = field(default_factory=list)
    complete: bool = False
    reason: str | None = None


def differences(
    pair: PairSolver,
    change: str,
    *,
    limit: int,
    extra: Sequence[z3.BoolRef] = (),
) -> Search:
    """Up to ``limit`` classes of connections allowed by one version only.

    ``change`` "added": allowed by the new version and not by the old; "removed": the reverse.
    ``extra`` narrows the search (e.g. to connections outside an intent).
    """
    linked = pair.linked
    allowing, denying = (linked.new, linked.old) if change == "added" else (linked.old, linked.new)
    goal = [allowing.allowed, z3.Not(denying.allowed), *extra]
    search = Search()
    blocks: list[z3.BoolRef] = []
    while True:
        outcome, used = _first_sat(pair, [*goal, *blocks])
        if outcome.status == "unsat":
            search.complete = True
            return search
        if outcome.status == "unknown":
            search.reason = outcome.reason
            return search
        if len(search.found) == limit:
            return search
        outcome = _minimise(pair, [*goal, *blocks, *used], outcome)
        assert outcome.model is not None
        search.found.append(_decode(linked, outcome.model, change))
        blocks.append(_block(linked, outcome.model))


def _preferred(linked: Linked) -> list[z3.BoolRef]:
    """Witness preference: two pods, in namespaces that exist in some version."""
    known = sorted({n for v in linked.versions for n in v.defined_namespaces()})
    ids = [linked.vocab.intern(n) for n in known]
    ends = (linked.new.src, linked.new.dst)
    return [*(ep.is_pod for ep in ends), *(z3.Or([ep.namespace == i for i in ids]) for ep in ends)]


def _first_sat(pair: PairSolver, goal: list[z3.BoolRef]) -> tuple[Outcome, list[z3.BoolRef]]:
    """A preferred witness if there is one; otherwise the decisive check without preference."""
    extra = _preferred(pair.linked)
    outcome = pair.check([*goal, *extra])
    if outcome.status == "sat":
        return outcome, extra
    return pair.check(goal), []


def _true(model: z3.ModelRef, term: z3.BoolRef) -> bool:
    return bool(z3.is_true(model.eval(term, model_completion=True)))


def _int(model: z3.ModelRef, term: z3.ArithRef) -> int:
    return int(model.eval(term, model_completion=True).as_long())


def _minimise(pair: PairSolver, goal: list[z3.BoolRef], outcome: Outcome) -> Outcome:
    """Drop the labels, named ports and new-namespace labels the witness does not need.

    Every flag is assumed absent; the unsat core names flags that cannot all be absent, which
    are then left free; repeat until sat (each round frees at least one flag).
    """
    linked = pair.linked
    assert outcome.model is not None
    model = outcome.model
    defined = {n for v in linked.versions for n in v.defined_namespaces()}
    flags: list[z3.BoolRef] = []
    for ep in (linked.new.src, linked.new.dst):
        if not _true(model, ep.is_pod):
            continue
        flags += [ep.label(k)[0] for k in sorted(ep.label_keys())]
        flags += [ep.named_port(*k)[0] for k in ep.named_port_keys()]
        namespace = linked.vocab.lookup(_int(model, ep.namespace))
        if namespace not in defined:
            keys = sorted(k for k in ep.ns_label_keys() if k != NAMESPACE_NAME_LABEL)
            flags += [ep.ns_label(k)[0] for k in keys]
    if not flags:
        return outcome
    switches = [z3.Bool(f"npql.minimise.{i}") for i in range(len(flags))]
    drops = [z3.Implies(sw, z3.Not(f)) for sw, f in zip(switches, flags, strict=True)]
    assumed = list(switches)
    while assumed:
        trial, core = pair.check_core([*goal, *drops], assumed)
        if trial.status == "sat":
            outcome = trial
            break
        if trial.status != "unsat" or not core:
            return outcome
        assumed = [sw for sw in assumed if str(sw) not in core]
    # Cores need not be minimal: freed flags still set are tried one by one.
    assert outcome.model is not None
    fixed = list(assumed)
    kept = {str(sw) for sw in assumed}
    for sw, flag in zip(switches, flags, strict=True):
        if str(sw) in kept or not _true(outcome.model, flag):
            continue
        trial, _ = pair.check_core([*goal, *drops], [*fixed, sw])
        if trial.status == "sat":
            fixed.append(sw)
            outcome = trial
    return outcome


def _block(linked: Linked, model: z3.ModelRef) -> z3.BoolRef:
    """Exclude this class: the same rules firing and the same isolation in both versions."""
    terms: list[z3.BoolRef] = [linked.new.src.is_pod, linked.new.dst.is_pod]
    for enc in linked.encodings:
        terms += list(enc.fires.values())
        terms += [enc.isolated_var(d) for d in Direction]
    return z3.Not(z3.And([t == _true(model, t) for t in terms]))


def _decode(linked: Linked, model: z3.ModelRef, change: str) -> PossibleChange:
    allowing, denying = (linked.new, linked.old) if change == "added" else (linked.old, linked.new)
    enc = linked.new
    protocol = PROTOCOL_OF_ID[_int(model, enc.protocol)]
    denied = [
        d
        for d, ok in (
            (Direction.EGRESS, denying.egress_ok),
            (Direction.INGRESS, denying.ingress_ok),
        )
        if not _true(model, ok)
    ]
    return PossibleChange(
        change=change,
        source=decode_endpoint(linked, model, 0),
        target=decode_endpoint(linked, model, 1),
        ports=EMPTY,
        port=_int(model, enc.port),
        protocol=protocol,
        allowed_by=tuple(r for r, fire in allowing.fires.items() if _true(model, fire)),
        denied_in=tuple(d.value.lower() for d in denied),
    )


def decode_endpoint(linked: Linked, model: z3.ModelRef, which: int) -> PossibleEndpoint:
    """The source (``which`` 0) or destination (1) of a model of the linked encodings."""
    old_ep, new_ep = list(linked.endpoints())[which]
    vocab = linked.vocab
    if not _true(model, new_ep.is_pod):
        return PossibleEndpoint(address=_address(model, new_ep))
    ns_id = _int(model, new_ep.namespace)
    known = vocab.lookup(ns_id)
    namespace = known if known is not None else vocab.fresh(ns_id, "new-ns-")
    labels = _labels(linked, model, new_ep)
    ports = tuple(
        ContainerPort(_int(model, num), proto, name)
        for (name, proto), (has, num) in sorted(
            ((k, new_ep.named_port(*k)) for k in new_ep.named_port_keys()),
            key=lambda kv: (kv[0][0], kv[0][1].value),
        )
        if _true(model, has)
    )
    ns_labels = []
    for version, ep in zip(linked.versions, (old_ep, new_ep), strict=True):
        if namespace in version.defined_namespaces():
            ns_labels.append(dict(version.model.namespace_labels(namespace)))
            continue
        decoded = _ns_labels(linked, model, ep)
        decoded[NAMESPACE_NAME_LABEL] = namespace
        ns_labels.append(decoded)
    match_ips = any(v.addresses_matter() for v in linked.versions)
    return PossibleEndpoint(
        namespace=namespace,
        labels=labels,
        named_ports=ports,
        namespace_labels_old=ns_labels[0],
        namespace_labels_new=ns_labels[1],
        new_namespace=all(namespace not in v.defined_namespaces() for v in linked.versions),
        address=_address(model, new_ep) if match_ips else None,
    )


def _address(model: z3.ModelRef, ep: SymEndpoint) -> str:
    value = _int(model, ep.ip)
    if _true(model, ep.ip_v6):
        return str(ipaddress.IPv6Address(value))
    return str(ipaddress.IPv4Address(value))


def _labels(linked: Linked, model: z3.ModelRef, ep: SymEndpoint) -> dict[str, str]:
    return decode_labels(linked.vocab, model, sorted(ep.label_keys()), ep.label)


def _ns_labels(linked: Linked, model: z3.ModelRef, ep: SymEndpoint) -> dict[str, str]:
    keys = sorted(k for k in ep.ns_label_keys() if k != NAMESPACE_NAME_LABEL)
    return decode_labels(linked.vocab, model, keys, ep.ns_label)


# -- intents -------------------------------------------------------------------------------------


def within(
    linked: Linked, version: str, source: Space, target: Space, ports: PortQuery
) -> z3.BoolRef:
    """The connection lies within sources x targets x ports, as ``version`` ("old"/"new") sees
    the namespaces' labels."""
    enc = linked.old if version == OLD else linked.new
    ports_term = port_constraint(enc, ports)
    hyp_terms = [_described(enc, enc.src, source), _described(enc, enc.dst, target)]
    linked.sync()  # clones must see every label key and named port either version observes
    src = z3.Or(hyp_terms[0], *[_clone(enc, enc.src, p) for p in source.clones])
    dst = z3.Or(hyp_terms[1], *[_clone(enc, enc.dst, p) for p in target.clones])
    return z3.And(src, dst, ports_term)


def outside(
    linked: Linked, version: str, source: Space, target: Space, ports: PortQuery
) -> z3.BoolRef:
    """The connection lies outside sources x targets x ports (see :func:`within`)."""
    return z3.Not(within(linked, version, source, target, ports))


def _described(enc: Encoding, ep: SymEndpoint, space: Space) -> z3.BoolRef:
    options: list[z3.BoolRef] = []
    if space.hypothetical is not None:
        options.append(membership(enc, ep, space.hypothetical))
    if space.ranges:
        options.append(z3.And(z3.Not(ep.is_pod), enc.address_in(ep, space.ranges)))
    return z3.Or(options) if options else z3.BoolVal(False)


def _clone(enc: Encoding, ep: SymEndpoint, pod: Pod) -> z3.BoolRef:
    """A pod no selector can tell apart from ``pod``: its namespace, and the same value (or
    absence) of every label key either version observes. Container ports may differ: which
    port a connection uses is the intent's port dimension."""
    terms = [ep.is_pod, ep.namespace == enc.value_id(pod.namespace)]
    for key in ep.label_keys():
        has, val = ep.label(key)
        value = pod.labels.get(key)
        terms.append(z3.Not(has) if value is None else z3.And(has, val == enc.value_id(value)))
    return z3.And(terms)


# -- removing parts of one version ---------------------------------------------------------------


def element_directions(element: Element) -> frozenset[Direction]:
    """The direction a rule, peer or port belongs to."""
    return frozenset() if element.direction is None else frozenset({element.direction})


class RemovalSolver(_Checker):
    """One version's encoding; questions about the same version with elements removed.

    The endpoints range over pods that need not exist and external addresses, so an answer holds
    for every pod anybody could create.
    """

    def __init__(self, version: Version, timeout_ms: int | None = None) -> None:
        super().__init__(timeout_ms)
        self.enc = version.encode()
        self.policies = {p.ident: p for p in version.policies.policies}
        self._facts: list[z3.BoolRef] = []
        self._blocks = 0
        self._selects: dict[tuple[str, Direction], z3.BoolRef] = {}

    def check(
        self,
        constraints: Sequence[z3.BoolRef],
        scope: dict[Direction, set[str] | None] | None = None,
    ) -> Outcome:
        """Is some connection of the symbolic domain allowed by ``constraints``?

        ``scope`` names, per direction, the namespaces the direction's subject is known to lie
        in (None: any), so that the definitions of other namespaces' NetworkPolicies are left
        out of the check — the constraints must then imply it.
        """
        domain = pair_domain(self.enc)
        self._facts += hypothetical_address_facts(self.enc, self._blocks)
        self._blocks = len(self.enc.blocks)
        self._feed(self.enc.hard)
        self._feed(self._facts)
        literals = self.enc.literals
        if scope is not None:
            literals = self.enc.literals_for(
                scope.get(Direction.EGRESS), scope.get(Direction.INGRESS)
            )
        return self._run([domain, *constraints], literals)[0]

    def _ends(self, direction: Direction) -> tuple[SymEndpoint, SymEndpoint]:
        enc = self.enc
        return (enc.dst, enc.src) if direction is Direction.INGRESS else (enc.src, enc.dst)

    def _selected(self, policy: PolicyIR, direction: Direction) -> z3.BoolRef:
        key = (policy.ident, direction)
        if key not in self._selects:
            self._selects[key] = self.enc.selects(policy, self._ends(direction)[0])
        return self._selects[key]

    def _rule(self, element: Element) -> tuple[PolicyIR, RuleIR]:
        policy = self.policies[element.policy]
        assert element.direction is not None and element.rule is not None
        return policy, policy.rules(element.direction)[element.rule]

    def _kept(self, policy: PolicyIR, rule: RuleIR, removal: Removal) -> RuleIR | None:
        """The rule as ``removal`` leaves it (None: unchanged)."""
        count = 0 if rule.peers is None else len(rule.peers)
        peers = removal.kept("peer", policy.ident, rule.direction, rule.index, count)
        ports = removal.kept("port", policy.ident, rule.direction, rule.index, len(rule.ports))
        if len(peers) == count and len(ports) == len(rule.ports):
            return None
        return replace(
            rule,
            peers=None if rule.peers is None else tuple(rule.peers[i] for i in peers),
            ports=tuple(rule.ports[i] for i in ports),
        )

    def _body(self, policy: PolicyIR, rule: RuleIR) -> z3.BoolRef:
        peer = self._ends(rule.direction)[1]
        selected = self._selected(policy, rule.direction)
        return z3.And(selected, self.enc.peer_of(rule, peer), self.enc.ports(rule, self.enc.dst))

    def isolated(self, direction: Direction, removal: Removal) -> z3.BoolRef:
        """Some NetworkPolicy left by ``removal`` isolates the direction's subject."""
        return z3.Or(
            [
                self._selected(p, direction)
                for p in self.policies.values()
                if direction in p.directions and not removal.policy_removed(p.ident)
            ]
        )

    def _touches(self, direction: Direction, removal: Removal) -> bool:
        for e in removal.elements:
            if e.kind == "policy" and direction in self.policies[e.policy].directions:
                return True
            if e.direction is direction:
                return True
        return False

    def ok(self, direction: Direction, removal: Removal) -> z3.BoolRef:
        """The direction admits the connection once ``removal`` is applied.

        The encoding's own formula for the direction, with the isolation variable and the
        ``fires`` variables of removed or shortened rules replaced: whatever else decides the
        direction (cluster-scoped tiers) stays as the encoding has it.
        """
        enc = self.enc
        base = enc.ingress_ok if direction is Direction.INGRESS else enc.egress_ok
        if not self._touches(direction, removal):
            return base
        subs: list[tuple[z3.BoolRef, z3.BoolRef]] = [
            (enc.isolated_var(direction), self.isolated(direction, removal))
        ]
        for policy in self.policies.values():
            if direction not in policy.directions:
                continue
            for rule in policy.rules(direction):
                if removal.rule_removed(policy.ident, direction, rule.index):
                    subs.append((enc.fires[rule.ident], z3.BoolVal(False)))
                    continue
                kept = self._kept(policy, rule, removal)
                if kept is not None:
                    subs.append((enc.fires[rule.ident], self._body(policy, kept)))
        return z3.substitute(base, *subs)

    def allowed(self, removal: Removal) -> z3.BoolRef:
        """The connection is allowed once ``removal`` is applied."""
        return z3.And(self.ok(Direction.EGRESS, removal), self.ok(Direction.INGRESS, removal))

    def changes(self, after: Removal, element: Element) -> Outcome:
        """sat (with a model) when ``after`` allows other connections than the original set.

        ``after`` is a set of removals known to change nothing, plus ``element``. Connections
        lost: allowed now, and no longer admitted in a direction the element belongs to, for a
        subject its policy selects. Connections gained (only when a whole policy goes): not
        allowed now, allowed after, for a subject its policy selected and no other isolates.
        Either way the subject lies in the policy's namespace.
        """
        policy = self.policies[element.policy]
        chosen = policy.directions if element.kind == "policy" else element_directions(element)
        directions = sorted(chosen, key=lambda d: d.value)
        outcome = Outcome("unsat")
        for d in directions:
            lost = z3.And(self._selected(policy, d), z3.Not(self.ok(d, after)))
            outcome = self.check([self.enc.allowed, lost], self._scope(d, policy, None))
            if outcome.status != "unsat":
                return outcome
        if element.kind != "policy":
            return outcome
        for d in directions:
            freed = z3.And(self._selected(policy, d), z3.Not(self.isolated(d, after)))
            outcome = self.check(
                [z3.Not(self.enc.allowed), self.allowed(after), freed],
                self._scope(d, policy, None),
            )
            if outcome.status != "unsat":
                return outcome
        return outcome

    def _scope(
        self, direction: Direction, policy: PolicyIR, other: set[str] | None
    ) -> dict[Direction, set[str] | None]:
        """The subject of ``direction`` is in the policy's namespace; the other one in
        ``other`` (None: anywhere; empty: the check does not involve that direction)."""
        opposite = Direction.EGRESS if direction is Direction.INGRESS else Direction.INGRESS
        return {direction: {policy.namespace}, opposite: other}

    def admits_nothing(self, element: Element) -> Outcome:
        """unsat when the element alone selects (policy) or admits (rule, peer, port) nothing."""
        if element.kind == "policy":
            policy = self.policies[element.policy]
            directions = sorted(policy.directions, key=lambda d: d.value)
            if not directions:
                return Outcome("unsat")
            return self.check([self._selected(policy, directions[0])], {})
        policy, rule = self._rule(element)
        scope = self._scope(rule.direction, policy, set())
        if element.kind == "rule":
            return self.check([self.enc.fires[rule.ident]], scope)
        assert element.index is not None
        if element.kind == "peer":
            assert rule.peers is not None
            part = replace(rule, peers=(rule.peers[element.index],))
        else:
            part = replace(rule, ports=(rule.ports[element.index],))
        return self.check([self._body(policy, part)], scope)

    def covers(self, cover: Element, rule: Element) -> Outcome:
        """unsat when rule ``cover`` fires wherever ``rule`` does (same direction)."""
        policy, r = self._rule(rule)
        _, q = self._rule(cover)
        fires = self.enc.fires
        scope = self._scope(r.direction, policy, set())
        return self.check([fires[r.ident], z3.Not(fires[q.ident])], scope)


__all__ = [
    "NEW",
    "OLD",
    "PairSolver",
    "RemovalSolver",
    "Search",
    "decode_endpoint",
    "differences",
    "interrupt_all",
    "outside",
    "within",
]
