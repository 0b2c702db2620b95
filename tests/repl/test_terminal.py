"""One smoke test in a real pseudo-terminal: completion, an answer, Ctrl-C, Ctrl-D, history."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from repl_helpers import FRONTEND_BACKEND, ROOT

pexpect = pytest.importorskip(
    "pexpect", reason="pexpect is not installed (pip install pexpect): no real-terminal test"
)

TIMEOUT = 15


def spawn(home: Path) -> pexpect.spawn:
    env = dict(os.environ)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        TERM="xterm",
        NO_COLOR="1",
    )
    env.pop("PAGER", None)
    args = ["-m", "npql.repl", "-f", str(FRONTEND_BACKEND)]
    return pexpect.spawn(
        sys.executable,
        args,
        cwd=str(ROOT),
        env=env,
        dimensions=(30, 120),
        encoding="utf-8",
        timeout=TIMEOUT,
    )


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_repl_in_a_real_terminal(isolated_home: Path) -> None:
    child = spawn(isolated_home)
    try:
        child.expect("npql>")
        child.send("who can reach app=ba")
        child.expect("1 pod")  # the completion menu is up: backend (1 pod)
        child.send("\t")
        child.send(":80\r")
        child.expect(r"can reach: app=backend:80/tcp")
        child.expect(r"default/frontend\[Deployment\]")
        child.expect("npql>")
        child.send("who can")
        child.send("\x03")  # Ctrl-C: clears the line, does not exit
        child.expect("npql>")
        assert child.isalive()
        child.send("\x04")  # Ctrl-D
        child.expect("Goodbye!")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    history = isolated_home / ".local" / "state" / "npql" / "history"
    assert "+who can reach app=backend:80" in history.read_text()
