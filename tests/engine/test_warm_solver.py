"""The warm Z3 engine: guarded checks, solver rebuilds, and the denials of existing pods.

A denial between two existing pods names one direction that drops the connection, every
NetworkPolicy isolating that side, and every rule of those policies; all of it must agree
with the reference evaluator, and answers must not depend on what was asked before.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npql.api.cluster import Cluster
from npql.model import Cluster as Model
from npql.model import Direction, Protocol
from npql.query import ast
from npql.solve.engine import IncrementalSolver
from reference import allowed, egress_allows, ingress_allows, policies_applying
from strategies import clusters


def _can(src_ns: str, src: str, dst_ns: str, dst: str, port: int, proto: Protocol) -> ast.CanReach:
    return ast.CanReach(
        ast.PodRef(src_ns, src),
        ast.PodRef(dst_ns, dst),
        ast.PortSpec(ast.PortRange(port, port), proto),
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(clusters(), st.sampled_from((53, 80, 443, 8080)), st.sampled_from(list(Protocol)))
def test_denials_name_the_dropping_side_exactly(model: Model, port: int, proto: Protocol) -> None:
    cluster = Cluster(model)
    for src in model.pods:
        for dst in model.pods:
            if src is dst:
                continue
            question = _can(src.namespace, src.name, dst.namespace, dst.name, port, proto)
            answer = cluster.query(question)
            assert answer.allowed == allowed(model, src, dst, port, proto)
            if answer.allowed:
                continue
            denial = answer.to_dict()["denied_by"]
            assert isinstance(denial, dict)
            assert len(denial["directions"]) == 1
            direction = Direction(denial["directions"][0])
            subject, peer = (src, dst) if direction is Direction.EGRESS else (dst, src)
            side_allows = egress_allows if direction is Direction.EGRESS else ingress_allows
            assert not side_allows(model, subject, peer, port, proto)
            isolating = policies_applying(model, subject, direction)
            assert denial["isolating_policies"] == sorted(
                f"{p.namespace}/{p.name}" for p in isolating
            )
            rules = direction.value.lower()
            expected = sorted(
                f"{p.namespace}/{p.name}.{rules}[{i}]"
                for p in isolating
                for i in range(len(p.ingress if direction is Direction.INGRESS else p.egress))
            )
            assert denial["rules"] == expected


def test_answers_survive_solver_rebuilds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retired guards are dropped by rebuilding the solver; answers stay the same."""
    from npql.api import load

    questions = [
        "can app=web reach app=api:8443",
        "can app=web reach app=postgres:5432",
        "can any pod reach app=postgres:5432",
        "can app=api reach app=postgres:5432",
        "can ns monitoring reach app=api:9090",
    ] * 3
    expected = [str(load("examples/shop").query(q)) for q in questions]
    monkeypatch.setattr(IncrementalSolver, "REBUILD_AFTER", 2)
    warm = load("examples/shop")
    assert [str(warm.query(q)) for q in questions] == expected
    assert warm.solver.REBUILD_AFTER == 2
