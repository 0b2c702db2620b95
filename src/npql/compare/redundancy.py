"""Redundancy: policies, rules, peers and port entries removable without changing what is
allowed — for the loaded pods (bitsets), or for every possible pod (Z3).

Elements are tried coarse to fine (policies, rules, peers, ports), each phase in reverse file
order so that of two duplicates the later one is reported. An element is reported when
removing it alone from the original set changes nothing *and* removing it together with the
elements already reported changes nothing: the report is a set removable together, and each
element of it is removable by itself. A peer or port entry is only tried while its rule keeps
another one (removing the last would make the rule admit every peer / port).

One check per element and per comparison, each incremental: the bitset engine is rebuilt only
for the policy at hand's subjects; the solver keeps one encoding and checks under assumptions.
A rule that is redundant is also tested against every other rule of its namespace and
direction: when a single rule admits all it admits, it is *shadowed* by that rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from npql.compare.diff import version_of
from npql.compare.elements import Element, Removal
from npql.compare.locate import element_location
from npql.compare.ports import covers as port_covers
from npql.compare.results import RedundancyResult, RedundantElement
from npql.fastpath import BitsetEngine
from npql.ir.addresses import IPRange, block_ranges, partition
from npql.ir.groups import PodGroup
from npql.ir.policies import (
    AddressPeer,
    PolicyIR,
    PolicySet,
    RuleIR,
    compile_policies,
    compile_policy,
)
from npql.model.policy import Direction, NetworkPolicy, Peer, Rule
from npql.model.ports import EMPTY, FULL, PortSet
from npql.model.selector import LabelSelector
from npql.solve.compare import RemovalSolver

if TYPE_CHECKING:
    from npql.api.cluster import Cluster


class _Checks(Protocol):
    """What the search asks of an engine; None means undecided."""

    reason: str | None

    def changes(self, after: Removal, element: Element) -> bool | None:
        """Whether ``after`` (removals known to change nothing, plus ``element``) changes what
        is allowed."""

    def empty(self, element: Element) -> bool | None:
        """Whether the element by itself selects or admits nothing."""

    def covers(self, cover: Element, rule: Element) -> bool | None:
        """Whether rule ``cover`` admits everything ``rule`` admits."""


def redundant(
    cluster: Cluster, *, any_pod: bool = False, timeout_ms: int | None = None
) -> RedundancyResult:
    """Elements removable without changing what is allowed, for the loaded pods or (``any_pod``)
    for every possible pod."""
    checks: _Checks = _AnyPod(cluster, timeout_ms) if any_pod else _CurrentPods(cluster)
    policies = {p.ident: p for p in cluster.model.policies}
    removal = Removal()
    findings: list[RedundantElement] = []
    checked = 0

    def report(element: Element, reason: str, detail: str, by: str | None = None) -> None:
        nonlocal removal
        location = element_location(policies[element.policy], element)
        findings.append(RedundantElement(element, reason, detail, by, location))
        removal = removal.plus(element)

    for phase in ("policy", "ignored", "rule", "peer", "port"):
        for element in reversed(list(_candidates(cluster.model.policies, phase))):
            if removal.gone(element):
                continue
            if phase == "ignored":
                direction = element.direction.value if element.direction else ""
                report(
                    element,
                    "ignored",
                    f"{direction} is not in policyTypes: the rule is never used",
                )
                continue
            if phase in ("peer", "port") and not _has_another(removal, policies, element):
                continue
            checked += 1
            if checks.changes(Removal(frozenset({element})), element) is not False:
                continue
            if (
                _depends(removal, element, policies)
                and checks.changes(removal.plus(element), element) is not False
            ):
                continue
            reason, detail, by = _why(checks, removal, policies, element, any_pod)
            report(element, reason, detail, by)
    findings.sort(key=lambda f: f.element.sort_key())
    return RedundancyResult(
        str("redundant rules for any pod" if any_pod else "redundant rules"),
        any_pod,
        tuple(findings),
        checked,
        checks.reason,
        cluster.warnings,
    )


def _depends(removal: Removal, element: Element, policies: dict[str, NetworkPolicy]) -> bool:
    """Whether the check with ``removal`` can differ from the check of the element alone: a
    rule, peer or port only narrows its own namespace's policies, so only removals there
    matter; a policy that may free pods from isolation depends on every removal."""
    if not removal:
        return False
    if element.kind == "policy":
        return True
    namespace = policies[element.policy].namespace
    return any(policies[e.policy].namespace == namespace for e in removal.elements)


def _candidates(policies: tuple[NetworkPolicy, ...], phase: str) -> list[Element]:
    out: list[Element] = []
    for policy in policies:
        if phase == "policy":
            out.append(Element("policy", policy.ident))
            continue
        for direction in (Direction.INGRESS, Direction.EGRESS):
            used = direction in policy.policy_types
            for r, rule in enumerate(policy.rules(direction)):
                if phase == "ignored" and not used:
                    out.append(Element("rule", policy.ident, direction, r))
                if not used:
                    continue
                if phase == "rule":
                    out.append(Element("rule", policy.ident, direction, r))
                elif phase == "peer" and len(rule.peers) > 1:
                    out += [
                        Element("peer", policy.ident, direction, r, i)
                        for i in range(len(rule.peers))
                    ]
                elif phase == "port" and len(rule.ports) > 1:
                    out += [
                        Element("port", policy.ident, direction, r, i)
                        for i in range(len(rule.ports))
                    ]
    return out


def _has_another(removal: Removal, policies: dict[str, NetworkPolicy], element: Element) -> bool:
    assert element.direction is not None and element.rule is not None
    rule = policies[element.policy].rules(element.direction)[element.rule]
    count = len(rule.peers) if element.kind == "peer" else len(rule.ports)
    kept = removal.kept(element.kind, element.policy, element.direction, element.rule, count)
    return len(kept) > 1


def _why(
    checks: _Checks,
    removal: Removal,
    policies: dict[str, NetworkPolicy],
    element: Element,
    any_pod: bool,
) -> tuple[str, str, str | None]:
    pods = "no possible pod" if any_pod else "no loaded pod"
    if checks.empty(element):
        text = {
            "policy": f"selects {pods}",
            "rule": f"admits nothing: it fires for {pods}",
            "peer": f"matches nothing: no selected pod and peer ({pods}) fit together",
            "port": f"matches nothing: no port of a destination fits ({pods})",
        }[element.kind]
        return "empty", text, None
    if element.kind == "policy":
        return (
            "covered",
            "other policies isolate the same pods, and what it admits is admitted by them "
            f"or concerns {pods}",
            None,
        )
    if element.kind == "rule":
        cover = _shadowing(checks, removal, policies, element, any_pod)
        if cover is not None:
            return "shadowed", f"{cover.ident} admits everything it admits", cover.ident
        return "covered", "the other rules together admit everything it admits", None
    what = "peer" if element.kind == "peer" else "port entry"
    return "covered", f"the rule's other entries or other rules admit what this {what} adds", None


def _shadowing(
    checks: _Checks,
    removal: Removal,
    policies: dict[str, NetworkPolicy],
    element: Element,
    any_pod: bool,
) -> Element | None:
    owner = policies[element.policy]
    namespace = owner.namespace
    assert element.direction is not None and element.rule is not None
    rule = owner.rules(element.direction)[element.rule]
    for policy in policies.values():
        if policy.namespace != namespace or element.direction not in policy.policy_types:
            continue
        for r in range(len(policy.rules(element.direction))):
            other = Element("rule", policy.ident, element.direction, r)
            if other == element or removal.gone(other):
                continue
            q = policy.rules(element.direction)[r]
            if not _may_cover(q, rule, policy, owner, any_pod=any_pod):
                continue
            if checks.covers(other, element):
                return other
    return None


def _numeric(rule: Rule) -> PortSet | None:
    """The ports of a rule, when none is named (None: some entry is a name)."""
    if not rule.ports:
        return FULL
    out = EMPTY
    for port in rule.ports:
        if isinstance(port.port, str):
            return None
        if port.port is None:
            out = out.union(PortSet.of(port.protocol))
        else:
            out = out.union(PortSet.of(port.protocol, port.port, port.end_port or port.port))
    return out


def _blocks(rule: Rule) -> list[IPRange] | None:
    """The address ranges a rule's ipBlock peers admit (None: every peer, addresses too)."""
    if not rule.peers:
        return None
    return [
        r
        for p in rule.peers
        if p.ip_block is not None
        for r in block_ranges(p.ip_block.cidr, p.ip_block.excepts)
    ]


def _inside(ranges: list[IPRange], cover: list[IPRange] | None) -> bool:
    if cover is None:
        return True
    merged = {v: [(c.lo, c.hi) for c in cover if c.version == v] for v in (4, 6)}
    for r in ranges:
        left = [(r.lo, r.hi)]
        for lo, hi in sorted(merged[r.version]):
            left = [
                piece
                for a, b in left
                for piece in ((a, min(b, lo - 1)), (max(a, hi + 1), b))
                if piece[0] <= piece[1]
            ]
        if left:
            return False
    return True


def _keys(selector: LabelSelector | None) -> frozenset[str]:
    return frozenset() if selector is None else selector.keys()


def _peer_may_cover(cover: Peer, peer: Peer) -> bool:
    """Over every possible pod, a peer constraining a label key the other leaves free does not
    cover it (checked on keys only; a union of peers covering one is not seen)."""
    if cover.ip_block is not None:
        return False
    if not _keys(cover.pod_selector) <= _keys(peer.pod_selector):
        return False
    if peer.namespace_selector is not None:
        spaces = cover.namespace_selector
        return spaces is not None and spaces.keys() <= peer.namespace_selector.keys()
    return True


def _may_cover(
    cover: Rule,
    rule: Rule,
    cover_policy: NetworkPolicy,
    policy: NetworkPolicy,
    *,
    any_pod: bool,
) -> bool:
    """Cheap necessary conditions for ``cover`` to admit all ``rule`` admits: its ports cover the
    rule's (when no name is involved), its ipBlocks cover the rule's, it has pod peers if the
    rule has; and, over every possible pod, its policy's podSelector constrains no label key
    the rule's policy leaves free (a pod could then take a value it does not select)."""
    if any_pod and not cover_policy.pod_selector.keys() <= policy.pod_selector.keys():
        return False
    if (
        any_pod
        and cover.peers
        and not all(
            any(_peer_may_cover(q, p) for q in cover.peers)
            for p in rule.peers
            if p.ip_block is None
        )
    ):
        return False
    mine, theirs = _numeric(rule), _numeric(cover)
    if mine is not None and theirs is not None and not port_covers(theirs, mine):
        return False
    ranges = _blocks(rule)
    cover_ranges = _blocks(cover)
    if ranges is None:
        return cover_ranges is None
    if not _inside(ranges, cover_ranges):
        return False
    has_pods = any(p.ip_block is None for p in rule.peers)
    return not has_pods or not cover.peers or any(p.ip_block is None for p in cover.peers)


# -- the loaded pods: bitsets ------------------------------------------------------------------


def _subjects(policy: PolicyIR | NetworkPolicy, groups: tuple[PodGroup, ...]) -> list[int]:
    return [
        g.index
        for g in groups
        if g.namespace == policy.namespace and policy.pod_selector.matches(g.labels)
    ]


def _in_range(rule: RuleIR, part: IPRange) -> bool:
    if rule.peers is None:
        return True
    return any(
        isinstance(p, AddressPeer)
        and any(r.version == part.version and r.lo <= part.lo and part.hi <= r.hi for r in p.ranges)
        for p in rule.peers
    )


class _CurrentPods:
    """Checks over the loaded pods, by the bitset engine on the original pod grouping (any subset
    of the policies observes no more than the whole, so the grouping stays exact).

    Removing part of a policy of namespace N changes only the decisions of N's pods, which only
    N's NetworkPolicies (and the cluster-scoped tiers) make: an engine over those alone answers
    for them. Connections can then only be lost, unless a whole policy goes and frees pods from
    isolation: those are compared with an engine over every policy.
    """

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.groups = cluster.grouping.groups
        self.reason: str | None = None
        self.policies = {p.ident: p for p in cluster.policies.policies}
        self.models = {p.ident: p for p in cluster.model.policies}
        self.parts = {
            d: partition(4, cluster.policies.address_ranges(d))
            + partition(6, cluster.policies.address_ranges(d))
            for d in Direction
        }
        self.orig = cluster.bitsets
        self.between = lru_cache(maxsize=None)(self.orig.between)
        self._local: dict[tuple[str, frozenset[Element]], BitsetEngine] = {}

    def _engine(self, policies: PolicySet) -> BitsetEngine:
        return BitsetEngine(
            self.cluster.grouping,
            policies,
            ipblocks_match_pod_ips=self.cluster.options.ipblocks_match_pod_ips,
        )

    def local(self, removal: Removal, namespace: str) -> BitsetEngine:
        """An engine over the namespace's NetworkPolicies, after ``removal``, and the tiers."""
        mine = frozenset(
            e for e in removal.elements if self.models[e.policy].namespace == namespace
        )
        key = (namespace, mine)
        found = self._local.get(key)
        if found is None:
            model = self.cluster.model
            kept = Removal(mine).apply(
                replace(
                    model, policies=tuple(p for p in model.policies if p.namespace == namespace)
                )
            )
            compiled = tuple(compile_policy(p) for p in kept.policies)
            tiers = self.cluster.policies.tiers
            found = self._engine(PolicySet(compiled, {namespace: compiled}, tiers))
            if len(self._local) > 64:
                self._local.clear()
            self._local[key] = found
        return found

    def changes(self, after: Removal, element: Element) -> bool:
        policy = self.policies[element.policy]
        directions = policy.directions if element.kind == "policy" else {element.direction}
        engine = self.local(after, policy.namespace)
        freed: list[tuple[Direction, int]] = []
        for direction in directions:
            assert direction is not None
            for subject in _subjects(policy, self.groups):
                if element.kind == "policy" and not engine.isolated(subject, direction):
                    freed.append((direction, subject))
                elif self._narrowed(engine, subject, direction):
                    return True
                if self._ranges_differ(engine, subject, direction):
                    return True
        if freed:
            full = self._engine(compile_policies(after.apply(self.cluster.model)))
            return any(self._pairs_differ(full, s, d) for d, s in freed)
        return False

    def _pairs(self, subject: int, direction: Direction) -> Iterator[tuple[int, int]]:
        for other in range(len(self.groups)):
            s, d = (other, subject) if direction is Direction.INGRESS else (subject, other)
            if s != d or len(self.groups[s].pods) > 1:
                yield s, d

    def _narrowed(self, engine: BitsetEngine, subject: int, direction: Direction) -> bool:
        """Some allowed connection is no longer admitted by the subject's direction."""
        for s, d in self._pairs(subject, direction):
            allowed = self.between(s, d)
            if allowed.is_empty():
                continue
            side = engine.ingress(s, d) if direction is Direction.INGRESS else engine.egress(s, d)
            if not port_covers(side, allowed):
                return True
        return False

    def _pairs_differ(self, engine: BitsetEngine, subject: int, direction: Direction) -> bool:
        return any(
            engine.between(s, d) != self.between(s, d) for s, d in self._pairs(subject, direction)
        )

    def _ranges_differ(self, engine: BitsetEngine, subject: int, direction: Direction) -> bool:
        for part in self.parts[direction]:
            if direction is Direction.INGRESS:
                if engine.from_range(part, subject) != self.orig.from_range(part, subject):
                    return True
            elif engine.to_range(subject, part) != self.orig.to_range(subject, part):
                return True
        return False

    def _rule(self, element: Element) -> tuple[PolicyIR, RuleIR]:
        policy = self.policies[element.policy]
        assert element.direction is not None and element.rule is not None
        return policy, policy.rules(element.direction)[element.rule]

    def _part_of(self, element: Element) -> tuple[PolicyIR, RuleIR]:
        """The rule, or the rule reduced to one peer / port entry (with its own id)."""
        policy, rule = self._rule(element)
        if element.kind == "peer":
            assert rule.peers is not None and element.index is not None
            peers = (rule.peers[element.index],)
            ident = f"{rule.ident}#peer{element.index}"
            return policy, replace(rule, ident=ident, peers=peers)
        if element.kind == "port":
            assert element.index is not None
            ident = f"{rule.ident}#port{element.index}"
            return policy, replace(rule, ident=ident, ports=(rule.ports[element.index],))
        return policy, rule

    def admitted(self, rule: RuleIR, subject: int) -> tuple[dict[int, PortSet], dict[int, PortSet]]:
        """What a rule admits for one subject group: peer groups and address parts -> ports."""
        engine = self.orig
        bits = engine.peer_bits(rule)
        ingress = rule.direction is Direction.INGRESS
        pods: dict[int, PortSet] = {}
        for g in range(len(self.groups)):
            if bits >> g & 1:
                ports = engine.rule_ports(rule, subject if ingress else g)
                if not ports.is_empty():
                    pods[g] = ports
        parts: dict[int, PortSet] = {}
        for i, part in enumerate(self.parts[rule.direction]):
            if _in_range(rule, part):
                ports = engine.rule_ports(rule, subject if ingress else None)
                if not ports.is_empty():
                    parts[i] = ports
        return pods, parts

    def empty(self, element: Element) -> bool:
        if element.kind == "policy":
            return not _subjects(self.policies[element.policy], self.groups)
        policy, rule = self._part_of(element)
        return all(self.admitted(rule, s) == ({}, {}) for s in _subjects(policy, self.groups))

    def covers(self, cover: Element, rule: Element) -> bool:
        policy, r = self._rule(rule)
        other_policy, q = self._rule(cover)
        q_subjects = set(_subjects(other_policy, self.groups))
        for subject in _subjects(policy, self.groups):
            pods, parts = self.admitted(r, subject)
            if not pods and not parts:
                continue
            if subject not in q_subjects:
                return False
            q_pods, q_parts = self.admitted(q, subject)
            for key, ports in pods.items():
                if not port_covers(q_pods.get(key, EMPTY), ports):
                    return False
            for key, ports in parts.items():
                if not port_covers(q_parts.get(key, EMPTY), ports):
                    return False
        return True


# -- every possible pod: Z3 ------------------------------------------------------------------


class _AnyPod:
    """Checks over every possible pod, one solver for the whole search."""

    def __init__(self, cluster: Cluster, timeout_ms: int | None) -> None:
        self.solver = RemovalSolver(version_of(cluster), timeout_ms or cluster.options.timeout_ms)
        self.reason: str | None = None

    def _decided(self, status: str, when: str) -> bool | None:
        if status == "unknown":
            self.reason = self.reason or "the solver could not decide some checks"
            return None
        return status == when

    def changes(self, after: Removal, element: Element) -> bool | None:
        return self._decided(self.solver.changes(after, element).status, "sat")

    def empty(self, element: Element) -> bool | None:
        return self._decided(self.solver.admits_nothing(element).status, "unsat")

    def covers(self, cover: Element, rule: Element) -> bool | None:
        return self._decided(self.solver.covers(cover, rule).status, "unsat")
