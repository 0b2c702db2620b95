"""``-o connlist``: netpol-analyzer's txt format, one ``src => dst : conn`` line per pair.

IPv4 ranges print as ``first-last[External]``; the format has no IPv6 form, so IPv6 lines are
left out (JSON and text output carry them).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from npql.solve.results import ConnectivityResult, EndpointRef


def endpoint_text(ep: EndpointRef) -> str | None:
    """``ns/name[Kind]`` or ``a.b.c.d-e.f.g.h[External]``; None for IPv6 ranges."""
    if ep.cidr is None:
        return f"{ep.namespace}/{ep.name}[{ep.kind}]"
    nets = [ipaddress.ip_network(c.strip()) for c in ep.cidr.split(",")]
    if nets[0].version != 4:
        return None
    return f"{nets[0].network_address}-{nets[-1].broadcast_address}[External]"


def connlist_lines(result: ConnectivityResult) -> Iterator[str]:
    """The lines, sorted as netpol-analyzer sorts them."""
    lines = []
    for c in result.connections:
        src, dst = endpoint_text(c.source), endpoint_text(c.target)
        if src is not None and dst is not None:
            lines.append(f"{src} => {dst} : {c.ports}")
    yield from sorted(set(lines))


def render_connlist(result: ConnectivityResult) -> str:
    """The whole connlist text."""
    return "".join(line + "\n" for line in connlist_lines(result))
