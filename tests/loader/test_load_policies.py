"""NetworkPolicy parsing and validation: defaults, and every error naming its field."""

from __future__ import annotations

from typing import Any

import pytest
from loader_helpers import netpol, only_problem, problems

from npql.errors import LoadError
from npql.loader import load_paths, load_text
from npql.model import (
    Direction,
    IPBlock,
    LabelSelector,
    Operator,
    PolicyPort,
    Protocol,
    Requirement,
)

FROM_PODS = {"from": [{"podSelector": {}}]}


def policy(spec: dict[str, Any]) -> Any:
    cluster = load_text(netpol(spec))
    assert not cluster.warnings, cluster.warnings
    (found,) = cluster.policies
    return found


def error_at(spec: dict[str, Any]) -> tuple[str | None, str]:
    problem = only_problem(netpol(spec))
    assert problem.obj == "NetworkPolicy default/np"
    return problem.field, problem.message


def test_minimal_policy_defaults() -> None:
    found = policy({})
    assert found.namespace == "default"
    assert found.pod_selector == LabelSelector()
    assert found.policy_types == frozenset({Direction.INGRESS})
    assert found.ingress == () and found.egress == ()


def test_policy_types_default_adds_egress_when_egress_rules() -> None:
    assert policy({"egress": [{}]}).policy_types == {Direction.INGRESS, Direction.EGRESS}
    assert policy({"egress": []}).policy_types == {Direction.INGRESS}
    assert policy({"ingress": None}).ingress == ()


def test_policy_types_given() -> None:
    assert policy({"policyTypes": ["Egress"], "ingress": [{}]}).policy_types == {Direction.EGRESS}
    assert error_at({"policyTypes": ["Ingress", "egress"]})[0] == "spec.policyTypes[1]"


def test_match_labels_and_expressions() -> None:
    selector = {
        "matchLabels": {"app": "web"},
        "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["a", "b"]},
            {"key": "x.io/y", "operator": "DoesNotExist"},
        ],
    }
    assert policy({"podSelector": selector}).pod_selector == LabelSelector(
        (
            Requirement("app", Operator.IN, ("web",)),
            Requirement("tier", Operator.IN, ("a", "b")),
            Requirement("x.io/y", Operator.DOES_NOT_EXIST),
        )
    )


@pytest.mark.parametrize(
    ("selector", "field"),
    [
        ({"matchLabels": {"app": 5}}, "spec.podSelector.matchLabels[app]"),
        ({"matchLabels": {"-bad": "x"}}, "spec.podSelector.matchLabels[-bad]"),
        ({"matchLabels": {"app": "bad value"}}, "spec.podSelector.matchLabels[app]"),
        ({"matchLabels": ["app"]}, "spec.podSelector.matchLabels"),
        (
            {"matchExpressions": [{"key": "a", "operator": "Is", "values": ["x"]}]},
            "spec.podSelector.matchExpressions[0].operator",
        ),
        (
            {"matchExpressions": [{"key": "a", "operator": "In"}]},
            "spec.podSelector.matchExpressions[0].values",
        ),
        (
            {"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]},
            "spec.podSelector.matchExpressions[0].values",
        ),
        (
            {"matchExpressions": [{"operator": "Exists"}]},
            "spec.podSelector.matchExpressions[0].key",
        ),
        (
            {"matchExpressions": [{"key": "a/b/c", "operator": "Exists"}]},
            "spec.podSelector.matchExpressions[0].key",
        ),
        (
            {"matchExpressions": [{"key": "a", "operator": "In", "values": "x"}]},
            "spec.podSelector.matchExpressions[0].values",
        ),
        (
            {"matchExpressions": [{"key": "a", "operator": "In", "values": ["x y"]}]},
            "spec.podSelector.matchExpressions[0].values[0]",
        ),
        ({"matchExpressions": [None]}, "spec.podSelector.matchExpressions[0]"),
    ],
)
def test_selector_errors_name_the_field(selector: dict[str, Any], field: str) -> None:
    assert error_at({"podSelector": selector})[0] == field


def test_label_key_prefix_and_length_rules() -> None:
    ok = {"matchLabels": {"example.com/a_b.c-d": "", "k": "v" * 63}}
    assert len(policy({"podSelector": ok}).pod_selector.requirements) == 2
    assert error_at({"podSelector": {"matchLabels": {"k": "v" * 64}}})[0]
    assert error_at({"podSelector": {"matchLabels": {"/k": "v"}}})[0]
    assert error_at({"podSelector": {"matchLabels": {"Bad_Prefix/k": "v"}}})[0]


def test_peers() -> None:
    rule = {
        "from": [
            {"podSelector": {"matchLabels": {"a": "b"}}},
            {"namespaceSelector": {}, "podSelector": {}},
            {"ipBlock": {"cidr": "10.1.2.3/8", "except": ["10.2.0.0/16"]}},
        ]
    }
    peers = policy({"ingress": [rule]}).ingress[0].peers
    assert peers[0].pod_selector is not None and peers[0].namespace_selector is None
    assert peers[1].namespace_selector == LabelSelector() == peers[1].pod_selector
    assert peers[2].ip_block == IPBlock("10.0.0.0/8", ("10.2.0.0/16",))


def test_empty_from_means_every_peer() -> None:
    assert policy({"ingress": [{"from": []}, {}]}).ingress[0].peers == ()
    assert policy({"egress": [{"to": None, "ports": None}]}).egress[0].peers == ()


@pytest.mark.parametrize(
    ("peer", "field"),
    [
        ({}, "spec.ingress[0].from[0]"),
        ({"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}, "spec.ingress[0].from[0].ipBlock"),
        ({"ipBlock": {}}, "spec.ingress[0].from[0].ipBlock.cidr"),
        ({"ipBlock": {"cidr": "10.0.0.300/8"}}, "spec.ingress[0].from[0].ipBlock.cidr"),
        ({"ipBlock": {"cidr": "10.0.0.1"}}, "spec.ingress[0].from[0].ipBlock.cidr"),
        ({"ipBlock": {"cidr": "10.0.0.0/255.0.0.0"}}, "spec.ingress[0].from[0].ipBlock.cidr"),
        (
            {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["11.0.0.0/16"]}},
            "spec.ingress[0].from[0].ipBlock.except[0]",
        ),
        (
            {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.0.0.0/16", "fd00::/8"]}},
            "spec.ingress[0].from[0].ipBlock.except[1]",
        ),
        (
            {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["nope"]}},
            "spec.ingress[0].from[0].ipBlock.except[0]",
        ),
        (
            {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.0.0.0/7"]}},
            "spec.ingress[0].from[0].ipBlock.except[0]",
        ),
        ({"ipBlock": "10.0.0.0/8"}, "spec.ingress[0].from[0].ipBlock"),
        ({"podSelector": []}, "spec.ingress[0].from[0].podSelector"),
    ],
)
def test_peer_errors_name_the_field(peer: dict[str, Any], field: str) -> None:
    assert error_at({"ingress": [{"from": [peer]}]})[0] == field


def test_ipv6_block_normalised() -> None:
    block = {"cidr": "FD00:0::1/64", "except": ["fd00::8/126"]}
    peers = policy({"egress": [{"to": [{"ipBlock": block}]}]}).egress[0].peers
    assert peers[0].ip_block == IPBlock("fd00::/64", ("fd00::8/126",))


def test_except_equal_to_cidr_is_a_warning() -> None:
    block = {"cidr": "10.0.0.0/8", "except": ["10.0.0.0/8"]}
    cluster = load_text(netpol({"ingress": [{"from": [{"ipBlock": block}]}]}))
    assert cluster.policies[0].ingress[0].peers[0].ip_block == IPBlock(
        "10.0.0.0/8", ("10.0.0.0/8",)
    )
    assert cluster.warnings[0].field == "spec.ingress[0].from[0].ipBlock.except[0]"


def test_ports() -> None:
    ports = [
        {"port": 80},
        {"protocol": "UDP", "port": "dns"},
        {"protocol": "SCTP"},
        {"port": 1000, "endPort": 2000},
    ]
    assert policy({"ingress": [{"ports": ports}]}).ingress[0].ports == (
        PolicyPort(Protocol.TCP, 80),
        PolicyPort(Protocol.UDP, "dns"),
        PolicyPort(Protocol.SCTP),
        PolicyPort(Protocol.TCP, 1000, 2000),
    )


@pytest.mark.parametrize(
    ("port", "field", "words"),
    [
        ({"protocol": "tcp"}, "protocol", "unsupported protocol"),
        ({"protocol": "ICMP"}, "protocol", "unsupported protocol"),
        ({"port": 0}, "port", "between 1 and 65535"),
        ({"port": 65536}, "port", "between 1 and 65535"),
        ({"port": "80"}, "port", "at least one letter"),
        ({"port": "Http"}, "port", "lowercase"),
        ({"port": "a-very-long-port-name"}, "port", "15 characters"),
        ({"port": "web--x"}, "port", "'-'"),
        ({"port": True}, "port", "must be an integer"),
        ({"port": [80]}, "port", "must be an integer"),
        ({"port": "http", "endPort": 90}, "endPort", "non-numeric"),
        ({"endPort": 90}, "endPort", "port is not specified"),
        ({"port": 100, "endPort": 90}, "endPort", "greater than or equal"),
        ({"port": 100, "endPort": 70000}, "endPort", "between 1 and 65535"),
        ({"port": 100, "endPort": "200"}, "endPort", "must be an integer"),
    ],
)
def test_port_errors_name_the_field(port: dict[str, Any], field: str, words: str) -> None:
    where, message = error_at({"egress": [{"ports": [port]}]})
    assert where == f"spec.egress[0].ports[0].{field}"
    assert words in message


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"ingress": {"from": []}}, "spec.ingress"),
        ({"ingress": [None]}, "spec.ingress[0]"),
        ({"ingress": ["x"]}, "spec.ingress[0]"),
        ({"ingress": [{"from": {"podSelector": {}}}]}, "spec.ingress[0].from"),
        ({"egress": [{"to": [None]}]}, "spec.egress[0].to[0]"),
        ({"egress": [{"ports": "80"}]}, "spec.egress[0].ports"),
        ({"policyTypes": "Ingress"}, "spec.policyTypes"),
        ({"policyTypes": [1]}, "spec.policyTypes[0]"),
        ({"podSelector": "app=web"}, "spec.podSelector"),
    ],
)
def test_wrong_types_name_the_field(spec: dict[str, Any], field: str) -> None:
    assert error_at(spec)[0] == field


def test_spec_of_wrong_type() -> None:
    problem = only_problem(netpol([]))  # type: ignore[arg-type]
    assert problem.field == "spec" and "mapping" in problem.message


def test_unknown_fields_warn_and_fail_strict() -> None:
    text = netpol({"ingress": [{"form": [{"podSelector": {}}]}]})
    cluster = load_text(text)
    assert cluster.warnings[0].field == "spec.ingress[0].form"
    assert only_problem(text, strict=True).field == "spec.ingress[0].form"


def test_all_errors_of_all_files_are_collected(tmp_path: Any) -> None:
    (tmp_path / "a.yaml").write_text(netpol({"ingress": [{"ports": [{"port": 0}]}]}, name="a"))
    (tmp_path / "b.yaml").write_text(netpol({"podSelector": {"matchLabels": {"k": 1}}}, name="b"))
    with pytest.raises(LoadError) as info:
        load_paths([str(tmp_path)])
    assert [p.obj for p in info.value.problems] == [
        "NetworkPolicy default/a",
        "NetworkPolicy default/b",
    ]
    assert info.value.problems[1].location is not None
    assert info.value.problems[1].location.path.endswith("b.yaml")


def test_several_errors_in_one_policy() -> None:
    spec = {"ingress": [{"from": [{}], "ports": [{"protocol": "tcp", "port": 0}]}]}
    fields = {p.field for p in problems(netpol(spec))}
    assert fields == {
        "spec.ingress[0].from[0]",
        "spec.ingress[0].ports[0].protocol",
        "spec.ingress[0].ports[0].port",
    }


def test_missing_name_is_an_error() -> None:
    text = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nspec: {}\n"
    assert only_problem(text).field == "metadata.name"


def test_invalid_name_is_a_warning() -> None:
    cluster = load_text(netpol({}, name="under_score"))
    assert cluster.policies[0].name == "under_score"
    assert cluster.warnings[0].field == "metadata.name"


def test_policy_location_and_namespace() -> None:
    text = "kind: ConfigMap\n---\n" + netpol({}, namespace="prod")
    found = load_text(text, source="p.yaml").policies[0]
    assert found.ident == "prod/np"
    assert found.location is not None
    assert (found.location.path, found.location.document, found.location.line) == ("p.yaml", 1, 3)
