"""Query endpoints and ports resolved against the cluster into solver-free ``Side`` values."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from npql.errors import QuerySemanticError
from npql.ir.addresses import network_range, whole_space
from npql.ir.groups import Grouping
from npql.ir.sides import Forbidden, Hypothetical, PortQuery, Side
from npql.model.cluster import Cluster
from npql.model.objects import Pod, Protocol
from npql.model.selector import LabelSelector
from npql.query import ast


@dataclass
class Resolver:
    """Turns AST endpoints into sides over one cluster and its pod grouping."""

    cluster: Cluster
    grouping: Grouping
    variables: dict[str, ast.Endpoint]
    assumptions: list[Forbidden] = field(default_factory=list)

    def side(self, endpoint: ast.Endpoint) -> Side:
        """The pods, hypothetical pods and addresses an endpoint denotes."""
        handler = _HANDLERS.get(type(endpoint))
        if handler is None:
            raise QuerySemanticError(f"'{endpoint}' cannot be used here")
        return handler(self, endpoint)

    def _existing(self, pods: list[Pod], description: str) -> Side:
        return Side(
            pods=tuple(pods),
            groups=tuple(self.grouping.groups_for(pods)),
            description=description,
        )

    def _in_scope(self, pod: Pod, scope: ast.NamespaceScope) -> bool:
        if isinstance(scope, ast.NamespaceNames):
            return pod.namespace in scope.names
        if isinstance(scope, ast.NamespaceLabels):
            return scope.selector.matches(self.cluster.namespace_labels(pod.namespace))
        if isinstance(scope, ast.OutsideNamespaces):
            return pod.namespace not in scope.names
        return True

    def selected(self, endpoint: ast.Selected) -> Side:
        """Existing pods matching a selector within a namespace scope."""
        self._check_namespaces(endpoint.scope)
        return self._matching(endpoint)

    def _matching(self, endpoint: ast.Selected) -> Side:
        pods = [
            p
            for p in self.cluster.pods
            if endpoint.selector.matches(p.labels) and self._in_scope(p, endpoint.scope)
        ]
        return replace(self._existing(pods, str(endpoint)), selector=endpoint.selector)

    def pod(self, endpoint: ast.PodRef) -> Side:
        """A Pod or workload by namespace and name."""
        pods = self.cluster.find_pods(endpoint.namespace, endpoint.name)
        if not pods:
            names = sorted({f"{p.namespace}/{p.name}" for p in self.cluster.pods})
            raise QuerySemanticError(
                f"no pod or workload named {endpoint.namespace}/{endpoint.name}",
                hint=_did_you_mean(f"{endpoint.namespace}/{endpoint.name}", names),
                token=endpoint.name,
            )
        return self._existing(pods, str(endpoint))

    def namespace(self, endpoint: ast.NamespaceRef) -> Side:
        """Every existing pod of a namespace."""
        self._check_namespaces(ast.NamespaceNames((endpoint.name,)))
        pods = [p for p in self.cluster.pods if p.namespace == endpoint.name]
        return self._existing(pods, str(endpoint))

    def any_pod(self, endpoint: ast.AnyPod) -> Side:
        """Existing pods that match, plus every pod that could be created to match."""
        # Namespaces need not exist: a new one is as possible as a new pod.
        existing = self._matching(ast.Selected(endpoint.selector, endpoint.scope))
        hyp = describe(endpoint.selector, endpoint.scope, tuple(self.assumptions))
        return Side(existing.pods, existing.groups, hyp, description=str(endpoint))

    def as_hypothetical(self, endpoint: ast.Endpoint) -> Hypothetical | None:
        """The pods an endpoint would also match if they were created (None: only by name)."""
        if isinstance(endpoint, ast.VariableRef):
            bound = self.variables.get(endpoint.name)
            return None if bound is None else self.as_hypothetical(bound)
        if isinstance(endpoint, ast.Selected | ast.AnyPod):
            return describe(endpoint.selector, endpoint.scope)
        if isinstance(endpoint, ast.NamespaceRef):
            return Hypothetical(namespace_names=(endpoint.name,))
        return None

    def address(self, endpoint: ast.IPRef) -> Side:
        """External addresses of a CIDR."""
        return Side(ranges=(network_range(endpoint.cidr),), description=str(endpoint))

    def internet(self, endpoint: ast.Internet) -> Side:
        """Every external address, IPv4 and IPv6."""
        return Side(ranges=(whole_space(4), whole_space(6)), description=str(endpoint))

    def variable(self, endpoint: ast.VariableRef) -> Side:
        """An endpoint bound by ``let``."""
        bound = self.variables.get(endpoint.name)
        if bound is None:
            raise QuerySemanticError(
                f"unknown variable ${endpoint.name}",
                hint=_did_you_mean(endpoint.name, sorted(self.variables)),
                token=f"${endpoint.name}",
            )
        return self.side(bound)

    def service(self, endpoint: ast.ServiceRef) -> Side:
        """The pods a Service selects (its own namespace)."""
        svc = next(
            (
                s
                for s in self.cluster.services
                if s.namespace == endpoint.namespace and s.name == endpoint.name
            ),
            None,
        )
        if svc is None:
            names = sorted(f"{s.namespace}/{s.name}" for s in self.cluster.services)
            raise QuerySemanticError(
                f"no service named {endpoint.namespace}/{endpoint.name}",
                hint=_did_you_mean(f"{endpoint.namespace}/{endpoint.name}", names),
                token=endpoint.name,
            )
        selector = svc.selector or {}
        pods = [
            p
            for p in self.cluster.pods
            if p.namespace == svc.namespace
            and svc.selector is not None
            and all(p.labels.get(k) == v for k, v in selector.items())
        ]
        return self._existing(pods, str(endpoint))

    def _check_namespaces(self, scope: ast.NamespaceScope) -> None:
        if not isinstance(scope, ast.NamespaceNames):
            return
        known = sorted(self.cluster.namespaces)
        for name in scope.names:
            if name not in self.cluster.namespaces:
                raise QuerySemanticError(
                    f"no namespace named {name!r}", hint=_did_you_mean(name, known), token=name
                )


def describe(
    selector: LabelSelector, scope: ast.NamespaceScope, forbidden: tuple[Forbidden, ...] = ()
) -> Hypothetical:
    """Pods that need not exist, described by a selector and a namespace scope."""
    return Hypothetical(
        selector=selector,
        namespace_names=scope.names if isinstance(scope, ast.NamespaceNames) else None,
        namespace_selector=scope.selector if isinstance(scope, ast.NamespaceLabels) else None,
        excluded_namespaces=scope.names if isinstance(scope, ast.OutsideNamespaces) else (),
        forbidden=forbidden,
    )


def forbidden_of(statement: ast.Assume) -> Forbidden:
    """The assumption an ``assume`` statement states."""
    hyp = describe(statement.selector, statement.scope)
    return Forbidden(
        statement.subject,
        statement.selector,
        hyp.namespace_names,
        hyp.namespace_selector,
        hyp.excluded_namespaces,
    )


def selector_hints(cluster: Cluster, selector: LabelSelector) -> list[str]:
    """Why a selector may match nothing: keys no pod has, values no pod has for a key."""
    values: dict[str, set[str]] = {}
    for pod in cluster.pods:
        for k, v in pod.labels.items():
            values.setdefault(k, set()).add(v)
    hints = []
    for req in selector.requirements:
        if req.key not in values:
            hint = _did_you_mean(req.key, sorted(values))
            hints.append(f"no pod has label key '{req.key}'" + (f"; {hint}" if hint else ""))
            continue
        for value in req.values:
            if value not in values[req.key]:
                hint = _did_you_mean(value, sorted(values[req.key]))
                text = f"no pod has {req.key}={value}"
                hints.append(text + (f"; {hint}" if hint else ""))
    return hints


def _did_you_mean(word: str, choices: list[str]) -> str | None:
    close = difflib.get_close_matches(word, choices, n=3)
    return f"did you mean {' or '.join(repr(c) for c in close)}?" if close else None


_HANDLERS: dict[type, Callable[[Resolver, ast.Endpoint], Side]] = {
    ast.Selected: Resolver.selected,  # type: ignore[dict-item]
    ast.PodRef: Resolver.pod,  # type: ignore[dict-item]
    ast.NamespaceRef: Resolver.namespace,  # type: ignore[dict-item]
    ast.AnyPod: Resolver.any_pod,  # type: ignore[dict-item]
    ast.IPRef: Resolver.address,  # type: ignore[dict-item]
    ast.Internet: Resolver.internet,  # type: ignore[dict-item]
    ast.VariableRef: Resolver.variable,  # type: ignore[dict-item]
    ast.ServiceRef: Resolver.service,  # type: ignore[dict-item]
}


def service_port(cluster: Cluster, target: ast.Endpoint, spec: ast.PortSpec) -> ast.PortSpec:
    """For a Service target, map the asked service port to its targetPort (number or name).

    ``svc shop/api:443`` asks about the pods on whatever port 443 forwards to; a service port
    may also be named (``svc shop/api:https``). Other targets keep the port as asked.
    """
    if not isinstance(target, ast.ServiceRef) or spec.port is None:
        return spec
    svc = next(
        (s for s in cluster.services if (s.namespace, s.name) == (target.namespace, target.name)),
        None,
    )
    if svc is None:
        return spec
    protocol = spec.protocol or Protocol.TCP
    for sp in svc.ports:
        if sp.protocol is not protocol or not _service_port_matches(sp.port, sp.name, spec.port):
            continue
        if isinstance(sp.target_port, str):
            return ast.PortSpec(ast.NamedPort(sp.target_port), protocol)
        return ast.PortSpec(ast.PortRange(sp.target_port, sp.target_port), protocol)
    known = ", ".join(f"{sp.name or sp.port}/{sp.protocol.value.lower()}" for sp in svc.ports)
    raise QuerySemanticError(
        f"service {svc.namespace}/{svc.name} has no port {spec.port}/{protocol.value.lower()}",
        hint=f"its ports: {known}" if known else "it declares no ports",
        token=f":{spec.port}",
    )


def _service_port_matches(
    number: int, name: str | None, asked: ast.PortRange | ast.NamedPort
) -> bool:
    if isinstance(asked, ast.NamedPort):
        return name == asked.name
    return asked.lo <= number <= asked.hi


def port_query(spec: ast.PortSpec) -> PortQuery:
    """The ports a port spec asks about (a given port without protocol means TCP)."""
    if isinstance(spec.port, ast.NamedPort):
        return PortQuery(protocol=spec.protocol or Protocol.TCP, name=spec.port.name)
    if isinstance(spec.port, ast.PortRange):
        return PortQuery(protocol=spec.protocol or Protocol.TCP, lo=spec.port.lo, hi=spec.port.hi)
    return PortQuery(protocol=spec.protocol)
