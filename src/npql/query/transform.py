"""Turn Lark parse trees into AST nodes, validating names, ports and addresses on the way."""

from __future__ import annotations

import ipaddress
import re
from typing import Any, NamedTuple

from lark import Token, Transformer, v_args
from lark.tree import Meta

from npql.errors import QuerySemanticError
from npql.model.objects import Protocol
from npql.model.policy import Direction
from npql.model.selector import LabelSelector, Operator, Requirement
from npql.query.ast import (
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
    NamespaceScope,
    OutsideNamespaces,
    PodRef,
    PoliciesSelecting,
    PolicyRef,
    PortRange,
    PortSpec,
    Redundancy,
    Selected,
    SelectedBy,
    ServiceRef,
    Show,
    Statement,
    VariableRef,
    WhatCanReach,
    WhoCanReach,
    WhoCouldReach,
)

# Kubernetes name rules (apimachinery validation).
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS_1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_QUALIFIED_NAME = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_PORT_RANGE = re.compile(r"([0-9]+)-([0-9]+)")
_IANA_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")

PORT_HINT = "a port is a number (80), a range (8000-8080), a name (http) or *"

#: `show` kinds: every accepted word (lowercase) → the canonical plural.
SHOW_KIND_WORDS = {
    "pods": "pods",
    "pod": "pods",
    "workloads": "workloads",
    "workload": "workloads",
    "namespaces": "namespaces",
    "namespace": "namespaces",
    "ns": "namespaces",
    "policies": "policies",
    "policy": "policies",
    "services": "services",
    "service": "services",
    "svc": "services",
}


class LocatedStatement(NamedTuple):
    """A statement with the 1-based line and column of its first token."""

    statement: Statement
    line: int
    column: int


def unquote(token: Token) -> str:
    """The text of a word token; a STRING token loses its quotes and escapes."""
    text = str(token)
    if token.type != "STRING":
        return text
    return re.sub(r"\\(.)", r"\1", text[1:-1])


class ToAst(Transformer[Token, Any]):
    """Lark tree → AST. ``text`` is the whole query, for error carets."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    # ----------------------------------------------------------------------------- errors

    def fail(self, token: Token, message: str, hint: str | None = None) -> QuerySemanticError:
        """A semantic error pointing at ``token``."""
        return QuerySemanticError(message, self.text, token.line or 1, token.column or 1, hint=hint)

    # ----------------------------------------------------------------------------- script

    def start(self, children: list[LocatedStatement | None]) -> list[LocatedStatement]:
        return [c for c in children if c is not None]

    @v_args(meta=True)
    def statement(self, meta: Meta, children: list[Statement]) -> LocatedStatement:
        return LocatedStatement(children[0], meta.line, meta.column)

    def who_can_reach(self, children: list[Any]) -> WhoCanReach:
        return WhoCanReach(children[3], children[4] or ANY_PORT)

    def what_can_reach(self, children: list[Any]) -> WhatCanReach:
        return WhatCanReach(children[2])

    def can_reach(self, children: list[Any]) -> CanReach:
        return CanReach(children[1], children[3], children[4] or ANY_PORT)

    def connectivity(self, children: list[Any]) -> Connectivity:
        return Connectivity()

    def who_could_reach(self, children: list[Any]) -> WhoCouldReach:
        return WhoCouldReach(children[3], children[4] or ANY_PORT)

    def explain(self, children: list[Any]) -> Explain:
        expect_allowed = children[1].type == "CAN"
        return Explain(children[2], children[4], children[5] or ANY_PORT, expect_allowed)

    def is_isolated(self, children: list[Any]) -> IsIsolated:
        return IsIsolated(children[1], children[3])

    def direction(self, children: list[Token]) -> Direction:
        return Direction.INGRESS if children[1].type == "INGRESS" else Direction.EGRESS

    def policies_selecting(self, children: list[Any]) -> PoliciesSelecting:
        return PoliciesSelecting(children[2])

    def selected_by(self, children: list[Any]) -> SelectedBy:
        return SelectedBy(children[3])

    def describe_policy(self, children: list[Any]) -> DescribePolicy:
        return DescribePolicy(children[1])

    def policy_ref(self, children: list[Token]) -> PolicyRef:
        namespace, name = self._object_ref(children[1], "policy", _DNS_SUBDOMAIN, 253)
        return PolicyRef(namespace, name)

    def show(self, children: list[Any]) -> Show:
        selector = children[3] if children[3] is not None else LabelSelector()
        return Show(children[1], selector, children[4] or AnyNamespace())

    def show_kind(self, children: list[Token]) -> str:
        return SHOW_KIND_WORDS[str(children[0]).lower()]

    def let(self, children: list[Any]) -> Let:
        return Let(str(children[1]), children[2])

    def exposure(self, children: list[Any]) -> Exposure:
        return Exposure(children[2])

    def assume_ns(self, children: list[Any]) -> Assume:
        return Assume("ns", children[-1], AnyNamespace())

    def assume_pod(self, children: list[Any]) -> Assume:
        return Assume("pod", children[-2], children[-1] or AnyNamespace())

    def assert_can(self, children: list[Any]) -> AssertCan:
        expect = children[1].type == "CAN"
        return AssertCan(children[2], children[4], children[5] or ANY_PORT, expect)

    def assert_isolated(self, children: list[Any]) -> AssertIsolated:
        return AssertIsolated(children[1], children[5], expect=children[3] is None)

    def assert_only(self, children: list[Any]) -> AssertOnly:
        return AssertOnly(children[2], children[5], children[6] or ANY_PORT)

    def lint(self, children: list[Any]) -> Lint:
        return Lint()

    def redundancy(self, children: list[Any]) -> Redundancy:
        return Redundancy(any_pod=children[2] is not None)

    # ----------------------------------------------------------------------------- endpoints

    def selected(self, children: list[Any]) -> Selected:
        return Selected(children[0], children[1] or AnyNamespace())

    def all_pods(self, children: list[Any]) -> Selected:
        return Selected(LabelSelector(), children[-1] or AnyNamespace())

    def pod_ref(self, children: list[Token]) -> PodRef:
        namespace, name = self._object_ref(children[1], "pod", _DNS_SUBDOMAIN, 253)
        return PodRef(namespace, name)

    def svc_ref(self, children: list[Token]) -> ServiceRef:
        namespace, name = self._object_ref(children[1], "service", _DNS_1035_LABEL, 63)
        return ServiceRef(namespace, name)

    def _object_ref(
        self, token: Token, kind: str, pattern: re.Pattern[str], limit: int
    ) -> tuple[str, str]:
        namespace, _, name = str(token).rpartition("/")
        if namespace:
            self._check_namespace(token, namespace)
        if len(name) > limit or not pattern.fullmatch(name):
            raise self.fail(
                token,
                f"invalid {kind} name {name!r}",
                f"a {kind} name has at most {limit} lowercase letters, digits and '-'"
                + (" and '.'" if pattern is _DNS_SUBDOMAIN else "")
                + ("; it starts with a letter" if pattern is _DNS_1035_LABEL else ""),
            )
        return namespace or "default", name

    def _check_namespace(self, token: Token, name: str) -> None:
        if len(name) > 63 or not _DNS_LABEL.fullmatch(name):
            raise self.fail(
                token,
                f"invalid namespace name {name!r}",
                "a namespace name has at most 63 lowercase letters, digits and '-'",
            )

    def ns_ref(self, children: list[Any]) -> NamespaceRef:
        return NamespaceRef(children[1])

    def any_pod(self, children: list[Any]) -> AnyPod:
        selector = children[3] if children[3] is not None else LabelSelector()
        return AnyPod(selector, children[4] or AnyNamespace())

    def ip_ref(self, children: list[Token]) -> IPRef:
        keyword = str(children[0]).lower()
        return IPRef(self._network(children[1], keyword), keyword)

    def _network(self, token: Token, keyword: str) -> str:
        text = str(token)
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            what = "IP address" if keyword == "ip" else "network"
            raise self.fail(token, f"invalid {what} {text!r}") from None
        if keyword == "ip" and network.prefixlen != network.max_prefixlen:
            raise self.fail(
                token,
                f"'ip' takes one address, not the network {text!r}",
                f"write 'cidr {network}' for a network",
            )
        return str(network)

    def internet(self, children: list[Token]) -> Internet:
        return Internet()

    def variable(self, children: list[Token]) -> VariableRef:
        return VariableRef(str(children[0])[1:])

    # ----------------------------------------------------------------------------- selectors

    def first_selector(self, children: list[Requirement]) -> LabelSelector:
        return LabelSelector(tuple(children))

    def with_selector(self, children: list[Any]) -> LabelSelector:
        if len(children) == 1 and isinstance(children[0], LabelSelector):
            return children[0]
        return LabelSelector(tuple(children))

    def empty_selector(self, children: list[Any]) -> LabelSelector:
        return LabelSelector()

    def compare(self, children: list[Any]) -> Requirement:
        operator, values = children[1]
        return Requirement(str(children[0]), operator, values)

    def exists(self, children: list[Token]) -> Requirement:
        token = children[0]
        if token.type == "KEY" and _is_ip_address(str(token)):
            raise self.fail(
                token,
                f"{str(token)!r} reads as a label key here",
                f"write 'ip {token}' for an address, or quote the key: \"{token}\"",
            )
        return Requirement(str(token), Operator.EXISTS)

    def not_exists(self, children: list[Token]) -> Requirement:
        return Requirement(str(children[0]), Operator.DOES_NOT_EXIST)

    def key(self, children: list[Token]) -> Token:
        """The key's token, unquoted and validated (its type tells whether it was quoted)."""
        token = children[0]
        key = unquote(token)
        problem = label_key_problem(key)
        if problem:
            raise self.fail(token, f"invalid label key {key!r}: {problem}")
        return token.update(value=key)

    def keyword_key(self, children: list[Token]) -> Token:
        return children[0]

    assert_keyword_key = keyword_key

    def op_in(self, children: list[Any]) -> tuple[Operator, tuple[str, ...]]:
        return Operator.IN, self._values(children[-1])

    def op_not_in(self, children: list[Any]) -> tuple[Operator, tuple[str, ...]]:
        return Operator.NOT_IN, self._values(children[-1])

    @staticmethod
    def _values(child: str | tuple[str, ...]) -> tuple[str, ...]:
        return child if isinstance(child, tuple) else (child,)

    def values(self, children: list[str]) -> tuple[str, ...]:
        return tuple(children)

    def value(self, children: list[Token]) -> str:
        token = children[0]
        value = unquote(token)
        problem = label_value_problem(value)
        if problem:
            raise self.fail(token, f"invalid label value {value!r}: {problem}")
        return value

    # ----------------------------------------------------------------------------- scopes

    def scope_names(self, children: list[Any]) -> NamespaceScope:
        return NamespaceNames(children[-1])

    def scope_labels(self, children: list[Any]) -> NamespaceScope:
        return NamespaceLabels(children[-1])

    def scope_any(self, children: list[Any]) -> NamespaceScope:
        return AnyNamespace()

    def scope_outside(self, children: list[Any]) -> NamespaceScope:
        return OutsideNamespaces(children[-1])

    def scope_outside_labels(self, children: list[Any]) -> NamespaceScope:
        raise self.fail(
            children[2],
            "'outside ns' takes namespace names, not a label selector",
            "write 'outside ns NAME[,NAME...]' (a namespace named with: 'outside ns \"with\"')",
        )

    def ns_names(self, children: list[str]) -> tuple[str, ...]:
        return tuple(children)

    def ns_name(self, children: list[Token]) -> str:
        token = children[0]
        name = unquote(token)
        self._check_namespace(token, name)
        return name

    # ----------------------------------------------------------------------------- ports

    def port(self, children: list[Token | None]) -> PortSpec:
        port_token, proto_token = children
        assert port_token is not None
        protocol = None if proto_token is None else self._protocol(proto_token)
        if port_token.type == "STAR":
            return PortSpec(None, protocol)
        return PortSpec(self._port(port_token), protocol or Protocol.TCP)

    def _protocol(self, token: Token) -> Protocol:
        name = str(token).upper()
        if name not in Protocol.__members__:
            raise self.fail(
                token, f"unknown protocol {str(token)!r}", "the protocol is tcp, udp or sctp"
            )
        return Protocol[name]

    def _port(self, token: Token) -> PortRange | NamedPort:
        text = str(token)
        if text.isdecimal():
            number = self._port_number(token, text)
            return PortRange(number, number)
        bounds = _PORT_RANGE.fullmatch(text)
        if bounds:
            lo = self._port_number(token, bounds.group(1))
            hi = self._port_number(token, bounds.group(2))
            if lo > hi:
                raise self.fail(
                    token,
                    f"empty port range {text}: {lo} is greater than {hi}",
                    f"write {hi}-{lo}",
                )
            return PortRange(lo, hi)
        problem = port_name_problem(text)
        if problem:
            raise self.fail(token, f"invalid port {text!r}: {problem}", PORT_HINT)
        return NamedPort(text)

    def _port_number(self, token: Token, digits: str) -> int:
        number = int(digits) if len(digits) <= 5 else 1 << 20
        if not 1 <= number <= 65535:
            raise self.fail(token, f"port {digits} is out of range 1-65535")
        return number


# --------------------------------------------------------------------------------- name rules


def _is_ip_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def label_key_problem(key: str) -> str | None:
    """Why ``key`` is not a valid label key (``[prefix/]name``), or None."""
    prefix, slash, name = key.rpartition("/")
    if slash and (len(prefix) > 253 or not _DNS_SUBDOMAIN.fullmatch(prefix)):
        return "its prefix must be a DNS subdomain (lowercase letters, digits, '-' and '.')"
    if len(name) > 63:
        return "its name has more than 63 characters"
    if not _QUALIFIED_NAME.fullmatch(name):
        return "its name must be letters, digits, '-', '_' or '.', starting and ending alphanumeric"
    return None


def label_value_problem(value: str) -> str | None:
    """Why ``value`` is not a valid label value (possibly empty), or None."""
    if len(value) > 63:
        return "it has more than 63 characters"
    if value and not _QUALIFIED_NAME.fullmatch(value):
        return "it must be letters, digits, '-', '_' or '.', starting and ending alphanumeric"
    return None


def port_name_problem(name: str) -> str | None:
    """Why ``name`` is not an IANA service name (as container port names are), or None."""
    if len(name) > 15:
        return "a port name has at most 15 characters"
    if not _IANA_NAME.fullmatch(name) or "--" in name:
        return "a port name is lowercase letters, digits and single '-' inside"
    if not any(ch.isalpha() for ch in name):
        return "a port name needs at least one letter"
    return None
