"""explain_connection agrees with the reference evaluator on random clusters."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npql.explain import Address, Explanation, explain_connection
from npql.ir.policies import compile_policies
from npql.ir.sides import PortQuery
from npql.model import ALL_PROTOCOLS, Cluster, Pod
from reference import External, allowed
from strategies import CONTAINER_PORT_NAMES, EXTERNAL_IPS, PROBE_PORTS, clusters

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _consistent(e: Explanation) -> None:
    """Structural invariants: verdict = non-empty ports; minimal rules admit; reasons iff not."""
    if not e.self_connection:
        assert e.allowed == (not e.ports.is_empty())
    for side in (e.egress, e.ingress):
        if side is None:
            continue
        for policy in side.policies:
            for rule in policy.rules:
                assert rule.admits == (rule.reason is None)
                assert rule.admits == (not rule.admitted.is_empty())
        admitting = {r.rule_id for r in side.admitting_rules()}
        if side.isolated and e.allowed and not e.self_connection:
            assert set(e.minimal_rules) & admitting
    if e.allowed and not e.self_connection:
        assert e.ports == e.ports.intersect(e.asked)


@SETTINGS
@given(clusters(), st.booleans())
def test_pod_pairs_agree_with_reference(cluster: Cluster, match_ips: bool) -> None:
    policies = compile_policies(cluster)
    for src in cluster.pods:
        for dst in cluster.pods:
            every = explain_connection(
                cluster, policies, src, dst, PortQuery(), ipblocks_match_pod_ips=match_ips
            )
            _consistent(every)
            for port in PROBE_PORTS:
                for proto in ALL_PROTOCOLS:
                    expected = allowed(
                        cluster, src, dst, port, proto, ipblocks_match_pod_ips=match_ips
                    )
                    one = explain_connection(
                        cluster,
                        policies,
                        src,
                        dst,
                        PortQuery(proto, port, port),
                        ipblocks_match_pod_ips=match_ips,
                    )
                    assert one.allowed == expected, (src, dst, proto, port, one)
                    _consistent(one)
                    if src is not dst:
                        assert every.ports.contains(proto, port) == expected


@SETTINGS
@given(clusters(), st.booleans())
def test_named_questions_resolve_on_the_target(cluster: Cluster, match_ips: bool) -> None:
    policies = compile_policies(cluster)
    names = [n for n in CONTAINER_PORT_NAMES if n is not None] + ["metrics"]
    flag = {"ipblocks_match_pod_ips": match_ips}
    for src in cluster.pods:
        for dst in cluster.pods:
            if src is dst:
                continue
            for name in names:
                for proto in ALL_PROTOCOLS:
                    expected = any(
                        allowed(cluster, src, dst, cp.port, proto, **flag)
                        for cp in dst.ports
                        if cp.name == name and cp.protocol is proto
                    )
                    e = explain_connection(
                        cluster, policies, src, dst, PortQuery(proto, name=name), **flag
                    )
                    assert e.allowed == expected, (src, dst, name, proto)
                    _consistent(e)


@SETTINGS
@given(clusters(), st.booleans())
def test_external_addresses_agree_with_reference(cluster: Cluster, match_ips: bool) -> None:
    policies = compile_policies(cluster)
    for pod in cluster.pods:
        for ip in EXTERNAL_IPS:
            pairs: list[tuple[Pod | Address, Pod | Address, Pod | External, Pod | External]] = [
                (Address(ip), pod, External(ip), pod),
                (pod, Address(ip), pod, External(ip)),
            ]
            for src, dst, ref_src, ref_dst in pairs:
                every = explain_connection(
                    cluster, policies, src, dst, PortQuery(), ipblocks_match_pod_ips=match_ips
                )
                _consistent(every)
                for port in PROBE_PORTS:
                    for proto in ALL_PROTOCOLS:
                        expected = allowed(
                            cluster, ref_src, ref_dst, port, proto, ipblocks_match_pod_ips=match_ips
                        )
                        assert every.ports.contains(proto, port) == expected, (src, dst, proto)
