"""Showing answers: verdict colours (plain under NO_COLOR) and a pager for long output."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from typing import TextIO

DEFAULT_PAGER = "less -RXF"
_RESET = "\x1b[0m"
COLOURS = {
    "ALLOWED": "\x1b[1;32m",
    "DENIED": "\x1b[1;31m",
    "UNKNOWN": "\x1b[1;33m",
    "PASS": "\x1b[1;32m",
    "FAIL": "\x1b[1;31m",
    "error:": "\x1b[31m",
    "warning:": "\x1b[33m",
}
_VERDICT = re.compile(r"^(\s*)(" + "|".join(map(re.escape, COLOURS)) + r")(?=\s|$)", re.M)


def use_colour(environ: dict[str, str] | None = None) -> bool:
    """Colour unless NO_COLOR is set (to anything non-empty) or TERM is dumb."""
    env = os.environ if environ is None else environ
    return not env.get("NO_COLOR") and env.get("TERM") != "dumb"


def colourize(text: str) -> str:
    """ALLOWED green, DENIED red, UNKNOWN yellow (also PASS/FAIL, error:, warning:)."""
    return _VERDICT.sub(lambda m: f"{m.group(1)}{COLOURS[m.group(2)]}{m.group(2)}{_RESET}", text)


def pager_command(configured: str) -> str:
    """The setting, else ``$PAGER``, else ``less -RXF``."""
    return configured.strip() or os.environ.get("PAGER", "").strip() or DEFAULT_PAGER


def fits(text: str, rows: int | None = None) -> bool:
    """True when ``text`` fits on the screen without scrolling (a line left for the prompt)."""
    height = rows if rows is not None else shutil.get_terminal_size().lines
    return text.count("\n") < max(height - 1, 1)


def page(text: str, command: str) -> bool:
    """Send ``text`` through the pager; False if the pager could not run."""
    env = dict(os.environ)
    env.setdefault("LESS", "-RXF")
    try:
        proc = subprocess.Popen(shlex.split(command), stdin=subprocess.PIPE, env=env)
    except (OSError, ValueError):
        return False
    assert proc.stdin is not None
    try:
        proc.stdin.write(text.encode("utf-8", "replace"))
        proc.stdin.close()
    except BrokenPipeError:  # the user quit the pager early
        pass
    _wait(proc)
    return True


def _wait(proc: subprocess.Popen[bytes]) -> None:
    """Wait for the pager; Ctrl-C belongs to it (less handles it), not to us."""
    while True:
        try:
            proc.wait()
            return
        except KeyboardInterrupt:
            continue


def show(text: str, stdout: TextIO, *, colour: bool, pager: str | None) -> None:
    """Write an answer: coloured when asked, paged when ``pager`` is given and it is long."""
    shown = colourize(text) if colour else text
    if pager is not None and not fits(shown) and page(shown, pager):
        return
    stdout.write(shown)
    stdout.flush()
