"""The bulk paths of the bitset engine agree with its per-pair evaluation on random clusters.

Rows, columns, address-range answers, ``pod_pairs`` (both modes), ``stream_connlist`` and the
expansion of ``grouped_connectivity`` against ``between`` / ``from_range`` / ``to_range``
(which tests/engine/test_against_reference.py checks against the reference evaluator).
"""

from __future__ import annotations

import ipaddress
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine_checks import engine_for
from npql.api import bulk
from npql.fastpath import engine as engine_module
from npql.fastpath.bits import indices
from npql.model import Cluster, Direction
from npql.model.ports import PortSet
from npql.render.connlist import connlist_lines
from npql.solve.results import ConnectivityResult, EndpointRef
from strategies import clusters, tiered_clusters

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(autouse=True)
def _restore_thresholds() -> object:
    sparse, prepare = engine_module._SPARSE, bulk._PREPARE
    yield
    engine_module._SPARSE, bulk._PREPARE = sparse, prepare


def _check(cluster: Cluster, match_ips: bool, dense: bool) -> None:
    # dense: every row and column through the transposed answers, rule indexes built first;
    # else every row and column asks its peers' classes one by one
    engine_module._SPARSE = 0 if dense else 1 << 30
    bulk._PREPARE = 0 if dense else 1 << 30
    plain = engine_for(cluster, match_ips)
    n = len(plain.groups)
    expected = {(s, d): plain.between(s, d) for s in range(n) for d in range(n)}

    rows = engine_for(cluster, match_ips)
    if dense:
        rows.prepare_rows()
    for s in range(n):
        got: dict[int, PortSet] = {}
        for bits, ports in rows.row(s):
            for d in indices(bits):
                assert d not in got
                got[d] = ports
        for d in range(n):
            assert got.get(d, rows.ports.empty) == expected[(s, d)], (s, d)

    columns = engine_for(cluster, match_ips)
    if dense:
        columns.prepare_columns()
    for d in range(n):
        got = {}
        for bits, ports in columns.column(d):
            for s in indices(bits):
                assert s not in got
                got[s] = ports
        for s in range(n):
            assert got.get(s, columns.ports.empty) == expected[(s, d)], (s, d)

    for direction in Direction:
        parts = bulk.address_parts(rows, direction)
        answers = rows.ranges(direction, parts)
        for g in range(n):
            for atom, ports in zip(parts, answers.answers(g), strict=True):
                if direction is Direction.INGRESS:
                    assert ports == plain.from_range(atom, g)
                else:
                    assert ports == plain.to_range(g, atom)

    groups = list(plain.groups)
    refs = bulk._Refs()
    pairs = [
        (c.source, c.target, c.ports)
        for s in groups
        for d in groups
        if not expected[(s.index, d.index)].is_empty()
        for c in bulk._expand(s, d, expected[(s.index, d.index)], None, None, refs)
    ]
    by_rows = [(c.source, c.target, c.ports) for c in bulk.pod_pairs(rows, groups, groups)]
    assert by_rows == pairs
    if groups:
        few = groups[: max(1, len(groups) // 3)]
        names = {p.workload for g in few for p in g.pods}
        wanted = [t for t in pairs if str(t[1]) in names]
        by_columns = bulk.pod_pairs(engine_for(cluster, match_ips), groups, few)
        assert Counter((c.source, c.target, c.ports) for c in by_columns) == Counter(wanted)
    _check_whole_map(cluster, match_ips)


def _text(ep: EndpointRef) -> str:
    if ep.cidr is None:
        return str(ep)
    nets = [ipaddress.ip_network(c.strip()) for c in ep.cidr.split(",")]
    return f"{nets[0].network_address}-{nets[-1].broadcast_address}[External]"


def _check_whole_map(cluster: Cluster, match_ips: bool) -> None:
    engine = engine_for(cluster, match_ips)
    groups = list(engine.groups)
    conns = list(bulk.pod_pairs(engine, groups, groups))
    conns += bulk.from_addresses(engine, groups)
    conns += bulk.to_addresses(engine, groups)
    lines = list(connlist_lines(ConnectivityResult("connectivity", tuple(conns))))
    assert list(bulk.stream_connlist(engine_for(cluster, match_ips))) == lines
    blocks = list(bulk.connlist_blocks(engine_for(cluster, match_ips)))
    assert [line for block in blocks for line in block] == lines
    assert all(block and len({line.split(" => ")[0] for line in block}) == 1 for block in blocks)

    want: dict[tuple[str, str], PortSet] = {}
    for c in conns:
        key = (_text(c.source), _text(c.target))
        assert want.get(key, c.ports) == c.ports
        want[key] = c.ports
    workloads = {p.workload for p in cluster.pods}

    def expand(names: tuple[str, ...]) -> set[str]:
        out: set[str] = set()
        for name in names:
            if name == "*":
                out |= workloads
            elif name.endswith("/*"):
                out |= {w for w in workloads if w.startswith(name[:-1])}
            else:
                out.add(name)
        return out

    got: dict[tuple[str, str], PortSet] = {}
    for line in bulk.grouped_connectivity(engine_for(cluster, match_ips)):
        for a in expand(line.sources):
            for b in expand(line.targets):
                if a != b:
                    assert (a, b) not in got, (a, b)
                    got[(a, b)] = line.ports
    assert got == want


@SETTINGS
@given(clusters(), st.booleans(), st.booleans())
def test_bulk_paths_agree(cluster: Cluster, match_ips: bool, dense: bool) -> None:
    _check(cluster, match_ips, dense)


@SETTINGS
@given(tiered_clusters(), st.booleans(), st.booleans())
def test_bulk_paths_agree_with_tiers(cluster: Cluster, match_ips: bool, dense: bool) -> None:
    _check(cluster, match_ips, dense)


@SETTINGS
@given(tiered_clusters(baseline_pass=True), st.booleans(), st.booleans())
def test_bulk_paths_agree_with_baseline_pass(
    cluster: Cluster, match_ips: bool, dense: bool
) -> None:
    _check(cluster, match_ips, dense)
