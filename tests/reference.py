"""A plain reference evaluator of Kubernetes NetworkPolicy semantics: the test oracle.

Written straight from the NetworkPolicy API reference (networking.k8s.io/v1) and the
"Network Policies" concepts page, independent of every npql engine: it imports only
``npql.model`` and does not even use the model's own selector matching, so a bug there
cannot hide in both the engine and the oracle. Clarity beats speed: one rule, one function,
each with the sentence of the spec it implements.

Decisions the spec leaves open, fixed here:

* External -> External is not a NetworkPolicy question: :func:`allowed` raises ``ValueError``.
* A pod talking to itself is always allowed, by :func:`allowed` only (the per-direction
  functions :func:`egress_allows` / :func:`ingress_allows` evaluate policies and nothing else).
* ``host_network`` is ignored: such pods are treated like any other pod (the API leaves
  hostNetwork behaviour to the network plugin).
* ipBlock CIDRs are parsed with ``strict=False`` (host bits masked, like Go's ParseCIDR);
  an address never matches a block of the other IP family.
* A malformed peer (no field set, or ipBlock together with a selector) raises ``ValueError``;
  the API server rejects it, so it can only be a bug in the caller.
* ``end_port`` is ignored on a named port (the API server rejects that combination).

Cluster-scoped policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy),
from the network-policy-api reference (policy.networking.k8s.io v1alpha1 / v1alpha2), decide
each direction before and after NetworkPolicies, as :func:`direction_allows` spells out. Choices:

* Within a tier, policies are ordered by priority (lower first), ties by kind, then by name
  (the API leaves ties to the implementation; this is npql's documented order).
* ``networks`` peers match external addresses and every pod one of whose IPs lies in a CIDR,
  whatever ``ipblocks_match_pod_ips`` says ("cluster-internal traffic will be checked against
  the rule as well").
* ``nodes`` and ``domainNames`` peers match nothing (manifests carry no node or DNS data).
* A Pass in the baseline tier skips the rest of that tier: the default (allow) decides.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from npql.model import (
    Cluster,
    Direction,
    IPBlock,
    LabelSelector,
    NetworkPolicy,
    Operator,
    Peer,
    Pod,
    PolicyPort,
    Protocol,
    Requirement,
    Rule,
)
from npql.model.tiered import Action, Tier, TieredPeer, TieredPolicy, TieredPort, TieredRule

__all__ = [
    "Endpoint",
    "External",
    "allowed",
    "direction_allows",
    "egress_allows",
    "ingress_allows",
    "ip_in_block",
    "is_isolated",
    "label_selector_matches",
    "networkpolicy_allows",
    "peer_matches",
    "policies_applying",
    "policy_port_matches",
    "requirement_matches",
    "rule_admits_peer",
    "rule_admits_port",
    "tier_decision",
    "tiered_applying",
    "tiered_peer_matches",
    "tiered_port_matches",
    "tiered_rule_matches",
]


@dataclass(frozen=True)
class External:
    """An endpoint outside the cluster's pods, known only by its address (IPv4 or IPv6)."""

    ip: str


Endpoint = Pod | External


# --- label selectors (metav1.LabelSelector) ---------------------------------------------------


def requirement_matches(req: Requirement, labels: Mapping[str, str]) -> bool:
    """One matchExpressions entry.

    "Valid operators are In, NotIn, Exists and DoesNotExist." Labels docs: ``env notin (x)``
    "selects all resources with key equal to env and value other than x, and all resources
    without a label with the env key". ``matchLabels {k: v}`` "is equivalent to ... key field
    is k, the operator is In, and the values array contains only v".
    """
    if req.operator is Operator.EXISTS:
        return req.key in labels
    if req.operator is Operator.DOES_NOT_EXIST:
        return req.key not in labels
    if req.operator is Operator.IN:
        return req.key in labels and labels[req.key] in req.values
    if req.operator is Operator.NOT_IN:
        return req.key not in labels or labels[req.key] not in req.values
    raise ValueError(f"unknown operator {req.operator!r}")


def label_selector_matches(selector: LabelSelector, labels: Mapping[str, str]) -> bool:
    """A whole selector: "The requirements are ANDed." ... "An empty label selector matches all
    objects." """
    return all(requirement_matches(req, labels) for req in selector.requirements)


# --- isolation: which policies apply to a pod -------------------------------------------------


def policies_applying(cluster: Cluster, pod: Pod, direction: Direction) -> list[NetworkPolicy]:
    """Policies that apply to ``pod`` for ``direction``.

    "A pod is isolated for egress if there is any NetworkPolicy that both selects the pod and
    has "Egress" in its policyTypes; we say that such a policy applies to the pod for egress"
    (likewise ingress). spec.podSelector "selects the pods to which this NetworkPolicy object
    applies" and "An empty podSelector matches all pods in this namespace" -- only pods of the
    policy's own namespace.
    """
    return [
        policy
        for policy in cluster.policies
        if policy.namespace == pod.namespace
        and direction in policy.policy_types
        and label_selector_matches(policy.pod_selector, pod.labels)
    ]


def is_isolated(cluster: Cluster, pod: Pod, direction: Direction) -> bool:
    """Isolation: "By default, a pod is non-isolated for egress" (and ingress); a pod is isolated
    for a direction iff some policy applies to it for that direction."""
    return bool(policies_applying(cluster, pod, direction))


# --- peers ------------------------------------------------------------------------------------


def ip_in_block(block: IPBlock, ip: str) -> bool:
    """ipBlock: an address in ``cidr`` and in none of ``except`` ("CIDRs that should not be
    included within this rule"). Different IP families never match."""
    address = ipaddress.ip_address(ip)
    network = ipaddress.ip_network(block.cidr, strict=False)
    if address.version != network.version or address not in network:
        return False
    for excepted in block.excepts:
        hole = ipaddress.ip_network(excepted, strict=False)
        if address.version == hole.version and address in hole:
            return False
    return True


def _check_peer(peer: Peer) -> None:
    """Validity: "ipBlock ... If this field is set then neither of the other fields can be."
    And a peer must set at least one field."""
    has_selector = peer.pod_selector is not None or peer.namespace_selector is not None
    if peer.ip_block is not None and has_selector:
        raise ValueError(f"invalid peer (ipBlock with a selector): {peer!r}")
    if peer.ip_block is None and not has_selector:
        raise ValueError(f"invalid peer (no field set): {peer!r}")


def peer_matches(
    cluster: Cluster,
    policy: NetworkPolicy,
    peer: Peer,
    endpoint: Endpoint,
    *,
    ipblocks_match_pod_ips: bool = False,
) -> bool:
    """One NetworkPolicyPeer against one endpoint.

    podSelector: "If namespaceSelector is also set, then the NetworkPolicyPeer as a whole
    selects the pods matching podSelector in the Namespaces selected by NamespaceSelector.
    Otherwise it selects the pods matching podSelector in the policy's own namespace."
    namespaceSelector: "if present but empty, it selects all namespaces ... Otherwise it selects
    all pods in the namespaces selected by namespaceSelector."
    Selectors select pods only, never external addresses. An ipBlock matches external
    addresses; it matches a pod only when ``ipblocks_match_pod_ips`` and one of the pod's IPs
    lies in the block.
    """
    _check_peer(peer)
    if peer.ip_block is not None:
        if isinstance(endpoint, External):
            return ip_in_block(peer.ip_block, endpoint.ip)
        return ipblocks_match_pod_ips and any(ip_in_block(peer.ip_block, ip) for ip in endpoint.ips)
    if isinstance(endpoint, External):
        return False
    if peer.namespace_selector is None:
        namespace_ok = endpoint.namespace == policy.namespace
    else:
        namespace_labels = cluster.namespace_labels(endpoint.namespace)
        namespace_ok = label_selector_matches(peer.namespace_selector, namespace_labels)
    pod_ok = peer.pod_selector is None or label_selector_matches(peer.pod_selector, endpoint.labels)
    return namespace_ok and pod_ok


def rule_admits_peer(
    cluster: Cluster,
    policy: NetworkPolicy,
    rule: Rule,
    endpoint: Endpoint,
    *,
    ipblocks_match_pod_ips: bool = False,
) -> bool:
    """from/to: "If this field is empty or missing, this rule matches all sources" (every pod
    and every external address); otherwise "Items in this list are combined using a logical OR"."""
    if not rule.peers:
        return True
    return any(
        peer_matches(cluster, policy, peer, endpoint, ipblocks_match_pod_ips=ipblocks_match_pod_ips)
        for peer in rule.peers
    )


# --- ports ------------------------------------------------------------------------------------


def _named_port_matches(name: str, port: int, protocol: Protocol, destination: Endpoint) -> bool:
    """A named port "can either be a numerical or named port on a pod": it names a container
    port of the destination pod, with the same protocol. An external address has no named ports."""
    if isinstance(destination, External):
        return False
    return any(
        cp.name == name and cp.protocol == protocol and cp.port == port for cp in destination.ports
    )


def policy_port_matches(
    policy_port: PolicyPort, port: int, protocol: Protocol, destination: Endpoint
) -> bool:
    """One NetworkPolicyPort: "only traffic on the specified protocol AND port will be matched".

    port: "If this field is not provided, this matches all port names and numbers."
    endPort: "the range of ports from port to endPort if set, inclusive".
    """
    if policy_port.protocol != protocol:
        return False
    if policy_port.port is None:
        return True
    if isinstance(policy_port.port, str):
        return _named_port_matches(policy_port.port, port, protocol, destination)
    if policy_port.end_port is None:
        return port == policy_port.port
    return policy_port.port <= port <= policy_port.end_port


def rule_admits_port(rule: Rule, port: int, protocol: Protocol, destination: Endpoint) -> bool:
    """ports: "If this field is empty or missing, this rule matches all ports"; otherwise "Each
    item in this list is combined using a logical OR"."""
    if not rule.ports:
        return True
    return any(policy_port_matches(pp, port, protocol, destination) for pp in rule.ports)


# --- one direction ----------------------------------------------------------------------------


def networkpolicy_allows(
    cluster: Cluster,
    pod: Pod,
    direction: Direction,
    peer: Endpoint,
    port: int,
    protocol: Protocol,
    *,
    ipblocks_match_pod_ips: bool = False,
) -> bool:
    """Whether ``pod``'s NetworkPolicies for ``direction`` allow traffic with ``peer``.

    "Traffic is allowed to a pod if there are no NetworkPolicies selecting the pod ... OR if the
    traffic matches at least one ingress rule across all of the NetworkPolicy objects whose
    podSelector matches the pod" (egress alike). Only policies with the direction in their
    policyTypes count, and only their rules for that direction. The destination (for named
    ports) is ``pod`` for ingress and ``peer`` for egress.
    """
    applying = policies_applying(cluster, pod, direction)
    if not applying:
        return True
    destination: Endpoint = pod if direction is Direction.INGRESS else peer
    return any(
        rule_admits_peer(cluster, policy, rule, peer, ipblocks_match_pod_ips=ipblocks_match_pod_ips)
        and rule_admits_port(rule, port, protocol, destination)
        for policy in applying
        for rule in policy.rules(direction)
    )


# --- cluster-scoped policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy, CNP) ----------


def tiered_applying(cluster: Cluster, pod: Pod, tier: Tier) -> list[TieredPolicy]:
    """The tier's policies whose subject selects ``pod``, first to last.

    subject.namespaces: "select pods via namespace selectors"; subject.pods: "namespace AND pod
    selectors". "Policies with lower priority values have higher precedence"; for equal
    priorities "the implementation can apply any of the matching policies": kind, then name.
    """
    namespace_labels = cluster.namespace_labels(pod.namespace)
    chosen = [
        policy
        for policy in cluster.tiered
        if policy.tier is tier
        and label_selector_matches(policy.subject_namespaces, namespace_labels)
        and (policy.subject_pods is None or label_selector_matches(policy.subject_pods, pod.labels))
    ]
    return sorted(chosen, key=lambda p: (p.priority, p.kind, p.name))


def _ip_in_cidr(cidr: str, ip: str) -> bool:
    network = ipaddress.ip_network(cidr, strict=False)
    address = ipaddress.ip_address(ip)
    return address.version == network.version and address in network


def tiered_peer_matches(cluster: Cluster, peer: TieredPeer, endpoint: Endpoint) -> bool:
    """One peer of a cluster-scoped rule against one endpoint.

    namespaces: "select all pods within a set of Namespaces"; pods: "a set of pods in a set of
    namespaces" (namespaceSelector AND podSelector). networks: CIDRs, and "cluster-internal
    traffic will be checked against the rule as well": a pod matches by any of its IPs.
    nodes, domainNames: nothing that manifests show.
    """
    if peer.namespace_selector is not None:
        if isinstance(endpoint, External):
            return False
        namespace_labels = cluster.namespace_labels(endpoint.namespace)
        if not label_selector_matches(peer.namespace_selector, namespace_labels):
            return False
        return peer.pod_selector is None or label_selector_matches(
            peer.pod_selector, endpoint.labels
        )
    if peer.networks:
        ips = (endpoint.ip,) if isinstance(endpoint, External) else endpoint.ips
        return any(_ip_in_cidr(cidr, ip) for cidr in peer.networks for ip in ips)
    return False


def tiered_port_matches(
    entry: TieredPort, port: int, protocol: Protocol, destination: Endpoint
) -> bool:
    """One port entry. portNumber / portRange / tcp|udp|sctp destinationPort: that protocol and
    a port in lo..hi. namedPort / destinationNamedPort: a container port of the destination pod
    with that name, number and protocol (any declared protocol when the entry names none)."""
    if entry.name is not None:
        if isinstance(destination, External):
            return False
        return any(
            cp.name == entry.name
            and cp.port == port
            and cp.protocol == protocol
            and (entry.protocol is None or entry.protocol == protocol)
            for cp in destination.ports
        )
    return entry.protocol == protocol and entry.lo <= port <= entry.hi


def tiered_rule_matches(
    cluster: Cluster,
    rule: TieredRule,
    peer: Endpoint,
    port: int,
    protocol: Protocol,
    destination: Endpoint,
) -> bool:
    """A rule matches when some peer matches ("If any element matches ... the specified action
    is applied") and, if it lists ports, one of them does (none listed: every port)."""
    if not any(tiered_peer_matches(cluster, p, peer) for p in rule.peers):
        return False
    return not rule.ports or any(
        tiered_port_matches(entry, port, protocol, destination) for entry in rule.ports
    )


def tier_decision(
    cluster: Cluster,
    pod: Pod,
    tier: Tier,
    direction: Direction,
    peer: Endpoint,
    port: int,
    protocol: Protocol,
) -> Action | None:
    """The action of the first matching rule of the tier (policies in order, then rules in
    order), None when no rule matches."""
    destination: Endpoint = pod if direction is Direction.INGRESS else peer
    for policy in tiered_applying(cluster, pod, tier):
        rules = policy.ingress if direction is Direction.INGRESS else policy.egress
        for rule in rules:
            if tiered_rule_matches(cluster, rule, peer, port, protocol, destination):
                return rule.action
    return None


def direction_allows(
    cluster: Cluster,
    pod: Pod,
    direction: Direction,
    peer: Endpoint,
    port: int,
    protocol: Protocol,
    *,
    ipblocks_match_pod_ips: bool = False,
) -> bool:
    """Whether ``pod``'s side allows traffic with ``peer`` in ``direction``, tier by tier.

    "Policy tiers are evaluated in the following order: Admin tier, NetworkPolicy tier,
    Baseline tier." Admin: Accept/Allow and Deny are final; "Pass: Skips all further ... rules
    in the current tier ... and passes evaluation to the next tier". NetworkPolicy: "always
    makes a final decision for selected pods". Baseline: Accept/Allow and Deny final. "If a
    given connection wasn't allowed or denied by any of the tiers, ... all pods can communicate".
    """
    admin = tier_decision(cluster, pod, Tier.ADMIN, direction, peer, port, protocol)
    if admin is Action.ALLOW:
        return True
    if admin is Action.DENY:
        return False
    if is_isolated(cluster, pod, direction):
        return networkpolicy_allows(
            cluster,
            pod,
            direction,
            peer,
            port,
            protocol,
            ipblocks_match_pod_ips=ipblocks_match_pod_ips,
        )
    baseline = tier_decision(cluster, pod, Tier.BASELINE, direction, peer, port, protocol)
    return baseline is not Action.DENY


def egress_allows(
    cluster: Cluster,
    src_pod: Pod,
    dst: Endpoint,
    port: int,
    protocol: Protocol,
    *,
    ipblocks_match_pod_ips: bool = False,
) -> bool:
    """Whether the egress side (the policies of ``src_pod``) allows the connection."""
    return direction_allows(
        cluster,
        src_pod,
        Direction.EGRESS,
        dst,
        port,
        protocol,
        ipblocks_match_pod_ips=ipblocks_match_pod_ips,
    )


def ingress_allows(
    cluster: Cluster,
    dst_pod: Pod,
    src: Endpoint,
    port: int,
    protocol: Protocol,
    *,
    ipblocks_match_pod_ips: bool = False,
) -> bool:
    """Whether the ingress side (the policies of ``dst_pod``) allows the connection."""
    return direction_allows(
        cluster,
        dst_pod,
        Direction.INGRESS,
        src,
        port,
        protocol,
        ipblocks_match_pod_ips=ipblocks_match_pod_ips,
    )


# --- a whole connection -----------------------------------------------------------------------


def allowed(
    cluster: Cluster,
    src: Endpoint,
    dst: Endpoint,
    port: int,
    protocol: Protocol,
    *,
    ipblocks_match_pod_ips: bool = False,
) -> bool:
    """Whether a connection ``src -> dst`` on ``port``/``protocol`` is allowed.

    "For a connection from a source pod to a destination pod to be allowed, both the egress
    policy on the source pod and the ingress policy on the destination pod need to allow the
    connection." Each side runs the tier chain of :func:`direction_allows` (admin tier,
    NetworkPolicies, baseline tier, default). An external end has no policy, so only the pod end
    is checked. Pods cannot block traffic to themselves, so a pod talking to itself is always
    allowed.
    External -> External is no NetworkPolicy question and raises ``ValueError``.
    """
    if isinstance(src, External) and isinstance(dst, External):
        raise ValueError("External -> External is not governed by NetworkPolicy")
    if isinstance(src, Pod) and isinstance(dst, Pod) and (src is dst or src == dst):
        return True
    flag = ipblocks_match_pod_ips
    egress_ok = isinstance(src, External) or egress_allows(
        cluster, src, dst, port, protocol, ipblocks_match_pod_ips=flag
    )
    ingress_ok = isinstance(dst, External) or ingress_allows(
        cluster, dst, src, port, protocol, ipblocks_match_pod_ips=flag
    )
    return egress_ok and ingress_ok
