"""``who could reach``: the exact space of possible sources, as a union of selector-shaped cubes.

For one target group and one class of ports (ports no rule tells apart), the sources that can
reach it form a set over finitely many propositions: the source's namespace name, and for each
label key a policy mentions, whether it is present and whether it equals each mentioned value.
We enumerate that set as cubes: take a model, keep its literals, drop every literal whose
removal still implies "allowed" (checked as: cube and not allowed is unsat), block the cube,
repeat. Each cube is a prime implicant, so the union is exact and short.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import z3

from npql.encode.encoding import PROTOCOL_IDS, Encoding
from npql.encode.endpoint import SymEndpoint
from npql.encode.query import forbidden_formula, not_self
from npql.ir.addresses import IPRange
from npql.ir.groups import PodGroup
from npql.ir.policies import AddressPeer, NumericPorts
from npql.ir.sides import Forbidden, PortQuery
from npql.model.objects import ALL_PROTOCOLS, NAMESPACE_NAME_LABEL, Protocol
from npql.model.ports import MAX_PORT, PortSet
from npql.model.selector import Operator
from npql.solve.engine import IncrementalSolver

MAX_CUBES = 64


@dataclass(frozen=True)
class Atom:
    """One proposition about the source: its namespace is ``value`` ("ns-name"), or its
    (namespace's) label ``key`` is present (``value`` None) or equals ``value``."""

    formula: z3.BoolRef
    scope: str  # "ns-name", "ns-label", "pod-label" or "pod-ip"
    key: str
    value: str | None
    ranges: tuple[IPRange, ...] = ()

    @property
    def if_true(self) -> str:
        """Text of the literal when the atom holds."""
        if self.scope == "ns-name":
            return f"ns {self.value}"
        if self.scope == "pod-ip":
            return f"pod IP in {self.key}"
        return self.key if self.value is None else f"{self.key}={self.value}"

    @property
    def if_false(self) -> str:
        """Text of the literal when the atom does not hold."""
        if self.scope == "ns-name":
            return f"not ns {self.value}"
        if self.scope == "pod-ip":
            return f"pod IP not in {self.key}"
        return f"!{self.key}" if self.value is None else f"{self.key}!={self.value}"

    def holds(
        self,
        namespace: str,
        ns_labels: Mapping[str, str],
        labels: Mapping[str, str],
        addresses: tuple[tuple[int, int], ...] = (),
    ) -> bool:
        """Evaluate the atom on a concrete pod."""
        if self.scope == "ns-name":
            return namespace == self.value
        if self.scope == "pod-ip":
            return any(r.contains(v, a) for v, a in addresses for r in self.ranges)
        source = ns_labels if self.scope == "ns-label" else labels
        if self.value is None:
            return self.key in source
        return source.get(self.key) == self.value


@dataclass(frozen=True)
class Cube:
    """A conjunction of atom literals: ``(atom, value)`` pairs."""

    literals: tuple[tuple[Atom, bool], ...]

    def formula(self) -> z3.BoolRef:
        """The cube as a Z3 conjunction."""
        return z3.And([a.formula if v else z3.Not(a.formula) for a, v in self.literals])

    def holds(
        self,
        namespace: str,
        ns_labels: Mapping[str, str],
        labels: Mapping[str, str],
        addresses: tuple[tuple[int, int], ...] = (),
    ) -> bool:
        """Whether a concrete pod lies in the cube."""
        return all(a.holds(namespace, ns_labels, labels, addresses) == v for a, v in self.literals)

    def texts(self, scope: str) -> tuple[str, ...]:
        """Human texts of the literals of one scope."""
        return tuple(a.if_true if v else a.if_false for a, v in self.literals if a.scope == scope)


@dataclass(frozen=True)
class SpacePart:
    """Sources (a cube) that reach a target group on a set of ports."""

    cube: Cube
    target: PodGroup
    ports: PortSet


def atoms(enc: Encoding, ep: SymEndpoint) -> list[Atom]:
    """The propositions policies can observe about a source pod."""
    names = sorted(set(enc.cluster.namespaces) | {p.namespace for p in enc.policies.policies})
    names += sorted(_mentioned_values(enc, NAMESPACE_NAME_LABEL, namespace=True) - set(names))
    out = [Atom(ep.namespace == enc.value_id(n), "ns-name", NAMESPACE_NAME_LABEL, n) for n in names]
    for key in sorted(enc.policies.namespace_label_keys() - {NAMESPACE_NAME_LABEL}):
        out += _label_atoms(enc, key, *ep.ns_label(key), "ns-label", namespace=True)
    for key in sorted(enc.policies.label_keys()):
        out += _label_atoms(enc, key, *ep.label(key), "pod-label", namespace=False)
    # A pod's IP is one more observable where address peers see pods: cluster-scoped
    # ``networks`` always, NetworkPolicy ipBlocks when the plugin matches pod IPs.
    for ranges in _address_blocks(enc):
        text = ", ".join(c for r in ranges for c in r.cidrs())
        out.append(Atom(ep.in_block(enc.block(ranges)), "pod-ip", text, None, ranges))
    return out


def _address_blocks(enc: Encoding) -> list[tuple[IPRange, ...]]:
    blocks = {
        peer.ranges
        for r in enc.policies.all_rules()
        for peer in r.peers or ()
        if isinstance(peer, AddressPeer) and (peer.pods_too or enc.match_pod_addresses)
    }
    return sorted(blocks)


def _label_atoms(
    enc: Encoding, key: str, has: z3.BoolRef, val: z3.ArithRef, scope: str, *, namespace: bool
) -> list[Atom]:
    out = [Atom(has, scope, key, None)]
    for value in sorted(_mentioned_values(enc, key, namespace=namespace)):
        out.append(Atom(z3.And(has, val == enc.value_id(value)), scope, key, value))
    return out


def _mentioned_values(enc: Encoding, key: str, *, namespace: bool) -> set[str]:
    """Values some selector compares ``key`` with (pod or namespace selectors, any tier)."""
    selectors = [] if namespace else [p.pod_selector for p in enc.policies.policies]
    selectors += [t.subject_namespaces if namespace else t.subject_pods for t in enc.policies.tiers]
    for rule in enc.policies.all_rules():
        for peer in rule.peers or ():
            sel = getattr(peer, "namespace_selector" if namespace else "pod_selector", None)
            if sel is not None:
                selectors.append(sel)
    return {
        v
        for sel in selectors
        for r in sel.requirements
        if r.key == key and r.operator in (Operator.IN, Operator.NOT_IN)
        for v in r.values
    }


def port_classes(enc: Encoding, target: PodGroup, query: PortQuery) -> list[PortQuery]:
    """Cut the asked ports where any rule's port set starts or ends, for this target."""
    protocols = (query.protocol,) if query.protocol is not None else ALL_PROTOCOLS
    lo, hi = query.lo, query.hi
    if query.name is not None:
        number = target.named_ports.get((query.name, protocols[0]))
        if number is None:
            return []
        lo = hi = number
    out = []
    for proto in protocols:
        cuts = {lo, hi + 1} | {c for c in _boundaries(enc, target, proto) if lo < c <= hi}
        points = sorted(cuts)
        out += [PortQuery(proto, a, b - 1) for a, b in zip(points, points[1:], strict=False)]
    return out


def _boundaries(enc: Encoding, target: PodGroup, proto: Protocol) -> set[int]:
    """Where any rule's ports (NetworkPolicy or cluster-scoped) start or end, for ``proto``."""
    cuts: set[int] = set()
    for rule in enc.policies.all_rules():
        for entry in rule.ports:
            if isinstance(entry, NumericPorts):
                if entry.protocol is proto:
                    cuts |= {entry.lo, entry.hi + 1}
            elif proto in entry.protocols():
                number = target.named_ports.get((entry.name, proto))
                if number is not None:
                    cuts |= {number, number + 1}
    return {c for c in cuts if 1 <= c <= MAX_PORT + 1}


class SpaceEnumerator:
    """Enumerates prime cubes of hypothetical sources reaching a fixed target and port."""

    def __init__(
        self,
        solver: IncrementalSolver,
        forbidden: Iterable[Forbidden] = (),
        timeout_ms: int | None = None,
    ) -> None:
        self.solver = solver
        self.enc = solver.encoding
        self.atoms = atoms(self.enc, self.enc.src)
        self.forbidden = tuple(forbidden)
        self.timeout_ms = timeout_ms
        self.truncated = False
        self.unknown: str | None = None

    def _context(self, target: PodGroup, ports: PortQuery) -> list[z3.BoolRef]:
        enc = self.enc
        assert ports.protocol is not None
        ctx = [
            enc.is_hypothetical(enc.src),
            enc.dst.group == target.index,
            enc.protocol == PROTOCOL_IDS[ports.protocol],
            enc.port == ports.lo,
            not_self(enc, []),
        ]
        ctx += [z3.Not(forbidden_formula(enc, enc.src, f)) for f in self.forbidden]
        return ctx

    def _sat(self, constraints: list[z3.BoolRef]) -> z3.ModelRef | None:
        outcome = self.solver.check(constraints, timeout_ms=self.timeout_ms)
        if outcome.status == "unknown":
            self.unknown = outcome.reason
        return outcome.model if outcome.status == "sat" else None

    def _unsat(self, constraints: list[z3.BoolRef]) -> bool:
        outcome = self.solver.check(constraints, timeout_ms=self.timeout_ms)
        if outcome.status == "unknown":
            self.unknown = outcome.reason
        return outcome.status == "unsat"

    def cubes(self, target: PodGroup, ports: PortQuery) -> list[Cube]:
        """Prime cubes covering every hypothetical source that reaches the target on the port."""
        ctx = self._context(target, ports)
        found: list[Cube] = []
        while len(found) < MAX_CUBES:
            model = self._sat([*ctx, self.enc.allowed, *[z3.Not(c.formula()) for c in found]])
            if model is None:
                return found
            found.append(self._generalise(ctx, model))
        self.truncated = True
        return found

    def _generalise(self, ctx: list[z3.BoolRef], model: z3.ModelRef) -> Cube:
        literals = [
            (a, bool(z3.is_true(model.eval(a.formula, model_completion=True)))) for a in self.atoms
        ]
        # Try dropping negative literals first: positive ones make the readable descriptions.
        order = sorted(range(len(literals)), key=lambda i: literals[i][1])
        keep = set(range(len(literals)))
        denied = z3.Not(self.enc.allowed)
        for i in order:
            trial = Cube(tuple(literals[j] for j in sorted(keep - {i})))
            if self._unsat([*ctx, denied, trial.formula()]):
                keep.discard(i)
        return Cube(tuple(literals[j] for j in sorted(keep)))
