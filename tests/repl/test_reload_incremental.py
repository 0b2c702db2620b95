"""``\\reload`` re-does only what changed: unchanged files are not parsed again, and the warm
Z3 encoding is kept when the policies and pods it encodes are the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from repl_helpers import FRONTEND_BACKEND

import npql
from npql.api import Cluster
from npql.loader import FileChanges
from npql.repl.commands import auto_reload, run_command
from npql.repl.config import Settings
from npql.repl.session import SessionState, execute
from shop_copies import copy_shop, shop_answers

CAN = [
    "can app=web reach app=api:8443",
    "can pod shop/api reach pod data/postgres:5432",
    "can ns monitoring reach app=api:9090",
    "can internet reach app=web:8080",
    "can any pod reach app=postgres:5432",
]
WHO = ["who can reach app=postgres:5432", "who can reach app=web:8080", "who can reach app=api"]


def answers(cluster: Cluster) -> list[object]:
    return shop_answers(cluster, CAN, WHO)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return copy_shop(tmp_path)


@pytest.fixture
def state(shop: Path) -> SessionState:
    """A session on a copy of the shop, reloaded once (the parse cache is warm) and asked."""
    session = SessionState(npql.load(str(shop)), [str(shop)], Settings())
    assert run_command(session, "\\reload").endswith(" (3 files read)\n")  # nothing encoded yet
    answers(session.cluster)
    return session


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def test_the_first_reload_reads_every_file(shop: Path) -> None:
    session = SessionState(npql.load(str(shop)), [str(shop)], Settings())
    answers(session.cluster)
    solver = session.cluster.solver
    assert (
        run_command(session, "\\reload")
        == "reloaded 3 ns · 4 pods · 5 policies (3 files read; encoding kept)\n"
    )
    assert session.cluster.solver is solver


def test_an_unchanged_reload_keeps_the_solver(state: SessionState) -> None:
    before, solver = answers(state.cluster), state.cluster.solver
    out = run_command(state, "\\reload")
    assert out == "reloaded 3 ns · 4 pods · 5 policies (no file changed; encoding kept)\n"
    assert state.cluster.solver is solver and state.parse_cache.reparsed == 0
    assert answers(state.cluster) == before


def test_a_policy_edit_answers_as_a_fresh_load(state: SessionState, shop: Path) -> None:
    solver = state.cluster.solver
    edit(shop / "policies.yaml", "podSelector: {matchLabels: {app: web}}}]", "podSelector: {}}]")
    out = run_command(state, "\\reload")
    assert out.startswith("reloaded 3 ns")
    assert "(1 of 3 files changed; 1 of 3 namespaces changed, encoding rebuilt)" in out
    assert state.parse_cache.reparsed == 1
    assert answers(state.cluster) == answers(npql.load(str(shop)))
    assert state.cluster.solver is not solver


def test_a_service_edit_keeps_the_encoding(state: SessionState, shop: Path) -> None:
    solver, bitsets = state.cluster.solver, state.cluster.bitsets
    edit(shop / "workloads.yaml", "port: 443, targetPort: https", "port: 444, targetPort: https")
    out = run_command(state, "\\reload")
    assert out.endswith("(1 of 3 files changed; encoding kept)\n")
    assert state.cluster.solver is solver and state.cluster.bitsets is bitsets
    assert state.cluster.query("can app=web reach svc shop/api:444").allowed


def test_the_watcher_reloads_the_same_way(state: SessionState, shop: Path) -> None:
    solver = state.cluster.solver
    edit(shop / "workloads.yaml", "image: nginx", "image: nginx:1.27")
    auto_reload(state)
    assert state.status == "reloaded" and state.cluster.solver is solver


def test_variables_and_warm_state_are_both_kept(state: SessionState) -> None:
    list(execute(state, "let api = app=api in ns shop"))
    solver = state.cluster.solver
    run_command(state, "\\reload")
    assert state.cluster.solver is solver and "api" in state.cluster.variables
    assert state.cluster.query("can $api reach app=postgres:5432").allowed


def test_a_busy_engine_is_not_shared(state: SessionState) -> None:
    """While a query runs (or an abandoned one runs on), the reload starts cold, not waits."""
    solver = state.cluster.solver
    with state.engine_lock:
        out = run_command(state, "\\reload")
    assert out.endswith("(no file changed; encoding rebuilt)\n")
    assert "solver" not in state.cluster.__dict__ and state.cluster.solver is not solver


def test_a_failed_reload_keeps_cluster_and_cache(state: SessionState, shop: Path) -> None:
    cluster, policies = state.cluster, shop / "policies.yaml"
    text = policies.read_text()
    policies.write_text(text + "---\nkind: [\n")
    with pytest.raises(Exception, match="YAML syntax error"):
        run_command(state, "\\reload")
    assert state.cluster is cluster
    policies.write_text(text)
    assert run_command(state, "\\reload").endswith("(no file changed; encoding kept)\n")
    assert state.cluster.solver is cluster.solver


def test_loading_other_manifests_starts_cold(state: SessionState) -> None:
    out = run_command(state, f"\\load {FRONTEND_BACKEND}")
    assert out.startswith("loaded ") and "solver" not in state.cluster.__dict__
    assert state.last_load is not None
    assert state.last_load.files == FileChanges(files=2, changed=2, removed=3, compared=True)
