"""``show pods|workloads|namespaces|policies|services``: the loaded objects, filtered."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from npql.model.objects import Pod
from npql.query import ast
from npql.solve.results import InfoResult

if TYPE_CHECKING:
    from npql.api.answer import Answerer

Row = tuple[str, ...]


def labels_text(labels: Mapping[str, str] | None) -> str:
    """Labels as ``k=v,k=v`` (``-`` when none)."""
    if not labels:
        return "-"
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def _in_scope(answerer: Answerer, namespace: str, scope: ast.NamespaceScope) -> bool:
    model = answerer.cluster.model
    if isinstance(scope, ast.NamespaceNames):
        return namespace in scope.names
    if isinstance(scope, ast.OutsideNamespaces):
        return namespace not in scope.names
    if isinstance(scope, ast.NamespaceLabels):
        return scope.selector.matches(model.namespace_labels(namespace))
    return True


def _pods(answerer: Answerer, st: ast.Show) -> tuple[Row, list[Row]]:
    pods = [
        p
        for p in answerer.cluster.model.pods
        if st.selector.matches(p.labels) and _in_scope(answerer, p.namespace, st.scope)
    ]
    return ("workload", "pod", "labels", "ports"), [_pod_row(p) for p in pods]


def _pod_row(p: Pod) -> Row:
    ports = ",".join(
        f"{c.name + '=' if c.name else ''}{c.port}/{c.protocol.value}" for c in p.ports
    )
    return (p.workload, p.pod_name or "-", labels_text(p.labels), ports or "-")


def _namespaces(answerer: Answerer, st: ast.Show) -> tuple[Row, list[Row]]:
    model = answerer.cluster.model
    rows: list[Row] = [
        (name, labels_text(ns.labels), "yes" if ns.declared else "implicit")
        for name, ns in sorted(model.namespaces.items())
        if st.selector.matches(ns.labels) and _in_scope(answerer, name, st.scope)
    ]
    return ("namespace", "labels", "declared"), rows


def _policies(answerer: Answerer, st: ast.Show) -> tuple[Row, list[Row]]:
    """Policies in scope; with a selector, those that select some pod the selector matches."""
    model = answerer.cluster.model
    rows: list[Row] = []
    for p in model.policies:
        if not _in_scope(answerer, p.namespace, st.scope):
            continue
        if not st.selector.is_empty and not any(
            q.namespace == p.namespace
            and st.selector.matches(q.labels)
            and p.pod_selector.matches(q.labels)
            for q in model.pods
        ):
            continue
        types = ",".join(sorted(d.value for d in p.policy_types))
        rows.append((p.ident, str(p.pod_selector), types, str(len(p.ingress)), str(len(p.egress))))
    return ("policy", "podSelector", "policyTypes", "ingress rules", "egress rules"), rows


def _services(answerer: Answerer, st: ast.Show) -> tuple[Row, list[Row]]:
    rows: list[Row] = []
    for s in answerer.cluster.model.services:
        if not _in_scope(answerer, s.namespace, st.scope):
            continue
        if not st.selector.is_empty and not st.selector.matches(s.selector or {}):
            continue
        ports = ",".join(f"{p.port}->{p.target_port}/{p.protocol.value}" for p in s.ports)
        rows.append((f"{s.namespace}/{s.name}", labels_text(s.selector), ports or "-"))
    return ("service", "selector", "ports"), rows


_KINDS: dict[str, Callable[[Answerer, ast.Show], tuple[Row, list[Row]]]] = {
    "pods": _pods,
    "workloads": _pods,
    "namespaces": _namespaces,
    "policies": _policies,
    "services": _services,
}


def show(answerer: Answerer, st: ast.Show) -> InfoResult:
    """A table of loaded objects of one kind."""
    columns, rows = _KINDS[st.kind](answerer, st)
    sentences = (f"{len(rows)} {st.kind}",)
    return InfoResult(str(st), "show", columns, tuple(rows), sentences)
