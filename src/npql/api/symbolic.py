"""Answers about every possible pod: ``who could reach`` and ``exposure``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from npql.api import bulk
from npql.api.resolve import port_query, service_port
from npql.errors import QuerySemanticError
from npql.ir.groups import PodGroup, pod_addresses
from npql.ir.sides import PortQuery, Side
from npql.model.objects import Pod
from npql.model.policy import Direction
from npql.model.ports import EMPTY, PortSet
from npql.model.selector import LabelSelector
from npql.query import ast
from npql.solve.results import (
    EndpointRef,
    ExposureEntry,
    ExposureResult,
    SourceDescription,
    SpaceResult,
    workload_ref,
)
from npql.solve.space import Cube, SpaceEnumerator, port_classes

if TYPE_CHECKING:
    from npql.api.answer import Answerer


def who_could(answerer: Answerer, st: ast.WhoCouldReach) -> SpaceResult:
    """The exact space of sources, existing or not, that can reach the target."""
    target = answerer.resolver.side(st.target)
    if target.hypothetical is not None or target.ranges:
        raise QuerySemanticError("'who could reach' takes existing pods as its target")
    enumerator = _enumerator(answerer)
    query = port_query(service_port(answerer.cluster.model, st.target, st.port))
    parts: list[SourceDescription] = []
    for group in target.groups:
        for pod in _selected(group, target):
            parts += _pod_parts(answerer, enumerator, group, query, workload_ref(pod))
    parts += _address_parts(answerer, target, query)
    reason = _reason(enumerator)
    return SpaceResult(str(st), tuple(parts), answerer.warnings_for(target), reason)


def _enumerator(answerer: Answerer) -> SpaceEnumerator:
    cluster = answerer.cluster
    return SpaceEnumerator(cluster.solver, cluster.assumptions, cluster.options.timeout_ms)


def _reason(enumerator: SpaceEnumerator) -> str | None:
    if enumerator.unknown:
        return f"incomplete: the solver could not decide ({enumerator.unknown})"
    if enumerator.truncated:
        return "incomplete: more than 64 descriptions per target and port range"
    return None


def _selected(group: PodGroup, side: Side) -> list[Pod]:
    chosen = bulk.side_pod_ids(side)
    return [p for p in group.pods if id(p) in chosen]


def _pod_parts(
    answerer: Answerer,
    enumerator: SpaceEnumerator,
    group: PodGroup,
    query: PortQuery,
    target: EndpointRef,
) -> list[SourceDescription]:
    """Cubes per class of ports, classes with the same cubes merged into one port set."""
    merged: dict[tuple[str, ...], tuple[list[Cube], PortSet]] = {}
    for ports in port_classes(enumerator.enc, group, query):
        cubes = enumerator.cubes(group, ports)
        if not cubes:
            continue
        key = tuple(sorted(_cube_key(c) for c in cubes))
        assert ports.protocol is not None
        previous = merged.get(key, (cubes, EMPTY))
        merged[key] = (cubes, previous[1].union(PortSet.of(ports.protocol, ports.lo, ports.hi)))
    return [
        _describe(answerer, cube, target, portset)
        for cubes, portset in merged.values()
        for cube in cubes
    ]


def _cube_key(cube: Cube) -> str:
    return "|".join(sorted(a.if_true if v else a.if_false for a, v in cube.literals))


def _describe(
    answerer: Answerer, cube: Cube, target: EndpointRef, ports: PortSet
) -> SourceDescription:
    ns_names = cube.texts("ns-name")
    ns_labels = cube.texts("ns-label")
    pod_labels = cube.texts("pod-label") + cube.texts("pod-ip")
    positive = [t for t in ns_names if not t.startswith("not ")]
    if positive:
        namespace = positive[0]
    elif ns_names or ns_labels:
        parts = [*ns_names, *([f"with {','.join(ns_labels)}"] if ns_labels else [])]
        namespace = "any namespace " + " ".join(parts)
    else:
        namespace = "any namespace"
    if positive and ns_labels:
        namespace += f" (with {','.join(ns_labels)})"
    pods = f"pods with {','.join(pod_labels)}" if pod_labels else "any pod"
    model = answerer.cluster.model
    existing = tuple(
        workload_ref(p)
        for p in model.pods
        if cube.holds(p.namespace, model.namespace_labels(p.namespace), p.labels, pod_addresses(p))
        and workload_ref(p) != target
    )
    return SourceDescription(
        namespace=namespace,
        pods=pods,
        namespace_constraints=ns_names + ns_labels,
        pod_constraints=pod_labels,
        target=target,
        ports=ports,
        existing=tuple(dict.fromkeys(existing)),
    )


def _address_parts(answerer: Answerer, target: Side, query: PortQuery) -> list[SourceDescription]:
    engine = answerer.cluster.bitsets
    return [
        SourceDescription(namespace="", pods="", cidr=c.source.cidr, target=c.target, ports=c.ports)
        for c in bulk.from_addresses(
            engine, target.groups, target_pods=bulk.side_pod_ids(target), query=query
        )
    ]


def exposure(answerer: Answerer, st: ast.Exposure) -> ExposureResult:
    """For each workload: who, existing or not, could reach it; and whether anything protects it."""
    side = (
        answerer.resolver.side(st.endpoint)
        if st.endpoint is not None
        else answerer.resolver.side(ast.Selected(LabelSelector()))
    )
    engine = answerer.cluster.bitsets
    enumerator = _enumerator(answerer)
    entries = []
    for group in side.groups:
        unprotected = not engine.protected(group.index, Direction.INGRESS)
        for pod in _selected(group, side):
            ref = workload_ref(pod)
            parts: list[SourceDescription] = []
            if not unprotected:
                parts = _pod_parts(answerer, enumerator, group, PortQuery(), ref)
                single = Side(pods=(pod,), groups=(group,))
                parts += _address_parts(answerer, single, PortQuery())
            entries.append(ExposureEntry(ref, unprotected, tuple(parts)))
    entries.sort(key=lambda e: e.workload.sort_key())
    return ExposureResult(str(st), tuple(entries), answerer.warnings_for(side))
