"""describe_policy and the inspection helpers, on hand-built policies."""

from __future__ import annotations

from explain_helpers import EGRESS, INGRESS, SCTP, TCP, UDP, cluster, netpol, ns, pod, sel

from npql.explain import describe_policy, isolation, pods_selected_by, policies_selecting
from npql.model import IPBlock, LabelSelector, Operator, Peer, PolicyPort, Requirement, Rule


def test_the_example_policy() -> None:
    policy = netpol(
        "data",
        "pg",
        sel(app="postgres"),
        types=[INGRESS, EGRESS],
        ingress=[
            Rule(
                (Peer(pod_selector=sel(app="api"), namespace_selector=sel(team="web")),),
                (PolicyPort(TCP, "pg"),),
            ),
            Rule(),
        ],
        egress=[
            Rule(
                (Peer(ip_block=IPBlock("10.0.0.0/8", ("10.1.0.0/16",))),),
                (PolicyPort(TCP, 5432, 5440),),
            )
        ],
    )
    assert describe_policy(policy) == [
        "Selects pods in namespace data with app=postgres.",
        "Isolates them for ingress and egress.",
        "Ingress rule 1 allows pods with app=api in namespaces with team=web, "
        "on TCP port pg (named).",
        "Ingress rule 2 allows every source on every port.",
        "Egress rule 1 allows 10.0.0.0/8 except 10.1.0.0/16 on TCP 5432-5440.",
    ]


def test_empty_pod_selector_and_deny_all_both_ways() -> None:
    policy = netpol("shop", "deny", types=[INGRESS, EGRESS])
    assert describe_policy(policy) == [
        "Selects all pods in namespace shop.",
        "Isolates them for ingress and egress.",
        "Ingress: no rule — all ingress to the selected pods is denied.",
        "Egress: no rule — all egress from the selected pods is denied.",
    ]


def test_egress_only_deny_leaves_ingress_alone() -> None:
    policy = netpol("shop", "no-out", types=[EGRESS])
    assert describe_policy(policy)[1:] == [
        "Isolates them for egress.",
        "Ingress: not in policyTypes — ingress to the selected pods is not restricted by this "
        "policy.",
        "Egress: no rule — all egress from the selected pods is denied.",
    ]


def test_rules_of_a_direction_not_in_policy_types_are_ignored() -> None:
    policy = netpol("shop", "p", types=[INGRESS], ingress=[Rule()], egress=[Rule(), Rule()])
    lines = describe_policy(policy)
    assert lines[1] == "Isolates them for ingress."
    assert lines[-1] == (
        "Egress: 2 rules ignored — Egress is not in policyTypes, so egress from the selected "
        "pods is not restricted by this policy."
    )
    one = netpol("shop", "q", types=[EGRESS], ingress=[Rule()])
    assert describe_policy(one)[2].startswith("Ingress: 1 rule ignored — Ingress is not in")


def test_peer_forms() -> None:
    everywhere = LabelSelector()
    rules = [
        Rule((Peer(pod_selector=everywhere),)),
        Rule((Peer(pod_selector=sel(app="web")),)),
        Rule((Peer(namespace_selector=everywhere),)),
        Rule((Peer(namespace_selector=sel(team="web")),)),
        Rule((Peer(pod_selector=sel(app="web"), namespace_selector=everywhere),)),
        Rule((Peer(pod_selector=everywhere, namespace_selector=sel(team="web")),)),
        Rule((Peer(ip_block=IPBlock("0.0.0.0/0")), Peer(pod_selector=sel(app="web")))),
    ]
    lines = describe_policy(netpol("shop", "p", ingress=rules))[2:-1]
    assert lines == [
        "Ingress rule 1 allows all pods in namespace shop on every port.",
        "Ingress rule 2 allows pods with app=web in namespace shop, on every port.",
        "Ingress rule 3 allows all pods in all namespaces on every port.",
        "Ingress rule 4 allows all pods in namespaces with team=web, on every port.",
        "Ingress rule 5 allows pods with app=web in all namespaces, on every port.",
        "Ingress rule 6 allows all pods in namespaces with team=web, on every port.",
        "Ingress rule 7 allows 0.0.0.0/0, or pods with app=web in namespace shop, on every port.",
    ]


def test_port_forms_and_selector_expressions() -> None:
    selector = LabelSelector(
        (Requirement("app", Operator.IN, ("a", "b")), Requirement("tier", Operator.EXISTS))
    )
    ports = (PolicyPort(UDP), PolicyPort(TCP, 80), PolicyPort(SCTP, 10, 20), PolicyPort(TCP, "h"))
    policy = netpol("shop", "p", selector, types=[EGRESS], egress=[Rule((), ports)])
    lines = describe_policy(policy)
    assert lines[0] == "Selects pods in namespace shop with app in (a,b),tier."
    assert lines[-1] == (
        "Egress rule 1 allows every destination on every UDP port, TCP 80, SCTP 10-20, "
        "TCP port h (named)."
    )


# --- inspection -------------------------------------------------------------------------------


WEB = pod("shop", "web", {"app": "web"})
API = pod("shop", "api", {"app": "api"})
OTHER = pod("data", "web", {"app": "web"})
DENY = netpol("shop", "deny", types=[INGRESS, EGRESS])
WEB_IN = netpol("shop", "web-in", sel(app="web"), ingress=[Rule()])
API_OUT = netpol("shop", "api-out", sel(app="api"), types=[EGRESS])
CLUSTER = cluster([ns("shop"), ns("data")], [WEB, API, OTHER], [DENY, WEB_IN, API_OUT])


def test_isolation_lists_every_policy_per_direction() -> None:
    assert isolation(CLUSTER, WEB) == {INGRESS: ["shop/deny", "shop/web-in"], EGRESS: ["shop/deny"]}
    assert isolation(CLUSTER, API) == {
        INGRESS: ["shop/deny"],
        EGRESS: ["shop/deny", "shop/api-out"],
    }
    # same labels in another namespace: no policy of shop applies
    assert isolation(CLUSTER, OTHER) == {INGRESS: [], EGRESS: []}


def test_policies_selecting_some_pods() -> None:
    assert policies_selecting(CLUSTER, [WEB]) == [
        ("shop/deny", [INGRESS, EGRESS]),
        ("shop/web-in", [INGRESS]),
    ]
    assert policies_selecting(CLUSTER, [API, OTHER]) == [
        ("shop/deny", [INGRESS, EGRESS]),
        ("shop/api-out", [EGRESS]),
    ]
    assert policies_selecting(CLUSTER, []) == []


def test_pods_selected_by_a_policy() -> None:
    assert pods_selected_by(CLUSTER, DENY) == [WEB, API]
    assert pods_selected_by(CLUSTER, WEB_IN) == [WEB]
    assert pods_selected_by(CLUSTER, netpol("data", "x", sel(app="api"))) == []
