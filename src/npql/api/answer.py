"""Statements dispatched to the engines: Z3 for yes/no questions, bitsets for bulk lists."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from npql.api import bulk, show
from npql.api.notes import host_network_warnings
from npql.api.resolve import Resolver, forbidden_of, port_query, selector_hints, service_port
from npql.errors import QuerySemanticError
from npql.ir.sides import PortQuery, Side
from npql.query import ast
from npql.solve.results import (
    CanResult,
    ConnectivityResult,
    Denial,
    InfoResult,
    Result,
    Verdict,
    WhatResult,
    WhoResult,
    Witness,
)

if TYPE_CHECKING:
    from npql.api.cluster import Cluster


@dataclass(frozen=True, slots=True)
class Asked:
    """A can-question as the engine saw it: resolved sides and ports, and its answer."""

    source: Side
    target: Side
    ports: PortQuery
    verdict: Verdict
    witness: Witness | None
    denial: Denial | None
    reason: str | None
    warnings: tuple[str, ...]


class Answerer:
    """Answers statements over one cluster."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.resolver = Resolver(
            cluster.model, cluster.grouping, cluster.variables, cluster.assumptions
        )

    def answer(self, statement: ast.Statement) -> Result:
        """Dispatch on the statement's type."""
        handler = _DISPATCH.get(type(statement))
        if handler is None:
            raise QuerySemanticError(f"'{statement}' is not a question npql answers yet")
        return handler(self, statement)

    def warnings_for(self, *sides: Side) -> tuple[str, ...]:
        """Cluster warnings plus those about the sides of this answer."""
        return self._warnings(*sides)

    def check(
        self, source: Side, target: Side, ports: PortQuery
    ) -> tuple[Verdict, Witness | None, Denial | None, str | None]:
        """One can-question to the Z3 engine.

        A denial towards external addresses is UNKNOWN when a domainNames rule could accept
        it: whether a name resolves to those addresses is not in the manifests.
        """
        from npql.solve.can import check_can  # Z3 loads on the first yes/no question

        concrete = source.hypothetical is None and target.hypothetical is None
        groups = frozenset(g.index for g in source.groups + target.groups) if concrete else None
        verdict, witness, denial, reason = check_can(
            self.cluster.solver_for(groups),
            source,
            target,
            ports,
            self_groups=self.cluster.self_groups,
            timeout_ms=self.cluster.options.timeout_ms,
        )
        if verdict is Verdict.DENIED and target.ranges and self.cluster.policies_have_domains:
            reason = "the answer depends on domainNames rules, which manifests cannot decide"
            return Verdict.UNKNOWN, None, denial, reason
        return verdict, witness, denial, reason

    def _warnings(self, *sides: Side) -> tuple[str, ...]:
        out = list(self.cluster.warnings)
        for side in sides:
            if side.is_empty or (not side.pods and side.hypothetical is None and not side.ranges):
                out.append(f"'{side.description}' matches no pod")
                if side.selector is not None:
                    out += selector_hints(self.cluster.model, side.selector)
            out += host_network_warnings(side.pods)
        return tuple(dict.fromkeys(out))

    def ask(self, source: ast.Endpoint, target: ast.Endpoint, port: ast.PortSpec) -> Asked:
        """Resolve a can-question's two ends and port, and put it to the Z3 engine."""
        src = self.resolver.side(source)
        dst = self.resolver.side(target)
        ports = port_query(service_port(self.cluster.model, target, port))
        verdict, witness, denial, reason = self.check(src, dst, ports)
        return Asked(src, dst, ports, verdict, witness, denial, reason, self._warnings(src, dst))

    def can(self, statement: ast.CanReach) -> CanResult:
        """One satisfiability question, with a witness or a proof."""
        a = self.ask(statement.source, statement.target, statement.port)
        return CanResult(str(statement), a.verdict, a.witness, a.denial, a.reason, a.warnings)

    def who(self, statement: ast.WhoCanReach) -> WhoResult:
        """Every source that reaches some pod of the target on the asked ports."""
        target = self.resolver.side(statement.target)
        _require_existing(target, statement)
        engine = self.cluster.bitsets
        query = port_query(service_port(self.cluster.model, statement.target, statement.port))
        chosen = bulk.side_pod_ids(target)
        connections = list(
            bulk.pod_pairs(engine, engine.groups, target.groups, target_pods=chosen, query=query)
        )
        connections += bulk.from_addresses(engine, target.groups, target_pods=chosen, query=query)
        if target.ranges:
            connections += bulk.to_addresses(
                engine, engine.groups, query=query, within=target.ranges
            )
        return WhoResult(str(statement), bulk.group_by_source(connections), self._warnings(target))

    def what(self, statement: ast.WhatCanReach) -> WhatResult:
        """Every destination some pod of the source reaches, with the union of ports."""
        source = self.resolver.side(statement.source)
        _require_existing(source, statement)
        engine = self.cluster.bitsets
        chosen = bulk.side_pod_ids(source)
        connections = list(bulk.pod_pairs(engine, source.groups, engine.groups, source_pods=chosen))
        connections += bulk.to_addresses(engine, source.groups, source_pods=chosen)
        if source.ranges:
            connections += bulk.from_addresses(engine, engine.groups, within=source.ranges)
        return WhatResult(str(statement), bulk.union_by_target(connections), self._warnings(source))

    def connectivity(self, statement: ast.Connectivity) -> ConnectivityResult:
        """Every allowed connection between workloads, and between workloads and addresses."""
        engine = self.cluster.bitsets
        groups = engine.groups
        connections = list(bulk.pod_pairs(engine, groups, groups))
        connections += bulk.from_addresses(engine, groups)
        connections += bulk.to_addresses(engine, groups)
        pods = self.cluster.model.pods
        warnings = tuple(dict.fromkeys(self.cluster.warnings + host_network_warnings(pods)))
        return ConnectivityResult(str(statement), tuple(connections), warnings)


def _let(answerer: Answerer, st: ast.Let) -> InfoResult:
    answerer.resolver.side(st.endpoint)  # fail now, not at first use
    answerer.cluster.variables[st.name] = st.endpoint
    return InfoResult(str(st), "let", sentences=(f"${st.name} = {st.endpoint}",))


def _assume(answerer: Answerer, st: ast.Assume) -> InfoResult:
    rule = forbidden_of(st)
    answerer.cluster.assumptions.append(rule)
    sentences = [f"assuming from now on: {str(st).removeprefix('assume ')}"]
    warnings = []
    model = answerer.cluster.model
    if st.subject == "ns":
        clash = [n for n in model.namespaces if st.selector.matches(model.namespace_labels(n))]
    else:
        side = answerer.resolver.side(ast.Selected(st.selector, st.scope))
        clash = sorted({p.workload for p in side.pods})
    if clash:
        warnings.append(f"already broken by loaded objects: {', '.join(clash)}")
    return InfoResult(str(st), "assume", sentences=tuple(sentences), warnings=tuple(warnings))


def _require_existing(side: Side, statement: ast.Statement) -> None:
    if side.hypothetical is not None:
        raise QuerySemanticError(
            f"'{statement}': list answers cover existing pods; ask "
            "'can any pod ... reach ...' to reason about pods that do not exist yet"
        )


def _lint(answerer: Answerer, st: ast.Lint) -> object:
    from npql.compare.lint import lint

    return lint(answerer.cluster)


def _redundancy(answerer: Answerer, st: ast.Redundancy) -> object:
    from npql.compare.redundancy import redundant

    return redundant(answerer.cluster, any_pod=st.any_pod)


def _lazy(module: str, name: str) -> Callable[[Answerer, ast.Statement], Result]:
    """A handler imported on first use: the modules behind symbolic questions, assertions and
    explanations load Z3, which list answers (connectivity, who/what can reach) never need."""

    def handler(answerer: Answerer, statement: ast.Statement) -> Result:
        function: Callable[[Answerer, ast.Statement], Result] = getattr(
            importlib.import_module(module), name
        )
        return function(answerer, statement)

    return handler


_DISPATCH: dict[type, Callable[[Answerer, ast.Statement], Result]] = {
    ast.Lint: _lint,  # type: ignore[dict-item]
    ast.Redundancy: _redundancy,  # type: ignore[dict-item]
    ast.WhoCouldReach: _lazy("npql.api.symbolic", "who_could"),
    ast.Exposure: _lazy("npql.api.symbolic", "exposure"),
    ast.AssertCan: _lazy("npql.api.assertions", "assert_can"),
    ast.AssertIsolated: _lazy("npql.api.assertions", "assert_isolated"),
    ast.AssertOnly: _lazy("npql.api.assertions", "assert_only"),
    ast.Let: _let,  # type: ignore[dict-item]
    ast.Explain: _lazy("npql.api.inspect", "why"),
    ast.IsIsolated: _lazy("npql.api.inspect", "is_isolated"),
    ast.PoliciesSelecting: _lazy("npql.api.inspect", "selecting"),
    ast.SelectedBy: _lazy("npql.api.inspect", "selected_by"),
    ast.DescribePolicy: _lazy("npql.api.inspect", "describe"),
    ast.Show: show.show,  # type: ignore[dict-item]
    ast.Assume: _assume,  # type: ignore[dict-item]
    ast.CanReach: Answerer.can,  # type: ignore[dict-item]
    ast.WhoCanReach: Answerer.who,  # type: ignore[dict-item]
    ast.WhatCanReach: Answerer.what,  # type: ignore[dict-item]
    ast.Connectivity: Answerer.connectivity,  # type: ignore[dict-item]
}
