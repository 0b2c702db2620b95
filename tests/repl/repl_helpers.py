"""Helpers for the REPL tests: example paths, terminal keys, and driving a REPL by keys."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FRONTEND_BACKEND = ROOT / "examples" / "frontend-backend"
SHOP = ROOT / "examples" / "shop"

# Keys as a terminal sends them.
TAB, ENTER, CTRL_C, CTRL_D = "\t", "\r", "\x03", "\x04"
ALT_ENTER, F2, F3, F4 = "\x1b\r", "\x1bOQ", "\x1bOR", "\x1bOS"


Step = str | Callable[[], None]


@dataclass
class Driven:
    """What a driven REPL session printed, and its exit code."""

    output: str
    exit_code: int


def drive(repl: object, steps: list[Step], delay: float = 0.25, timeout: float = 30) -> Driven:
    """Run ``repl.run()`` while a thread types ``steps`` (strings are keys, callables probe).

    The delay between steps is generous: on a loaded 2-core CI machine the event loop may
    take a while to process a key, and probes read the buffer from the typing thread.

    When the steps leave the session open, Ctrl-C and Ctrl-D end it.
    """
    from npql.repl.app import Repl

    assert isinstance(repl, Repl)
    pipe = repl.session.input
    done = threading.Event()

    def feed() -> None:
        for step in [*steps, CTRL_C + CTRL_D]:
            if done.wait(delay):
                return
            if isinstance(step, str):
                pipe.send_text(step)  # type: ignore[attr-defined]
            else:
                step()
        if done.wait(timeout):
            return
        while not done.wait(0.2):  # a safety net
            pipe.send_text(CTRL_C + CTRL_D)  # type: ignore[attr-defined]

    threading.Thread(target=feed, daemon=True).start()
    code = repl.run()
    done.set()
    stdout = repl.stdout
    assert isinstance(stdout, io.StringIO)
    return Driven(stdout.getvalue(), code)
