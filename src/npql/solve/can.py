"""``can A reach B``: one satisfiability question, a witness when sat, a proof when unsat."""

from __future__ import annotations

from collections.abc import Callable

import z3

from npql.encode.encoding import PROTOCOL_OF_ID, Encoding, Tracked
from npql.encode.endpoint import EXTERNAL, HYPOTHETICAL, SymEndpoint
from npql.encode.query import not_self, port_constraint, side_constraint
from npql.encode.vocabulary import Vocabulary
from npql.ir.addresses import IPRange
from npql.ir.groups import PodGroup
from npql.ir.sides import PortQuery, Side
from npql.model.objects import NAMESPACE_NAME_LABEL, Pod
from npql.model.policy import Direction
from npql.solve.engine import IncrementalSolver, Outcome
from npql.solve.results import Denial, EndpointRef, Verdict, Witness, workload_ref


def check_can(
    solver: IncrementalSolver,
    source: Side,
    target: Side,
    ports: PortQuery,
    *,
    self_groups: list[int],
    timeout_ms: int | None = None,
) -> tuple[Verdict, Witness | None, Denial | None, str | None]:
    """Decide whether some source can reach some target on some asked port."""
    enc = solver.encoding
    goal = [
        side_constraint(enc, enc.src, source),
        side_constraint(enc, enc.dst, target),
        port_constraint(enc, ports),
        enc.allowed,
        not_self(enc, _possible_self(self_groups, source, target)),
    ]
    literals = enc.literals_selecting(_groups(source), _groups(target))
    if source.hypothetical is None and target.hypothetical is None:
        outcome = _check_existing(solver, goal, literals, timeout_ms)
    else:
        with solver.focused(literals):
            outcome = _first_sat(solver, goal, _preferences(enc, source, target), timeout_ms)
    if outcome.status == "sat":
        assert outcome.model is not None
        return Verdict.ALLOWED, decode_witness(enc, outcome.model, source, target), None, None
    if outcome.status == "unknown":
        return Verdict.UNKNOWN, None, None, outcome.reason
    same = _self_connection(source, target, ports)
    if same is not None:
        return Verdict.ALLOWED, same, None, None
    return Verdict.DENIED, None, denial_from_core(outcome), None


def _possible_self(self_groups: list[int], source: Side, target: Side) -> list[int]:
    """Groups that could be both endpoints at once: single pods named by both sides."""
    both = {g.index for g in source.groups} & {g.index for g in target.groups}
    return [g for g in self_groups if g in both]


def _check_existing(
    solver: IncrementalSolver,
    goal: list[z3.BoolRef],
    literals: list[z3.BoolRef],
    timeout_ms: int | None,
) -> Outcome:
    """A question about existing pods and addresses: one check without core minimisation.

    The literals are already those of the policies selecting the subjects
    (Encoding.literals_selecting), so the core only needs reducing to one direction: a
    denial reads "the egress (or ingress) side drops it", naming every NetworkPolicy that
    isolates that side and all their rules, plus the cluster-scoped rules Z3's core names.
    """
    outcome = solver.check(goal, timeout_ms=timeout_ms, literals=literals, minimal_core=False)
    if outcome.status != "unsat":
        return outcome
    wanted = {lit.get_id() for lit in literals}
    focus = [(lit, m) for lit, i, m in solver.encoding.tracked() if i in wanted]
    for direction in (Direction.EGRESS, Direction.INGRESS):
        side = [m for m in outcome.core if m.direction is direction]
        if not side:
            continue
        chosen = set(side)
        if any(m.policy is not None for m in side):
            chosen |= {m for _, m in focus if m.direction is direction and m.policy is not None}
        if len(side) == len(outcome.core):  # a superset of an unsat core is unsat
            return Outcome("unsat", core=tuple(chosen))
        trial = solver.check(
            goal,
            timeout_ms=timeout_ms,
            literals=[lit for lit, m in focus if m in chosen],
            minimal_core=False,
        )
        if trial.status == "unsat":
            return Outcome("unsat", core=tuple(chosen))
    # Both directions take part (several pods on a side): Z3's minimal core decides.
    return solver.check(goal, timeout_ms=timeout_ms, literals=literals, minimal_core=True)


def _preferences(enc: Encoding, source: Side, target: Side) -> list[list[z3.BoolRef]]:
    """Witness preferences, most concrete first: existing pods, then new pods in existing
    namespaces, then anything. The last tier (no extra constraint) alone decides unsat."""
    hypothetical = [
        ep for ep, side in ((enc.src, source), (enc.dst, target)) if side.hypothetical is not None
    ]
    if not hypothetical:
        return [[]]
    existing_ns = [enc.value_id(n) for n in enc.cluster.namespaces]
    only_existing = [ep.group != HYPOTHETICAL for ep in hypothetical]
    in_known_ns = [z3.Or([ep.namespace == i for i in existing_ns]) for ep in hypothetical]
    # A new namespace gets a fresh name unless a policy insists on a particular one.
    fresh_ns = [ep.namespace >= len(enc.vocab) for ep in hypothetical]
    return [only_existing, in_known_ns, fresh_ns, []]


def _groups(side: Side) -> tuple[PodGroup, ...] | None:
    """The existing pod groups of a side; None when pods that need not exist are included."""
    if side.hypothetical is not None:
        return None
    return side.groups


def _first_sat(
    solver: IncrementalSolver,
    goal: list[z3.BoolRef],
    tiers: list[list[z3.BoolRef]],
    timeout_ms: int | None,
) -> Outcome:
    outcome = Outcome("unknown", reason="no check ran")
    for extra in tiers:
        outcome = solver.check([*goal, *extra], timeout_ms=timeout_ms)
        if outcome.status == "sat":
            return _minimise(solver, [*goal, *extra], outcome, timeout_ms)
    return outcome


def _minimise(
    solver: IncrementalSolver, goal: list[z3.BoolRef], outcome: Outcome, timeout_ms: int | None
) -> Outcome:
    """Drop every label a hypothetical pod (or new namespace) does not need, one at a time."""
    enc = solver.encoding
    assert outcome.model is not None
    fixed: list[z3.BoolRef] = []
    for ep in (enc.src, enc.dst):
        if not _is_hypothetical(outcome.model, ep):
            continue
        flags = [ep.label(k)[0] for k in ep.label_keys()]
        flags += [ep.ns_label(k)[0] for k in ep.ns_label_keys() if k != NAMESPACE_NAME_LABEL]
        for has in flags:
            if not _true(outcome.model, has):
                fixed.append(z3.Not(has))
                continue
            trial = solver.check([*goal, *fixed, z3.Not(has)], timeout_ms=timeout_ms)
            if trial.status == "sat":
                fixed.append(z3.Not(has))
                outcome = trial
            else:
                fixed.append(has)
    return outcome


def _is_hypothetical(model: z3.ModelRef, ep: SymEndpoint) -> bool:
    return bool(model.eval(ep.group, model_completion=True).as_long() == HYPOTHETICAL)


def _self_connection(source: Side, target: Side, ports: PortQuery) -> Witness | None:
    """A pod in both sides reaches itself on any port: no policy applies to its own traffic.

    Not for questions about pods that need not exist: "can any pod reach X" asks about pods
    other than X, or every pod would trivially qualify.
    """
    if source.hypothetical is not None or target.hypothetical is not None:
        return None
    in_target = {id(p) for p in target.pods}
    pod = next((p for p in source.pods if id(p) in in_target), None)
    if pod is None:
        return None
    ref = workload_ref(pod)
    protocol = ports.protocol.value if ports.protocol else "TCP"
    return Witness(ref, ref, ports.lo, protocol, self_connection=True)


def denial_from_core(outcome: Outcome) -> Denial:
    """The rules and isolating policies an unsat core names."""
    core: tuple[Tracked, ...] = outcome.core
    isolating = sorted({t.ident for t in core if t.kind == "isolation"})
    rules = sorted({t.ident for t in core if t.kind == "rule"})
    directions = sorted({t.direction.value for t in core})
    return Denial(tuple(isolating), tuple(rules), tuple(directions))


def decode_witness(enc: Encoding, model: z3.ModelRef, source: Side, target: Side) -> Witness:
    """Read a concrete connection, and the rules admitting it, out of a model."""
    port = model.eval(enc.port, model_completion=True).as_long()
    protocol = PROTOCOL_OF_ID[model.eval(enc.protocol, model_completion=True).as_long()]
    src = decode_endpoint(enc, model, enc.src, source.pods)
    dst = decode_endpoint(enc, model, enc.dst, target.pods)
    return Witness(
        source=src,
        target=dst,
        port=port,
        protocol=protocol.value,
        egress_rules=_firing(enc, model, Direction.EGRESS, src.namespace),
        ingress_rules=_firing(enc, model, Direction.INGRESS, dst.namespace),
        source_isolated=_true(model, enc.isolated_var(Direction.EGRESS))
        and _is_pod(model, enc.src),
        target_isolated=_true(model, enc.isolated_var(Direction.INGRESS))
        and _is_pod(model, enc.dst),
    )


def _true(model: z3.ModelRef, term: z3.BoolRef) -> bool:
    return bool(z3.is_true(model.eval(term, model_completion=True)))


def _is_pod(model: z3.ModelRef, ep: SymEndpoint) -> bool:
    return _true(model, ep.is_pod)


def _firing(
    enc: Encoding, model: z3.ModelRef, direction: Direction, namespace: str | None
) -> tuple[str, ...]:
    """Rules of a direction that fire in the model, in encoding order.

    A NetworkPolicy rule fires only for pods of its policy's namespace (``fires -> selects``),
    so only those and the cluster-scoped rules are evaluated.
    """
    tag = f".{direction.value.lower()}["
    candidates = [*enc.fires_in[None]]
    if namespace is not None:
        candidates += enc.fires_in.get(namespace, [])
    firing = {rule for rule, fire in candidates if tag in rule and _true(model, fire)}
    return tuple(rule for rule in enc.fires if rule in firing)


def decode_endpoint(
    enc: Encoding, model: z3.ModelRef, ep: SymEndpoint, chosen: tuple[Pod, ...] = ()
) -> EndpointRef:
    """An endpoint of the model: an existing workload, an address, or a new pod's description.

    A group may hold pods the question did not select; the witness names a selected one.
    """
    group = model.eval(ep.group, model_completion=True).as_long()
    if group == EXTERNAL:
        return _decode_address(model, ep)
    if group == HYPOTHETICAL:
        return decode_hypothetical(enc, model, ep)
    members = enc.group(group).pods
    wanted = {id(p) for p in chosen}
    pod = next((p for p in members if id(p) in wanted), members[0])
    return workload_ref(pod, dict(enc.cluster.namespace_labels(pod.namespace)))


def _decode_address(model: z3.ModelRef, ep: SymEndpoint) -> EndpointRef:
    v6 = _true(model, ep.ip_v6)
    value = model.eval(ep.ip, model_completion=True).as_long()
    rng = IPRange(6 if v6 else 4, value, value)
    return EndpointRef(kind="External", cidr=rng.cidrs()[0])


def decode_hypothetical(enc: Encoding, model: z3.ModelRef, ep: SymEndpoint) -> EndpointRef:
    """A pod that need not exist: namespace (existing or new) and the labels it needs."""
    ns_id = model.eval(ep.namespace, model_completion=True).as_long()
    known = enc.vocab.lookup(ns_id)
    namespace = known if known is not None else enc.vocab.fresh(ns_id, "new-ns-")
    is_new = namespace not in enc.cluster.namespaces
    labels = decode_labels(enc.vocab, model, ep.label_keys(), ep.label)
    ns_labels = (
        decode_labels(enc.vocab, model, ep.ns_label_keys(), ep.ns_label)
        if is_new
        else dict(enc.cluster.namespace_labels(namespace))
    )
    ns_labels[NAMESPACE_NAME_LABEL] = namespace
    return EndpointRef(
        kind="Hypothetical",
        namespace=namespace,
        name=None,
        labels=labels,
        namespace_labels=ns_labels,
        new_namespace=is_new,
    )


def decode_labels(
    vocab: Vocabulary,
    model: z3.ModelRef,
    keys: list[str],
    var: Callable[[str], tuple[z3.BoolRef, z3.ArithRef]],
) -> dict[str, str]:
    """The labels a model gives a symbolic pod (or namespace): keys it has, with their values;
    a value no manifest names gets a fresh ``value-N`` name."""
    out: dict[str, str] = {}
    for key in keys:
        has, val = var(key)
        if not _true(model, has):
            continue
        value = model.eval(val, model_completion=True).as_long()
        text = vocab.lookup(value)
        out[key] = text if text is not None else vocab.fresh(value, "value-")
    return out
