"""Peers of NetworkPolicy rules: pod/namespace selectors, or an ipBlock."""

from __future__ import annotations

import ipaddress
import re

from npql.loader.fields import Fields, clip
from npql.loader.selectors import optional_selector
from npql.model import IPBlock, Peer

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_PEER_FIELDS = frozenset({"podSelector", "namespaceSelector", "ipBlock"})
_IP_BLOCK_FIELDS = frozenset({"cidr", "except"})
_PREFIX = re.compile(r"[0-9]{1,3}")


def parse_peers(rule: Fields, key: str) -> tuple[Peer, ...]:
    """The peers of ``from``/``to``; empty (every peer) when absent or empty."""
    peers = (parse_peer(p) for p in rule.records(key))
    return tuple(p for p in peers if p is not None)


def parse_peer(fields: Fields) -> Peer | None:
    """One peer: podSelector and/or namespaceSelector, or an ipBlock alone."""
    fields.known(_PEER_FIELDS)
    if not _peer_shape_ok(fields):
        return None
    block = fields.mapping("ipBlock")
    if block is not None:
        ip_block = parse_ip_block(block)
        return Peer(ip_block=ip_block) if ip_block is not None else None
    pods = optional_selector(fields, "podSelector")
    namespaces = optional_selector(fields, "namespaceSelector")
    return Peer(pod_selector=pods, namespace_selector=namespaces)


def _peer_shape_ok(fields: Fields) -> bool:
    present = [key for key in sorted(_PEER_FIELDS) if fields.has(key)]
    if not present:
        fields.error("must specify a peer: podSelector, namespaceSelector or ipBlock")
    elif "ipBlock" in present and len(present) > 1:
        fields.error("may not specify both ipBlock and another peer (a selector)", "ipBlock")
    else:
        return True
    return False


def parse_ip_block(fields: Fields) -> IPBlock | None:
    """An ipBlock: a valid CIDR and excepts strictly inside it, normalised to networks."""
    fields.known(_IP_BLOCK_FIELDS)
    text = fields.string("cidr", required=True)
    cidr = parse_cidr(fields, fields.at("cidr"), text) if text is not None else None
    excepts = [_except(fields, path, item, cidr) for path, item in fields.strings("except")]
    if cidr is None or None in excepts:
        return None
    return IPBlock(str(cidr), tuple(str(e) for e in excepts if e is not None))


def parse_cidr(fields: Fields, path: str, text: str) -> Network | None:
    """A CIDR ``address/prefix`` (host bits allowed and cleared), or an error at ``path``."""
    address, slash, prefix = text.partition("/")
    try:
        # Go's net.ParseCIDR, which the API server uses, takes no IPv6 zone (fe80::%eth0/64).
        if slash and _PREFIX.fullmatch(prefix) and "%" not in address:
            return ipaddress.ip_network(text, strict=False)
    except ValueError:
        pass
    fields.where.error(f'invalid CIDR "{clip(text)}": must be like 10.0.0.0/8 or fd00::/8', path)
    return None


def _except(fields: Fields, path: str, text: str, cidr: Network | None) -> Network | None:
    network = parse_cidr(fields, path, text)
    if network is None or cidr is None:
        return network
    if network.version != cidr.version:
        fields.where.error(f'"{clip(text)}" must be of the same IP family as cidr {cidr}', path)
        return None
    if not network.subnet_of(cidr):  # type: ignore[arg-type]
        fields.where.error(f'"{clip(text)}" must be a strict subset of cidr {cidr}', path)
        return None
    if network == cidr:
        fields.where.warn(
            f'"{clip(text)}" equals cidr {cidr}, so the block matches nothing '
            "(the API server rejects this: except must be a strict subset of cidr)",
            path,
        )
    return network
