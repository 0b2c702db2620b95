"""Explanations and inspection: why / why not, isolation, selection, policies, show."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from npql.errors import QuerySemanticError
from npql.explain import (
    Address,
    describe_policy,
    explain_connection,
    isolation,
    pods_selected_by,
    policies_selecting,
)
from npql.explain.values import ExplainResult
from npql.ir.sides import Side
from npql.model.cluster import Cluster as Model
from npql.model.objects import Namespace, Pod
from npql.model.policy import Direction, NetworkPolicy
from npql.query import ast
from npql.solve.isolation import find_isolation_counterexample
from npql.solve.results import EndpointRef, InfoResult, Verdict, Witness

if TYPE_CHECKING:
    from npql.api.answer import Answerer

MAX_PAIRS = 5


def why(answerer: Answerer, st: ast.Explain) -> ExplainResult:
    """Walk both ends of the connection, rule by rule."""
    asked = answerer.ask(st.source, st.target, st.port)
    source, target, ports = asked.source, asked.target, asked.ports
    verdict, witness, denial, reason = asked.verdict, asked.witness, asked.denial, asked.reason
    warnings = asked.warnings
    if verdict is Verdict.UNKNOWN:
        return ExplainResult(str(st), "unknown", notes=(f"undecided: {reason}",), warnings=warnings)
    cluster = answerer.cluster
    if witness is not None:
        model, src, dst = _witness_ends(cluster.model, witness)
        pairs = [(model, src, dst)]
    else:
        pairs = [(cluster.model, s, d) for s, d in _representative_pairs(source, target)]
    explanations = tuple(
        replace(
            explain_connection(
                model,
                cluster.policies,
                s,
                d,
                ports,
                ipblocks_match_pod_ips=cluster.options.ipblocks_match_pod_ips,
            ),
            query=str(st),
        )
        for model, s, d in pairs
    )
    notes = []
    if denial is not None and (source.hypothetical or target.hypothetical):
        notes.append(
            "proved for every possible pod: isolated by "
            + (", ".join(denial.isolating_policies) or "nothing")
            + "; no rule admits it among "
            + (", ".join(denial.rules) or "none")
        )
    verdict_text = "allowed" if verdict is Verdict.ALLOWED else "denied"
    return ExplainResult(str(st), verdict_text, explanations, tuple(notes), warnings)


def _witness_ends(model: Model, w: Witness) -> tuple[Model, Pod | Address, Pod | Address]:
    src, model = _concrete(model, w.source)
    dst, model = _concrete(model, w.target)
    return model, src, dst


def _concrete(model: Model, ep: EndpointRef) -> tuple[Pod | Address, Model]:
    """The model's pod for an endpoint; a pod that need not exist is made (and its namespace)."""
    if ep.cidr is not None:
        return Address(ep.cidr.split(",")[0].strip()), model
    if ep.kind != "Hypothetical":
        pod = next(
            p
            for p in model.pods
            if p.namespace == ep.namespace and p.name == ep.name and p.kind == ep.kind
        )
        return pod, model
    namespace = ep.namespace or "default"
    pod = Pod(namespace, "<new pod>", "Pod", dict(ep.labels))
    if ep.new_namespace:
        namespaces = dict(model.namespaces) | {
            namespace: Namespace(namespace, dict(ep.namespace_labels))
        }
        model = replace(model, namespaces=namespaces)
    return pod, model


def _representative_pairs(source: Side, target: Side) -> list[tuple[Pod | Address, Pod | Address]]:
    """Up to five pairs, one per pair of pod groups (pods of one group behave alike)."""
    sources = _ends(source)
    targets = _ends(target)
    pairs = [
        (s, d)
        for s, d in itertools.product(sources, targets)
        if not (isinstance(s, Address) and isinstance(d, Address))
    ]
    return pairs[:MAX_PAIRS]


def _ends(side: Side) -> list[Pod | Address]:
    chosen = {id(p) for p in side.pods}
    ends: list[Pod | Address] = [next(p for p in g.pods if id(p) in chosen) for g in side.groups]
    ends += [Address(r.cidrs()[0]) for r in side.ranges]
    return ends


def is_isolated(answerer: Answerer, st: ast.IsIsolated) -> InfoResult:
    """Per workload: the policies isolating it for ingress and egress."""
    side = answerer.resolver.side(st.endpoint)
    directions = (st.direction,) if st.direction else tuple(Direction)
    rows = []
    for pod in _distinct(side.pods):
        iso = isolation(answerer.cluster.model, pod)
        rows.append((pod.workload, *(", ".join(iso[d]) or "not isolated" for d in directions)))
    sentences = _hypothetical_isolation(answerer, side, directions)
    columns = ("workload", *(d.value.lower() for d in directions))
    data = {"pods": [_isolation_row(columns, r) for r in rows]}
    return InfoResult(
        str(st),
        "isolation",
        columns,
        tuple(rows),
        tuple(sentences),
        answerer.warnings_for(side),
        data,
    )


def _isolation_row(columns: tuple[str, ...], row: tuple[str, ...]) -> dict[str, object]:
    out: dict[str, object] = {"workload": row[0]}
    for column, value in zip(columns[1:], row[1:], strict=True):
        out[column] = None if value == "not isolated" else value.split(", ")
    return out


def _hypothetical_isolation(
    answerer: Answerer, side: Side, directions: tuple[Direction, ...]
) -> list[str]:
    if side.hypothetical is None:
        return []
    out = []
    for direction in directions:
        for expect, word in ((True, "not isolated"), (False, "isolated")):
            status, pod, _ = find_isolation_counterexample(
                answerer.cluster.solver, side, direction, expect_isolated=expect
            )
            if status == "fails":
                out.append(f"a pod could be {word} for {direction.value.lower()}: {pod}")
            elif status == "holds":
                other = "isolated" if expect else "not isolated"
                out.append(f"every possible pod is {other} for {direction.value.lower()}")
    return out


def _distinct(pods: tuple[Pod, ...]) -> list[Pod]:
    seen: dict[str, Pod] = {}
    for p in pods:
        seen.setdefault(p.workload, p)
    return sorted(seen.values(), key=lambda p: p.workload)


def selecting(answerer: Answerer, st: ast.PoliciesSelecting) -> InfoResult:
    """The policies whose podSelector selects the endpoint's pods."""
    side = answerer.resolver.side(st.endpoint)
    found = policies_selecting(answerer.cluster.model, side.pods)
    rows = tuple((pid, ", ".join(d.value for d in dirs) or "(none)") for pid, dirs in found)
    return InfoResult(
        str(st), "policies", ("policy", "isolates for"), rows, warnings=answerer.warnings_for(side)
    )


def _policy(answerer: Answerer, ref: ast.PolicyRef) -> NetworkPolicy:
    model = answerer.cluster.model
    for p in model.policies:
        if p.namespace == ref.namespace and p.name == ref.name:
            return p
    import difflib

    names = [p.ident for p in model.policies]
    close = difflib.get_close_matches(f"{ref.namespace}/{ref.name}", names, n=3)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else None
    raise QuerySemanticError(f"no NetworkPolicy named {ref.namespace}/{ref.name}", hint=hint)


def selected_by(answerer: Answerer, st: ast.SelectedBy) -> InfoResult:
    """The pods a policy's podSelector selects (in its namespace)."""
    policy = _policy(answerer, st.policy)
    pods = _distinct(tuple(pods_selected_by(answerer.cluster.model, policy)))
    rows = tuple((p.workload, _labels(p.labels)) for p in pods)
    sentences = () if rows else (f"{policy.ident} selects no pod",)
    return InfoResult(str(st), "pods", ("workload", "labels"), rows, sentences)


def describe(answerer: Answerer, st: ast.DescribePolicy) -> InfoResult:
    """What a policy allows, as sentences."""
    policy = _policy(answerer, st.policy)
    return InfoResult(str(st), "describe", sentences=tuple(describe_policy(policy)))


def _labels(labels: Mapping[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items())) or "-"
