"""Sliced encodings (a question about existing pods gets a formula over only their namespaces'
policies) answer exactly as the reference evaluator does."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import npql.api.cluster as api_cluster
from npql.api.cluster import Cluster
from npql.model import Cluster as Model
from npql.model import Protocol
from npql.query import ast
from reference import allowed
from strategies import clusters


@pytest.fixture(autouse=True)
def always_slice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api_cluster, "SLICE_ABOVE", 0)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(clusters(), st.sampled_from((53, 80, 443, 8080)), st.sampled_from(list(Protocol)))
def test_sliced_answers_match_reference(model: Model, port: int, proto: Protocol) -> None:
    cluster = Cluster(model)
    for src in model.pods:
        for dst in model.pods:
            if src is dst:
                continue
            statement = ast.CanReach(
                ast.PodRef(src.namespace, src.name),
                ast.PodRef(dst.namespace, dst.name),
                ast.PortSpec(ast.PortRange(port, port), proto),
            )
            assert cluster.query(statement).allowed == allowed(model, src, dst, port, proto)
