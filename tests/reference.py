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
    "peer_matches",
    "policies_applying",
    "policy_port_matches",
    "requirement_matches",
    "rule_admits_peer",
    "rule_admits_port",
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
    """Whether ``pod``'s policies for ``direction`` allow traffic with ``peer``.

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
    connection." An external end has no policy, so only the pod end is checked. Pods cannot
    block traffic to themselves, so a pod talking to itself is always allowed.
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
