"""REPL test fixtures: isolated HOME/XDG dirs, loaded example clusters, a key-driving helper."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from repl_helpers import FRONTEND_BACKEND, SHOP

import npql
from npql.api import Cluster
from npql.query import expected_tokens


@pytest.fixture(scope="session", autouse=True)
def _warm_parser() -> None:
    """Build the Lark parser once, so the first key press in a test is not slow."""
    expected_tokens("")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME and the XDG dirs under tmp_path; no colour, no pager, no inherited NO_COLOR."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("PAGER", raising=False)
    return home


@pytest.fixture(scope="session")
def frontend_backend() -> Cluster:
    return npql.load(str(FRONTEND_BACKEND))


@pytest.fixture(scope="session")
def shop() -> Cluster:
    return npql.load(str(SHOP))


@pytest.fixture
def make_repl(frontend_backend: Cluster) -> Iterator[Callable[..., object]]:
    """A factory of in-process REPLs on pipe input and DummyOutput."""
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from npql.repl.app import Repl
    from npql.repl.config import load_settings
    from npql.repl.session import SessionState

    with create_pipe_input() as pipe:

        def make(cluster: Cluster | None = None, paths: list[str] | None = None, **kw: object):
            state = SessionState(
                cluster or frontend_backend,
                paths if paths is not None else [str(FRONTEND_BACKEND)],
                load_settings({}),
            )
            for key, value in kw.items():
                setattr(state.settings, key, value)
            return Repl(
                state, io.StringIO(), input=pipe, output=DummyOutput(), threaded_completion=False
            )

        yield make
