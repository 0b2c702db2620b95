"""Settings in layers: packaged defaults < config file < command-line flags < ``\\set``.

The defaults live in the ``npqlrc`` file shipped in this package; on first run it is copied
to ``$XDG_CONFIG_HOME/npql/config`` (``~/.config/npql/config``) for the user to edit.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path

from npql.errors import UsageError

SECTION = "main"
OUTPUT_FORMATS = ("text", "json", "connlist")
ALIASES = {"witnesses": "max_witnesses", "format": "output", "multiline": "multi_line"}


@dataclass
class Settings:
    """Every setting of a session (mutable: ``\\set`` and the F-keys change it)."""

    multi_line: bool = False
    vi: bool = False
    output: str = "text"
    syntax_style: str = "default"
    enable_pager: bool = True
    pager: str = ""
    history_file: str = "default"
    timeout: float | None = None
    max_witnesses: int = 1
    timing: bool = False
    complete_while_typing: bool = True
    auto_suggest: bool = True
    watch: bool = False
    watch_interval: float = 1.0
    ipblocks_match_pod_ips: bool = False
    strict: bool = False

    @property
    def timeout_ms(self) -> int | None:
        """The timeout as the API takes it."""
        return None if not self.timeout else int(self.timeout * 1000)

    def set(self, key: str, text: str) -> None:
        """Set one setting from its text form; raises UsageError for bad keys or values."""
        name = ALIASES.get(key, key)
        parser = PARSERS.get(name)
        if parser is None:
            raise UsageError(f"unknown setting {key!r}; settings: {', '.join(sorted(PARSERS))}")
        try:
            value = parser(text.strip())
        except ValueError as exc:
            raise UsageError(f"{key}: {exc}") from None
        setattr(self, name, value)

    def items(self) -> list[tuple[str, object]]:
        """(name, value) pairs, in declaration order."""
        return [(f.name, getattr(self, f.name)) for f in fields(self)]


# ---------------------------------------------------------------------------------- parsers


def parse_bool(text: str) -> bool:
    """``on/off``, ``true/false``, ``yes/no``, ``1/0``."""
    lowered = text.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected on or off, got {text!r}")


def parse_timeout(text: str) -> float | None:
    """Seconds (``5``, ``2.5``, ``5s``, ``500ms``); empty, 0 or ``none`` means no timeout."""
    lowered = text.lower().strip()
    if lowered in {"", "none", "off", "0"}:
        return None
    scale = 1.0
    if lowered.endswith("ms"):
        lowered, scale = lowered[:-2], 0.001
    elif lowered.endswith("s"):
        lowered = lowered[:-1]
    seconds = float(lowered) * scale
    if seconds < 0:
        raise ValueError("the timeout cannot be negative")
    return seconds or None


def parse_positive_int(text: str) -> int:
    """A whole number >= 1."""
    value = int(text)
    if value < 1:
        raise ValueError(f"expected a number >= 1, got {text!r}")
    return value


def parse_positive_float(text: str) -> float:
    """A number > 0."""
    value = float(text)
    if value <= 0:
        raise ValueError(f"expected a number > 0, got {text!r}")
    return value


def parse_output(text: str) -> str:
    """One of the output formats."""
    if text not in OUTPUT_FORMATS:
        raise ValueError(f"expected one of {', '.join(OUTPUT_FORMATS)}, got {text!r}")
    return text


PARSERS: dict[str, Callable[[str], object]] = {
    "multi_line": parse_bool,
    "vi": parse_bool,
    "output": parse_output,
    "syntax_style": str,
    "enable_pager": parse_bool,
    "pager": str,
    "history_file": str,
    "timeout": parse_timeout,
    "max_witnesses": parse_positive_int,
    "timing": parse_bool,
    "complete_while_typing": parse_bool,
    "auto_suggest": parse_bool,
    "watch": parse_bool,
    "watch_interval": parse_positive_float,
    "ipblocks_match_pod_ips": parse_bool,
    "strict": parse_bool,
}


# ---------------------------------------------------------------------------------- files


def config_dir() -> Path:
    """``$XDG_CONFIG_HOME/npql`` (default ``~/.config/npql``)."""
    return _xdg("XDG_CONFIG_HOME", ".config") / "npql"


def state_dir() -> Path:
    """``$XDG_STATE_HOME/npql`` (default ``~/.local/state/npql``)."""
    return _xdg("XDG_STATE_HOME", ".local/state") / "npql"


def _xdg(variable: str, fallback: str) -> Path:
    base = os.environ.get(variable)
    return Path(base) if base else Path.home() / fallback


def user_config_path() -> Path:
    """Where the user's config file lives."""
    return config_dir() / "config"


def history_path(settings: Settings) -> Path:
    """The history file: the setting, else ``$XDG_STATE_HOME/npql/history``."""
    if settings.history_file and settings.history_file != "default":
        return Path(settings.history_file).expanduser()
    return state_dir() / "history"


def default_config_text() -> str:
    """The packaged ``npqlrc``."""
    return (resources.files("npql.repl") / "npqlrc").read_text(encoding="utf-8")


def ensure_user_config(path: Path | None = None) -> Path | None:
    """Copy the defaults to the user's config path unless a file is there; None if unwritable."""
    target = path or user_config_path()
    if target.exists():
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(default_config_text(), encoding="utf-8")
    except OSError:
        return None
    return target


def read_config(text: str, settings: Settings, source: str) -> None:
    """Apply an ini document's ``[main]`` section; bad values raise UsageError naming ``source``."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=source)
    except configparser.Error as exc:
        raise UsageError(f"{source}: {exc}") from None
    if not parser.has_section(SECTION):
        return
    for key, value in parser.items(SECTION):
        try:
            settings.set(key, value)
        except UsageError as exc:
            raise UsageError(f"{source}: {exc}") from None


def load_settings(flags: Mapping[str, object], config_file: Path | None = None) -> Settings:
    """Defaults, then the user's config file (created on first run), then the flags.

    ``flags`` holds command-line values by setting name (``timeout``, ``output``, ...);
    None means "not given" and leaves the lower layers alone.
    """
    settings = Settings()
    read_config(default_config_text(), settings, "npqlrc")
    path = config_file or ensure_user_config()
    if path is not None and path.is_file():
        read_config(path.read_text(encoding="utf-8"), settings, str(path))
    apply_flags(settings, flags)
    return settings


def apply_flags(settings: Settings, flags: Mapping[str, object]) -> None:
    """Copy the flags that were given over the settings; unknown keys are ignored.

    None means "not given"; so does False, since an on/off flag (``--strict``) can only
    switch a setting on.
    """
    names = {f.name for f in fields(settings)}
    for key, value in flags.items():
        name = ALIASES.get(key, key)
        if value is not None and value is not False and name in names:
            setattr(settings, name, value)
