"""Is a change safe? Given an intent — a can-query such as ``can app=web reach app=api:8443`` —
three steps:

1. the intended connection was **not allowed before** (else the change is not needed);
2. it is **allowed after**;
3. **nothing outside the intent changed**: every connection added or removed, between existing
   workloads (with address ranges) and for every possible pod, lies within the intent's
   sources x targets x ports — as the version that allows it sees them.

For the check over possible pods, a label selector (``app=web``, ``any pod ...``, ``ns X``)
covers pods created later with those labels too; ``pod NS/NAME`` and ``svc NS/NAME`` cover the
pods no selector can tell apart from the named ones (same namespace, same labels): a policy
cannot allow a workload without allowing its replicas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import npql.solve.compare as symbolic
from npql.api import bulk
from npql.api.resolve import Resolver, port_query, service_port
from npql.compare.diff import existing_changes, version_of, warnings_of, with_ports
from npql.compare.ports import covers
from npql.compare.results import NEW, OLD, PairChange, SafeChangeResult, SafeStep
from npql.encode.link import Space
from npql.errors import QuerySemanticError
from npql.ir.addresses import network_range
from npql.ir.sides import PortQuery, Side
from npql.model.ports import PortSet
from npql.query import ast, parse_statement
from npql.solve.compare import PairSolver
from npql.solve.results import EndpointRef, Status, Verdict

if TYPE_CHECKING:
    from npql.api.cluster import Cluster

STEPS = ("not allowed before", "allowed after", "nothing else changed")


def safe_change(
    old: Cluster,
    new: Cluster,
    intent: str | ast.CanReach,
    *,
    timeout_ms: int | None = None,
) -> SafeChangeResult:
    """Check a change from ``old`` to ``new`` against an intent (a can-query)."""
    statement = parse_statement(intent) if isinstance(intent, str) else intent
    if not isinstance(statement, ast.CanReach):
        raise QuerySemanticError(
            f"'{statement}': an intent is a can-query, e.g. 'can app=web reach app=api:8443'"
        )
    steps = (
        _before(old, statement),
        _after(new, statement),
        _nothing_else(old, new, statement, timeout_ms),
    )
    return SafeChangeResult(
        f"safe change: {statement}", str(statement), steps, warnings_of(old, new)
    )


def _before(old: Cluster, st: ast.CanReach) -> SafeStep:
    name = STEPS[0]
    try:
        answer = old.query(st)
    except QuerySemanticError as exc:
        return SafeStep(name, Status.PASSED, f"not in the old version ({exc.args[0]})")
    result = answer.result
    verdict = getattr(result, "verdict", None)
    if verdict is Verdict.DENIED:
        return SafeStep(name, Status.PASSED, "denied in the old version")
    if verdict is Verdict.ALLOWED:
        witness = getattr(result, "witness", None)
        return SafeStep(name, Status.FAILED, "already allowed in the old version", witness=witness)
    return SafeStep(name, Status.UNKNOWN, f"undecided: {getattr(result, 'reason', None)}")


def _after(new: Cluster, st: ast.CanReach) -> SafeStep:
    name = STEPS[1]
    try:
        answer = new.query(st)
    except QuerySemanticError as exc:
        return SafeStep(name, Status.FAILED, f"cannot be asked of the new version: {exc.args[0]}")
    result = answer.result
    verdict = getattr(result, "verdict", None)
    witness = getattr(result, "witness", None)
    if verdict is Verdict.ALLOWED:
        return SafeStep(name, Status.PASSED, "allowed in the new version", witness=witness)
    if verdict is Verdict.DENIED:
        return SafeStep(name, Status.FAILED, "still denied in the new version")
    return SafeStep(name, Status.UNKNOWN, f"undecided: {getattr(result, 'reason', None)}")


class _Intent:
    """The intent resolved in one version: sides, ports, and solver-free spaces."""

    def __init__(self, cluster: Cluster, st: ast.CanReach) -> None:
        self.cluster = cluster
        self.resolver = Resolver(cluster.model, cluster.grouping, {}, [])
        self.source = self._side(st.source)
        self.target = self._side(st.target)
        try:
            self.ports: PortQuery | None = port_query(
                service_port(cluster.model, st.target, st.port)
            )
        except QuerySemanticError:
            self.ports = None
        self.source_space = self._space(st.source, self.source)
        self.target_space = self._space(st.target, self.target)

    def _side(self, endpoint: ast.Endpoint) -> Side:
        try:
            return self.resolver.side(endpoint)
        except QuerySemanticError:
            return Side()

    def _space(self, endpoint: ast.Endpoint, side: Side) -> Space:
        if isinstance(endpoint, ast.PodRef | ast.ServiceRef):
            return Space(clones=side.pods)
        hyp = None
        if isinstance(endpoint, ast.Selected | ast.AnyPod | ast.NamespaceRef):
            hyp = self.resolver.as_hypothetical(endpoint)
        return Space(hypothetical=hyp, ranges=side.ranges)

    def _holds(self, ref: EndpointRef, side: Side) -> bool:
        if ref.cidr is not None:
            return all(
                any(
                    r.version == part.version and r.lo <= part.lo and part.hi <= r.hi
                    for r in side.ranges
                )
                for part in (network_range(c.strip()) for c in ref.cidr.split(","))
            )
        return any(p.workload == str(ref) for p in side.pods)

    def covers(self, change: PairChange, ports: PortSet) -> bool:
        """The changed connection lies within the intent, as this version sees it."""
        if self.ports is None:
            return False
        if not (
            self._holds(change.source, self.source) and self._holds(change.target, self.target)
        ):
            return False
        group = None
        if change.target.cidr is None:
            pod = next(p for p in self.target.pods if p.workload == str(change.target))
            group = self.cluster.grouping.group_for(pod)
        return covers(bulk.port_filter(self.ports, group), ports)


def _nothing_else(old: Cluster, new: Cluster, st: ast.CanReach, timeout_ms: int | None) -> SafeStep:
    name = STEPS[2]
    intents = {OLD: _Intent(old, st), NEW: _Intent(new, st)}
    changes, _, _ = existing_changes(old, new)
    for change in changes:
        for version, ports in ((NEW, change.added), (OLD, change.removed)):
            if ports.is_empty() or intents[version].covers(change, ports):
                continue
            verb = "added" if version == NEW else "removed"
            message = f"{change.source} => {change.target} : {ports} is {verb}, outside the intent"
            return SafeStep(name, Status.FAILED, message, change=change)
    timeout_ms = timeout_ms if timeout_ms is not None else new.options.timeout_ms
    pair = PairSolver.of(version_of(old), version_of(new), timeout_ms)
    for kind, version in (("added", NEW), ("removed", OLD)):
        intent = intents[version]
        outside = []
        if intent.ports is not None:
            outside.append(
                symbolic.outside(
                    pair.linked, version, intent.source_space, intent.target_space, intent.ports
                )
            )
        search = symbolic.differences(pair, kind, limit=1, extra=outside)
        if search.found:
            found = with_ports(old, new, search.found[0])
            message = (
                f"a pod that need not exist: {found.source} => {found.target} : "
                f"{found.ports} is {kind}, outside the intent"
            )
            return SafeStep(name, Status.FAILED, message, possible=found)
        if not search.complete:
            return SafeStep(name, Status.UNKNOWN, f"undecided for possible pods: {search.reason}")
    return SafeStep(
        name,
        Status.PASSED,
        "every added or removed connection lies within the intent, "
        "for existing workloads and for every possible pod",
    )
