"""'No path' is only ever a proof: about a thousand seeded random clusters (derandomized,
bounded in time), every engine against the reference evaluator, in both directions."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npql.api.cluster import Cluster
from npql.model import Cluster as Model
from npql.model import Protocol
from npql.query import ast
from reference import allowed
from strategies import PROBE_PORTS, clusters

PROTOCOLS = (Protocol.TCP, Protocol.UDP, Protocol.SCTP)


@settings(
    max_examples=800, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(clusters(), st.booleans())
def test_bulk_engine_on_800_seeded_clusters(model: Model, match_ips: bool) -> None:
    cluster = Cluster(model)
    if match_ips:
        cluster = Cluster(model, type(cluster.options)(ipblocks_match_pod_ips=True))
    engine = cluster.bitsets
    group = cluster.grouping.group_for
    for src in model.pods:
        for dst in model.pods:
            if src is dst:
                continue
            ports = engine.between(group(src).index, group(dst).index)
            for proto in PROTOCOLS:
                for port in PROBE_PORTS:
                    truth = allowed(model, src, dst, port, proto, ipblocks_match_pod_ips=match_ips)
                    assert ports.contains(proto, port) == truth


@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(clusters(), st.sampled_from(PROBE_PORTS), st.sampled_from(PROTOCOLS))
def test_z3_verdicts_on_150_seeded_clusters(model: Model, port: int, proto: Protocol) -> None:
    cluster = Cluster(model)
    for src in model.pods:
        for dst in model.pods:
            statement = ast.CanReach(
                ast.PodRef(src.namespace, src.name),
                ast.PodRef(dst.namespace, dst.name),
                ast.PortSpec(ast.PortRange(port, port), proto),
            )
            answer = cluster.query(statement)
            assert answer.allowed is not None
            # pod names are unique per namespace in generated clusters, so PodRef is exact
            assert answer.allowed == allowed(model, src, dst, port, proto)
