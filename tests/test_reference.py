"""Hand-worked cases pinning every rule of the reference evaluator, the tutorial scenario and
every item of ERRATA.md; plus a smoke test of the hypothesis strategies."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npql.model import (
    NAMESPACE_NAME_LABEL,
    Cluster,
    ContainerPort,
    Direction,
    IPBlock,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Operator,
    Peer,
    Pod,
    PolicyPort,
    Protocol,
    Requirement,
    Rule,
)
from reference import (
    Endpoint,
    External,
    allowed,
    egress_allows,
    ingress_allows,
    is_isolated,
    label_selector_matches,
)
from strategies import clusters, endpoints, probe_ports, protocols

TCP, UDP, SCTP = Protocol.TCP, Protocol.UDP, Protocol.SCTP
INGRESS, EGRESS = Direction.INGRESS, Direction.EGRESS
BOTH = frozenset({INGRESS, EGRESS})
ONLY_INGRESS = frozenset({INGRESS})
ONLY_EGRESS = frozenset({EGRESS})


# --- builders ---------------------------------------------------------------------------------


def sel(**labels: str) -> LabelSelector:
    """matchLabels as keyword arguments; ``sel()`` is the empty selector ``{}``."""
    return LabelSelector.from_match_labels(labels)


def ns(name: str, **labels: str) -> Namespace:
    return Namespace(name, {NAMESPACE_NAME_LABEL: name, **labels})


def pod(
    namespace: str,
    name: str,
    ports: Iterable[ContainerPort] = (),
    ips: Iterable[str] = (),
    **labels: str,
) -> Pod:
    return Pod(namespace, name, "Deployment", labels, tuple(ports), tuple(ips))


def policy(
    namespace: str,
    name: str,
    selector: LabelSelector,
    types: frozenset[Direction],
    ingress: Iterable[Rule] = (),
    egress: Iterable[Rule] = (),
) -> NetworkPolicy:
    return NetworkPolicy(namespace, name, selector, types, tuple(ingress), tuple(egress))


def cluster(
    namespaces: Iterable[Namespace], pods: Iterable[Pod], policies: Iterable[NetworkPolicy] = ()
) -> Cluster:
    return Cluster({n.name: n for n in namespaces}, tuple(pods), tuple(policies))


def deny_all(namespace: str, types: frozenset[Direction]) -> NetworkPolicy:
    return policy(namespace, "deny-all", sel(), types)


def allow_from(namespace: str, selector: LabelSelector, *rules: Rule) -> NetworkPolicy:
    return policy(namespace, "allow", selector, ONLY_INGRESS, ingress=rules)


def allow_to(namespace: str, selector: LabelSelector, *rules: Rule) -> NetworkPolicy:
    return policy(namespace, "allow", selector, ONLY_EGRESS, egress=rules)


NS = (ns("a", team="x"), ns("b", team="y"), ns("c"))
CLIENT = pod("a", "client", app="client")
SERVER = pod(
    "a",
    "server",
    ports=[ContainerPort(8080, TCP, "http"), ContainerPort(53, UDP, "dns")],
    ips=["10.0.0.100"],
    app="server",
)
INTERNET = External("8.8.8.8")


# --- endpoints and directions -----------------------------------------------------------------


def test_external_to_external_is_not_a_question() -> None:
    with pytest.raises(ValueError):
        allowed(cluster(NS, []), INTERNET, External("10.0.0.1"), 80, TCP)


def test_pod_to_itself_is_always_allowed() -> None:
    c = cluster(NS, [SERVER], [deny_all("a", BOTH)])
    assert allowed(c, SERVER, SERVER, 80, TCP)
    twin = pod("a", "server", ports=SERVER.ports, ips=SERVER.ips, app="server")
    assert allowed(c, SERVER, twin, 443, UDP)  # equal, not the same object
    assert not allowed(c, SERVER, CLIENT, 80, TCP)


def test_pod_to_pod_needs_egress_of_src_and_ingress_of_dst() -> None:
    no_policy = cluster(NS, [CLIENT, SERVER])
    assert allowed(no_policy, CLIENT, SERVER, 80, TCP)
    src_denied = cluster(NS, [CLIENT, SERVER], [deny_all("a", ONLY_EGRESS)])
    assert not allowed(src_denied, CLIENT, SERVER, 80, TCP)
    assert ingress_allows(src_denied, SERVER, CLIENT, 80, TCP)
    dst_denied = cluster(NS, [CLIENT, SERVER], [deny_all("a", ONLY_INGRESS)])
    assert not allowed(dst_denied, CLIENT, SERVER, 80, TCP)
    assert egress_allows(dst_denied, CLIENT, SERVER, 80, TCP)


def test_pod_to_external_needs_egress_of_src_only() -> None:
    ingress_denied = cluster(NS, [CLIENT], [deny_all("a", ONLY_INGRESS)])
    assert allowed(ingress_denied, CLIENT, INTERNET, 443, TCP)
    egress_denied = cluster(NS, [CLIENT], [deny_all("a", ONLY_EGRESS)])
    assert not allowed(egress_denied, CLIENT, INTERNET, 443, TCP)


def test_external_to_pod_needs_ingress_of_dst_only() -> None:
    egress_denied = cluster(NS, [SERVER], [deny_all("a", ONLY_EGRESS)])
    assert allowed(egress_denied, INTERNET, SERVER, 8080, TCP)
    ingress_denied = cluster(NS, [SERVER], [deny_all("a", ONLY_INGRESS)])
    assert not allowed(ingress_denied, INTERNET, SERVER, 8080, TCP)


# --- isolation --------------------------------------------------------------------------------


def test_isolated_only_by_a_selecting_policy_of_its_namespace_with_that_direction() -> None:
    c = cluster(
        NS,
        [CLIENT, SERVER],
        [
            policy("b", "other-namespace", sel(), BOTH),
            policy("a", "other-pods", sel(app="nobody"), BOTH),
            policy("a", "egress-only", sel(app="server"), ONLY_EGRESS),
        ],
    )
    assert not is_isolated(c, SERVER, INGRESS)
    assert is_isolated(c, SERVER, EGRESS)
    assert not is_isolated(c, CLIENT, INGRESS)
    assert not is_isolated(c, CLIENT, EGRESS)


def test_not_isolated_allows_everything() -> None:
    c = cluster(NS, [CLIENT, SERVER], [deny_all("a", ONLY_EGRESS)])
    for port, protocol in [(1, TCP), (53, UDP), (65535, SCTP)]:
        assert ingress_allows(c, SERVER, INTERNET, port, protocol)
        assert ingress_allows(c, SERVER, CLIENT, port, protocol)


def test_isolated_with_no_rules_denies_everything() -> None:
    c = cluster(NS, [CLIENT, SERVER], [deny_all("a", ONLY_INGRESS)])
    assert not ingress_allows(c, SERVER, CLIENT, 8080, TCP)
    assert not ingress_allows(c, SERVER, INTERNET, 8080, TCP)


def test_policies_are_a_union() -> None:
    c = cluster(
        NS,
        [CLIENT, SERVER],
        [
            policy(
                "a", "p80", sel(app="server"), ONLY_INGRESS, [Rule(ports=(PolicyPort(TCP, 80),))]
            ),
            policy("a", "p53", sel(), ONLY_INGRESS, [Rule(ports=(PolicyPort(UDP, 53),))]),
        ],
    )
    assert allowed(c, CLIENT, SERVER, 80, TCP)
    assert allowed(c, CLIENT, SERVER, 53, UDP)
    assert not allowed(c, CLIENT, SERVER, 53, TCP)


def test_rules_of_a_direction_missing_from_policy_types_are_ignored() -> None:
    allow_all = Rule()
    c = cluster(
        NS,
        [CLIENT, SERVER],
        [
            # isolates egress only; its ingress rule contributes nothing
            policy("a", "egress", sel(app="server"), ONLY_EGRESS, ingress=[allow_all]),
            # isolates ingress only; its egress rule must not rescue the egress side
            policy("a", "ingress", sel(app="server"), ONLY_INGRESS, egress=[allow_all]),
        ],
    )
    assert not ingress_allows(c, SERVER, CLIENT, 8080, TCP)
    assert not egress_allows(c, SERVER, CLIENT, 8080, TCP)


# --- peers ------------------------------------------------------------------------------------


def test_empty_peers_admit_every_pod_and_every_address() -> None:
    far = pod("c", "far", app="far")
    c = cluster(NS, [CLIENT, SERVER, far], [allow_from("a", sel(app="server"), Rule())])
    assert allowed(c, CLIENT, SERVER, 8080, TCP)
    assert allowed(c, far, SERVER, 8080, TCP)
    assert allowed(c, INTERNET, SERVER, 8080, TCP)
    assert allowed(c, External("fd00::1"), SERVER, 8080, TCP)


def test_pod_selector_alone_means_pods_of_the_policy_namespace() -> None:
    twin_elsewhere = pod("b", "client", app="client")
    rule = Rule(peers=(Peer(pod_selector=sel(app="client")),))
    c = cluster(NS, [CLIENT, SERVER, twin_elsewhere], [allow_from("a", sel(app="server"), rule)])
    assert allowed(c, CLIENT, SERVER, 8080, TCP)
    assert not allowed(c, twin_elsewhere, SERVER, 8080, TCP)


def test_namespace_selector_alone_means_every_pod_of_matching_namespaces() -> None:
    in_b = pod("b", "any", tier="z")
    in_c = pod("c", "any", tier="z")
    by_team = Rule(peers=(Peer(namespace_selector=sel(team="y")),))
    c = cluster(NS, [CLIENT, SERVER, in_b, in_c], [allow_from("a", sel(app="server"), by_team)])
    assert allowed(c, in_b, SERVER, 8080, TCP)
    assert not allowed(c, in_c, SERVER, 8080, TCP)
    assert not allowed(c, CLIENT, SERVER, 8080, TCP)  # own namespace has team=x
    every_ns = Rule(peers=(Peer(namespace_selector=sel()),))
    c = cluster(NS, [CLIENT, SERVER, in_b, in_c], [allow_from("a", sel(app="server"), every_ns)])
    assert all(allowed(c, p, SERVER, 8080, TCP) for p in (CLIENT, in_b, in_c))


def test_namespace_selector_uses_namespace_labels_not_pod_labels() -> None:
    impostor = pod("c", "impostor", team="y")  # pod label team=y, namespace c has no team
    rule = Rule(peers=(Peer(namespace_selector=sel(team="y")),))
    c = cluster(NS, [impostor, SERVER], [allow_from("a", sel(app="server"), rule)])
    assert not allowed(c, impostor, SERVER, 8080, TCP)


def test_pod_and_namespace_selector_together_are_an_and() -> None:
    good = pod("b", "good", app="client")
    wrong_pod = pod("b", "wrong", app="other")
    wrong_ns = pod("c", "wrong", app="client")
    both = Rule(peers=(Peer(pod_selector=sel(app="client"), namespace_selector=sel(team="y")),))
    c = cluster(NS, [good, wrong_pod, wrong_ns, SERVER], [allow_from("a", sel(app="server"), both)])
    assert allowed(c, good, SERVER, 8080, TCP)
    assert not allowed(c, wrong_pod, SERVER, 8080, TCP)
    assert not allowed(c, wrong_ns, SERVER, 8080, TCP)


def test_ip_block_matches_external_addresses_in_cidr_and_not_in_excepts() -> None:
    block = IPBlock("10.0.0.0/24", ("10.0.0.0/28",))
    c = cluster(NS, [SERVER], [allow_from("a", sel(), Rule(peers=(Peer(ip_block=block),)))])
    assert allowed(c, External("10.0.0.16"), SERVER, 8080, TCP)
    assert allowed(c, External("10.0.0.255"), SERVER, 8080, TCP)
    assert not allowed(c, External("10.0.0.15"), SERVER, 8080, TCP)  # excepted
    assert not allowed(c, External("10.0.1.1"), SERVER, 8080, TCP)  # outside
    assert not allowed(c, External("fd00::1"), SERVER, 8080, TCP)  # other family


def test_ip_block_families_never_mix() -> None:
    everything_v4 = Peer(ip_block=IPBlock("0.0.0.0/0"))
    v6 = Peer(ip_block=IPBlock("fd00::/8"))
    c4 = cluster(NS, [CLIENT], [allow_to("a", sel(), Rule(peers=(everything_v4,)))])
    assert allowed(c4, CLIENT, External("8.8.8.8"), 443, TCP)
    assert not allowed(c4, CLIENT, External("2001:db8::1"), 443, TCP)
    c6 = cluster(NS, [CLIENT], [allow_to("a", sel(), Rule(peers=(v6,)))])
    assert allowed(c6, CLIENT, External("fd00::1"), 443, TCP)
    assert not allowed(c6, CLIENT, External("2001:db8::1"), 443, TCP)
    assert not allowed(c6, CLIENT, External("10.0.0.1"), 443, TCP)


def test_ip_block_matches_pods_only_when_asked() -> None:
    excepted = pod("a", "excepted", ips=["10.0.0.5"], app="x")
    block = IPBlock("10.0.0.0/24", ("10.0.0.0/28",))
    rule = Rule(peers=(Peer(ip_block=block),))
    c = cluster(NS, [CLIENT, SERVER, excepted], [allow_to("a", sel(app="client"), rule)])
    assert not allowed(c, CLIENT, SERVER, 8080, TCP)  # pod IP 10.0.0.100 in block, flag off
    assert allowed(c, CLIENT, SERVER, 8080, TCP, ipblocks_match_pod_ips=True)
    assert not allowed(c, CLIENT, excepted, 8080, TCP, ipblocks_match_pod_ips=True)
    ipless = pod("a", "ipless", app="y")
    c = cluster(NS, [CLIENT, ipless], [allow_to("a", sel(app="client"), rule)])
    assert not allowed(c, CLIENT, ipless, 8080, TCP, ipblocks_match_pod_ips=True)


def test_selectors_never_match_external_addresses() -> None:
    rule = Rule(peers=(Peer(pod_selector=sel(), namespace_selector=sel()),))
    c = cluster(NS, [CLIENT, SERVER], [allow_from("a", sel(), rule)])
    assert allowed(c, CLIENT, SERVER, 8080, TCP)
    assert not allowed(c, INTERNET, SERVER, 8080, TCP)


# --- ports ------------------------------------------------------------------------------------


def _only_ports(*ports: PolicyPort) -> Cluster:
    """CLIENT -> SERVER and CLIENT -> INTERNET guarded on both sides by exactly these ports."""
    rule = Rule(ports=ports)
    return cluster(
        NS,
        [CLIENT, SERVER],
        [
            allow_from("a", sel(app="server"), rule),
            allow_to("a", sel(app="client"), rule),
        ],
    )


def test_empty_ports_admit_every_port_and_protocol() -> None:
    c = _only_ports()
    for port, protocol in [(1, TCP), (53, UDP), (65535, SCTP)]:
        assert allowed(c, CLIENT, SERVER, port, protocol)


def test_port_protocol_must_be_equal() -> None:
    c = _only_ports(PolicyPort(UDP, 53))
    assert allowed(c, CLIENT, SERVER, 53, UDP)
    assert not allowed(c, CLIENT, SERVER, 53, TCP)
    assert not allowed(c, CLIENT, SERVER, 53, SCTP)


def test_port_none_admits_every_port_of_its_protocol() -> None:
    c = _only_ports(PolicyPort(SCTP))
    assert allowed(c, CLIENT, SERVER, 1, SCTP)
    assert allowed(c, CLIENT, SERVER, 65535, SCTP)
    assert not allowed(c, CLIENT, SERVER, 80, TCP)


def test_numeric_port_and_inclusive_range() -> None:
    c = _only_ports(PolicyPort(TCP, 80), PolicyPort(TCP, 443, 8080))
    assert allowed(c, CLIENT, SERVER, 80, TCP)
    assert not allowed(c, CLIENT, SERVER, 81, TCP)
    assert not allowed(c, CLIENT, SERVER, 442, TCP)
    assert allowed(c, CLIENT, SERVER, 443, TCP)
    assert allowed(c, CLIENT, SERVER, 5000, TCP)
    assert allowed(c, CLIENT, SERVER, 8080, TCP)
    assert not allowed(c, CLIENT, SERVER, 8081, TCP)


def test_named_port_on_ingress_resolves_on_the_protected_pod() -> None:
    rule = Rule(ports=(PolicyPort(TCP, "http"),))
    c = cluster(NS, [CLIENT, SERVER], [allow_from("a", sel(app="server"), rule)])
    assert allowed(c, CLIENT, SERVER, 8080, TCP)  # SERVER: http = 8080/TCP
    assert not allowed(c, CLIENT, SERVER, 80, TCP)
    assert not allowed(c, CLIENT, SERVER, 8080, UDP)
    udp = Rule(ports=(PolicyPort(UDP, "dns"),))
    c = cluster(NS, [CLIENT, SERVER], [allow_from("a", sel(app="server"), udp)])
    assert allowed(c, CLIENT, SERVER, 53, UDP)
    assert not allowed(c, CLIENT, SERVER, 53, TCP)
    # the name must be declared with the same protocol
    wrong_protocol = Rule(ports=(PolicyPort(TCP, "dns"),))
    c = cluster(NS, [CLIENT, SERVER], [allow_from("a", sel(app="server"), wrong_protocol)])
    assert not allowed(c, CLIENT, SERVER, 53, TCP)
    assert not allowed(c, CLIENT, SERVER, 53, UDP)


def test_named_port_on_egress_resolves_on_the_destination() -> None:
    other = pod("a", "other", ports=[ContainerPort(9090, TCP, "http")], app="other")
    rule = Rule(ports=(PolicyPort(TCP, "http"),))
    c = cluster(NS, [CLIENT, SERVER, other], [allow_to("a", sel(app="client"), rule)])
    assert allowed(c, CLIENT, SERVER, 8080, TCP)
    assert not allowed(c, CLIENT, SERVER, 9090, TCP)
    assert allowed(c, CLIENT, other, 9090, TCP)
    assert not allowed(c, CLIENT, other, 8080, TCP)
    # an external destination has no named ports at all
    assert not allowed(c, CLIENT, INTERNET, 8080, TCP)
    assert not allowed(c, CLIENT, INTERNET, 80, TCP)


def test_named_port_does_not_resolve_on_the_source_for_ingress() -> None:
    # CLIENT declares "web"; SERVER does not: the name means nothing for ingress to SERVER.
    client = pod("a", "client", ports=[ContainerPort(8080, TCP, "web")], app="client")
    rule = Rule(ports=(PolicyPort(TCP, "web"),))
    c = cluster(NS, [client, SERVER], [allow_from("a", sel(app="server"), rule)])
    assert not allowed(c, client, SERVER, 8080, TCP)


# --- label selectors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "values", "labels", "expected"),
    [
        (Operator.IN, ("x", "y"), {"app": "x"}, True),
        (Operator.IN, ("x", "y"), {"app": "z"}, False),
        (Operator.IN, ("x",), {}, False),
        (Operator.NOT_IN, ("x",), {"app": "y"}, True),
        (Operator.NOT_IN, ("x",), {"app": "x"}, False),
        (Operator.NOT_IN, ("x",), {}, True),  # absent key satisfies NotIn
        (Operator.EXISTS, (), {"app": "x"}, True),
        (Operator.EXISTS, (), {"tier": "x"}, False),
        (Operator.DOES_NOT_EXIST, (), {}, True),
        (Operator.DOES_NOT_EXIST, (), {"app": "x"}, False),
    ],
)
def test_label_selector_operators(
    operator: Operator, values: tuple[str, ...], labels: dict[str, str], expected: bool
) -> None:
    selector = LabelSelector((Requirement("app", operator, values),))
    assert label_selector_matches(selector, labels) is expected


def test_label_selector_requirements_are_anded_and_empty_matches_all() -> None:
    selector = sel(app="x", tier="y")
    assert label_selector_matches(selector, {"app": "x", "tier": "y", "team": "z"})
    assert not label_selector_matches(selector, {"app": "x"})
    assert label_selector_matches(LabelSelector(), {})


# --- the tutorial -----------------------------------------------------------------------------

DEFAULT = ns("default")
FRONTEND = pod("default", "frontend", ports=[ContainerPort(80, TCP)], app="frontend")
BACKEND = pod("default", "backend", ports=[ContainerPort(80, TCP)], app="backend")
BACKEND_ALLOW_FRONTEND = policy(
    "default",
    "backend-allow-frontend",
    sel(app="backend"),
    ONLY_INGRESS,
    ingress=[Rule(peers=(Peer(pod_selector=sel(app="frontend")),), ports=(PolicyPort(TCP, 80),))],
)
MONITORING = ns("monitoring")
STRANGER = pod("monitoring", "frontend", ports=[ContainerPort(80, TCP)], app="frontend")


def tutorial(*policies: NetworkPolicy, extra: Iterable[Pod] = ()) -> Cluster:
    return cluster([DEFAULT, MONITORING], [FRONTEND, BACKEND, STRANGER, *extra], policies)


def test_tutorial_without_policy_everything_is_allowed() -> None:
    c = tutorial()
    assert allowed(c, FRONTEND, BACKEND, 80, TCP)
    assert allowed(c, STRANGER, BACKEND, 81, UDP)


def test_tutorial_frontend_to_backend_only_tcp_80() -> None:
    c = tutorial(BACKEND_ALLOW_FRONTEND)
    assert allowed(c, FRONTEND, BACKEND, 80, TCP)
    assert not allowed(c, FRONTEND, BACKEND, 81, TCP)
    assert not allowed(c, FRONTEND, BACKEND, 80, UDP)
    assert not allowed(c, FRONTEND, BACKEND, 80, SCTP)


def test_tutorial_backend_to_frontend_still_allowed() -> None:
    c = tutorial(BACKEND_ALLOW_FRONTEND)
    assert not is_isolated(c, FRONTEND, INGRESS)
    assert allowed(c, BACKEND, FRONTEND, 80, TCP)
    assert allowed(c, BACKEND, FRONTEND, 12345, UDP)


def test_tutorial_egress_untouched() -> None:
    c = tutorial(BACKEND_ALLOW_FRONTEND)
    for p in (FRONTEND, BACKEND, STRANGER):
        assert not is_isolated(c, p, EGRESS)
    assert allowed(c, BACKEND, INTERNET, 443, TCP)
    assert allowed(c, BACKEND, STRANGER, 53, UDP)


def test_tutorial_frontend_of_another_namespace_is_denied() -> None:
    c = tutorial(BACKEND_ALLOW_FRONTEND)
    assert not allowed(c, STRANGER, BACKEND, 80, TCP)
    assert not allowed(c, INTERNET, BACKEND, 80, TCP)


# --- ERRATA.md --------------------------------------------------------------------------------


def test_errata_1_verdict_does_not_depend_on_a_listener() -> None:
    # "Connection refused" needs a reachable pod without a listener; a denied connection is
    # dropped. Reachability is decided by policy alone: denied on the port backend listens on,
    # allowed on a port nothing listens on when backend is not isolated.
    c = tutorial(BACKEND_ALLOW_FRONTEND)
    assert not allowed(c, STRANGER, BACKEND, 80, TCP)  # listener on 80, still dropped
    assert allowed(tutorial(), FRONTEND, BACKEND, 81, TCP)  # no listener, still reachable


def test_errata_2_empty_namespace_selector_admits_every_namespace() -> None:
    every_ns = policy(
        "default",
        "any-ns",
        sel(app="backend"),
        ONLY_INGRESS,
        ingress=[Rule(peers=(Peer(namespace_selector=sel()),))],
    )
    c = tutorial(every_ns)
    assert allowed(c, FRONTEND, BACKEND, 80, TCP)
    assert allowed(c, STRANGER, BACKEND, 80, TCP)  # another namespace: admitted too
    assert not allowed(c, INTERNET, BACKEND, 80, TCP)
    own_ns = policy(
        "default",
        "own-ns",
        sel(app="backend"),
        ONLY_INGRESS,
        ingress=[Rule(peers=(Peer(pod_selector=sel()),))],
    )
    c = tutorial(own_ns)
    assert allowed(c, FRONTEND, BACKEND, 80, TCP)
    assert not allowed(c, STRANGER, BACKEND, 80, TCP)
    by_name = policy(
        "default",
        "from-monitoring",
        sel(app="backend"),
        ONLY_INGRESS,
        ingress=[
            Rule(peers=(Peer(namespace_selector=sel(**{NAMESPACE_NAME_LABEL: "monitoring"})),))
        ],
    )
    c = tutorial(by_name)
    assert allowed(c, STRANGER, BACKEND, 80, TCP)
    assert not allowed(c, FRONTEND, BACKEND, 80, TCP)


def test_errata_3_policies_are_additive() -> None:
    gateway = pod("default", "api-gateway", app="api-gateway")
    other = pod("default", "other", app="other")
    from_gateway = policy(
        "default",
        "backend-allow-gateway",
        sel(app="backend"),
        ONLY_INGRESS,
        ingress=[Rule(peers=(Peer(pod_selector=sel(app="api-gateway")),))],
    )
    c = tutorial(BACKEND_ALLOW_FRONTEND, from_gateway, extra=[gateway, other])
    assert allowed(c, FRONTEND, BACKEND, 80, TCP)  # allowed by the first policy alone
    assert allowed(c, gateway, BACKEND, 80, TCP)  # allowed by the second policy alone
    assert allowed(c, gateway, BACKEND, 9999, TCP)  # the second has no port restriction
    assert not allowed(c, other, BACKEND, 80, TCP)  # matches neither


def test_errata_4_being_named_as_a_peer_isolates_nothing() -> None:
    # frontend is named as a peer (by podSelector) and monitoring by namespaceSelector, in
    # ingress and egress rules; neither becomes isolated.
    naming = policy(
        "default",
        "names-others",
        sel(app="backend"),
        BOTH,
        ingress=[Rule(peers=(Peer(pod_selector=sel(app="frontend")),))],
        egress=[
            Rule(peers=(Peer(namespace_selector=sel(**{NAMESPACE_NAME_LABEL: "monitoring"})),))
        ],
    )
    c = tutorial(naming)
    for p in (FRONTEND, STRANGER):
        assert not is_isolated(c, p, INGRESS)
        assert not is_isolated(c, p, EGRESS)
    assert allowed(c, INTERNET, FRONTEND, 12345, UDP)
    assert allowed(c, FRONTEND, INTERNET, 12345, UDP)
    assert allowed(c, INTERNET, STRANGER, 80, TCP)
    assert allowed(c, STRANGER, FRONTEND, 80, TCP)
    # only the policy's own podSelector isolates
    assert is_isolated(c, BACKEND, INGRESS) and is_isolated(c, BACKEND, EGRESS)


# --- strategies smoke test --------------------------------------------------------------------


def _check_valid(c: Cluster) -> None:
    used = {p.namespace for p in c.pods} | {p.namespace for p in c.policies}
    for name in used:
        assert name in c.namespaces
        assert c.namespaces[name].labels[NAMESPACE_NAME_LABEL] == name
    assert len({(p.namespace, p.name) for p in c.pods}) == len(c.pods)
    assert len({(p.namespace, p.name) for p in c.policies}) == len(c.policies)
    ips = [ip for p in c.pods for ip in p.ips]
    assert len(ips) == len(set(ips))
    assert all(ipaddress.ip_address(ip) in ipaddress.ip_network("10.0.0.0/24") for ip in ips)
    for p in c.pods:
        names = [cp.name for cp in p.ports if cp.name is not None]
        assert len(names) == len(set(names))
    for np_ in c.policies:
        assert np_.policy_types
        for rule in (*np_.ingress, *np_.egress):
            for port in rule.ports:
                if port.end_port is not None:
                    assert isinstance(port.port, int) and port.port <= port.end_port
            for peer in rule.peers:
                assert (peer.ip_block is None) != (
                    peer.pod_selector is None and peer.namespace_selector is None
                )


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_strategies_generate_valid_clusters_and_allowed_never_raises(data: st.DataObject) -> None:
    c = data.draw(clusters())
    _check_valid(c)
    src: Endpoint = data.draw(endpoints(c))
    dst: Endpoint = data.draw(endpoints(c) if isinstance(src, Pod) else st.sampled_from(c.pods))
    port = data.draw(probe_ports())
    protocol = data.draw(protocols())
    flag = data.draw(st.booleans())
    verdict = allowed(c, src, dst, port, protocol, ipblocks_match_pod_ips=flag)
    assert isinstance(verdict, bool)
    for p in c.pods:
        assert allowed(c, p, p, port, protocol, ipblocks_match_pod_ips=flag)
