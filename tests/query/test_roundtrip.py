"""Property tests: random AST statements round-trip through text; random text never crashes."""

from __future__ import annotations

import contextlib
import ipaddress

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npql.errors import QueryError
from npql.model.objects import Protocol
from npql.model.policy import Direction
from npql.model.selector import LabelSelector, Operator, Requirement
from npql.query import (
    SHOW_KINDS,
    AnyNamespace,
    AnyPod,
    AssertCan,
    AssertIsolated,
    AssertOnly,
    Assume,
    CanReach,
    Connectivity,
    DescribePolicy,
    Endpoint,
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
    NamespaceScope,
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
from npql.query.ast import KEYWORDS

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ------------------------------------------------------------------------------------ words

KEYWORD_WORDS = st.sampled_from(sorted(KEYWORDS)).flatmap(
    lambda w: st.sampled_from([w, w.upper(), w.capitalize()])
)
DNS_LABEL = st.from_regex(r"[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?", fullmatch=True)
DNS_SUBDOMAIN = st.from_regex(
    r"[a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?){0,3}", fullmatch=True
)
QUALIFIED_NAME = st.from_regex(r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?", fullmatch=True)

LABEL_KEYS = st.one_of(
    QUALIFIED_NAME,
    st.builds(lambda p, n: f"{p}/{n}", DNS_SUBDOMAIN, QUALIFIED_NAME),
    KEYWORD_WORDS,
)
LABEL_VALUES = st.one_of(QUALIFIED_NAME, st.just(""), KEYWORD_WORDS)
NAMESPACE_NAMES = st.one_of(DNS_LABEL, st.sampled_from(sorted(KEYWORDS)))
SERVICE_NAMES = st.from_regex(r"[a-z]([-a-z0-9]{0,20}[a-z0-9])?", fullmatch=True)
PORT_NAMES = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?", fullmatch=True).filter(
    lambda n: "--" not in n and any(c.isalpha() for c in n)
)
VARIABLE_NAMES = st.one_of(
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_\-]{0,10}", fullmatch=True),
    KEYWORD_WORDS,  # a `let` name may spell a keyword: nothing else can stand there
)

# ------------------------------------------------------------------------------------ selectors


@st.composite
def requirements(draw: st.DrawFn) -> Requirement:
    key = draw(LABEL_KEYS)
    operator = draw(st.sampled_from(list(Operator)))
    if operator in (Operator.EXISTS, Operator.DOES_NOT_EXIST):
        return Requirement(key, operator)
    values = draw(st.lists(LABEL_VALUES, min_size=1, max_size=3))
    return Requirement(key, operator, tuple(values))


def selectors(min_size: int) -> st.SearchStrategy[LabelSelector]:
    return st.lists(requirements(), min_size=min_size, max_size=4).map(
        lambda reqs: LabelSelector(tuple(reqs))
    )


SCOPES: st.SearchStrategy[NamespaceScope] = st.one_of(
    st.just(AnyNamespace()),
    st.lists(NAMESPACE_NAMES, min_size=1, max_size=3).map(lambda ns: NamespaceNames(tuple(ns))),
    selectors(0).map(NamespaceLabels),
    st.lists(NAMESPACE_NAMES, min_size=1, max_size=3).map(lambda ns: OutsideNamespaces(tuple(ns))),
)

# ------------------------------------------------------------------------------------ endpoints


def _ip(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> IPRef:
    return IPRef(str(ipaddress.ip_network(address)), "ip")


@st.composite
def cidrs(draw: st.DrawFn) -> IPRef:
    address = draw(st.ip_addresses())
    prefix = draw(st.integers(0, address.max_prefixlen))
    return IPRef(str(ipaddress.ip_network(f"{address}/{prefix}", strict=False)), "cidr")


ENDPOINTS: st.SearchStrategy[Endpoint] = st.one_of(
    st.builds(Selected, selectors(0), SCOPES),
    st.builds(PodRef, DNS_LABEL, DNS_SUBDOMAIN),
    st.builds(NamespaceRef, NAMESPACE_NAMES),
    st.builds(AnyPod, selectors(0), SCOPES),
    st.builds(ServiceRef, DNS_LABEL, SERVICE_NAMES),
    st.ip_addresses().map(_ip),
    cidrs(),
    st.just(Internet()),
    st.builds(VariableRef, VARIABLE_NAMES),
)

# ------------------------------------------------------------------------------------ ports


@st.composite
def port_ranges(draw: st.DrawFn) -> PortRange:
    lo = draw(st.integers(1, 65535))
    return PortRange(lo, draw(st.integers(lo, 65535)))


PROTOCOLS = st.sampled_from(list(Protocol))
PORTS = st.one_of(
    st.just(PortSpec()),
    st.builds(PortSpec, st.none(), PROTOCOLS),
    st.builds(PortSpec, port_ranges(), PROTOCOLS),
    st.builds(PortSpec, PORT_NAMES.map(NamedPort), PROTOCOLS),
)

DIRECTIONS = st.sampled_from([None, *Direction])
POLICY_REFS = st.builds(PolicyRef, DNS_LABEL, DNS_SUBDOMAIN)

STATEMENTS: st.SearchStrategy[Statement] = st.one_of(
    st.builds(WhoCanReach, ENDPOINTS, PORTS),
    st.builds(WhatCanReach, ENDPOINTS),
    st.builds(CanReach, ENDPOINTS, ENDPOINTS, PORTS),
    st.just(Connectivity()),
    st.builds(WhoCouldReach, ENDPOINTS, PORTS),
    st.builds(Explain, ENDPOINTS, ENDPOINTS, PORTS, st.booleans()),
    st.builds(IsIsolated, ENDPOINTS, DIRECTIONS),
    st.builds(PoliciesSelecting, ENDPOINTS),
    st.builds(SelectedBy, POLICY_REFS),
    st.builds(DescribePolicy, POLICY_REFS),
    st.builds(Show, st.sampled_from(SHOW_KINDS), selectors(0), SCOPES),
    st.builds(Let, VARIABLE_NAMES, ENDPOINTS),
    st.builds(Exposure, st.none() | ENDPOINTS),
    st.builds(Assume, st.just("ns"), selectors(0), st.just(AnyNamespace())),
    st.builds(Assume, st.just("pod"), selectors(0), SCOPES),
    st.builds(AssertCan, ENDPOINTS, ENDPOINTS, PORTS, st.booleans()),
    st.builds(AssertIsolated, ENDPOINTS, DIRECTIONS, st.booleans()),
    st.builds(AssertOnly, ENDPOINTS, ENDPOINTS, PORTS),
    st.just(Lint()),
    st.builds(Redundancy, st.booleans()),
)

# ------------------------------------------------------------------------------------ properties


@FAST
@given(STATEMENTS)
def test_statement_round_trips(statement: Statement) -> None:
    assert parse_statement(str(statement)) == statement


@settings(max_examples=100, deadline=None)
@given(st.lists(STATEMENTS, max_size=4))
def test_script_round_trips(statements: list[Statement]) -> None:
    script = Script(tuple(statements), tuple(range(1, len(statements) + 1)))
    assert parse(str(script)) == script


QUERY_ALPHABET = st.sampled_from(
    list("abnsw:/*,()!=\"$#;\n .-_0189@{}'\u2019")
    + ["who ", "can ", "reach ", "in ", "ns ", "pod ", "can't ", "why ", "is ", "isolated "]
    + ["assert ", "only ", "outside ", "let ", "show ", "for ", "policy ", "not ", "of "]
)


def _must_not_crash(text: str) -> None:
    with contextlib.suppress(QueryError):
        parse(text)
    assert isinstance(expected_tokens(text), frozenset)


@FAST
@given(st.text())
def test_random_text_never_crashes(text: str) -> None:
    _must_not_crash(text)


@FAST
@given(st.lists(QUERY_ALPHABET, max_size=30).map("".join))
def test_query_like_text_never_crashes(text: str) -> None:
    _must_not_crash(text)


@FAST
@given(STATEMENTS, st.data())
def test_mangled_queries_never_crash(statement: Statement, data: st.DataObject) -> None:
    text = str(statement)
    cut = data.draw(st.integers(0, len(text)))
    noise = data.draw(st.text(max_size=3))
    _must_not_crash(text[:cut] + noise + text[cut:])
