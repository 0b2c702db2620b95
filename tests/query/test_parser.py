"""The query parser: every documented form, canonical round trips, errors that teach."""

from __future__ import annotations

import contextlib

import pytest

from npql.errors import QueryError, QuerySemanticError, QuerySyntaxError
from npql.model.objects import Protocol
from npql.model.policy import Direction
from npql.model.selector import LabelSelector, Operator, Requirement
from npql.query import (
    ANY_PORT,
    AnyNamespace,
    AnyPod,
    AssertCan,
    AssertIsolated,
    AssertOnly,
    Assume,
    CanReach,
    Connectivity,
    DescribePolicy,
    Explain,
    Exposure,
    Internet,
    IPRef,
    IsIsolated,
    Let,
    Lint,
    NamedPort,
    NamespaceLabels,
    NamespaceNames,
    NamespaceRef,
    OutsideNamespaces,
    PodRef,
    PoliciesSelecting,
    PolicyRef,
    PortRange,
    PortSpec,
    Redundancy,
    Script,
    Selected,
    SelectedBy,
    ServiceRef,
    Show,
    Statement,
    VariableRef,
    WhatCanReach,
    WhoCanReach,
    WhoCouldReach,
    expected_tokens,
    parse,
    parse_statement,
)
from npql.query.parser import STATEMENT_KEYWORDS

IN, NOT_IN = Operator.IN, Operator.NOT_IN
EXISTS, DOES_NOT_EXIST = Operator.EXISTS, Operator.DOES_NOT_EXIST
TCP = Protocol.TCP
INGRESS, EGRESS = Direction.INGRESS, Direction.EGRESS


def sel(*reqs: Requirement) -> LabelSelector:
    return LabelSelector(reqs)


def eq(key: str, value: str) -> Requirement:
    return Requirement(key, IN, (value,))


def port(lo: int, hi: int | None = None, proto: Protocol = TCP) -> PortSpec:
    return PortSpec(PortRange(lo, lo if hi is None else hi), proto)


def exists(key: str) -> Requirement:
    return Requirement(key, EXISTS)


APP_BACKEND = Selected(sel(eq("app", "backend")))
APP_WEB = Selected(sel(eq("app", "web")))
ALL_PODS = Selected(LabelSelector())

EXAMPLES: list[tuple[str, Statement]] = [
    # statements
    ("who can reach app=backend", WhoCanReach(APP_BACKEND)),
    ("what can app=backend reach", WhatCanReach(APP_BACKEND)),
    ("can app=web reach app=backend", CanReach(Selected(sel(eq("app", "web"))), APP_BACKEND)),
    ("connectivity", Connectivity()),
    ("WHO CAN REACH app=backend", WhoCanReach(APP_BACKEND)),
    ("Connectivity", Connectivity()),
    # selectors
    ("who can reach app==backend", WhoCanReach(APP_BACKEND)),
    ("who can reach app!=x", WhoCanReach(Selected(sel(Requirement("app", NOT_IN, ("x",)))))),
    (
        "who can reach tier in (b,a)",
        WhoCanReach(Selected(sel(Requirement("tier", IN, ("b", "a"))))),
    ),
    ("who can reach tier in(a)", WhoCanReach(Selected(sel(eq("tier", "a"))))),
    (
        "who can reach tier notin (c)",
        WhoCanReach(Selected(sel(Requirement("tier", NOT_IN, ("c",))))),
    ),
    (
        "who can reach tier notin ( c , d )",
        WhoCanReach(Selected(sel(Requirement("tier", NOT_IN, ("c", "d"))))),
    ),
    ("who can reach app", WhoCanReach(Selected(sel(Requirement("app", EXISTS))))),
    ("who can reach !app", WhoCanReach(Selected(sel(Requirement("app", DOES_NOT_EXIST))))),
    (
        "who can reach app=web,tier!=db",
        WhoCanReach(Selected(sel(eq("app", "web"), Requirement("tier", NOT_IN, ("db",))))),
    ),
    (
        "who can reach kubernetes.io/metadata.name=x",
        WhoCanReach(Selected(sel(eq("kubernetes.io/metadata.name", "x")))),
    ),
    (
        "who can reach app.kubernetes.io/name=y",
        WhoCanReach(Selected(sel(eq("app.kubernetes.io/name", "y")))),
    ),
    ('who can reach app=""', WhoCanReach(Selected(sel(eq("app", ""))))),
    ('who can reach app="reach"', WhoCanReach(Selected(sel(eq("app", "reach"))))),
    ("who can reach App=Web_1.x", WhoCanReach(Selected(sel(eq("App", "Web_1.x"))))),
    # keyword-like keys
    ("who can reach ns=foo:80", WhoCanReach(Selected(sel(eq("ns", "foo"))), port(80))),
    ("who can reach pod in (a,b)", WhoCanReach(Selected(sel(Requirement("pod", IN, ("a", "b")))))),
    ('who can reach "ns"', WhoCanReach(Selected(sel(Requirement("ns", EXISTS))))),
    (
        "who can reach app,ns,!pod",
        WhoCanReach(
            Selected(
                sel(
                    Requirement("app", EXISTS),
                    Requirement("ns", EXISTS),
                    Requirement("pod", DOES_NOT_EXIST),
                )
            )
        ),
    ),
    ("who can reach in=x", WhoCanReach(Selected(sel(eq("in", "x"))))),
    ("who can reach reach", WhoCanReach(Selected(sel(Requirement("reach", EXISTS))))),
    ("who can reach NS=x", WhoCanReach(Selected(sel(eq("NS", "x"))))),
    (
        "can internet=yes reach ip=a",
        CanReach(Selected(sel(eq("internet", "yes"))), Selected(sel(eq("ip", "a")))),
    ),
    # all pods
    ("who can reach all pods", WhoCanReach(Selected(LabelSelector()))),
    ("who can reach *", WhoCanReach(Selected(LabelSelector()))),
    ("who can reach {}", WhoCanReach(Selected(LabelSelector()))),
    (
        "who can reach ALL PODS in ns a",
        WhoCanReach(Selected(LabelSelector(), NamespaceNames(("a",)))),
    ),
    # scopes
    (
        "who can reach app=x in ns a,b",
        WhoCanReach(Selected(sel(eq("app", "x")), NamespaceNames(("a", "b")))),
    ),
    (
        "who can reach app=x in namespace a",
        WhoCanReach(Selected(sel(eq("app", "x")), NamespaceNames(("a",)))),
    ),
    (
        "who can reach app=x in ns with team=a,env",
        WhoCanReach(
            Selected(
                sel(eq("app", "x")),
                NamespaceLabels(sel(eq("team", "a"), Requirement("env", EXISTS))),
            )
        ),
    ),
    ("who can reach app=x in any namespace", WhoCanReach(Selected(sel(eq("app", "x"))))),
    (
        "who can reach app in ns a",
        WhoCanReach(Selected(sel(Requirement("app", EXISTS)), NamespaceNames(("a",)))),
    ),
    (
        'who can reach app in ns "with"',
        WhoCanReach(Selected(sel(Requirement("app", EXISTS)), NamespaceNames(("with",)))),
    ),
    (
        "who can reach * in ns with {}",
        WhoCanReach(Selected(LabelSelector(), NamespaceLabels(LabelSelector()))),
    ),
    # references
    ("who can reach pod default/backend", WhoCanReach(PodRef("default", "backend"))),
    ("who can reach pod backend", WhoCanReach(PodRef("default", "backend"))),
    ("who can reach pod prod/web-0.x:80/tcp", WhoCanReach(PodRef("prod", "web-0.x"), port(80))),
    ("who can reach ns kube-system", WhoCanReach(NamespaceRef("kube-system"))),
    ("who can reach namespace in", WhoCanReach(NamespaceRef("in"))),
    ("what can ns reach reach", WhatCanReach(NamespaceRef("reach"))),
    ("who can reach svc prod/api:443", WhoCanReach(ServiceRef("prod", "api"), port(443))),
    ("who can reach service api", WhoCanReach(ServiceRef("default", "api"))),
    ("what can any pod reach", WhatCanReach(AnyPod())),
    ("what can any pod with app=x reach", WhatCanReach(AnyPod(sel(eq("app", "x"))))),
    (
        "what can any pod with app in ns with team=a reach",
        WhatCanReach(
            AnyPod(sel(Requirement("app", EXISTS)), NamespaceLabels(sel(eq("team", "a"))))
        ),
    ),
    (
        "what can any pod in ns a reach",
        WhatCanReach(AnyPod(LabelSelector(), NamespaceNames(("a",)))),
    ),
    ("what can any pod in any ns reach", WhatCanReach(AnyPod())),
    # addresses
    ("who can reach ip 203.0.113.7", WhoCanReach(IPRef("203.0.113.7/32", "ip"))),
    (
        "who can reach ip 203.0.113.7:53/udp",
        WhoCanReach(IPRef("203.0.113.7/32", "ip"), port(53, proto=Protocol.UDP)),
    ),
    ("who can reach ip 2001:DB8::1", WhoCanReach(IPRef("2001:db8::1/128", "ip"))),
    (
        "who can reach ip 2001:db8::1/128:443",
        WhoCanReach(IPRef("2001:db8::1/128", "ip"), port(443)),
    ),
    ("who can reach cidr 10.1.2.3/8", WhoCanReach(IPRef("10.0.0.0/8", "cidr"))),
    ("who can reach cidr 10.0.0.1", WhoCanReach(IPRef("10.0.0.1/32", "cidr"))),
    ("who can reach cidr 2001:db8::/32:80", WhoCanReach(IPRef("2001:db8::/32", "cidr"), port(80))),
    ("can internet reach app=backend", CanReach(Internet(), APP_BACKEND)),
    ("can external reach app=backend", CanReach(Internet(), APP_BACKEND)),
    ("can $web reach $db:5432", CanReach(VariableRef("web"), VariableRef("db"), port(5432))),
    # ports
    ("who can reach app=backend:80", WhoCanReach(APP_BACKEND, port(80))),
    ("who can reach app=backend : 80", WhoCanReach(APP_BACKEND, port(80))),
    ("who can reach app=backend:8000-8080", WhoCanReach(APP_BACKEND, port(8000, 8080))),
    ("who can reach app=backend:http", WhoCanReach(APP_BACKEND, PortSpec(NamedPort("http"), TCP))),
    (
        "who can reach app=backend:dns-tcp/UDP",
        WhoCanReach(APP_BACKEND, PortSpec(NamedPort("dns-tcp"), Protocol.UDP)),
    ),
    ("who can reach app=backend:*", WhoCanReach(APP_BACKEND, ANY_PORT)),
    ("who can reach app=backend:*/udp", WhoCanReach(APP_BACKEND, PortSpec(None, Protocol.UDP))),
    ("who can reach app=backend:1/sctp", WhoCanReach(APP_BACKEND, port(1, proto=Protocol.SCTP))),
    ("who can reach app=backend:65535", WhoCanReach(APP_BACKEND, port(65535))),
    ("who can reach all pods:80", WhoCanReach(Selected(LabelSelector()), port(80))),
    ("who can reach tier in (a):80", WhoCanReach(Selected(sel(eq("tier", "a"))), port(80))),
    ("can pod a reach ns b:80", CanReach(PodRef("default", "a"), NamespaceRef("b"), port(80))),
    ("can internet reach internet:443", CanReach(Internet(), Internet(), port(443))),
    # comments, case, spacing
    ("  who   can\treach app=backend   # a comment", WhoCanReach(APP_BACKEND)),
    ("who can reach app=backend;", WhoCanReach(APP_BACKEND)),
    # outside scopes
    (
        "who can reach app=backend outside ns kube-system",
        WhoCanReach(Selected(sel(eq("app", "backend")), OutsideNamespaces(("kube-system",)))),
    ),
    (
        "who can reach * outside namespace a,b:80",
        WhoCanReach(Selected(LabelSelector(), OutsideNamespaces(("a", "b"))), port(80)),
    ),
    (
        "what can any pod with app=web outside ns prod reach",
        WhatCanReach(AnyPod(sel(eq("app", "web")), OutsideNamespaces(("prod",)))),
    ),
    (
        'can app outside ns "with" reach all pods outside ns "outside"',
        CanReach(
            Selected(sel(exists("app")), OutsideNamespaces(("with",))),
            Selected(LabelSelector(), OutsideNamespaces(("outside",))),
        ),
    ),
    ("who can reach outside=x", WhoCanReach(Selected(sel(eq("outside", "x"))))),
    # who could reach
    ("who could reach app=backend", WhoCouldReach(APP_BACKEND)),
    ("who could reach app=backend:8080/tcp", WhoCouldReach(APP_BACKEND, port(8080))),
    ("WHO COULD REACH svc prod/api:443", WhoCouldReach(ServiceRef("prod", "api"), port(443))),
    # why
    ("why can app=web reach app=backend", Explain(APP_WEB, APP_BACKEND)),
    (
        "why can app=web reach app=backend:80",
        Explain(APP_WEB, APP_BACKEND, port(80), expect_allowed=True),
    ),
    (
        "why can't app=web reach app=backend:80",
        Explain(APP_WEB, APP_BACKEND, port(80), expect_allowed=False),
    ),
    ("why can’t internet reach app=backend", Explain(Internet(), APP_BACKEND, ANY_PORT, False)),
    ("WHY CAN'T internet reach app=backend", Explain(Internet(), APP_BACKEND, ANY_PORT, False)),
    (
        "why cannot pod a reach ns b",
        Explain(PodRef("default", "a"), NamespaceRef("b"), ANY_PORT, False),
    ),
    (
        "why not $web reach $db:5432",
        Explain(VariableRef("web"), VariableRef("db"), port(5432), False),
    ),
    ("why can can reach why", Explain(Selected(sel(exists("can"))), Selected(sel(exists("why"))))),
    # isolation
    ("is app=backend isolated", IsIsolated(APP_BACKEND)),
    ("is app=backend isolated for ingress", IsIsolated(APP_BACKEND, INGRESS)),
    ("is ns prod isolated for EGRESS", IsIsolated(NamespaceRef("prod"), EGRESS)),
    ("is * in ns a isolated", IsIsolated(Selected(LabelSelector(), NamespaceNames(("a",))))),
    ("is isolated isolated", IsIsolated(Selected(sel(exists("isolated"))))),
    (
        "is for=ingress isolated for ingress",
        IsIsolated(Selected(sel(eq("for", "ingress"))), INGRESS),
    ),
    # policies and pods
    ("policies selecting app=backend", PoliciesSelecting(APP_BACKEND)),
    ("policies selecting pod prod/web-0", PoliciesSelecting(PodRef("prod", "web-0"))),
    ("pods selected by policy prod/deny-all", SelectedBy(PolicyRef("prod", "deny-all"))),
    ("pods selected by policy allow.dns", SelectedBy(PolicyRef("default", "allow.dns"))),
    ("describe policy prod/allow-web", DescribePolicy(PolicyRef("prod", "allow-web"))),
    ("describe policy deny-all", DescribePolicy(PolicyRef("default", "deny-all"))),
    # show
    ("show pods", Show("pods")),
    ("show workloads with app=web", Show("workloads", sel(eq("app", "web")))),
    ("show namespaces with team", Show("namespaces", sel(exists("team")))),
    ("show policies in ns prod", Show("policies", scope=NamespaceNames(("prod",)))),
    (
        "show services with app in (a,b) outside ns kube-system",
        Show(
            "services", sel(Requirement("app", IN, ("a", "b"))), OutsideNamespaces(("kube-system",))
        ),
    ),
    ("show pods with {} in any namespace", Show("pods")),
    ("show pod", Show("pods")),
    ("show ns", Show("namespaces")),
    (
        "show service in ns with env=prod",
        Show("services", scope=NamespaceLabels(sel(eq("env", "prod")))),
    ),
    # let
    ("let web = app=web", Let("web", APP_WEB)),
    ("let my-db_2 = pod prod/db-0", Let("my-db_2", PodRef("prod", "db-0"))),
    ("let pods = all pods", Let("pods", ALL_PODS)),
    ("let net=cidr 10.0.0.0/8", Let("net", IPRef("10.0.0.0/8", "cidr"))),
    ("can $my-db_2 reach $net", CanReach(VariableRef("my-db_2"), VariableRef("net"))),
    # exposure
    ("exposure", Exposure()),
    ("exposure of app=backend", Exposure(APP_BACKEND)),
    ("exposure of ns prod", Exposure(NamespaceRef("prod"))),
    # assume
    (
        "assume no ns with pci=true,team!=payments",
        Assume("ns", sel(eq("pci", "true"), Requirement("team", NOT_IN, ("payments",)))),
    ),
    ("assume no namespace with env=dev", Assume("ns", sel(eq("env", "dev")), AnyNamespace())),
    ("assume no pod with debug", Assume("pod", sel(exists("debug")))),
    (
        "assume no pod with role=admin in ns with team=a",
        Assume("pod", sel(eq("role", "admin")), NamespaceLabels(sel(eq("team", "a")))),
    ),
    (
        "assume no pod with role=admin outside ns kube-system",
        Assume("pod", sel(eq("role", "admin")), OutsideNamespaces(("kube-system",))),
    ),
    # assertions
    ("assert can app=web reach app=backend:80", AssertCan(APP_WEB, APP_BACKEND, port(80))),
    ("assert cannot internet reach app=backend", AssertCan(Internet(), APP_BACKEND, expect=False)),
    (
        "assert can't internet reach app=backend:22",
        AssertCan(Internet(), APP_BACKEND, port(22), False),
    ),
    ("ASSERT CAN’T any pod reach ns prod", AssertCan(AnyPod(), NamespaceRef("prod"), expect=False)),
    ("assert app=backend is isolated", AssertIsolated(APP_BACKEND)),
    ("assert app=backend is isolated for egress", AssertIsolated(APP_BACKEND, EGRESS)),
    (
        "assert ns kube-system is not isolated",
        AssertIsolated(NamespaceRef("kube-system"), expect=False),
    ),
    (
        "assert all pods in ns prod is not isolated for ingress",
        AssertIsolated(Selected(LabelSelector(), NamespaceNames(("prod",))), INGRESS, False),
    ),
    ("assert can=x is isolated", AssertIsolated(Selected(sel(eq("can", "x"))))),
    ("assert only in (a) is isolated", AssertIsolated(Selected(sel(eq("only", "a"))))),
    (
        "assert cannot!=x,is is isolated",
        AssertIsolated(Selected(sel(Requirement("cannot", NOT_IN, ("x",)), exists("is")))),
    ),
    ("assert ns=a is isolated", AssertIsolated(Selected(sel(eq("ns", "a"))))),
    ('assert "can" is isolated', AssertIsolated(Selected(sel(exists("can"))))),
    ("assert only app=web can reach app=backend", AssertOnly(APP_WEB, APP_BACKEND)),
    (
        "assert only app=web,tier=fe in ns shop can reach app=backend:5432/tcp",
        AssertOnly(
            Selected(sel(eq("app", "web"), eq("tier", "fe")), NamespaceNames(("shop",))),
            APP_BACKEND,
            port(5432),
        ),
    ),
    (
        "assert only any pod in ns a can reach ns a",
        AssertOnly(AnyPod(scope=NamespaceNames(("a",))), NamespaceRef("a")),
    ),
    # cleanup
    ("lint", Lint()),
    ("LINT", Lint()),
    ("redundant rules", Redundancy()),
    ("redundant rules for any pod", Redundancy(any_pod=True)),
    ("Redundant Rules For Any Pod", Redundancy(True)),
]


@pytest.mark.parametrize(("text", "node"), EXAMPLES, ids=[t for t, _ in EXAMPLES])
def test_example_parses(text: str, node: Statement) -> None:
    assert parse_statement(text) == node


@pytest.mark.parametrize(("text", "node"), EXAMPLES, ids=[t for t, _ in EXAMPLES])
def test_example_round_trips(text: str, node: Statement) -> None:
    assert parse_statement(str(node)) == node
    assert str(parse_statement(str(node))) == str(node)


@pytest.mark.parametrize(
    ("node", "canonical"),
    [
        (WhoCanReach(APP_BACKEND, port(80)), "who can reach app=backend:80/tcp"),
        (WhoCanReach(Selected(sel(eq("ns", "x")))), 'who can reach "ns"=x'),
        (WhoCanReach(Selected(sel(eq("a", "")))), 'who can reach a=""'),
        (
            WhoCanReach(Selected(LabelSelector(), NamespaceNames(("with", "b")))),
            'who can reach all pods in ns "with",b',
        ),
        (
            WhoCanReach(AnyPod(scope=NamespaceLabels(LabelSelector()))),
            "who can reach any pod in ns with {}",
        ),
        (WhoCanReach(Internet(), PortSpec(None, Protocol.UDP)), "who can reach internet:*/udp"),
        (
            WhoCanReach(Selected(sel(exists("a")), OutsideNamespaces(("with", "b")))),
            'who can reach a outside ns "with",b',
        ),
        (
            Explain(APP_WEB, APP_BACKEND, expect_allowed=False),
            "why can't app=web reach app=backend",
        ),
        (IsIsolated(APP_BACKEND, INGRESS), "is app=backend isolated for ingress"),
        (SelectedBy(PolicyRef("default", "x")), "pods selected by policy default/x"),
        (Show("policies", sel(eq("is", "for"))), 'show policies with "is"=for'),
        (Let("v", AnyPod()), "let v = any pod"),
        (Assume("ns", sel(eq("pci", "true"))), "assume no ns with pci=true"),
        (AssertCan(APP_WEB, APP_BACKEND, expect=False), "assert cannot app=web reach app=backend"),
        (AssertIsolated(Selected(sel(eq("can", "x")))), 'assert "can"=x is isolated'),
        (
            AssertIsolated(Selected(sel(exists("only"))), expect=False),
            'assert "only" is not isolated',
        ),
        (
            AssertOnly(Selected(sel(exists("reach"))), Selected(sel(exists("can")))),
            'assert only "reach" can reach "can"',
        ),
        (Redundancy(True), "redundant rules for any pod"),
    ],
)
def test_canonical_text(node: Statement, canonical: str) -> None:
    assert str(node) == canonical
    assert parse_statement(canonical) == node


# ------------------------------------------------------------------------------------ scripts


def test_script_lines_comments_and_separators() -> None:
    text = "# header\nwho can reach a\n\nconnectivity; what can b reach  # trailing\n;;\n"
    script = parse(text)
    assert script.statements == (
        WhoCanReach(Selected(sel(Requirement("a", EXISTS)))),
        Connectivity(),
        WhatCanReach(Selected(sel(Requirement("b", EXISTS)))),
    )
    assert script.lines == (2, 4, 4)
    assert parse(str(script)).statements == script.statements


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment", " ; ;\n"])
def test_empty_script(text: str) -> None:
    assert parse(text) == Script((), ())


def test_parse_statement_wants_exactly_one() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_statement("connectivity\nwho can reach a")
    assert (info.value.line, info.value.column) == (2, 1)
    with pytest.raises(QuerySyntaxError, match="empty query"):
        parse_statement("  # nothing")


# ------------------------------------------------------------------------------------ errors


def syntax_error(text: str) -> QuerySyntaxError:
    with pytest.raises(QuerySyntaxError) as info:
        parse(text)
    return info.value


def semantic_error(text: str) -> QuerySemanticError:
    with pytest.raises(QuerySemanticError) as info:
        parse(text)
    return info.value


def test_missing_target_after_reach() -> None:
    error = syntax_error("can a reach")
    assert (error.line, error.column) == (1, 12)
    assert error.hint == "expected a target endpoint after 'reach'"
    assert {"<label selector>", "pod", "ns", "ip"} <= error.expected
    assert "unexpected end of query" in str(error)
    assert "^" in str(error)


def test_missing_target_at_end_of_line() -> None:
    error = syntax_error("can a reach\nconnectivity")
    assert (error.line, error.column) == (1, 12)
    assert error.hint == "expected a target endpoint after 'reach'"


def test_missing_source() -> None:
    error = syntax_error("what can")
    assert error.hint == "expected a source endpoint after 'can'"


def test_missing_reach() -> None:
    error = syntax_error("can a b")
    assert (error.line, error.column) == (1, 7)
    assert "reach" in error.expected
    assert error.hint == "write 'can SOURCE reach TARGET[:PORT]'"


@pytest.mark.parametrize(
    ("text", "hint"),
    [("whoo can reach x", "did you mean 'who'?"), ("conectivity", "did you mean 'connectivity'?")],
)
def test_unknown_statement(text: str, hint: str) -> None:
    error = syntax_error(text)
    assert error.message == f"unknown statement {text.split()[0]!r}"
    assert error.hint == hint
    assert (error.line, error.column) == (1, 1)
    assert error.expected == set(STATEMENT_KEYWORDS)


def test_unknown_statement_on_a_later_line() -> None:
    error = syntax_error("connectivity\n  wat can a reach")
    assert error.message == "unknown statement 'wat'"
    assert (error.line, error.column) == (2, 3)
    assert error.hint == "did you mean 'what'?"


def test_lexer_error_position() -> None:
    error = syntax_error("who can reach app@x")
    assert (error.line, error.column) == (1, 18)
    assert "'@'" in error.message


def test_missing_port() -> None:
    error = syntax_error("who can reach app=web:")
    assert error.expected == {"<port>"}
    assert error.hint is not None and "port" in error.hint


def test_port_without_colon() -> None:
    error = syntax_error("who can reach app=web 80")
    assert (error.line, error.column) == (1, 23)
    assert ":" in error.expected
    assert error.hint == "write the port after a colon, e.g. ':80'"


def test_trailing_garbage() -> None:
    error = syntax_error("connectivity now")
    assert error.expected == {"end of query"}


def test_missing_pod_name() -> None:
    error = syntax_error("who can reach pod")
    assert error.expected == {"<namespace/name>"}


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("who can reach app=web:70000", 23, "out of range"),
        ("who can reach app=web:0", 23, "out of range"),
        ("who can reach app=web:90-80", 23, "empty port range"),
        ("who can reach app=web:80-99999999999999999", 23, "out of range"),
        ("who can reach app=web:HTTP", 23, "invalid port"),
        ("who can reach app=web:a-very-long-port-name", 23, "invalid port"),
        ("who can reach app=web:80/icmp", 26, "unknown protocol"),
        ("who can reach ip 300.1.1.1", 18, "invalid IP address"),
        ("who can reach ip 10", 18, "invalid IP address"),
        ("who can reach ip 10.0.0.0/8", 18, "takes one address"),
        ("who can reach cidr 10.0.0.0/33", 20, "invalid network"),
        ("who can reach app=web-", 19, "invalid label value"),
        ('who can reach app="my app"', 19, "invalid label value"),
        ("who can reach -app=web", 15, "invalid label key"),
        ("who can reach Example.com/app=web", 15, "invalid label key"),
        ("who can reach pod default/Web", 19, "invalid pod name"),
        ("who can reach svc default/9web", 19, "invalid service name"),
        ("who can reach ns Default", 18, "invalid namespace name"),
        ("who can reach a in ns b,C_", 25, "invalid namespace name"),
        ("who can reach a outside ns b,C_", 30, "invalid namespace name"),
        ("who can reach a outside ns with b=c", 28, "takes namespace names"),
        ("describe policy prod/Deny", 17, "invalid policy name"),
        ("pods selected by policy Prod/deny", 25, "invalid namespace name"),
        ("assert only a can reach b:0", 27, "out of range"),
        ("why can't a reach ip 10.0.0.0/8", 22, "takes one address"),
        ("let v = app=web-", 13, "invalid label value"),
        ("show pods with -x", 16, "invalid label key"),
    ],
)
def test_semantic_errors_point_at_the_token(text: str, column: int, words: str) -> None:
    error = semantic_error(text)
    assert words in error.message
    assert (error.line, error.column) == (1, column)


def test_errors_are_query_errors() -> None:
    assert issubclass(QuerySyntaxError, QueryError)
    assert issubclass(QuerySemanticError, QueryError)


@pytest.mark.parametrize("text", [t for t, _ in EXAMPLES])
def test_every_prefix_parses_or_raises_query_error(text: str) -> None:
    for end in range(len(text) + 1):
        prefix = text[:end]
        with contextlib.suppress(QueryError):
            parse(prefix)
        assert isinstance(expected_tokens(prefix), frozenset)


# ------------------------------------------------------------------------------------ completion


@pytest.mark.parametrize(
    ("text", "must_have"),
    [
        ("", {"who", "what", "can", "connectivity"}),
        ("who can ", {"reach"}),
        ("who can", {"reach"}),
        ("who can re", {"reach"}),
        (
            "who can reach ",
            {"<label key>", "pod", "ns", "svc", "ip", "cidr", "internet", "all", "any", "*"},
        ),
        ("who can reach app=backend:", {"<port>", "*"}),
        ("who can reach app=backend:80/", {"<protocol>"}),
        ("who can reach app=backend ", {",", ":", "in", "end of query"}),
        ("who can reach app=backend i", {"in"}),
        ("who can reach app", {"=", "!=", "in (", "notin ("}),
        ("who can reach pod ", {"<namespace/name>"}),
        ("who can reach app in ", {"ns", "namespace", "any"}),
        ("who can reach app in ns ", {"<namespace>", "with"}),
        ("what can app ", {"reach"}),
        ("connectivity; ", {"who", "what", "can", "connectivity"}),
        ("", set(STATEMENT_KEYWORDS)),
        ("who ", {"can", "could"}),
        ("who co", {"could", "can"}),
        ("why ", {"can", "can't", "cannot", "not"}),
        ("why can", {"can't", "cannot"}),
        ("why can'", {"can't"}),
        ("why can't ", {"<label key>", "pod", "any"}),
        ("is app ", {"isolated", "in", "outside", ","}),
        ("is app isolated ", {"for", "end of query"}),
        ("is app isolated for ", {"ingress", "egress"}),
        ("assert ", {"can", "cannot", "can't", "only", "<label key>", "pod", "all"}),
        ("assert app ", {"is"}),
        ("assert app is ", {"isolated", "not"}),
        ("assert only app ", {"can"}),
        ("show ", {"pods", "workloads", "namespaces", "policies", "services"}),
        ("show pods ", {"with", "in", "outside", "end of query"}),
        ("pods ", {"selected"}),
        ("pods selected by ", {"policy"}),
        ("describe ", {"policy"}),
        ("let ", {"<name>"}),
        ("let x ", {"="}),
        ("exposure ", {"of", "end of query"}),
        ("assume no ", {"ns", "pod"}),
        ("redundant rules ", {"for", "end of query"}),
        ("who can reach app ", {"outside"}),
        ("who can reach app outside ", {"ns", "namespace"}),
        ("who can reach app outside ns ", {"<namespace>"}),
    ],
)
def test_expected_tokens(text: str, must_have: set[str]) -> None:
    assert must_have <= expected_tokens(text)


def test_outside_ns_offers_no_selector() -> None:
    assert "with" not in expected_tokens("who can reach app outside ns ")
    assert "with" in expected_tokens("who can reach app in ns ")


def test_expected_tokens_is_precise_after_reach() -> None:
    after = expected_tokens("who can reach ")
    assert "reach" not in after and "who" not in after


def test_expected_tokens_after_an_error_is_empty() -> None:
    assert expected_tokens("who who ") == frozenset()


def test_bare_ip_is_not_taken_for_a_label_key() -> None:
    error = semantic_error("who can reach 10.0.0.1:80")
    assert (error.line, error.column) == (1, 15)
    assert error.hint is not None and "ip 10.0.0.1" in error.hint
    key = WhoCanReach(Selected(sel(Requirement("10.0.0.1", EXISTS))))
    assert str(key) == 'who can reach "10.0.0.1"'
    assert parse_statement(str(key)) == key


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("who x", "write 'who can reach TARGET[:PORT]' or 'who could reach TARGET[:PORT]'"),
        ("who could app", "write 'who could reach TARGET[:PORT]'"),
        (
            "why x",
            "write 'why can SOURCE reach TARGET[:PORT]' or 'why can't SOURCE reach TARGET[:PORT]'",
        ),
        ("why not a b", "write 'why can't SOURCE reach TARGET[:PORT]'"),
        ("why can't", 'expected a source endpoint after "can\'t"'),
        ("why cannot", "expected a source endpoint after 'cannot'"),
        ("is app b", "write 'is ENDPOINT isolated [for ingress|egress]'"),
        ("is app isolated for x", "write 'is ENDPOINT isolated [for ingress|egress]'"),
        ("is", "expected an endpoint after 'is'"),
        ("policies selecting", "expected an endpoint after 'selecting'"),
        ("pods x", "write 'pods selected by policy NAMESPACE/NAME'"),
        (
            "describe policy",
            "write 'policy NAMESPACE/NAME' (or 'policy NAME' in namespace default)",
        ),
        (
            "show x",
            "write 'show pods|workloads|namespaces|policies|services [with SELECTOR] [SCOPE]'",
        ),
        ("let x y", "write 'let NAME = ENDPOINT'"),
        ("let x =", "expected an endpoint after '='"),
        ("exposure x", "write 'exposure' or 'exposure of ENDPOINT'"),
        (
            "assume no ns x",
            "write 'assume no ns with SELECTOR' or 'assume no pod with SELECTOR [SCOPE]'",
        ),
        ("assert can a b", "write 'assert can SOURCE reach TARGET[:PORT]'"),
        ("assert can't a b", "write 'assert cannot SOURCE reach TARGET[:PORT]'"),
        ("assert app b", "write 'assert ENDPOINT is [not] isolated [for ingress|egress]'"),
        ("assert can=x b", "write 'assert ENDPOINT is [not] isolated [for ingress|egress]'"),
        ("assert only a b", "write 'assert only ALLOWED can reach TARGET[:PORT]'"),
        ("assert only", "expected the allowed sources after 'only'"),
        ("redundant rules x", "write 'redundant rules' or 'redundant rules for any pod'"),
        ("who can reach a outside x", "write 'outside ns NAME[,NAME...]'"),
        ("who can reach a outside ns", "write 'outside ns NAME[,NAME...]'"),
    ],
)
def test_new_statement_hints(text: str, hint: str) -> None:
    assert syntax_error(text).hint == hint


def test_assume_no_ns_takes_no_scope() -> None:
    error = syntax_error("assume no ns with a=b in ns c")
    assert (error.line, error.column) == (1, 23)
    assert "end of query" in error.expected and "in" not in error.expected


def test_assert_lists_its_forms() -> None:
    error = syntax_error("assert")
    assert {"can", "cannot", "only", "<label selector>"} <= error.expected
    assert error.hint is not None and "is [not] isolated" in error.hint


def test_show_error_lists_only_plural_kinds() -> None:
    error = syntax_error("show pod_s")
    assert error.expected == {"pods", "workloads", "namespaces", "policies", "services"}


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("whi can a reach b", "did you mean 'why'?"),
        ("asert only a can reach b", "did you mean 'assert'?"),
    ],
)
def test_unknown_new_statement(text: str, hint: str) -> None:
    error = syntax_error(text)
    assert error.message == f"unknown statement {text.split()[0]!r}"
    assert error.hint == hint


def test_cant_is_one_token() -> None:
    assert parse_statement("why can't a reach b") == parse_statement("why can’t a reach b")
    error = syntax_error("why can 't a reach b")
    assert (error.line, error.column) == (1, 9)


def test_let_name_may_spell_a_keyword_and_variables_take_dashes() -> None:
    script = parse("let reach = app=web\nlet my-db = app=db\ncan $reach reach $my-db:5432")
    assert script.statements == (
        Let("reach", APP_WEB),
        Let("my-db", Selected(sel(eq("app", "db")))),
        CanReach(VariableRef("reach"), VariableRef("my-db"), port(5432)),
    )
    assert parse(str(script)).statements == script.statements


def test_show_accepts_singular_kinds() -> None:
    for word, kind in [("workload", "workloads"), ("policy", "policies"), ("svc", "services")]:
        assert parse_statement(f"show {word}") == Show(kind)


def test_keyword_keys_after_assert_need_an_operator() -> None:
    error = syntax_error("assert can is isolated")
    assert "reach" in error.expected
    assert parse_statement('assert "can" is isolated') == AssertIsolated(
        Selected(sel(exists("can")))
    )


def test_unterminated_string() -> None:
    error = syntax_error('who can reach app="web\nconnectivity')
    assert (error.line, error.column) == (1, 19)
    assert "not closed" in error.message
