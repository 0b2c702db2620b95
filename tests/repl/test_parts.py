"""The smaller parts: lexer, validator, completer wrapper, output, watcher, worker thread."""

from __future__ import annotations

import _thread
import threading
import time
from pathlib import Path

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.validation import ValidationError
from pygments.token import Comment, Keyword, Name, Number, Operator, String
from repl_helpers import FRONTEND_BACKEND

from npql.api import Cluster
from npql.repl.catalog import Catalog
from npql.repl.commands import hints, run_command
from npql.repl.completer import NpqlCompleter
from npql.repl.config import Settings
from npql.repl.keys import ready_to_submit
from npql.repl.lexer import NpqlLexer
from npql.repl.output import colourize, fits, page, pager_command, show, use_colour
from npql.repl.session import SessionState
from npql.repl.validator import NpqlValidator
from npql.repl.watch import Watcher, file_mtimes
from npql.repl.worker import Abandoned, run_interruptible

# ------------------------------------------------------------------------------------ lexer


def tokens(text: str) -> dict[str, object]:
    return {value: kind for kind, value in NpqlLexer().get_tokens(text) if value.strip()}


def test_lexer_kinds() -> None:
    found = tokens('can pod default/web reach tier in (a, "b") in ns shop:http/tcp # hi')
    assert found["can"] is Keyword and found["reach"] is Keyword
    assert found["default/web"] is Name.Entity and found["shop"] is Name.Namespace
    assert found["tier"] is Name.Attribute and found["a"] is String
    assert found["http"] is Number and found["# hi"] is Comment.Single
    assert tokens("app!=x")["!="] is Operator
    assert tokens("\\pods app=x")["\\pods"] is Name.Builtin
    assert tokens("can ip 10.0.0.1 reach $v")["10.0.0.1"] is Number


def test_lexer_knows_new_keywords() -> None:
    assert tokens("why can't a reach b")["why"] is Keyword
    assert tokens("why can't a reach b")["can't"] is Keyword


# ------------------------------------------------------------------------------------ validator


def test_validator_points_at_the_column() -> None:
    with pytest.raises(ValidationError) as info:
        NpqlValidator().validate(Document("who can reach app=x\nwho can reach :80"))
    assert info.value.cursor_position == len("who can reach app=x\nwho can reach ")
    assert "expected" in info.value.message


@pytest.mark.parametrize("text", ["", "  ", "\\pods app=", "exit", "connectivity; # x"])
def test_validator_lets_commands_and_blank_input_through(text: str) -> None:
    NpqlValidator().validate(Document(text))


@pytest.mark.parametrize(
    ("text", "ready"),
    [("who can", False), ("who can reach x;", True), ("who\n", True), ("", True), ("\\ns", True)],
)
def test_multi_line_submission_rule(text: str, ready: bool) -> None:
    assert ready_to_submit(text) is ready


# ------------------------------------------------------------------------------------ completer


def completions(text: str, catalog: Catalog, requested: bool = True) -> list[str]:
    completer = NpqlCompleter(lambda: catalog, hints())
    event = CompleteEvent(completion_requested=requested)
    return [c.text for c in completer.get_completions(Document(text), event)]


def test_completer_wraps_suggest(frontend_backend: Cluster) -> None:
    catalog = Catalog.from_model(frontend_backend.model)
    assert completions("who can reach app=ba", catalog) == ["backend"]
    assert completions("", catalog, requested=False) == []
    assert "who" in completions("", catalog, requested=True)


def test_completer_completes_paths_for_load(tmp_path: Path) -> None:
    (tmp_path / "manifests").mkdir()
    found = completions(f"\\load {tmp_path}/man", Catalog())
    assert found == ["ifests"]


# ------------------------------------------------------------------------------------ output


def test_colours() -> None:
    text = "ALLOWED  a -> b\nDENIED  x\nUNKNOWN  y\nwarning: z\n"
    coloured = colourize(text)
    assert "\x1b[1;32mALLOWED\x1b[0m" in coloured and "\x1b[1;31mDENIED" in coloured
    assert "\x1b[1;33mUNKNOWN" in coloured
    assert colourize("  the word DENIED inside a line\n") == "  the word DENIED inside a line\n"


def test_no_color() -> None:
    assert not use_colour({"NO_COLOR": "1"})
    assert not use_colour({"TERM": "dumb"})
    assert use_colour({"TERM": "xterm"})


def test_pager_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAGER", raising=False)
    assert pager_command("") == "less -RXF"
    monkeypatch.setenv("PAGER", "more")
    assert pager_command("") == "more" and pager_command("most") == "most"


def test_long_output_goes_through_the_pager(tmp_path: Path) -> None:
    import io

    target = tmp_path / "paged"
    long_text = "line\n" * 500
    out = io.StringIO()
    show(long_text, out, colour=False, pager=f"tee {target}")
    assert out.getvalue() == "" and target.read_text() == long_text
    show("short\n", out, colour=False, pager=f"tee {target}")
    assert out.getvalue() == "short\n"
    assert fits("a\n" * 3, rows=24) and not fits("a\n" * 30, rows=24)
    assert page("x", "/nonexistent/pager") is False


# ------------------------------------------------------------------------------------ watch


def test_file_mtimes_walks_folders() -> None:
    found = file_mtimes([str(FRONTEND_BACKEND), "-"])
    assert {Path(p).name for p in found} == {"deployments.yaml", "policy.yaml"}


def test_watcher_calls_back_on_change(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("x")
    changed = threading.Event()
    watcher = Watcher(lambda: file_mtimes([str(tmp_path)]), changed.set, 0.02)
    watcher.start()
    time.sleep(0.1)
    (tmp_path / "b.yaml").write_text("y")
    assert changed.wait(5)
    watcher.stop()
    assert not watcher.running


def test_watch_reloads_the_cluster(frontend_backend: Cluster, tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    for source in FRONTEND_BACKEND.iterdir():
        (folder / source.name).write_text(source.read_text())
    state = SessionState(frontend_backend, [str(folder)], Settings(watch_interval=0.05))
    notes: list[str] = []
    state.on_change = lambda: notes.append(state.status)
    assert run_command(state, "\\watch on") == "watch is on\n"
    (folder / "policy.yaml").unlink()
    deadline = time.monotonic() + 5
    while state.status != "reloaded" and time.monotonic() < deadline:
        time.sleep(0.02)
    run_command(state, "\\watch off")
    assert state.status == "reloaded" and notes == ["reloading…", "reloaded"]
    assert len(state.cluster.model.policies) == 0


def test_a_failed_reload_says_so_and_keeps_the_cluster(
    frontend_backend: Cluster, tmp_path: Path
) -> None:
    from npql.repl.commands import auto_reload

    state = SessionState(frontend_backend, [str(tmp_path / "gone.yaml")], Settings())
    auto_reload(state)
    assert state.status.startswith("reload failed") and state.cluster is frontend_backend


# ------------------------------------------------------------------------------------ worker


def test_worker_returns_and_raises() -> None:
    assert run_interruptible(lambda: 42, lambda: None) == 42
    with pytest.raises(ZeroDivisionError):
        run_interruptible(lambda: 1 // 0, lambda: None)


def test_ctrl_c_interrupts_then_abandons(monkeypatch: pytest.MonkeyPatch) -> None:
    import signal

    # interrupt_main only raises KeyboardInterrupt under Python's own SIGINT handler; make
    # sure no earlier test (or the environment) left another one installed.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    release = threading.Event()
    interrupted = threading.Event()

    def solve() -> str:
        release.wait(5)
        return "unknown" if interrupted.is_set() else "done"

    def interrupt() -> None:
        interrupted.set()
        release.set()

    threading.Timer(0.1, _thread.interrupt_main).start()
    assert run_interruptible(solve, interrupt) == "unknown"

    stuck = threading.Event()
    lock = threading.Lock()
    threading.Timer(0.1, _thread.interrupt_main).start()
    threading.Timer(0.3, _thread.interrupt_main).start()
    with pytest.raises(Abandoned):
        run_interruptible(lambda: stuck.wait(5), lambda: None, lock=lock)
    time.sleep(0.05)
    assert lock.locked()  # the abandoned call still holds the engine
    stuck.set()
    assert run_interruptible(lambda: "next", lambda: None, lock=lock) == "next"
