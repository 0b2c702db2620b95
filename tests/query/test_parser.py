"""The query parser: every documented form, canonical round trips, errors that teach."""

from __future__ import annotations

import contextlib

import pytest

from npql.errors import QueryError, QuerySemanticError, QuerySyntaxError
from npql.model.objects import Protocol
from npql.model.selector import LabelSelector, Operator, Requirement
from npql.query import (
    ANY_PORT,
    AnyPod,
    CanReach,
    Connectivity,
    Internet,
    IPRef,
    NamedPort,
    NamespaceLabels,
    NamespaceNames,
    NamespaceRef,
    PodRef,
    PortRange,
    PortSpec,
    Script,
    Selected,
    ServiceRef,
    Statement,
    VariableRef,
    WhatCanReach,
    WhoCanReach,
    expected_tokens,
    parse,
    parse_statement,
)

IN, NOT_IN = Operator.IN, Operator.NOT_IN
EXISTS, DOES_NOT_EXIST = Operator.EXISTS, Operator.DOES_NOT_EXIST
TCP = Protocol.TCP


def sel(*reqs: Requirement) -> LabelSelector:
    return LabelSelector(reqs)


def eq(key: str, value: str) -> Requirement:
    return Requirement(key, IN, (value,))


def port(lo: int, hi: int | None = None, proto: Protocol = TCP) -> PortSpec:
    return PortSpec(PortRange(lo, lo if hi is None else hi), proto)


APP_BACKEND = Selected(sel(eq("app", "backend")))

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
    assert error.expected == {"who", "what", "can", "connectivity"}


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
    ],
)
def test_expected_tokens(text: str, must_have: set[str]) -> None:
    assert must_have <= expected_tokens(text)


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


def test_unterminated_string() -> None:
    error = syntax_error('who can reach app="web\nconnectivity')
    assert (error.line, error.column) == (1, 19)
    assert "not closed" in error.message
