"""CI gates over two versions: containment ("no new access") and equivalence.

Existing workload pairs and address ranges are checked first (bitsets; a violation gets a
concrete witness with the rules that admit it); then every possible pod (Z3). Pairs whose
workloads exist in one version only are not violations by themselves: creating or deleting a
workload is not a policy change, and the check over possible pods covers those pods anyway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from npql.compare.diff import existing_changes, possible_changes, version_of, warnings_of
from npql.compare.results import ContainmentResult, PairChange
from npql.ir.addresses import network_range
from npql.ir.sides import PortQuery, Side
from npql.model.ports import PortSet
from npql.solve.can import check_can
from npql.solve.compare import PairSolver
from npql.solve.results import EndpointRef, Verdict, Witness

if TYPE_CHECKING:
    from npql.api.cluster import Cluster

NO_NEW_ACCESS = "no-new-access"
EQUIVALENT = "equivalent"


def no_new_access(
    old: Cluster, new: Cluster, *, timeout_ms: int | None = None, query: str | None = None
) -> ContainmentResult:
    """Holds when the new version allows nothing the old one did not."""
    return _gate(old, new, NO_NEW_ACCESS, ("added",), timeout_ms, query)


def equivalent(
    old: Cluster, new: Cluster, *, timeout_ms: int | None = None, query: str | None = None
) -> ContainmentResult:
    """Holds when both versions allow exactly the same connections."""
    return _gate(old, new, EQUIVALENT, ("added", "removed"), timeout_ms, query)


def _gate(
    old: Cluster,
    new: Cluster,
    mode: str,
    kinds: tuple[str, ...],
    timeout_ms: int | None,
    query: str | None,
) -> ContainmentResult:
    text = query or (
        "the new version allows nothing the old one did not"
        if mode == NO_NEW_ACCESS
        else "both versions allow the same connections"
    )
    warnings = warnings_of(old, new)
    changes, _, _ = existing_changes(old, new)
    for change in changes:
        if change.only_in is not None:
            continue
        for kind in kinds:
            ports = change.added if kind == "added" else change.removed
            if ports.is_empty():
                continue
            cluster = new if kind == "added" else old
            verb = "allowed by the new version only" if kind == "added" else "no longer allowed"
            return ContainmentResult(
                text,
                mode,
                False,
                f"{change.source} => {change.target} : {ports} is {verb}",
                change=change,
                witness=concrete_witness(cluster, change, ports),
                warnings=warnings,
            )
    timeout_ms = timeout_ms if timeout_ms is not None else new.options.timeout_ms
    pair = PairSolver.of(version_of(old), version_of(new), timeout_ms)
    for kind in kinds:
        found, complete, reason = possible_changes(
            old, new, limit=1, changes=(kind,), timeout_ms=timeout_ms, pair=pair
        )
        if found:
            p = found[0]
            verb = "allowed by the new version only" if kind == "added" else "no longer allowed"
            message = f"a pod that need not exist: {p.source} => {p.target} : {p.ports} is {verb}"
            return ContainmentResult(text, mode, False, message, possible=p, warnings=warnings)
        if not complete:
            message = f"undecided for possible pods: {reason}"
            return ContainmentResult(text, mode, None, message, reason=reason, warnings=warnings)
    message = (
        "the new version allows nothing the old one did not, "
        "for existing workloads and for every possible pod"
        if mode == NO_NEW_ACCESS
        else "both versions allow the same connections, "
        "for existing workloads and for every possible pod"
    )
    return ContainmentResult(text, mode, True, message, warnings=warnings)


def _side(cluster: Cluster, ref: EndpointRef) -> Side:
    if ref.cidr is not None:
        first = network_range(ref.cidr.split(",")[0].strip())
        return Side(ranges=(first,), description=str(ref))
    pods = [p for p in cluster.model.pods if p.workload == str(ref)]
    return Side(pods=tuple(pods), groups=tuple(cluster.grouping.groups_for(pods)))


def _one_port(ports: PortSet) -> PortQuery:
    protocol = min(ports.ranges, key=lambda p: p.value)
    lo = ports.ranges[protocol][0][0]
    return PortQuery(protocol=protocol, lo=lo, hi=lo)


def concrete_witness(cluster: Cluster, change: PairChange, ports: PortSet) -> Witness | None:
    """One connection of a changed pair, as ``cluster`` allows it, with the admitting rules."""
    source, target = _side(cluster, change.source), _side(cluster, change.target)
    if source.is_empty or target.is_empty:
        return None
    verdict, witness, _, _ = check_can(
        cluster.solver,
        source,
        target,
        _one_port(ports),
        self_groups=cluster.self_groups,
        timeout_ms=cluster.options.timeout_ms,
    )
    return witness if verdict is Verdict.ALLOWED else None
