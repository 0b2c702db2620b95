"""Assertions: claims over every pod (existing or not) that hold, fail with a witness, or are
unknown. A failure always carries what breaks the claim."""

from __future__ import annotations

from typing import TYPE_CHECKING

from npql.api import bulk
from npql.api.resolve import port_query, service_port
from npql.ir.addresses import network_range
from npql.ir.sides import Hypothetical, PortQuery, Side
from npql.model.policy import Direction
from npql.query import ast
from npql.solve.isolation import find_isolation_counterexample
from npql.solve.results import AssertionResult, Status, Verdict, workload_ref

if TYPE_CHECKING:
    from npql.api.answer import Answerer


def assert_can(answerer: Answerer, st: ast.AssertCan) -> AssertionResult:
    """``assert can``: some connection exists; ``assert cannot``: none does, for any pod/port."""
    asked = answerer.ask(st.source, st.target, st.port)
    verdict, witness, denial, reason = asked.verdict, asked.witness, asked.denial, asked.reason
    warnings = asked.warnings
    if verdict is Verdict.UNKNOWN:
        return AssertionResult(
            str(st), Status.UNKNOWN, f"undecided: {reason}", reason=reason, warnings=warnings
        )
    holds = (verdict is Verdict.ALLOWED) == st.expect
    if holds:
        message = "allowed, as expected" if st.expect else "no connection is allowed, as expected"
        return AssertionResult(str(st), Status.PASSED, message, witness, denial, warnings=warnings)
    message = (
        "expected a connection, but every one is denied"
        if st.expect
        else "expected no connection, but one is allowed"
    )
    return AssertionResult(str(st), Status.FAILED, message, witness, denial, warnings=warnings)


def assert_isolated(answerer: Answerer, st: ast.AssertIsolated) -> AssertionResult:
    """Every pod of the endpoint (pods that need not exist included) is (not) isolated."""
    side = answerer.resolver.side(st.endpoint)
    directions = (st.direction,) if st.direction is not None else tuple(Direction)
    warnings = answerer.warnings_for(side)
    for direction in directions:
        status, pod, reason = find_isolation_counterexample(
            answerer.cluster.solver,
            side,
            direction,
            expect_isolated=st.expect,
            timeout_ms=answerer.cluster.options.timeout_ms,
        )
        word = direction.value.lower()
        if status == "unknown":
            return AssertionResult(
                str(st), Status.UNKNOWN, f"undecided: {reason}", reason=reason, warnings=warnings
            )
        if status == "fails":
            state = "not isolated" if st.expect else "isolated"
            return AssertionResult(
                str(st), Status.FAILED, f"{pod} is {state} for {word}", warnings=warnings
            )
    word = "isolated" if st.expect else "not isolated"
    which = " and ".join(d.value.lower() for d in directions)
    return AssertionResult(
        str(st), Status.PASSED, f"every pod is {word} for {which}", warnings=warnings
    )


def assert_only(answerer: Answerer, st: ast.AssertOnly) -> AssertionResult:
    """Every source that reaches the target lies within the allowed endpoint."""
    allowed = answerer.resolver.side(st.allowed)
    target = answerer.resolver.side(st.target)
    query = port_query(service_port(answerer.cluster.model, st.target, st.port))
    warnings = answerer.warnings_for(allowed, target)
    failure = _existing_violation(answerer, allowed, target, query) or _address_violation(
        answerer, allowed, target, query
    )
    if failure is not None:
        return AssertionResult(str(st), Status.FAILED, failure[0], failure[1], warnings=warnings)
    like = answerer.resolver.as_hypothetical(st.allowed)
    outsiders = Side(
        hypothetical=Hypothetical(
            forbidden=tuple(answerer.cluster.assumptions), unlike=(like,) if like else ()
        ),
        description=f"any pod not in {st.allowed}",
    )
    verdict, witness, _, reason = answerer.check(outsiders, target, query)
    if verdict is Verdict.UNKNOWN:
        return AssertionResult(
            str(st), Status.UNKNOWN, f"undecided: {reason}", reason=reason, warnings=warnings
        )
    if verdict is Verdict.ALLOWED:
        message = f"a pod outside '{st.allowed}' could reach the target (it does not exist yet)"
        return AssertionResult(str(st), Status.FAILED, message, witness, warnings=warnings)
    message = f"only '{st.allowed}' can reach '{st.target}{st.port}', for every possible pod"
    return AssertionResult(str(st), Status.PASSED, message, warnings=warnings)


def _existing_violation(answerer: Answerer, allowed: Side, target: Side, query: PortQuery):  # type: ignore[no-untyped-def]
    engine = answerer.cluster.bitsets
    inside = bulk.side_pod_ids(allowed)
    outside = {id(p) for p in answerer.cluster.model.pods} - inside
    for conn in bulk.pod_pairs(
        engine,
        engine.groups,
        target.groups,
        source_pods=outside,
        target_pods=bulk.side_pod_ids(target),
        query=query,
    ):
        pod = next(p for p in answerer.cluster.model.pods if workload_ref(p) == conn.source)
        single = Side(pods=(pod,), groups=(answerer.cluster.grouping.group_for(pod),))
        _, witness, _, _ = answerer.check(single, target, query)
        return (
            f"{conn.source} is not allowed to, but can reach {conn.target} : {conn.ports}",
            witness,
        )
    return None


def _address_violation(answerer: Answerer, allowed: Side, target: Side, query: PortQuery):  # type: ignore[no-untyped-def]
    engine = answerer.cluster.bitsets
    for conn in bulk.from_addresses(
        engine, target.groups, target_pods=bulk.side_pod_ids(target), query=query
    ):
        if _covered(conn.source.cidr or "", allowed):
            continue
        return f"addresses {conn.source} can reach {conn.target} : {conn.ports}", None
    return None


def _covered(cidrs: str, allowed: Side) -> bool:
    for cidr in cidrs.split(","):
        rng = network_range(cidr.strip())
        if not any(
            r.version == rng.version and r.lo <= rng.lo and rng.hi <= r.hi for r in allowed.ranges
        ):
            return False
    return True
