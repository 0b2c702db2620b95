"""Settings: packaged defaults < config file < flags < \\set; the file is copied on first run."""

from __future__ import annotations

from pathlib import Path

import pytest

from npql.errors import UsageError
from npql.repl.config import (
    Settings,
    default_config_text,
    history_path,
    load_settings,
    parse_timeout,
    user_config_path,
)


def test_first_run_copies_the_defaults(isolated_home: Path) -> None:
    load_settings({})
    path = isolated_home / ".config" / "npql" / "config"
    assert user_config_path() == path
    assert path.read_text() == default_config_text()


def test_the_user_file_is_left_alone_once_there(isolated_home: Path) -> None:
    path = user_config_path()
    path.parent.mkdir(parents=True)
    path.write_text("[main]\nmulti_line = True\n")
    assert load_settings({}).multi_line is True
    assert path.read_text() == "[main]\nmulti_line = True\n"


def test_layers(isolated_home: Path) -> None:
    path = user_config_path()
    path.parent.mkdir(parents=True)
    path.write_text("[main]\noutput = json\ntimeout = 3\nvi = on\n")
    settings = load_settings({"output": "text", "timeout": None, "strict": False})
    assert (settings.output, settings.timeout, settings.vi) == ("text", 3.0, True)
    settings.set("timeout", "7s")
    assert settings.timeout_ms == 7000


def test_defaults_file_matches_the_dataclass() -> None:
    from_file = Settings()
    from npql.repl.config import read_config

    read_config(default_config_text(), from_file, "npqlrc")
    assert from_file == Settings()


def test_bad_config_names_the_file(isolated_home: Path) -> None:
    path = user_config_path()
    path.parent.mkdir(parents=True)
    path.write_text("[main]\ntimeout = soon\n")
    with pytest.raises(UsageError, match=str(path)):
        load_settings({})


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("5", 5.0), ("2.5s", 2.5), ("500ms", 0.5), ("", None), ("0", None), ("none", None)],
)
def test_timeouts(text: str, seconds: float | None) -> None:
    assert parse_timeout(text) == seconds


def test_history_path(isolated_home: Path, tmp_path: Path) -> None:
    assert history_path(Settings()) == isolated_home / ".local" / "state" / "npql" / "history"
    assert history_path(Settings(history_file=str(tmp_path / "h"))) == tmp_path / "h"


def test_xdg_defaults_without_variables(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert history_path(Settings()) == isolated_home / ".local" / "state" / "npql" / "history"
    assert user_config_path() == isolated_home / ".config" / "npql" / "config"
