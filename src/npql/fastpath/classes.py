"""Behaviour classes: groups whose side of a direction is decided by the same chain of rules.

Egress: the same chain. Ingress: the same chain and the same numbers for the port names the
chain uses (ingress resolves names at the subject). Every answer is computed once per class:

* ``own_cells``: a class's answer for every peer, as cells. The peers split by which rules of
  the chain match them (their peer bitsets) and, for egress, by the destination's numbers of
  the chain's port names; the chain is evaluated once per part;
* ``transposed``: every subject's answer to one fixed peer. A class whose chain holds no rule
  matching the peer answers its default (no rule matched); only classes whose chain holds a
  matching rule are evaluated again, memoised per class and matching rules;
* ``answer``: one class's answer to one peer, given the rules matching that peer.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from npql.fastpath.bits import bits_of, indices, lowest
from npql.fastpath.cells import CellBuilder, Cells, Lru
from npql.ir.addresses import IPRange
from npql.ir.groups import PodGroup
from npql.ir.policies import AddressPeer, NamedPorts, RuleIR, TierRuleIR
from npql.model.objects import Protocol
from npql.model.policy import Direction
from npql.model.ports import PortSet

if TYPE_CHECKING:
    from npql.fastpath.engine import BitsetEngine

AnyRule = RuleIR | TierRuleIR
PeerTest = Callable[[AnyRule], bool]
NamedKey = tuple[str, Protocol]

CACHE = 4096  # transposed answers and rule sets kept (LRU)


@dataclass(frozen=True, slots=True, eq=False)
class Chain:
    """The rules that decide one direction of a subject, in evaluation order."""

    admin: tuple[TierRuleIR, ...]
    np: tuple[RuleIR, ...] | None  # None: no NetworkPolicy isolates the subject
    baseline: tuple[TierRuleIR, ...]
    rules: tuple[AnyRule, ...]  # every rule above, once
    rule_ids: frozenset[int]
    named: tuple[NamedKey, ...]  # (port name, protocol) the rules resolve

    @classmethod
    def of(
        cls,
        admin: tuple[TierRuleIR, ...],
        np_rules: tuple[RuleIR, ...] | None,
        baseline: tuple[TierRuleIR, ...],
    ) -> Chain:
        """The chain of these rules."""
        unique: dict[int, AnyRule] = {}
        everything: tuple[AnyRule, ...] = (*admin, *(np_rules or ()), *baseline)
        for r in everything:
            unique[id(r)] = r
        rules = tuple(unique.values())
        named = {
            (e.name, proto): None
            for r in rules
            for e in r.ports
            if isinstance(e, NamedPorts)
            for proto in e.protocols()
        }
        return cls(admin, np_rules, baseline, rules, frozenset(unique), tuple(named))


def never(rule: AnyRule) -> bool:
    """The peer test of a peer no rule matches."""
    return False


def member(ids: frozenset[int]) -> PeerTest:
    """The peer test of a peer matched by exactly the rules ``ids``."""
    return lambda r: id(r) in ids


def named_identity(group: PodGroup) -> tuple[tuple[NamedKey, int], ...]:
    """A group's declared port names, as a hashable key."""
    return tuple(sorted(group.named_ports.items()))


def admits_range(rule: AnyRule, atom: IPRange) -> bool:
    """Whether a rule's peers admit a partition part (a part lies inside a block or outside it)."""
    if rule.peers is None:
        return True
    return any(
        isinstance(p, AddressPeer)
        and any(r.version == atom.version and r.lo <= atom.lo and atom.hi <= r.hi for r in p.ranges)
        for p in rule.peers
    )


class BehaviourClasses:
    """The behaviour classes of one direction's subjects, and answers computed per class."""

    def __init__(
        self, engine: BitsetEngine, direction: Direction, chains: list[Chain], chain_of: list[int]
    ) -> None:
        self.engine = engine
        self.direction = direction
        interned: dict[tuple[int, tuple[int | None, ...]], int] = {}
        self.of: list[int] = []  # group -> class
        self.member_lists: list[list[int]] = []
        self.chain: list[Chain] = []
        self.rep: list[int] = []  # a group of each class
        ingress = direction is Direction.INGRESS
        for g, cid in enumerate(chain_of):
            chain = chains[cid]
            numbers: tuple[int | None, ...] = ()
            if ingress and chain.named:
                declared = engine.groups[g].named_ports
                numbers = tuple(declared.get(k) for k in chain.named)
            key = (cid, numbers)
            number = interned.get(key)
            if number is None:
                number = interned[key] = len(self.chain)
                self.member_lists.append([])
                self.chain.append(chain)
                self.rep.append(g)
            self.member_lists[number].append(g)
            self.of.append(number)
        self.members = [bits_of(m, engine.size) for m in self.member_lists]
        # each class's answer to a peer no rule matches (ports never resolve then)
        self.default = [engine._run(c, never, None) for c in self.chain]
        defaults = CellBuilder()
        for k, ports in enumerate(self.default):
            defaults.add_bits(self.members[k], ports)
        self.default_cells = defaults.cells(engine.size, None)
        # the rules of the chains, by their peer bitsets ("tokens": equal bitsets share one)
        self.classes_of_rule: dict[int, list[int]] = {}
        token_of_bits: dict[int, int] = {}
        self.token_rules: list[list[AnyRule]] = []
        self.token_bits: list[int] = []
        for k, chain in enumerate(self.chain):
            for r in chain.rules:
                seen = self.classes_of_rule.get(id(r))
                if seen is not None:
                    if seen[-1] != k:
                        seen.append(k)
                    continue
                self.classes_of_rule[id(r)] = [k]
                bits = engine.peer_bits(r)
                token = token_of_bits.get(bits)
                if token is None:
                    token = token_of_bits[bits] = len(self.token_bits)
                    self.token_bits.append(bits)
                    self.token_rules.append([])
                self.token_rules[token].append(r)
        self._matching: list[tuple[int, ...]] | None = None
        self._own: dict[int, Cells] = {}
        self._transposed: Lru[Hashable, Cells] = Lru(CACHE)
        self._matched: Lru[tuple[int, ...], frozenset[int]] = Lru(CACHE)
        self._decisions: dict[Hashable, PortSet] = {}

    # -- which rules match a peer ----------------------------------------------------------------

    def index_all(self) -> None:
        """For every group at once, the tokens that contain it (before many ``matching``)."""
        if self._matching is not None:
            return
        lists: list[list[int]] = [[] for _ in range(self.engine.size)]
        for token, bits in enumerate(self.token_bits):
            for g in indices(bits):
                lists[g].append(token)
        self._matching = [tuple(x) for x in lists]

    def matching(self, peer: int) -> tuple[int, ...]:
        """Tokens of the rules (of this direction's chains) whose peers match group ``peer``."""
        if self._matching is not None:
            return self._matching[peer]
        return tuple(t for t, bits in enumerate(self.token_bits) if bits >> peer & 1)

    def matched(self, tokens: tuple[int, ...]) -> frozenset[int]:
        """Ids of the rules of ``tokens``."""
        found = self._matched.get(tokens)
        if found is None:
            found = frozenset(id(r) for t in tokens for r in self.token_rules[t])
            self._matched.put(tokens, found)
        return found

    # -- answers ----------------------------------------------------------------------------------

    def own_cells(self, number: int) -> Cells:
        """A class's answer for every peer group."""
        cells = self._own.get(number)
        if cells is None:
            cells = self._own[number] = self._own_cells(number)
        return cells

    def _own_cells(self, number: int) -> Cells:
        engine = self.engine
        chain = self.chain[number]
        parts = engine._refine(chain.rules, engine.all)
        egress = self.direction is Direction.EGRESS
        if egress and chain.named:
            parts = engine._split_named(parts, chain.named)
        out = CellBuilder()
        for bits, sig in parts:
            dst = lowest(bits) if egress else self.rep[number]
            out.add_bits(bits, engine._run(chain, member(sig), dst))
        return out.cells(engine.size, engine.ports.empty)

    def transposed(self, tokens: tuple[int, ...], dst: int | None) -> Cells:
        """Every subject's answer to one fixed peer, matched by the rules of ``tokens``
        (``dst``: that peer, when it is the destination: egress resolves names there)."""
        named = () if dst is None else named_identity(self.engine.groups[dst])
        key = (tokens, named)
        cells = self._transposed.get(key)
        if cells is None:
            cells = self._transpose(self.matched(tokens), dst)
            self._transposed.put(key, cells)
        return cells

    def _transpose(self, matched: frozenset[int], dst: int | None) -> Cells:
        engine = self.engine
        touched = dict.fromkeys(k for rid in matched for k in self.classes_of_rule.get(rid, ()))
        moved = CellBuilder()  # classes whose answer is not their default
        left: dict[int, list[int]] = {}  # default port set -> classes that moved away
        for k in touched:
            ports = self.answer(k, matched, dst)
            default = self.default[k]
            if ports is default:
                continue
            left.setdefault(id(default), []).append(k)
            for g in self.member_lists[k]:
                moved.add_member(g, ports)
        out = CellBuilder()
        for bits, ports in self.default_cells:
            gone = left.get(id(ports))
            out.add_bits(bits ^ self._bits_of(gone) if gone else bits, ports)
        for bits, ports in moved.cells(engine.size, engine.ports.empty):
            out.add_bits(bits, ports)
        return out.cells(engine.size, engine.ports.empty)

    def _bits_of(self, classes: list[int]) -> int:
        if len(classes) == 1:
            return self.members[classes[0]]
        return bits_of([g for k in classes for g in self.member_lists[k]], self.engine.size)

    def answer(self, number: int, matched: frozenset[int], dst: int | None) -> PortSet:
        """A class's answer to a peer matched by the rules ``matched`` (those of its chain
        count); ``dst``: where egress resolves port names (None: at an address)."""
        chain = self.chain[number]
        sub = chain.rule_ids & matched
        if not sub:
            return self.default[number]
        target: int | None
        names: tuple[int | None, ...] | None
        if self.direction is Direction.INGRESS:
            target, names = self.rep[number], ()  # names resolve at the subject: per class
        elif dst is None:
            target, names = None, None
        else:
            declared = self.engine.groups[dst].named_ports
            target, names = dst, tuple(declared.get(n) for n in chain.named)
        key = (number, sub, names)
        found = self._decisions.get(key)
        if found is None:
            found = self._decisions[key] = self.engine._run(chain, member(sub), target)
        return found


class RangeAnswers:
    """Each group's answers for a list of address parts, computed once per behaviour class."""

    def __init__(self, classes: BehaviourClasses, parts: Sequence[IPRange]) -> None:
        self.classes = classes
        self.parts = tuple(parts)
        rules = [
            r
            for token in classes.token_rules
            for r in token
            if r.peers is None or any(isinstance(p, AddressPeer) for p in r.peers)
        ]
        self._admitted = [
            frozenset(id(r) for r in rules if admits_range(r, atom)) for atom in self.parts
        ]
        self._answers: dict[int, tuple[PortSet, ...]] = {}

    def of(self, group: int) -> int:
        """The behaviour class of a group (equal classes: equal answers)."""
        return self.classes.of[group]

    def answers(self, group: int) -> tuple[PortSet, ...]:
        """The group's answer for each part, in order."""
        number = self.classes.of[group]
        found = self._answers.get(number)
        if found is None:
            answer = self.classes.answer
            found = tuple(answer(number, admitted, None) for admitted in self._admitted)
            self._answers[number] = found
        return found
