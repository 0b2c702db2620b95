"""The query AST: frozen values; ``str(node)`` is the node's canonical query text.

Parsing canonical text gives back an equal node (a test round-trips every documented example).
"""

from __future__ import annotations

from dataclasses import dataclass

from npql.model.objects import Protocol
from npql.model.selector import LabelSelector

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
        return f"in ns {','.join(self.names)}"


@dataclass(frozen=True, slots=True)
class NamespaceLabels:
    """``in ns with SELECTOR``: namespaces whose labels match."""

    selector: LabelSelector

    def __str__(self) -> str:
        return f"in ns with {self.selector}"


NamespaceScope = AnyNamespace | NamespaceNames | NamespaceLabels

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
        return f"{self.selector} {scope}".rstrip()


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
    """``any pod [with SEL] [in ns ... | in any namespace]``: every possible pod, existing or not."""

    selector: LabelSelector = LabelSelector()
    scope: NamespaceScope = AnyNamespace()

    def __str__(self) -> str:
        out = "any pod"
        if not self.selector.is_empty:
            out += f" with {self.selector}"
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


Statement = WhoCanReach | WhatCanReach | CanReach | Connectivity


@dataclass(frozen=True, slots=True)
class Script:
    """A sequence of statements (``;`` or newline separated), each with its 1-based line."""

    statements: tuple[Statement, ...]
    lines: tuple[int, ...] = ()

    def __str__(self) -> str:
        return "\n".join(str(s) for s in self.statements)
