"""Building blocks of the engine-versus-reference tests (tests/engine and tests/tiers)."""

from __future__ import annotations

from npql.encode.encoding import Encoding
from npql.fastpath import BitsetEngine
from npql.ir.addresses import IPRange, address_value, partition
from npql.ir.groups import group_pods
from npql.ir.policies import compile_policies
from npql.ir.sides import PortQuery, Side
from npql.model import Cluster, Direction, Pod, Protocol
from npql.solve.can import check_can
from npql.solve.engine import IncrementalSolver
from npql.solve.results import Verdict


def engine_for(cluster: Cluster, match_ips: bool) -> BitsetEngine:
    """The bitset engine over a cluster, as the API builds it."""
    policies = compile_policies(cluster)
    grouping = group_pods(cluster, policies, with_addresses=match_ips)
    return BitsetEngine(grouping, policies, ipblocks_match_pod_ips=match_ips)


def solver_for(cluster: Cluster, engine: BitsetEngine, match_ips: bool) -> IncrementalSolver:
    """A Z3 engine over the same compiled policies and grouping as ``engine``."""
    encoding = Encoding(cluster, engine.policies, engine.grouping, ipblocks_match_pod_ips=match_ips)
    return IncrementalSolver(encoding)


def part_holding(engine: BitsetEngine, direction: Direction, ip: str) -> IPRange:
    """The partition part holding ``ip``: what bulk answers evaluate for an address."""
    version, value = address_value(ip)
    parts = partition(version, engine.policies.address_ranges(direction))
    return next(p for p in parts if p.lo <= value <= p.hi)


def z3_allows(solver: IncrementalSolver, src: Side, dst: Side, port: int, proto: Protocol) -> bool:
    """Z3's decided answer for one port (UNKNOWN fails the test)."""
    verdict, *_ = check_can(solver, src, dst, PortQuery(proto, port, port), self_groups=[])
    assert verdict is not Verdict.UNKNOWN
    return verdict is Verdict.ALLOWED


def pod_side(engine: BitsetEngine, pod: Pod) -> Side:
    """One existing pod as a question's side."""
    return Side(pods=(pod,), groups=(engine.grouping.group_for(pod),))
