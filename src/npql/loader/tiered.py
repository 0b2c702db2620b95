"""AdminNetworkPolicy, BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1) and
ClusterNetworkPolicy (v1alpha2), validated as their CRDs would.

Objects the API server would reject but whose meaning is unambiguous (a ``pods`` peer without
a podSelector, a named port beside a ``networks`` peer) load with a warning naming the field.
"""

from __future__ import annotations

from npql.errors import Location
from npql.loader.fields import Fields, clip
from npql.loader.ports import parse_protocol, port_in_range
from npql.loader.selectors import parse_selector
from npql.model.objects import Protocol
from npql.model.selector import LabelSelector
from npql.model.tiered import Action, Tier, TieredPeer, TieredPolicy, TieredPort, TieredRule

_ACTIONS = {
    "AdminNetworkPolicy": {"Allow": Action.ALLOW, "Deny": Action.DENY, "Pass": Action.PASS},
    "BaselineAdminNetworkPolicy": {"Allow": Action.ALLOW, "Deny": Action.DENY},
    "ClusterNetworkPolicy": {"Accept": Action.ALLOW, "Deny": Action.DENY, "Pass": Action.PASS},
}
_PROTOCOL_KEYS = {"tcp": Protocol.TCP, "udp": Protocol.UDP, "sctp": Protocol.SCTP}
TIERED_KINDS = frozenset(_ACTIONS)
MAX_PRIORITY = 1000


def parse_tiered(obj: Fields, kind: str, name: str, location: Location) -> TieredPolicy | None:
    """A cluster-scoped policy from its object; problems go to the object's report."""
    spec = obj.section("spec")
    tier = _tier(spec, kind)
    priority = _priority(spec, kind)
    subject = _subject(spec)
    if tier is None or priority is None or subject is None:
        return None
    return TieredPolicy(
        kind=kind,
        name=name,
        tier=tier,
        priority=priority,
        subject_namespaces=subject[0],
        subject_pods=subject[1],
        ingress=_rules(spec, kind, "ingress", "from"),
        egress=_rules(spec, kind, "egress", "to"),
        location=location,
    )


def _tier(spec: Fields, kind: str) -> Tier | None:
    if kind == "AdminNetworkPolicy":
        return Tier.ADMIN
    if kind == "BaselineAdminNetworkPolicy":
        return Tier.BASELINE
    text = spec.string("tier", required=True)
    if text is None:
        return None
    if text not in ("Admin", "Baseline"):
        spec.error(f'unsupported tier "{clip(text)}": must be Admin or Baseline', "tier")
        return None
    return Tier(text)


def _priority(spec: Fields, kind: str) -> int | None:
    if kind == "BaselineAdminNetworkPolicy":
        return 0
    number = spec.integer("priority")
    if number is None:
        if not spec.has("priority"):
            spec.error("is required", "priority")
        return None
    if not 0 <= number <= MAX_PRIORITY:
        spec.error(f"must be between 0 and {MAX_PRIORITY} (got {number})", "priority")
        return None
    return number


def _subject(spec: Fields) -> tuple[LabelSelector, LabelSelector | None] | None:
    subject = spec.required("subject")
    if subject is None:
        return None
    namespaces = subject.mapping("namespaces")
    pods = subject.mapping("pods")
    if (namespaces is None) == (pods is None):
        subject.error("exactly one of namespaces or pods must be set")
        return None
    if namespaces is not None:
        return parse_selector(namespaces), None
    assert pods is not None
    return _namespaced_pods(pods)


def _namespaced_pods(pods: Fields) -> tuple[LabelSelector, LabelSelector]:
    """namespaceSelector AND podSelector; a missing one selects everything (with a warning)."""
    selectors = []
    for key in ("namespaceSelector", "podSelector"):
        if not pods.has(key):
            pods.warn("is required: read as {} (every one)", key)
        selectors.append(parse_selector(pods.section(key)))
    return selectors[0], selectors[1]


def _rules(spec: Fields, kind: str, key: str, peer_key: str) -> tuple[TieredRule, ...]:
    rules = (_rule(r, kind, peer_key) for r in spec.records(key))
    return tuple(r for r in rules if r is not None)


def _rule(fields: Fields, kind: str, peer_key: str) -> TieredRule | None:
    action = _action(fields, kind)
    peers = tuple(p for p in (_peer(f) for f in fields.records(peer_key)) if p is not None)
    if not fields.sequence(peer_key):
        fields.error("must list at least one peer", peer_key)
        return None
    if action is None:
        return None
    ports = _ports(fields, kind)
    if any(p.name is not None for p in ports) and any(not p.is_pods for p in peers):
        fields.warn("a named port cannot apply to networks/nodes peers: it matches no address")
    name = fields.string("name") or ""
    return TieredRule(name, action, peers, ports)


def _action(fields: Fields, kind: str) -> Action | None:
    text = fields.string("action", required=True)
    if text is None:
        return None
    action = _ACTIONS[kind].get(text)
    if action is None:
        allowed = ", ".join(_ACTIONS[kind])
        fields.error(f'unsupported action "{clip(text)}": must be one of {allowed}', "action")
    return action


def _peer(fields: Fields) -> TieredPeer | None:
    present = [
        k for k in ("namespaces", "pods", "networks", "nodes", "domainNames") if fields.has(k)
    ]
    if len(present) != 1:
        fields.error("exactly one of namespaces, pods, networks, nodes, domainNames must be set")
        return None
    kind = present[0]
    if kind == "namespaces":
        return TieredPeer(namespace_selector=parse_selector(fields.section("namespaces")))
    if kind == "pods":
        namespaces, pods = _namespaced_pods(fields.section("pods"))
        return TieredPeer(namespace_selector=namespaces, pod_selector=pods)
    if kind == "networks":
        return _networks(fields)
    if kind == "nodes":
        fields.warn("nodes peers are not modelled (manifests carry no node addresses)", "nodes")
        return TieredPeer(nodes=parse_selector(fields.section("nodes")))
    names = tuple(text for _, text in fields.strings("domainNames"))
    return TieredPeer(domain_names=names)


def _networks(fields: Fields) -> TieredPeer | None:
    import ipaddress

    cidrs = []
    for path, text in fields.strings("networks"):
        try:
            cidrs.append(str(ipaddress.ip_network(text, strict=False)))
        except ValueError:
            fields.where.error(f'invalid CIDR "{clip(text)}"', path)
    return TieredPeer(networks=tuple(cidrs)) if cidrs else None


def _ports(fields: Fields, kind: str) -> tuple[TieredPort, ...]:
    if kind == "ClusterNetworkPolicy":
        return tuple(p for f in fields.records("protocols") for p in _protocol(f))
    return tuple(p for f in fields.records("ports") for p in _anp_port(f))


def _anp_port(fields: Fields) -> list[TieredPort]:
    """portNumber {protocol, port} | namedPort NAME | portRange {protocol, start, end}."""
    number = fields.mapping("portNumber")
    if number is not None:
        protocol = parse_protocol(number)
        port = number.integer("port")
        if protocol is None or port is None or not port_in_range(number, "port", port):
            return []
        return [TieredPort(protocol, port, port)]
    if fields.has("namedPort"):
        name = fields.string("namedPort")
        return [TieredPort(None, name=name)] if name else []
    span = fields.mapping("portRange")
    if span is not None:
        protocol = parse_protocol(span)
        bounds = _range(span, "start", "end")
        return [TieredPort(protocol, *bounds)] if protocol and bounds else []
    fields.error("exactly one of portNumber, namedPort, portRange must be set")
    return []


def _protocol(fields: Fields) -> list[TieredPort]:
    """ClusterNetworkPolicy ``protocols``: tcp/udp/sctp destinationPort, or destinationNamedPort."""
    if fields.has("destinationNamedPort"):
        name = fields.string("destinationNamedPort")
        return [TieredPort(None, name=name)] if name else []
    for key, protocol in _PROTOCOL_KEYS.items():
        match = fields.mapping(key)
        if match is None:
            continue
        port = match.mapping("destinationPort")
        if port is None:
            return [TieredPort(protocol)]
        if port.has("range"):
            bounds = _range(port.section("range"), "start", "end")
            return [TieredPort(protocol, *bounds)] if bounds else []
        number = port.integer("number")
        if number is not None and port_in_range(port, "number", number):
            return [TieredPort(protocol, number, number)]
        return []
    fields.error("exactly one of tcp, udp, sctp, destinationNamedPort must be set")
    return []


def _range(fields: Fields, low: str, high: str) -> tuple[int, int] | None:
    lo, hi = fields.integer(low), fields.integer(high)
    if lo is None or hi is None:
        for key, value in ((low, lo), (high, hi)):
            if value is None and not fields.has(key):
                fields.error("is required", key)
        return None
    if not (port_in_range(fields, low, lo) and port_in_range(fields, high, hi)):
        return None
    if lo > hi:
        fields.error(f"must not be greater than {high} ({lo} > {hi})", low)
        return None
    return lo, hi
