"""``-o json``: one JSON document per answer, schema ``npql/v1`` (docs/json.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from npql.explain.values import ExplainResult
from npql.model.ports import PortSet
from npql.render.explain import explanation_dict
from npql.solve.results import (
    AssertionResult,
    CanResult,
    ConnectivityResult,
    Denial,
    EndpointRef,
    ExposureResult,
    InfoResult,
    Reach,
    Result,
    SourceDescription,
    SpaceResult,
    WhatResult,
    WhoResult,
    Witness,
)

SCHEMA = "npql/v1"


def endpoint_dict(ep: EndpointRef) -> dict[str, Any]:
    """A workload as namespace/name/kind, an address range as cidr, a new pod with its labels."""
    if ep.cidr is not None:
        return {"cidr": ep.cidr}
    out: dict[str, Any] = {"namespace": ep.namespace, "name": ep.name, "kind": ep.kind}
    if ep.kind == "Hypothetical":
        out["labels"] = dict(sorted(ep.labels.items()))
        out["namespace_labels"] = dict(sorted(ep.namespace_labels.items()))
        out["new_namespace"] = ep.new_namespace
    return out


def ports_dict(ports: PortSet) -> dict[str, Any]:
    """Allowed ports: the netpol-analyzer text plus per-protocol ranges."""
    return {
        "ports": str(ports),
        "protocols": {
            p.value: [[lo, hi] for lo, hi in ranges] for p, ranges in sorted(ports.ranges.items())
        },
    }


def reach_dict(reach: Reach) -> dict[str, Any]:
    """An endpoint with the ports allowed to or from it."""
    return endpoint_dict(reach.endpoint) | ports_dict(reach.ports)


def witness_dict(w: Witness) -> dict[str, Any]:
    """A concrete allowed connection and the rules admitting it."""
    return {
        "source": endpoint_dict(w.source),
        "target": endpoint_dict(w.target),
        "port": w.port,
        "protocol": w.protocol,
        "egress_rules": list(w.egress_rules),
        "ingress_rules": list(w.ingress_rules),
        "source_isolated": w.source_isolated,
        "target_isolated": w.target_isolated,
        "self_connection": w.self_connection,
    }


def denial_dict(d: Denial) -> dict[str, Any]:
    """The proof of a denial: isolating policies and non-admitting rules."""
    return {
        "isolating_policies": list(d.isolating_policies),
        "rules": list(d.rules),
        "directions": list(d.directions),
    }


def _can(r: CanResult) -> dict[str, Any]:
    return {
        "statement": "can",
        "verdict": r.verdict.value,
        "allowed": r.allowed,
        "witness": None if r.witness is None else witness_dict(r.witness),
        "denied_by": None if r.denial is None else denial_dict(r.denial),
        "reason": r.reason,
    }


def _who(r: WhoResult) -> dict[str, Any]:
    return {
        "statement": "who-can-reach",
        "sources": [
            endpoint_dict(s.endpoint) | {"reaches": [reach_dict(x) for x in s.reaches]}
            for s in r.sources
        ],
    }


def _what(r: WhatResult) -> dict[str, Any]:
    return {"statement": "what-can-reach", "destinations": [reach_dict(d) for d in r.destinations]}


def _connectivity(r: ConnectivityResult) -> dict[str, Any]:
    return {
        "statement": "connectivity",
        "connections": [
            {"source": endpoint_dict(c.source), "target": endpoint_dict(c.target)}
            | ports_dict(c.ports)
            for c in r.connections
        ],
    }


def _assertion(r: AssertionResult) -> dict[str, Any]:
    return {
        "statement": "assert",
        "status": r.status.value,
        "passed": r.passed,
        "message": r.message,
        "line": r.line or None,
        "witness": None if r.witness is None else witness_dict(r.witness),
        "denied_by": None if r.denial is None else denial_dict(r.denial),
        "reason": r.reason,
    }


def description_dict(part: SourceDescription) -> dict[str, Any]:
    """One part of a space of sources."""
    out: dict[str, Any]
    if part.cidr is not None:
        out = {"cidr": part.cidr}
    else:
        out = {
            "namespace": list(part.namespace_constraints),
            "pod": list(part.pod_constraints),
            "description": f"{part.pods} in {part.namespace}",
            "existing": [endpoint_dict(e) for e in part.existing],
        }
    if part.target is not None:
        out["target"] = endpoint_dict(part.target)
    return out | ports_dict(part.ports)


def _space(r: SpaceResult) -> dict[str, Any]:
    return {
        "statement": "who-could-reach",
        "sources": [description_dict(p) for p in r.parts],
        "complete": r.reason is None,
        "reason": r.reason,
    }


def _exposure(r: ExposureResult) -> dict[str, Any]:
    return {
        "statement": "exposure",
        "workloads": [
            endpoint_dict(e.workload)
            | {"unprotected": e.unprotected, "sources": [description_dict(p) for p in e.parts]}
            for e in r.entries
        ],
    }


def _info(r: InfoResult) -> dict[str, Any]:
    out: dict[str, Any] = {"statement": r.kind}
    if r.sentences:
        out["sentences"] = list(r.sentences)
    if r.columns:
        out["rows"] = [dict(zip(r.columns, row, strict=False)) for row in r.rows]
    return out | dict(r.data)


def _explain(r: ExplainResult) -> dict[str, Any]:
    return {
        "statement": "why",
        "verdict": r.verdict,
        "allowed": None if r.verdict == "unknown" else r.verdict == "allowed",
        "explanations": [explanation_dict(e) for e in r.explanations],
        "notes": list(r.notes),
    }


_SHAPES: dict[type, Callable[[Any], dict[str, Any]]] = {
    ExplainResult: _explain,
    AssertionResult: _assertion,
    SpaceResult: _space,
    ExposureResult: _exposure,
    InfoResult: _info,
    CanResult: _can,
    WhoResult: _who,
    WhatResult: _what,
    ConnectivityResult: _connectivity,
}


def to_dict(result: Result | ExplainResult) -> dict[str, Any]:
    """The JSON document of one answer."""
    shape = _SHAPES.get(type(result))
    if shape is None:  # compare results (diff, lint, redundancy...) carry their own document
        rendered: Any = result
        return dict(rendered.to_dict())
    body = shape(result)
    return {"schema": SCHEMA, "query": result.query} | body | {"warnings": list(result.warnings)}


def render_json(result: Result | ExplainResult) -> str:
    """The answer as pretty-printed JSON."""
    return json.dumps(to_dict(result), indent=2)
