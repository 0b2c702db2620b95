"""explain_connection, hand-worked: every reason kind, port handling, verdicts, minimal rules."""

from __future__ import annotations

import pytest
from explain_helpers import (
    EGRESS,
    INGRESS,
    SCTP,
    TCP,
    UDP,
    cluster,
    explain,
    netpol,
    ns,
    pod,
    reasons,
    rules_of,
    sel,
)

import npql
from npql.explain import DROPPED, Address, explain_connection
from npql.ir.sides import PortQuery
from npql.model import (
    ContainerPort,
    IPBlock,
    LabelSelector,
    Operator,
    Peer,
    PolicyPort,
    Requirement,
    Rule,
)
from npql.model.ports import PortSet

WEB = pod("shop", "web", {"app": "web"}, ips=["10.0.0.5"])
DB = pod(
    "data",
    "db",
    {"app": "postgres"},
    ports=[ContainerPort(5432, TCP, "pg"), ContainerPort(9090, TCP, "metrics-x")],
)
NAMESPACES = [ns("shop", team="web"), ns("data", team="payments"), ns("bare")]


def ingress_only(*rules: Rule) -> npql.model.Cluster:
    """DB isolated for ingress by one policy with ``rules``."""
    policy = netpol("data", "pg", sel(app="postgres"), ingress=rules)
    return cluster(NAMESPACES, [WEB, DB], [policy])


def peer_rule(peer: Peer, *ports: PolicyPort) -> Rule:
    return Rule((peer,), tuple(ports))


# --- peer reasons -----------------------------------------------------------------------------


def test_namespace_label_has_another_value() -> None:
    c = ingress_only(peer_rule(Peer(namespace_selector=sel(team="payments"))))
    e = explain(c, WEB, DB)
    assert not e.allowed
    assert reasons(e.ingress) == ['namespace label team is "web", not "payments"']


def test_namespace_label_is_missing() -> None:
    bare = pod("bare", "x")
    c = cluster(
        NAMESPACES,
        [bare, DB],
        ingress_only(Rule((Peer(namespace_selector=sel(team="web")),))).policies,
    )
    e = explain(c, bare, DB)
    assert reasons(e.ingress) == ["namespace label team is missing"]


def test_undeclared_namespace_carries_only_its_name_label() -> None:
    ghost = pod("ghost", "x")
    c = cluster(
        NAMESPACES,
        [ghost, DB],
        ingress_only(Rule((Peer(namespace_selector=sel(team="web")),))).policies,
    )
    assert reasons(explain(c, ghost, DB).ingress) == ["namespace label team is missing"]


def test_pod_label_not_one_of() -> None:
    selector = LabelSelector((Requirement("app", Operator.IN, ("api", "admin")),))
    c = ingress_only(peer_rule(Peer(pod_selector=selector, namespace_selector=LabelSelector())))
    assert reasons(explain(c, WEB, DB).ingress) == [
        'pod label app is "web", not one of (api, admin)'
    ]


def test_pod_label_not_in_exists_and_does_not_exist() -> None:
    any_ns = LabelSelector()
    not_in = LabelSelector((Requirement("app", Operator.NOT_IN, ("web",)),))
    exists = LabelSelector((Requirement("tier", Operator.EXISTS),))
    absent = LabelSelector((Requirement("app", Operator.DOES_NOT_EXIST),))
    c = ingress_only(
        peer_rule(Peer(pod_selector=not_in, namespace_selector=any_ns)),
        peer_rule(Peer(pod_selector=exists, namespace_selector=any_ns)),
        peer_rule(Peer(pod_selector=absent, namespace_selector=any_ns)),
    )
    assert reasons(explain(c, WEB, DB).ingress) == [
        'pod label app is "web", which the rule excludes (not "web")',
        "pod label tier is missing",
        'pod label app is present ("web"), the rule requires it absent',
    ]


def test_namespace_is_checked_before_pod_labels() -> None:
    both = Peer(pod_selector=sel(app="nope"), namespace_selector=sel(team="payments"))
    c = ingress_only(peer_rule(both))
    assert reasons(explain(c, WEB, DB).ingress) == ['namespace label team is "web", not "payments"']


def test_pod_selector_alone_means_the_policy_namespace() -> None:
    c = ingress_only(peer_rule(Peer(pod_selector=LabelSelector())))
    e = explain(c, WEB, DB)
    assert reasons(e.ingress) == ["pod is in namespace shop, the rule only admits pods of data"]


def test_namespace_selector_empty_means_every_namespace() -> None:
    c = ingress_only(peer_rule(Peer(namespace_selector=LabelSelector())))
    e = explain(c, WEB, DB)
    assert e.allowed and reasons(e.ingress) == [None]


def test_address_in_an_except() -> None:
    block = IPBlock("10.0.0.0/8", ("10.1.0.0/16",))
    c = ingress_only(peer_rule(Peer(ip_block=block)))
    e = explain(c, Address("10.1.2.3"), DB)
    assert e.egress is None
    assert reasons(e.ingress) == ["address 10.1.2.3 is in except 10.1.0.0/16"]
    assert explain(c, Address("10.2.0.1"), DB).allowed


def test_address_outside_the_cidr_and_other_family() -> None:
    c = ingress_only(peer_rule(Peer(ip_block=IPBlock("10.0.0.0/8"))))
    assert reasons(explain(c, Address("8.8.8.8"), DB).ingress) == [
        "address 8.8.8.8 is not in 10.0.0.0/8"
    ]
    assert reasons(explain(c, Address("fd00::1"), DB).ingress) == [
        "address fd00::1 is not in 10.0.0.0/8"
    ]


def test_address_never_matches_a_selector() -> None:
    c = ingress_only(peer_rule(Peer(namespace_selector=LabelSelector())))
    assert reasons(explain(c, Address("8.8.8.8"), DB).ingress) == [
        "address 8.8.8.8 is not a pod: this peer selects pods only"
    ]


def test_pods_never_match_ipblocks_by_default_and_warn_when_their_ip_would() -> None:
    c = ingress_only(peer_rule(Peer(ip_block=IPBlock("10.0.0.0/24"))))
    e = explain(c, WEB, DB)
    assert not e.allowed
    (reason,) = reasons(e.ingress)
    assert reason is not None
    assert reason.startswith(
        "pods never match ipBlocks (external addresses only; see --ipblocks-match-pod-ips)"
    )
    assert "10.0.0.5" in reason
    assert any("data/pg.ingress[0] would admit" in w for w in e.warnings)
    no_ip = pod("shop", "noip", {"app": "web"})
    e2 = explain(cluster(NAMESPACES, [no_ip, DB], c.policies), no_ip, DB)
    assert reasons(e2.ingress) == [
        "pods never match ipBlocks (external addresses only; see --ipblocks-match-pod-ips)"
    ]
    assert e2.warnings == ()


def test_pod_ips_with_ipblocks_matching_pod_ips() -> None:
    c = ingress_only(peer_rule(Peer(ip_block=IPBlock("10.0.0.0/24", ("10.0.0.0/28",)))))
    e = explain(c, WEB, DB, match_ips=True)
    assert reasons(e.ingress) == ["pod IP 10.0.0.5 is in except 10.0.0.0/28"]
    inside = pod("shop", "in", ips=["10.0.0.42"])
    assert explain(
        cluster(NAMESPACES, [inside, DB], c.policies), inside, DB, match_ips=True
    ).allowed
    no_ip = pod("shop", "noip")
    e2 = explain(cluster(NAMESPACES, [no_ip, DB], c.policies), no_ip, DB, match_ips=True)
    assert reasons(e2.ingress) == [
        "the pod's IP is unknown (no status.podIP): it cannot match ipBlock 10.0.0.0/24"
    ]


def test_every_peer_reason_is_given_when_several_peers_fail() -> None:
    rule = Rule(
        (Peer(namespace_selector=sel(team="payments")), Peer(ip_block=IPBlock("1.0.0.0/8")))
    )
    c = ingress_only(rule)
    assert reasons(explain(c, WEB, DB).ingress) == [
        'namespace label team is "web", not "payments"; '
        "pods never match ipBlocks (external addresses only; see --ipblocks-match-pod-ips)"
    ]


def test_peers_fail_before_ports_are_looked_at() -> None:
    c = ingress_only(peer_rule(Peer(namespace_selector=sel(team="x")), PolicyPort(UDP, 53)))
    assert reasons(explain(c, WEB, DB).ingress) == ['namespace label team is "web", not "x"']


# --- port reasons -----------------------------------------------------------------------------


ANY = Peer(namespace_selector=LabelSelector())


def test_port_not_in_range_and_not_the_port() -> None:
    c = ingress_only(peer_rule(ANY, PolicyPort(TCP, 80, 90)), peer_rule(ANY, PolicyPort(TCP, 80)))
    assert reasons(explain(c, WEB, DB, TCP, 8080).ingress) == [
        "port 8080 not in 80-90",
        "port 8080, not 80",
    ]
    assert reasons(explain(c, WEB, DB, TCP, 8000, 8100).ingress) == [
        "none of ports 8000-8100 is in 80-90",
        "ports 8000-8100 do not include 80",
    ]


def test_protocol_mismatch() -> None:
    c = ingress_only(peer_rule(ANY, PolicyPort(TCP, 53)))
    assert reasons(explain(c, WEB, DB, UDP, 53).ingress) == ["protocol UDP, not TCP"]


def test_named_rule_port_not_declared_on_the_destination() -> None:
    c = ingress_only(peer_rule(ANY, PolicyPort(TCP, "metrics")))
    assert reasons(explain(c, WEB, DB, TCP, 9090).ingress) == [
        'named port "metrics" not declared on the destination (for TCP)'
    ]
    # declared, but for another protocol: still not declared for TCP
    c2 = ingress_only(peer_rule(ANY, PolicyPort(UDP, "pg")))
    assert reasons(explain(c2, WEB, DB, UDP, 5432).ingress) == [
        'named port "pg" not declared on the destination (for UDP)'
    ]


def test_named_rule_port_resolves_elsewhere() -> None:
    c = ingress_only(peer_rule(ANY, PolicyPort(TCP, "pg")))
    assert reasons(explain(c, WEB, DB, TCP, 80).ingress) == [
        'named port "pg" is TCP 5432 on the destination, not port 80'
    ]
    e = explain(c, WEB, DB, TCP, 5432)
    assert e.allowed and e.ports == PortSet.of(TCP, 5432, 5432)


def test_named_egress_port_towards_an_address() -> None:
    policy = netpol("shop", "out", types=[EGRESS], egress=[Rule((), (PolicyPort(TCP, "http"),))])
    c = cluster(NAMESPACES, [WEB], [policy])
    e = explain(c, WEB, Address("8.8.8.8"), TCP, 80)
    assert e.ingress is None
    assert reasons(e.egress) == ['named port "http" never matches an external address']


def test_every_port_entry_reason_is_given() -> None:
    c = ingress_only(peer_rule(ANY, PolicyPort(UDP, 53), PolicyPort(TCP, 443)))
    assert reasons(explain(c, WEB, DB, TCP, 80).ingress) == [
        "protocol TCP, not UDP; port 80, not 443"
    ]


def test_empty_from_and_ports_admit_everything_asked() -> None:
    c = ingress_only(Rule())
    e = explain(c, Address("8.8.8.8"), DB, None, 1, 65535)
    assert e.allowed and e.ports.is_full()
    assert rules_of(e.ingress)[0].admitted.is_full()


# --- asked ports ------------------------------------------------------------------------------


def test_rule_admits_the_part_of_a_range_it_covers() -> None:
    c = ingress_only(peer_rule(ANY, PolicyPort(TCP, 80, 90), PolicyPort(UDP)))
    e = explain(c, WEB, DB, None, 85, 100)
    assert e.allowed
    assert str(rules_of(e.ingress)[0].admitted) == "TCP 85-90,UDP 85-100"
    assert str(e.ports) == "TCP 85-90,UDP 85-100"
    assert not e.ports.contains(SCTP, 85)


def test_named_question_resolves_on_the_target() -> None:
    c = ingress_only(peer_rule(ANY, PolicyPort(TCP, 5432)))
    e = explain(c, WEB, DB, TCP, name="pg")
    assert e.allowed and str(e.ports) == "TCP 5432"
    assert e.asked == PortSet.of(TCP, 5432, 5432)
    e_any = explain(c, WEB, DB, None, name="pg")
    assert e_any.allowed and str(e_any.ports) == "TCP 5432"


def test_named_question_undeclared_admits_nothing() -> None:
    c = cluster(NAMESPACES, [WEB, DB], [])
    e = explain(c, WEB, DB, UDP, name="pg")
    assert not e.allowed and e.ports.is_empty() and e.asked.is_empty()
    assert any('"pg" is not declared on data/db[Pod] (for UDP)' in n for n in e.notes)
    assert e.denial is not None and "does not resolve" in e.denial
    e2 = explain(cluster(NAMESPACES, [WEB], []), WEB, Address("8.8.8.8"), TCP, name="http")
    assert not e2.allowed and any("external address declares none" in n for n in e2.notes)


def test_cidr_is_explained_at_its_first_address() -> None:
    c = ingress_only(peer_rule(Peer(ip_block=IPBlock("10.0.0.0/8", ("10.1.0.0/16",)))))
    e = explain(c, Address("10.1.0.0/16"), DB)
    assert e.source == "10.1.0.0/16"
    assert reasons(e.ingress) == ["address 10.1.0.0 is in except 10.1.0.0/16"]
    assert e.notes == ("10.1.0.0/16 is a range: explained at its first address 10.1.0.0",)
    assert explain(c, Address("10.2.3.4/32"), DB).notes == ()


# --- isolation and verdicts -------------------------------------------------------------------


def test_every_isolating_policy_is_listed_even_without_rules() -> None:
    deny = netpol("data", "deny", types=[INGRESS, EGRESS])
    allow = netpol("data", "allow", sel(app="postgres"), ingress=[Rule((ANY,))])
    other = netpol("data", "other", sel(app="nope"), ingress=[Rule()])
    egress_only = netpol("data", "eg", types=[EGRESS], ingress=[Rule()])
    c = cluster(NAMESPACES, [WEB, DB], [deny, allow, other, egress_only])
    e = explain(c, WEB, DB)
    assert e.ingress is not None and e.ingress.isolated
    assert [p.policy_id for p in e.ingress.policies] == ["data/deny", "data/allow"]
    assert e.ingress.policies[0].rules == ()
    assert e.allowed and e.minimal_rules == ("data/allow.ingress[0]",)
    assert e.egress is not None and not e.egress.isolated


def test_rules_of_a_direction_not_in_policy_types_are_ignored() -> None:
    policy = netpol("data", "p", types=[INGRESS], ingress=[], egress=[Rule()])
    c = cluster(NAMESPACES, [WEB, DB], [policy])
    e = explain(c, DB, WEB)
    assert e.egress is not None and not e.egress.isolated and e.allowed
    e2 = explain(c, WEB, DB)
    assert not e2.allowed
    assert e2.ingress is not None and rules_of(e2.ingress) == []


def test_both_ends_must_admit_a_common_port() -> None:
    out = netpol("shop", "out", types=[EGRESS], egress=[Rule((), (PolicyPort(TCP, 80),))])
    inn = netpol("data", "in", ingress=[Rule((), (PolicyPort(TCP, 443),))])
    c = cluster(NAMESPACES, [WEB, DB], [out, inn])
    e = explain(c, WEB, DB, None, 1, 65535)
    assert not e.allowed and e.ports.is_empty()
    assert e.egress is not None and str(e.egress.admitted) == "TCP 80"
    assert e.ingress is not None and str(e.ingress.admitted) == "TCP 443"
    assert e.minimal_rules == ()
    assert e.denial == DROPPED


def test_minimal_rules_prefer_policy_order_and_list_the_others() -> None:
    out = netpol(
        "shop",
        "out",
        types=[EGRESS],
        egress=[Rule((), (PolicyPort(TCP, 443),)), Rule((), (PolicyPort(TCP, 80),)), Rule()],
    )
    in1 = netpol("data", "in1", ingress=[Rule((), (PolicyPort(TCP, 80),))])
    in2 = netpol("data", "in2", ingress=[Rule((ANY,))])
    c = cluster(NAMESPACES, [WEB, DB], [out, in1, in2])
    e = explain(c, WEB, DB, TCP, 80)
    assert e.allowed and str(e.ports) == "TCP 80"
    assert e.minimal_rules == ("shop/out.egress[1]", "data/in1.ingress[0]")
    assert e.other_rules == ("shop/out.egress[2]", "data/in2.ingress[0]")
    assert [r.admits for r in rules_of(e.egress)] == [False, True, True]
    # over every port the first egress rule (443) pairs with the any-peer ingress rule
    wide = explain(c, WEB, DB, TCP, 1, 65535)
    assert wide.minimal_rules == ("shop/out.egress[0]", "data/in2.ingress[0]")


def test_minimal_rules_with_one_isolated_end() -> None:
    c = ingress_only(peer_rule(ANY, PolicyPort(TCP, 80)), Rule())
    e = explain(c, WEB, DB)
    assert e.minimal_rules == ("data/pg.ingress[0]",)
    assert e.other_rules == ("data/pg.ingress[1]",)
    free = explain(cluster(NAMESPACES, [WEB, DB], []), WEB, DB)
    assert free.allowed and free.minimal_rules == () and free.other_rules == ()


def test_egress_to_an_address() -> None:
    block = IPBlock("10.0.0.0/8", ("10.1.0.0/16",))
    out = netpol(
        "shop",
        "out",
        types=[EGRESS],
        egress=[Rule((Peer(ip_block=block),), (PolicyPort(TCP, 5432, 5440),))],
    )
    c = cluster(NAMESPACES, [WEB], [out])
    assert explain(c, WEB, Address("10.2.0.1"), TCP, 5435).allowed
    e = explain(c, WEB, Address("10.2.0.1"), TCP, 80)
    assert reasons(e.egress) == ["port 80 not in 5432-5440"]
    assert e.target == "10.2.0.1" and e.ingress is None


def test_a_pod_always_reaches_itself() -> None:
    deny = netpol("data", "deny", types=[INGRESS, EGRESS])
    c = cluster(NAMESPACES, [DB], [deny])
    e = explain(c, DB, DB, UDP, 9)
    assert e.allowed and e.self_connection and e.minimal_rules == ()
    assert e.egress is not None and e.egress.isolated
    assert "a pod always reaches itself" in e.notes[-1]


def test_address_to_address_is_not_a_policy_question() -> None:
    c = cluster(NAMESPACES, [], [])
    with pytest.raises(ValueError):
        explain(c, Address("1.1.1.1"), Address("2.2.2.2"))


def test_loaded_cluster_through_the_api() -> None:
    api = npql.loads(
        """
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: web}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c, image: x, ports: [{containerPort: 8080, name: http}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-from-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: http}]
"""
    )
    web = api.model.find_pods("shop", "web")[0]
    target = api.model.find_pods("shop", "api")[0]
    e = explain_connection(api.model, api.policies, web, target, PortQuery(TCP, name="http"))
    assert e.allowed and str(e.ports) == "TCP 8080"
    assert e.source == "shop/web[Deployment]" and e.target == "shop/api[Pod]"
    assert e.minimal_rules == ("shop/api-from-web.ingress[0]",)
    back = explain_connection(api.model, api.policies, target, web, PortQuery(TCP, 80, 80))
    assert back.allowed  # web is not isolated: naming it as a peer does not isolate it
