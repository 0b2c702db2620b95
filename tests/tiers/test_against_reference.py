"""Both engines agree with the reference tier chain on random clusters with tiered policies.

``tiered_clusters()`` adds AdminNetworkPolicies, BaselineAdminNetworkPolicies and
ClusterNetworkPolicies of both tiers (priority ties, Pass, networks peers, named ports) to the
clusters of tests/engine/test_against_reference.py. The bitset fast path (pod pairs, address
ranges in both directions) and the Z3 engine (check_can) are compared with
``reference.allowed`` on every pod pair, external address, probe port and protocol.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine_checks import engine_for, part_holding, pod_side, solver_for, z3_allows
from npql.encode.encoding import Encoding
from npql.ir.addresses import network_range
from npql.ir.sides import Side
from npql.model import (
    NAMESPACE_NAME_LABEL,
    Cluster,
    Direction,
    LabelSelector,
    Namespace,
    Pod,
    Protocol,
)
from npql.model.tiered import Action, Tier, TieredPeer, TieredPolicy, TieredRule
from npql.solve.engine import IncrementalSolver
from reference import External, allowed
from strategies import EXTERNAL_IPS, PROBE_PORTS, tiered_clusters

PROTOCOLS = (Protocol.TCP, Protocol.UDP, Protocol.SCTP)
BITSET_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
Z3_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@BITSET_SETTINGS
@given(tiered_clusters(), st.booleans())
def test_bitsets_agree_with_reference_on_every_pod_pair(cluster: Cluster, match_ips: bool) -> None:
    engine = engine_for(cluster, match_ips)
    group = engine.grouping.group_for
    flag = {"ipblocks_match_pod_ips": match_ips}
    for src in cluster.pods:
        for dst in cluster.pods:
            if src is dst:
                continue
            ports = engine.between(group(src).index, group(dst).index)
            for proto in PROTOCOLS:
                for port in PROBE_PORTS:
                    expected = allowed(cluster, src, dst, port, proto, **flag)
                    assert ports.contains(proto, port) == expected, (src, dst, proto, port)


@BITSET_SETTINGS
@given(tiered_clusters(), st.booleans())
def test_bitsets_agree_with_reference_on_external_addresses(
    cluster: Cluster, match_ips: bool
) -> None:
    engine = engine_for(cluster, match_ips)
    flag = {"ipblocks_match_pod_ips": match_ips}
    for pod in cluster.pods:
        g = engine.grouping.group_for(pod).index
        for ip in EXTERNAL_IPS:
            inbound = engine.from_range(part_holding(engine, Direction.INGRESS, ip), g)
            outbound = engine.to_range(g, part_holding(engine, Direction.EGRESS, ip))
            ext = External(ip)
            for proto in PROTOCOLS:
                for port in PROBE_PORTS:
                    expected_in = allowed(cluster, ext, pod, port, proto, **flag)
                    expected_out = allowed(cluster, pod, ext, port, proto, **flag)
                    assert inbound.contains(proto, port) == expected_in, (ip, pod, proto, port)
                    assert outbound.contains(proto, port) == expected_out, (pod, ip, proto, port)


@Z3_SETTINGS
@given(tiered_clusters(), st.booleans(), st.sampled_from(PROBE_PORTS), st.sampled_from(PROTOCOLS))
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
        pod = pod_side(engine, src)
        for ip in EXTERNAL_IPS:
            ext = Side(ranges=(network_range(ip),))
            expected_in = allowed(cluster, External(ip), src, port, proto, **flag)
            expected_out = allowed(cluster, src, External(ip), port, proto, **flag)
            assert z3_allows(solver, ext, pod, port, proto) == expected_in, (ip, src)
            assert z3_allows(solver, pod, ext, port, proto) == expected_out, (src, ip)


# --- a Pass in the baseline tier ------------------------------------------------------------------


def _baseline_pass_cluster() -> Cluster:
    """Two pods in ``a``; a Baseline-tier ClusterNetworkPolicy whose rule 0 passes ingress from
    pods labelled app=x and whose rule 1 denies every ingress."""
    everyone = TieredPeer(namespace_selector=LabelSelector())
    app_x = TieredPeer(
        namespace_selector=LabelSelector(),
        pod_selector=LabelSelector.from_match_labels({"app": "x"}),
    )
    policy = TieredPolicy(
        kind="ClusterNetworkPolicy",
        name="base",
        tier=Tier.BASELINE,
        priority=0,
        subject_namespaces=LabelSelector(),
        subject_pods=LabelSelector.from_match_labels({"app": "y"}),
        ingress=(
            TieredRule("pass-x", Action.PASS, (app_x,)),
            TieredRule("deny", Action.DENY, (everyone,)),
        ),
    )
    pods = (
        Pod("a", "x", "Pod", {"app": "x"}, pod_name="x"),
        Pod("a", "y", "Pod", {"app": "y"}, pod_name="y"),
        Pod("a", "z", "Pod", {"app": "z"}, pod_name="z"),
    )
    namespaces = {"a": Namespace("a", {NAMESPACE_NAME_LABEL: "a"})}
    return Cluster(namespaces=namespaces, pods=pods, tiered=(policy,))


def test_z3_baseline_pass_goes_to_the_default() -> None:
    cluster = _baseline_pass_cluster()
    x, y, z = cluster.pods
    assert allowed(cluster, x, y, 80, Protocol.TCP)  # pass-x, then the default
    assert not allowed(cluster, z, y, 80, Protocol.TCP)  # deny
    engine = engine_for(cluster, False)
    solver = IncrementalSolver(Encoding(cluster, engine.policies, engine.grouping))
    side = {p.name: pod_side(engine, p) for p in cluster.pods}
    assert z3_allows(solver, side["x"], side["y"], 80, Protocol.TCP)
    assert not z3_allows(solver, side["z"], side["y"], 80, Protocol.TCP)


def test_bitsets_baseline_pass_goes_to_the_default() -> None:
    cluster = _baseline_pass_cluster()
    engine = engine_for(cluster, False)
    x, y, z = (engine.grouping.group_for(p).index for p in cluster.pods)
    assert engine.between(z, y).is_empty()  # deny
    assert engine.between(x, y).contains(Protocol.TCP, 80)  # pass-x, then the default
