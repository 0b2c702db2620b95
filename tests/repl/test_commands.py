"""Backslash commands: the registry, listings, settings, loading and help."""

from __future__ import annotations

import pytest
from repl_helpers import FRONTEND_BACKEND, SHOP

from npql.api import Cluster
from npql.errors import QueryError, UsageError
from npql.repl.commands import COMMANDS, find, hints, run_command
from npql.repl.config import Settings
from npql.repl.session import ExitRepl, SessionState


@pytest.fixture
def state(frontend_backend: Cluster) -> SessionState:
    return SessionState(frontend_backend, [str(FRONTEND_BACKEND)], Settings())


@pytest.fixture
def shop_state(shop: Cluster) -> SessionState:
    return SessionState(shop, [str(SHOP)], Settings())


REQUIRED = [
    "\\?", "\\help", "\\q", "\\load", "\\reload", "\\watch", "\\o", "\\timing", "\\set",
    "\\pods", "\\policies", "\\ns", "\\labels",
]  # fmt: skip


@pytest.mark.parametrize("name", REQUIRED)
def test_required_commands_are_registered_with_help(name: str) -> None:
    assert name in COMMANDS and COMMANDS[name].summary and COMMANDS[name].usage


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("exit", "\\q"),
        ("quit", "\\q"),
        ("\\h", "\\help"),
        ("\\T", "\\o"),
        ("\\refresh", "\\reload"),
    ],
)
def test_aliases(alias: str, name: str) -> None:
    entry = find(alias)
    assert entry is not None and entry.name == name


def test_question_mark_lists_every_command(state: SessionState) -> None:
    listing = run_command(state, "\\?")
    for name in REQUIRED:
        assert name in listing


def test_hints_cover_names_and_backslash_aliases() -> None:
    names = {h.name for h in hints()}
    assert {"\\pods", "\\T", "\\quit"} <= names and "exit" not in names


def test_quit_raises_exit(state: SessionState) -> None:
    with pytest.raises(ExitRepl):
        run_command(state, "\\q")


def test_unknown_command(state: SessionState) -> None:
    with pytest.raises(UsageError, match="unknown command"):
        run_command(state, "\\frobnicate")


def test_output_format(state: SessionState) -> None:
    assert run_command(state, "\\o json") == "output format: json\n"
    assert state.settings.output == "json"
    with pytest.raises(UsageError, match="expected one of text, json, connlist"):
        run_command(state, "\\o yaml")


def test_timing_toggles(state: SessionState) -> None:
    assert run_command(state, "\\timing") == "timing is on\n"
    assert run_command(state, "\\timing") == "timing is off\n"
    assert run_command(state, "\\timing on") == "timing is on\n"


def test_set_timeout_reaches_the_cluster(state: SessionState) -> None:
    assert run_command(state, "\\set timeout 5") == "timeout = 5.0\n"
    assert state.cluster.options.timeout_ms == 5000
    run_command(state, "\\set timeout 250ms")
    assert state.cluster.options.timeout_ms == 250
    run_command(state, "\\set timeout 0")
    assert state.cluster.options.timeout_ms is None


def test_set_witnesses_is_stored(state: SessionState) -> None:
    assert run_command(state, "\\set witnesses 3") == "witnesses = 3\n"
    assert state.settings.max_witnesses == 3
    with pytest.raises(UsageError, match="witnesses"):
        run_command(state, "\\set witnesses 0")


def test_set_lists_and_rejects_unknown_settings(state: SessionState) -> None:
    listing = run_command(state, "\\set")
    assert "timeout" in listing and "max_witnesses" in listing
    with pytest.raises(UsageError, match="unknown setting"):
        run_command(state, "\\set colour purple")


def test_pods_lists_all_or_an_endpoint(shop_state: SessionState) -> None:
    everything = run_command(shop_state, "\\pods")
    assert "postgres" in everything and "prometheus" in everything
    some = run_command(shop_state, "\\pods app=api in ns shop")
    assert "api" in some and "postgres" not in some and "(1 row)" in some
    assert "(2 rows)" in run_command(shop_state, "\\pods ns shop")
    assert "(no pods)" in run_command(shop_state, "\\pods app=nothing")


def test_pods_errors_point_into_the_argument(shop_state: SessionState) -> None:
    with pytest.raises(QueryError) as info:
        run_command(shop_state, "\\pods app=")
    assert info.value.column == len("app=") + 1
    assert "app=" in str(info.value) and "who can reach" not in str(info.value)


def test_policies_by_namespace(shop_state: SessionState) -> None:
    data = run_command(shop_state, "\\policies data")
    assert "default-deny" in data and "api-ingress" not in data
    assert "(no policies)" in run_command(shop_state, "\\policies nowhere")


def test_ns_lists_namespaces_with_counts(shop_state: SessionState) -> None:
    listing = run_command(shop_state, "\\ns")
    assert "monitoring" in listing and "team=" in listing


def test_labels(shop_state: SessionState) -> None:
    keys = run_command(shop_state, "\\labels")
    assert "tier" in keys and "team" in keys
    values = run_command(shop_state, "\\labels tier")
    assert "db" in values and "backend" in values
    assert "(no label 'nope')" in run_command(shop_state, "\\labels nope")


def test_help_lists_statements_and_examples(state: SessionState) -> None:
    overview = run_command(state, "\\help")
    assert "who can reach TARGET[PORT]" in overview and "connectivity" in overview
    who = run_command(state, "\\help who")
    assert "npql> who can reach app=backend:80" in who
    with pytest.raises(UsageError):
        run_command(state, "\\nohelp")


def test_load_and_reload(state: SessionState) -> None:
    assert "3 ns" in run_command(state, f"\\load {SHOP}")
    assert state.paths == [str(SHOP)] and "shop/api" in {p.ref for p in state.catalog.pods}
    assert state.status == "loaded"
    assert "reloaded 3 ns" in run_command(state, "\\reload")
    with pytest.raises(UsageError):
        run_command(state, "\\load")


def test_reload_keeps_let_variables(state: SessionState) -> None:
    from npql.repl.session import execute

    list(execute(state, "let fe = app=frontend"))
    assert state.catalog.variables == ("fe",)
    run_command(state, "\\reload")
    assert "fe" in state.cluster.variables and state.catalog.variables == ("fe",)


def test_load_of_a_missing_path_keeps_the_cluster(state: SessionState) -> None:
    before = state.cluster
    with pytest.raises(Exception, match="nope"):
        run_command(state, "\\load /nope/nope")
    assert state.cluster is before


def test_watch_needs_files(frontend_backend: Cluster) -> None:
    state = SessionState(frontend_backend, [], Settings())
    with pytest.raises(UsageError, match="nothing to watch"):
        run_command(state, "\\watch on")
    assert run_command(state, "\\watch") == "watch is off\n"
