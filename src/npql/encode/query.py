"""Constraints that pin the symbolic endpoints and the port to what a question asks about."""

from __future__ import annotations

import z3

from npql.encode.encoding import PROTOCOL_IDS, Encoding
from npql.encode.endpoint import HYPOTHETICAL, SymEndpoint
from npql.encode.terms import And, Not, Or
from npql.ir.sides import Forbidden, Hypothetical, PortQuery, Side
from npql.model.policy import Direction
from npql.model.selector import LabelSelector


def side_constraint(enc: Encoding, ep: SymEndpoint, side: Side) -> z3.BoolRef:
    """The endpoint is one of the side's existing groups, hypothetical pods or addresses."""
    options = []
    if side.groups:
        options.append(enc.is_group(ep, side.groups))
    if side.hypothetical is not None:
        options.append(hypothetical_constraint(enc, ep, side.hypothetical))
    if side.ranges:
        options.append(enc.is_address(ep, side.ranges))
    return Or(options) if options else z3.BoolVal(False)


def hypothetical_constraint(enc: Encoding, ep: SymEndpoint, hyp: Hypothetical) -> z3.BoolRef:
    """A pod that need not exist, with labels and namespace as the question constrains them,
    and within the session's label assumptions."""
    terms = [enc.is_hypothetical(ep), membership(enc, ep, hyp)]
    terms += [Not(forbidden_formula(enc, ep, f)) for f in hyp.forbidden]
    terms += [Not(membership(enc, ep, other)) for other in hyp.unlike]
    return And(terms)


def membership(enc: Encoding, ep: SymEndpoint, hyp: Hypothetical) -> z3.BoolRef:
    """The endpoint is a pod whose labels and namespace fit the description."""
    terms = [enc.pod_selector(hyp.selector, ep)]
    terms += _namespace_terms(enc, ep, hyp.namespace_names, hyp.namespace_selector)
    terms += [ep.namespace != enc.value_id(n) for n in hyp.excluded_namespaces]
    return And(terms)


def _namespace_terms(
    enc: Encoding,
    ep: SymEndpoint,
    names: tuple[str, ...] | None,
    selector: LabelSelector | None,
) -> list[z3.BoolRef]:
    terms = []
    if names is not None:
        terms.append(Or([ep.namespace == enc.value_id(n) for n in names]))
    if selector is not None:
        terms.append(enc.namespace_selector(selector, ep))
    return terms


def forbidden_formula(enc: Encoding, ep: SymEndpoint, rule: Forbidden) -> z3.BoolRef:
    """The endpoint would break an assumption (a namespace or pod that never exists)."""
    if rule.subject == "ns":
        return enc.namespace_selector(rule.selector, ep)
    terms = [enc.pod_selector(rule.selector, ep)]
    terms += _namespace_terms(enc, ep, rule.namespace_names, rule.namespace_selector)
    terms += [ep.namespace != enc.value_id(n) for n in rule.excluded_namespaces]
    return And(terms)


def port_constraint(enc: Encoding, query: PortQuery) -> z3.BoolRef:
    """The connection's port and protocol are among those asked about."""
    terms = []
    if query.protocol is not None:
        terms.append(enc.protocol == PROTOCOL_IDS[query.protocol])
    if query.name is not None:
        assert query.protocol is not None
        enc.ensure_named_port(query.name, query.protocol)
        has, num = enc.dst.named_port(query.name, query.protocol)
        terms += [enc.dst.is_pod, has, enc.port == num]
    else:
        terms += [enc.port >= query.lo, enc.port <= query.hi]
    return And(terms)


def isolated(enc: Encoding, direction: Direction) -> z3.BoolRef:
    """The subject of a direction (dst for ingress, src for egress) is isolated in it."""
    return enc.isolated_var(direction)


def not_self(enc: Encoding, self_groups: list[int]) -> z3.BoolRef:
    """Source and destination are not one and the same pod (a pod always reaches itself)."""
    same = And(enc.src.group == enc.dst.group, enc.src.group != HYPOTHETICAL)
    if not self_groups:
        return z3.BoolVal(True)
    return Not(And(same, Or([enc.src.group == g for g in self_groups])))
