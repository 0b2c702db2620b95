"""The query AST: frozen values; ``str(node)`` is the node's canonical query text.

Parsing canonical text gives back an equal node (a test round-trips every documented example).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from npql.model.objects import Protocol
from npql.model.policy import Direction
from npql.model.selector import LabelSelector, Operator, Requirement

# ---------------------------------------------------------------------------------------------
# canonical spelling of words (shared by the __str__ methods below)
# ---------------------------------------------------------------------------------------------

#: Every keyword of the query language (grammar/npql.lark); matched case-insensitively.
KEYWORDS = frozenset(
    {
        "who", "what", "can", "reach", "connectivity", "all", "pods", "pod", "ns", "namespace",
        "any", "with", "in", "notin", "svc", "service", "ip", "cidr", "internet", "external",
        "could", "why", "cannot", "not", "is", "isolated", "for", "ingress", "egress",
        "policies", "selecting", "selected", "by", "policy", "describe", "show", "workloads",
        "workload", "namespaces", "services", "let", "exposure", "of", "assume", "no", "assert",
        "only", "outside", "lint", "redundant", "rules",
    }
)  # fmt: skip

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)?")
_PLAIN_WORD = re.compile(r"[A-Za-z0-9_.\-]+")
_PLAIN_IPV4 = re.compile(r"[0-9.]+")


def quote(text: str) -> str:
    """``text`` in double quotes, with backslashes and quotes escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _word(text: str, plain: re.Pattern[str]) -> str:
    """``text`` as is when it lexes as a plain word that is no keyword, else quoted."""
    if plain.fullmatch(text) and text.lower() not in KEYWORDS:
        return text
    return quote(text)


def _key(key: str) -> str:
    """A label key; quoted also when it looks like an IP address (bare, it would be an error)."""
    if _PLAIN_IPV4.fullmatch(key):
        return quote(key)
    return _word(key, _PLAIN_KEY)


def _value(text: str) -> str:
    return text if _PLAIN_WORD.fullmatch(text) else quote(text)


def format_requirement(req: Requirement) -> str:
    """A requirement in kubectl syntax, quoting keyword-like keys and empty values."""
    key = _key(req.key)
    if req.operator is Operator.EXISTS:
        return key
    if req.operator is Operator.DOES_NOT_EXIST:
        return f"!{key}"
    if len(req.values) == 1:
        op = "=" if req.operator is Operator.IN else "!="
        return f"{key}{op}{_value(req.values[0])}"
    word = "in" if req.operator is Operator.IN else "notin"
    return f"{key} {word} ({','.join(_value(v) for v in req.values)})"


def format_selector(selector: LabelSelector) -> str:
    """A selector in kubectl syntax (``{}`` when empty), parseable back by npql."""
    if selector.is_empty:
        return "{}"
    return ",".join(format_requirement(r) for r in selector.requirements)


# ---------------------------------------------------------------------------------------------
# ports
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PortRange:
    """Ports ``lo``..``hi`` inclusive (a single port has lo == hi)."""

    lo: int
    hi: int

    def __str__(self) -> str:
        return str(self.lo) if self.lo == self.hi else f"{self.lo}-{self.hi}"


@dataclass(frozen=True, slots=True)
class NamedPort:
    """A port name, resolved against the destination pod's container ports."""

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class PortSpec:
    """``:PORT[/PROTO]``. ``port`` None means every port; ``protocol`` None means every protocol.

    The parser fills in TCP when a port is given without a protocol, as Kubernetes does.
    """

    port: PortRange | NamedPort | None = None
    protocol: Protocol | None = None

    def __str__(self) -> str:
        if self.port is None and self.protocol is None:
            return ""
        port = "*" if self.port is None else str(self.port)
        proto = "" if self.protocol is None else f"/{self.protocol.value.lower()}"
        return f":{port}{proto}"


ANY_PORT = PortSpec()

# ---------------------------------------------------------------------------------------------
# namespace scopes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnyNamespace:
    """No namespace restriction (the default for a bare selector)."""

    def __str__(self) -> str:
        return ""


@dataclass(frozen=True, slots=True)
class NamespaceNames:
    """``in ns a,b``: namespaces by name."""

    names: tuple[str, ...]

    def __str__(self) -> str:
        return f"in ns {','.join(_word(n, _PLAIN_WORD) for n in self.names)}"


@dataclass(frozen=True, slots=True)
class NamespaceLabels:
    """``in ns with SELECTOR``: namespaces whose labels match."""

    selector: LabelSelector

    def __str__(self) -> str:
        return f"in ns with {format_selector(self.selector)}"


@dataclass(frozen=True, slots=True)
class OutsideNamespaces:
    """``outside ns a,b``: every namespace (existing or new) except these."""

    names: tuple[str, ...]

    def __str__(self) -> str:
        return f"outside ns {','.join(_word(n, _PLAIN_WORD) for n in self.names)}"


NamespaceScope = AnyNamespace | NamespaceNames | NamespaceLabels | OutsideNamespaces

# ---------------------------------------------------------------------------------------------
# endpoints
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Selected:
    """Existing pods matching a label selector, optionally within some namespaces."""

    selector: LabelSelector
    scope: NamespaceScope = AnyNamespace()

    def __str__(self) -> str:
        scope = str(self.scope)
        if self.selector.is_empty:
            return f"all pods {scope}".rstrip() if scope else "all pods"
        return f"{format_selector(self.selector)} {scope}".rstrip()


@dataclass(frozen=True, slots=True)
class PodRef:
    """``pod NS/NAME``: a Pod or a workload by name."""

    namespace: str
    name: str

    def __str__(self) -> str:
        return f"pod {self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True)
class NamespaceRef:
    """``ns NAME``: every existing pod of a namespace."""

    name: str

    def __str__(self) -> str:
        return f"ns {self.name}"


@dataclass(frozen=True, slots=True)
class AnyPod:
    """``any pod [with SEL] [in ns ...|in any namespace]``: every possible pod, existing or not."""

    selector: LabelSelector = LabelSelector()
    scope: NamespaceScope = AnyNamespace()

    def __str__(self) -> str:
        out = "any pod"
        if not self.selector.is_empty:
            out += f" with {format_selector(self.selector)}"
        scope = str(self.scope)
        return f"{out} {scope}" if scope else out


@dataclass(frozen=True, slots=True)
class ServiceRef:
    """``svc NS/NAME``: the pods a Service selects, its port mapped to their targetPort."""

    namespace: str
    name: str

    def __str__(self) -> str:
        return f"svc {self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True)
class IPRef:
    """``ip ADDR`` or ``cidr NET``: external addresses (IPv4 or IPv6)."""

    cidr: str
    keyword: str = "cidr"

    def __str__(self) -> str:
        return f"{self.keyword} {self.cidr}"


@dataclass(frozen=True, slots=True)
class Internet:
    """``internet`` / ``external``: every external address, 0.0.0.0/0 and ::/0."""

    def __str__(self) -> str:
        return "internet"


@dataclass(frozen=True, slots=True)
class VariableRef:
    """``$name``: an endpoint bound by ``let``."""

    name: str

    def __str__(self) -> str:
        return f"${self.name}"


Endpoint = Selected | PodRef | NamespaceRef | AnyPod | ServiceRef | IPRef | Internet | VariableRef

# ---------------------------------------------------------------------------------------------
# statements
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WhoCanReach:
    """``who can reach TARGET[:PORT]``: every source that can reach some pod of the target."""

    target: Endpoint
    port: PortSpec = ANY_PORT

    def __str__(self) -> str:
        return f"who can reach {self.target}{self.port}"


@dataclass(frozen=True, slots=True)
class WhatCanReach:
    """``what can SOURCE reach``: every destination the source can reach, with ports."""

    source: Endpoint

    def __str__(self) -> str:
        return f"what can {self.source} reach"


@dataclass(frozen=True, slots=True)
class CanReach:
    """``can SOURCE reach TARGET[:PORT]``: is some connection allowed?"""

    source: Endpoint
    target: Endpoint
    port: PortSpec = ANY_PORT

    def __str__(self) -> str:
        return f"can {self.source} reach {self.target}{self.port}"


@dataclass(frozen=True, slots=True)
class Connectivity:
    """``connectivity``: every allowed connection between workloads and IP ranges."""

    def __str__(self) -> str:
        return "connectivity"


@dataclass(frozen=True, slots=True)
class WhoCouldReach:
    """``who could reach TARGET[:PORT]``: the exact space of possible sources, existing or not,
    as a union of selector-shaped descriptions (namespace x pod labels x address ranges)."""

    target: Endpoint
    port: PortSpec = ANY_PORT

    def __str__(self) -> str:
        return f"who could reach {self.target}{self.port}"


@dataclass(frozen=True, slots=True)
class Explain:
    """``why can A reach B[:PORT]`` / ``why can't A reach B[:PORT]``: both sides, rule by rule.

    ``expect_allowed`` only records how the question was asked; the answer explains whatever
    the verdict is.
    """

    source: Endpoint
    target: Endpoint
    port: PortSpec = ANY_PORT
    expect_allowed: bool = True

    def __str__(self) -> str:
        verb = "can" if self.expect_allowed else "can't"
        return f"why {verb} {self.source} reach {self.target}{self.port}"


@dataclass(frozen=True, slots=True)
class IsIsolated:
    """``is ENDPOINT isolated [for ingress|egress]``."""

    endpoint: Endpoint
    direction: Direction | None = None

    def __str__(self) -> str:
        suffix = "" if self.direction is None else f" for {self.direction.value.lower()}"
        return f"is {self.endpoint} isolated{suffix}"


@dataclass(frozen=True, slots=True)
class PolicyRef:
    """``policy NS/NAME`` (no slash: namespace ``default``)."""

    namespace: str
    name: str

    def __str__(self) -> str:
        return f"policy {self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True)
class PoliciesSelecting:
    """``policies selecting ENDPOINT``: the policies whose podSelector selects its pods."""

    endpoint: Endpoint

    def __str__(self) -> str:
        return f"policies selecting {self.endpoint}"


@dataclass(frozen=True, slots=True)
class SelectedBy:
    """``pods selected by policy NS/NAME``."""

    policy: PolicyRef

    def __str__(self) -> str:
        return f"pods selected by {self.policy}"


@dataclass(frozen=True, slots=True)
class DescribePolicy:
    """``describe policy NS/NAME``: what the policy allows, as plain sentences."""

    policy: PolicyRef

    def __str__(self) -> str:
        return f"describe {self.policy}"


SHOW_KINDS = ("pods", "workloads", "namespaces", "policies", "services")


@dataclass(frozen=True, slots=True)
class Show:
    """``show pods|workloads|namespaces|policies|services [with SELECTOR] [SCOPE] [all]``.

    The selector filters by the object's own labels (for policies: the pods' labels they
    select is not what is meant; policies have metadata labels too).
    """

    kind: str
    selector: LabelSelector = LabelSelector()
    scope: NamespaceScope = AnyNamespace()

    def __str__(self) -> str:
        out = f"show {self.kind}"
        if not self.selector.is_empty:
            out += f" with {format_selector(self.selector)}"
        scope = str(self.scope)
        return f"{out} {scope}" if scope else out


@dataclass(frozen=True, slots=True)
class Let:
    """``let NAME = ENDPOINT``: bind an endpoint to ``$NAME`` for later statements."""

    name: str
    endpoint: Endpoint

    def __str__(self) -> str:
        return f"let {self.name} = {self.endpoint}"


@dataclass(frozen=True, slots=True)
class Exposure:
    """``exposure [of ENDPOINT]``: who outside the loaded pods could reach each workload."""

    endpoint: Endpoint | None = None

    def __str__(self) -> str:
        return "exposure" if self.endpoint is None else f"exposure of {self.endpoint}"


@dataclass(frozen=True, slots=True)
class Assume:
    """``assume no ns with SELECTOR`` / ``assume no pod with SELECTOR [SCOPE]``.

    States labels that never appear (platform rules), so symbolic proofs hold under them;
    e.g. "only namespaces with team=payments carry pci=true" is
    ``assume no ns with pci=true,team!=payments``.
    """

    subject: str  # "ns" or "pod"
    selector: LabelSelector
    scope: NamespaceScope = AnyNamespace()

    def __str__(self) -> str:
        out = f"assume no {self.subject} with {format_selector(self.selector)}"
        scope = str(self.scope)
        return f"{out} {scope}" if scope else out


@dataclass(frozen=True, slots=True)
class AssertCan:
    """``assert can A reach B[:PORT]`` (some connection is allowed) or
    ``assert cannot A reach B[:PORT]`` (none is: every pod, every port of the range)."""

    source: Endpoint
    target: Endpoint
    port: PortSpec = ANY_PORT
    expect: bool = True

    def __str__(self) -> str:
        verb = "can" if self.expect else "cannot"
        return f"assert {verb} {self.source} reach {self.target}{self.port}"


@dataclass(frozen=True, slots=True)
class AssertIsolated:
    """``assert ENDPOINT is isolated [for ingress|egress]`` (``is not isolated`` negates)."""

    endpoint: Endpoint
    direction: Direction | None = None
    expect: bool = True

    def __str__(self) -> str:
        word = "is isolated" if self.expect else "is not isolated"
        suffix = "" if self.direction is None else f" for {self.direction.value.lower()}"
        return f"assert {self.endpoint} {word}{suffix}"


@dataclass(frozen=True, slots=True)
class AssertOnly:
    """``assert only ALLOWED can reach TARGET[:PORT]``: every source that can reach the target,
    existing or not, pod or address, is within ALLOWED."""

    allowed: Endpoint
    target: Endpoint
    port: PortSpec = ANY_PORT

    def __str__(self) -> str:
        return f"assert only {self.allowed} can reach {self.target}{self.port}"


@dataclass(frozen=True, slots=True)
class Lint:
    """``lint``: findings about the policies (codes, severities, file:line)."""

    def __str__(self) -> str:
        return "lint"


@dataclass(frozen=True, slots=True)
class Redundancy:
    """``redundant rules [for any pod]``: rules removable without changing what is allowed,
    for the loaded pods, or for every possible pod."""

    any_pod: bool = False

    def __str__(self) -> str:
        return "redundant rules for any pod" if self.any_pod else "redundant rules"


Statement = (
    WhoCanReach
    | WhatCanReach
    | CanReach
    | Connectivity
    | WhoCouldReach
    | Explain
    | IsIsolated
    | PoliciesSelecting
    | SelectedBy
    | DescribePolicy
    | Show
    | Let
    | Exposure
    | Assume
    | AssertCan
    | AssertIsolated
    | AssertOnly
    | Lint
    | Redundancy
)


@dataclass(frozen=True, slots=True)
class Script:
    """A sequence of statements (``;`` or newline separated), each with its 1-based line."""

    statements: tuple[Statement, ...]
    lines: tuple[int, ...] = ()

    def __str__(self) -> str:
        return "\n".join(str(s) for s in self.statements)
