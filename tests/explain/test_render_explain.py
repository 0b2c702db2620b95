"""Text and JSON renderings of explanations."""

from __future__ import annotations

import json

from explain_helpers import EGRESS, INGRESS, TCP, cluster, explain, netpol, ns, pod, sel

from npql.explain import DROPPED, Address
from npql.model import IPBlock, LabelSelector, Peer, PolicyPort, Rule
from npql.render.explain import explanation_dict, explanation_lines

WEB = pod("shop", "web", {"app": "web"})
DB = pod("data", "db", {"app": "db"})
NAMESPACES = [ns("shop", team="web"), ns("data")]
IN = netpol(
    "data",
    "db-in",
    sel(app="db"),
    ingress=[
        Rule((Peer(namespace_selector=sel(team="payments")),)),
        Rule((Peer(namespace_selector=LabelSelector()),), (PolicyPort(TCP, 5432),)),
    ],
)
OUT = netpol("shop", "web-out", types=[EGRESS], egress=[Rule()])
C = cluster(NAMESPACES, [WEB, DB], [IN, OUT])


def test_allowed_lines() -> None:
    e = explain(C, WEB, DB, TCP, 5432)
    assert explanation_lines(e) == [
        "ALLOWED  shop/web[Pod] -> data/db[Pod]  on TCP 5432",
        "  egress of shop/web[Pod]: isolated by 1 policy; lets through TCP 5432",
        "    policy shop/web-out",
        "      + shop/web-out.egress[0]: admits TCP 5432",
        "  ingress of data/db[Pod]: isolated by 1 policy; lets through TCP 5432",
        "    policy data/db-in",
        '      - data/db-in.ingress[0]: namespace label team is "web", not "payments"',
        "      + data/db-in.ingress[1]: admits TCP 5432",
        "  admitted by: shop/web-out.egress[0], data/db-in.ingress[1]",
    ]


def test_denied_lines_say_the_packet_is_dropped() -> None:
    e = explain(C, WEB, DB, TCP, 80)
    lines = explanation_lines(e)
    assert lines[0] == "DENIED  shop/web[Pod] -> data/db[Pod]  on TCP 80"
    assert "      - data/db-in.ingress[1]: port 80, not 5432" in lines
    assert "  blocked: no ingress rule of data/db[Pod] admits it" in lines
    assert lines[-1] == f"  {DROPPED}"
    assert "connection refused" in lines[-1] and "times out" in lines[-1]


def test_address_ends_and_unisolated_sides() -> None:
    c = cluster(NAMESPACES, [WEB, DB], [netpol("data", "deny", types=[INGRESS, EGRESS])])
    e = explain(c, Address("8.8.8.0/24"), WEB)
    lines = explanation_lines(e)
    assert lines[1] == "  egress: source 8.8.8.0/24 is an external address: no policy applies to it"
    assert lines[2] == "  ingress of shop/web[Pod]: not isolated: every source is allowed"
    assert "  note: 8.8.8.0/24 is a range: explained at its first address 8.8.8.0" in lines
    assert lines[-1] == "  no policy restricts it: no end of it is isolated"
    deny = explanation_lines(explain(c, DB, Address("1.1.1.1")))
    assert "    policy data/deny: no egress rule (admits nothing)" in deny


def test_self_connection_lines() -> None:
    e = explain(C, DB, DB, TCP, 1)
    lines = explanation_lines(e)
    assert lines[0].startswith("ALLOWED  data/db[Pod] -> data/db[Pod]")
    assert lines[-1].startswith("  note: a pod always reaches itself")


def test_no_common_port_line() -> None:
    out = netpol("shop", "o", types=[EGRESS], egress=[Rule((), (PolicyPort(TCP, 80),))])
    inn = netpol("data", "i", ingress=[Rule((), (PolicyPort(TCP, 443),))])
    e = explain(cluster(NAMESPACES, [WEB, DB], [out, inn]), WEB, DB, None, 1, 65535)
    assert (
        "  blocked: egress lets through TCP 80, ingress lets through TCP 443: no port in common"
        in explanation_lines(e)
    )


def test_json_document() -> None:
    e = explain(C, WEB, DB, TCP, 80)
    doc = explanation_dict(e)
    json.dumps(doc)  # serialisable
    assert doc["verdict"] == "denied" and doc["allowed"] is False
    assert doc["source"] == "shop/web[Pod]" and doc["target"] == "data/db[Pod]"
    assert doc["ports"] == "No Connections"
    assert doc["minimal_rules"] == [] and doc["warnings"] == []
    assert doc["denial"] == DROPPED
    assert doc["ingress"]["isolated"] is True and doc["ingress"]["pod"] == "data/db[Pod]"
    assert doc["ingress"]["policies"] == [
        {
            "policy": "data/db-in",
            "rules": [
                {
                    "rule": "data/db-in.ingress[0]",
                    "admits": False,
                    "reason": 'namespace label team is "web", not "payments"',
                    "ports": "No Connections",
                },
                {
                    "rule": "data/db-in.ingress[1]",
                    "admits": False,
                    "reason": "port 80, not 5432",
                    "ports": "No Connections",
                },
            ],
        }
    ]
    ok = explanation_dict(explain(C, WEB, DB, TCP, 5432))
    assert ok["verdict"] == "allowed" and ok["ports"] == "TCP 5432" and ok["denial"] is None
    assert ok["minimal_rules"] == ["shop/web-out.egress[0]", "data/db-in.ingress[1]"]
    external = explanation_dict(explain(C, Address("1.2.3.4"), DB, TCP, 5432))
    assert external["egress"] is None and external["ingress"]["isolated"] is True
    block = netpol("data", "b", ingress=[Rule((Peer(ip_block=IPBlock("1.0.0.0/8")),))])
    outbound = explain(cluster(NAMESPACES, [DB], [block]), DB, Address("1.1.1.1"))
    assert explanation_dict(outbound)["ingress"] is None
