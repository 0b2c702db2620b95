"""Why one peer or one port entry does not match, in plain words (None when it matches)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from npql.ir.addresses import address_value, network_range
from npql.ir.policies import AddressPeer, NamedPorts, NumericPorts, PeerIR, PodPeer, PortEntry
from npql.model.cluster import Cluster
from npql.model.objects import Pod, Protocol
from npql.model.policy import IPBlock
from npql.model.ports import EMPTY, Interval, PortSet
from npql.model.selector import LabelSelector, Operator, Requirement

IPBLOCK_POD_REASON = (
    "pods never match ipBlocks (external addresses only; see --ipblocks-match-pod-ips)"
)


@dataclass(frozen=True, slots=True)
class External:
    """An external end as evaluated: one address (a CIDR's first address)."""

    ip: str


Endpoint = Pod | External


# --- selectors --------------------------------------------------------------------------------


def _quoted_values(values: Sequence[str]) -> str:
    return f'"{values[0]}"' if len(values) == 1 else f"one of ({', '.join(values)})"


def requirement_reason(req: Requirement, labels: Mapping[str, str], what: str) -> str | None:
    """Why ``labels`` (of a ``what``: "pod" or "namespace") fail one requirement."""
    if req.matches(labels):
        return None
    value = labels.get(req.key)
    if req.operator in (Operator.IN, Operator.EXISTS) and value is None:
        return f"{what} label {req.key} is missing"
    if req.operator is Operator.IN:
        return f'{what} label {req.key} is "{value}", not {_quoted_values(req.values)}'
    if req.operator is Operator.NOT_IN:
        return (
            f'{what} label {req.key} is "{value}", which the rule excludes '
            f"(not {_quoted_values(req.values)})"
        )
    return f'{what} label {req.key} is present ("{value}"), the rule requires it absent'


def selector_reason(selector: LabelSelector, labels: Mapping[str, str], what: str) -> str | None:
    """The first requirement of ``selector`` that ``labels`` fail, in words."""
    for req in selector.requirements:
        reason = requirement_reason(req, labels, what)
        if reason is not None:
            return reason
    return None


# --- peers ------------------------------------------------------------------------------------


def address_reason(
    ip: str, peer: AddressPeer, block: IPBlock | None, *, label: str = "address"
) -> str | None:
    """Why one address is outside an ipBlock: not in its cidr, or in one of its excepts."""
    version, value = address_value(ip)
    if any(r.contains(version, value) for r in peer.ranges):
        return None
    cidr = peer.cidr or (block.cidr if block is not None else "")
    if not cidr or not network_range(cidr).contains(version, value):
        return f"{label} {ip} is not in {cidr or 'the ipBlock'}"
    for hole in block.excepts if block is not None else ():
        if network_range(hole).contains(version, value):
            return f"{label} {ip} is in except {hole}"
    return f"{label} {ip} is in an except of {cidr}"


def _pod_vs_block(
    pod: Pod, peer: AddressPeer, block: IPBlock | None, ipblocks_match_pod_ips: bool
) -> str | None:
    if not ipblocks_match_pod_ips:
        inside = [ip for ip in pod.ips if address_reason(ip, peer, block) is None]
        if inside:
            return f"{IPBLOCK_POD_REASON}; the pod IP {inside[0]} is in {peer.cidr or 'the block'}"
        return IPBLOCK_POD_REASON
    if not pod.ips:
        return f"the pod's IP is unknown (no status.podIP): it cannot match ipBlock {peer.cidr}"
    reasons = [address_reason(ip, peer, block, label="pod IP") for ip in pod.ips]
    if any(r is None for r in reasons):
        return None
    return next(r for r in reasons if r is not None)


def peer_reason(
    cluster: Cluster,
    peer: PeerIR,
    endpoint: Endpoint,
    block: IPBlock | None,
    *,
    ipblocks_match_pod_ips: bool,
) -> str | None:
    """Why one compiled peer does not match ``endpoint``; ``block`` is the source ipBlock."""
    if isinstance(peer, AddressPeer):
        if isinstance(endpoint, External):
            return address_reason(endpoint.ip, peer, block)
        return _pod_vs_block(endpoint, peer, block, ipblocks_match_pod_ips)
    if isinstance(endpoint, External):
        return f"address {endpoint.ip} is not a pod: this peer selects pods only"
    return pod_peer_reason(cluster, peer, endpoint)


def pod_peer_reason(cluster: Cluster, peer: PodPeer, pod: Pod) -> str | None:
    """Namespace first (by name, then by labels), then the pod's own labels."""
    if peer.namespace_name is not None and pod.namespace != peer.namespace_name:
        return (
            f"pod is in namespace {pod.namespace}, "
            f"the rule only admits pods of {peer.namespace_name}"
        )
    if peer.namespace_selector is not None:
        labels = cluster.namespace_labels(pod.namespace)
        reason = selector_reason(peer.namespace_selector, labels, "namespace")
        if reason is not None:
            return reason
    return selector_reason(peer.pod_selector, pod.labels, "pod")


def combine(reasons: Iterable[str]) -> str:
    """Alternatives that all fail (peers, or port entries): each distinct reason, in order."""
    unique = list(dict.fromkeys(reasons))
    if len(unique) == 1:
        return unique[0]
    return "; ".join(unique)


# --- ports ------------------------------------------------------------------------------------


def named_port_set(pod: Pod, name: str, protocols: Iterable[Protocol]) -> PortSet:
    """The numbers a container port name has on ``pod`` (matching name and protocol)."""
    allowed = set(protocols)
    out = EMPTY
    for cp in pod.ports:
        if cp.name == name and cp.protocol in allowed:
            out = out.union(PortSet.of(cp.protocol, cp.port, cp.port))
    return out


def entry_ports(entry: PortEntry, destination: Endpoint) -> PortSet:
    """The (protocol, port)s one port entry admits towards ``destination``."""
    if isinstance(entry, NumericPorts):
        return PortSet.of(entry.protocol, entry.lo, entry.hi)
    if isinstance(destination, External):
        return EMPTY
    return named_port_set(destination, entry.name, entry.protocols())


def _intervals(ivs: Sequence[Interval]) -> str:
    return ",".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in ivs)


def describe_asked(asked: PortSet, protocol: Protocol) -> str:
    """The asked ports of one protocol: ``port 8080`` or ``ports 8000-8100``."""
    ivs = asked.ranges.get(protocol, ())
    if len(ivs) == 1 and ivs[0][0] == ivs[0][1]:
        return f"port {ivs[0][0]}"
    return f"ports {_intervals(ivs)}"


def _named_reason(entry: NamedPorts, destination: Endpoint, asked: PortSet) -> str:
    """Why a named port entry admits none of the asked ports."""
    if isinstance(destination, External):
        return f'named port "{entry.name}" never matches an external address'
    resolved = named_port_set(destination, entry.name, entry.protocols())
    which = "any protocol" if entry.protocol is None else entry.protocol.value
    if resolved.is_empty():
        return f'named port "{entry.name}" not declared on the destination (for {which})'
    numbers = ", ".join(
        f"{p.value} {_intervals(ivs)}" for p, ivs in sorted(resolved.ranges.items())
    )
    shared = [p for p in sorted(asked.ranges) if p in resolved.ranges] or sorted(asked.ranges)
    asked_text = ", ".join(describe_asked(asked, p) for p in shared)
    return f'named port "{entry.name}" is {numbers} on the destination, not {asked_text}'


def entry_reason(entry: PortEntry, destination: Endpoint, asked: PortSet) -> str:
    """Why one port entry admits none of the asked ports."""
    if isinstance(entry, NamedPorts):
        return _named_reason(entry, destination, asked)
    if entry.protocol not in asked.ranges:
        asked_protocols = "/".join(p.value for p in sorted(asked.ranges, key=lambda p: p.value))
        return f"protocol {asked_protocols}, not {entry.protocol.value}"
    wanted = describe_asked(asked, entry.protocol)
    single = wanted.startswith("port ")
    if entry.lo == entry.hi:
        return f"{wanted}, not {entry.lo}" if single else f"{wanted} do not include {entry.lo}"
    if single:
        return f"{wanted} not in {entry.lo}-{entry.hi}"
    return f"none of {wanted} is in {entry.lo}-{entry.hi}"
