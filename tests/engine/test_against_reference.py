"""Every engine path agrees with the plain reference evaluator on random clusters.

The Z3 engine (can-queries), the bitset fast path (bulk answers) and the reference evaluator in
tests/reference.py are three independent readings of the API; hypothesis looks for a cluster,
a pair of endpoints and a port where any two disagree.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine_checks import engine_for, part_holding, pod_side, solver_for, z3_allows
from npql.ir.addresses import network_range
from npql.ir.sides import Side
from npql.model import Cluster, Direction, Protocol
from reference import External, allowed
from strategies import EXTERNAL_IPS, PROBE_PORTS, clusters

PROTOCOLS = (Protocol.TCP, Protocol.UDP, Protocol.SCTP)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(clusters(), st.booleans())
def test_bitsets_agree_with_reference_on_every_pod_pair(cluster: Cluster, match_ips: bool) -> None:
    engine = engine_for(cluster, match_ips)
    group = engine.grouping.group_for
    for src in cluster.pods:
        for dst in cluster.pods:
            if src is dst:
                continue
            ports = engine.between(group(src).index, group(dst).index)
            for proto in PROTOCOLS:
                for port in PROBE_PORTS:
                    expected = allowed(
                        cluster, src, dst, port, proto, ipblocks_match_pod_ips=match_ips
                    )
                    assert ports.contains(proto, port) == expected, (src, dst, proto, port)


@SETTINGS
@given(clusters(), st.booleans())
def test_bitsets_agree_with_reference_on_external_addresses(
    cluster: Cluster, match_ips: bool
) -> None:
    engine = engine_for(cluster, match_ips)
    for pod in cluster.pods:
        g = engine.grouping.group_for(pod).index
        for ip in EXTERNAL_IPS:
            inbound = engine.from_range(part_holding(engine, Direction.INGRESS, ip), g)
            outbound = engine.to_range(g, part_holding(engine, Direction.EGRESS, ip))
            for proto in PROTOCOLS:
                for port in PROBE_PORTS:
                    ext = External(ip)
                    flag = {"ipblocks_match_pod_ips": match_ips}
                    assert inbound.contains(proto, port) == allowed(
                        cluster, ext, pod, port, proto, **flag
                    )
                    assert outbound.contains(proto, port) == allowed(
                        cluster, pod, ext, port, proto, **flag
                    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clusters(), st.booleans(), st.sampled_from(PROBE_PORTS), st.sampled_from(PROTOCOLS))
def test_z3_agrees_with_reference(
    cluster: Cluster, match_ips: bool, port: int, proto: Protocol
) -> None:
    engine = engine_for(cluster, match_ips)
    solver = solver_for(cluster, engine, match_ips)
    flag = {"ipblocks_match_pod_ips": match_ips}
    for src in cluster.pods:
        for dst in cluster.pods:
            if src is dst:
                continue
            got = z3_allows(solver, pod_side(engine, src), pod_side(engine, dst), port, proto)
            assert got == allowed(cluster, src, dst, port, proto, **flag), (src, dst)
        for ip in EXTERNAL_IPS:
            ext = Side(ranges=(network_range(ip),))
            pod = pod_side(engine, src)
            assert z3_allows(solver, ext, pod, port, proto) == allowed(
                cluster, External(ip), src, port, proto, **flag
            )
            assert z3_allows(solver, pod, ext, port, proto) == allowed(
                cluster, src, External(ip), port, proto, **flag
            )
