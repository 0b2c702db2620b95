"""The REPL driven in-process by keys: prompt_toolkit's pipe input and DummyOutput."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from repl_helpers import ALT_ENTER, CTRL_C, CTRL_D, ENTER, F2, F3, F4, TAB, drive

from npql.repl.app import GOODBYE, Repl
from npql.repl.toolbar import toolbar

MakeRepl = Callable[..., Repl]


def buffer_text(repl: Repl, seen: list[str]) -> Callable[[], None]:
    """A probe step: record the input line as it is now."""
    return lambda: seen.append(repl.session.default_buffer.text)


def test_tab_completes_a_label_value_and_the_query_runs(make_repl: MakeRepl) -> None:
    repl = make_repl(complete_while_typing=False)
    seen: list[str] = []
    run = drive(repl, ["who can reach app=ba", TAB, buffer_text(repl, seen), ":80", ENTER, CTRL_D])
    assert seen == ["who can reach app=backend"]
    assert "default/frontend[Deployment] -> default/backend[Deployment] : TCP 80" in run.output
    assert run.output.endswith(GOODBYE + "\n") and run.exit_code == 0


def test_tab_with_the_menu_open_while_typing(make_repl: MakeRepl) -> None:
    repl = make_repl(complete_while_typing=True)
    seen: list[str] = []
    drive(repl, ["who can reach pod default/fr", TAB, buffer_text(repl, seen), CTRL_D])
    assert seen == ["who can reach pod default/frontend"]


def test_enter_on_a_selected_completion_takes_it_and_does_not_submit(make_repl: MakeRepl) -> None:
    repl = make_repl(complete_while_typing=False)
    seen: list[str] = []
    run = drive(repl, ["who can reach app=", TAB, TAB, ENTER, buffer_text(repl, seen), CTRL_D])
    assert seen and seen[0] in {"who can reach app=backend", "who can reach app=frontend"}
    assert "source(s)" not in run.output


def test_invalid_input_is_not_submitted_and_the_cursor_moves_to_the_error(
    make_repl: MakeRepl,
) -> None:
    repl = make_repl()
    seen: list[str] = []
    where: list[int] = []

    def probe() -> None:
        seen.append(repl.session.default_buffer.text)
        where.append(repl.session.default_buffer.cursor_position)
        error = repl.session.default_buffer.validation_error
        seen.append(error.message if error else "")

    run = drive(repl, ["whoo can reach app=backend", ENTER, probe, CTRL_C, CTRL_D])
    assert seen[0] == "whoo can reach app=backend"
    assert seen[1].startswith("unknown statement 'whoo'") and "did you mean 'who'" in seen[1]
    assert where == [0]
    assert "source(s)" not in run.output


def test_validation_points_at_the_failing_column(make_repl: MakeRepl) -> None:
    repl = make_repl()
    where: list[int] = []
    probe = lambda: where.append(repl.session.default_buffer.cursor_position)  # noqa: E731
    drive(repl, ["who can reach app=backend:", ENTER, probe, CTRL_C, CTRL_D])
    assert where == [len("who can reach app=backend:")]


def test_ctrl_c_clears_the_line_and_never_exits(make_repl: MakeRepl) -> None:
    repl = make_repl()
    seen: list[str] = []
    run = drive(repl, ["who can", CTRL_C, buffer_text(repl, seen), CTRL_C, CTRL_C, CTRL_D])
    assert seen == [""]
    assert run.exit_code == 0 and run.output == GOODBYE + "\n"


def test_exit_words_leave(make_repl: MakeRepl) -> None:
    for word in ("exit", "quit", "\\q"):
        run = drive(make_repl(), [word, ENTER])
        assert run.output == GOODBYE + "\n", word


def test_multi_line_mode_submits_on_semicolon(make_repl: MakeRepl) -> None:
    repl = make_repl(multi_line=True)
    seen: list[str] = []
    steps = ["who can reach app=backend", ENTER, "what can app=frontend reach", ENTER]
    steps += [buffer_text(repl, seen), ";", ENTER, CTRL_D]
    run = drive(repl, steps)
    assert seen == ["who can reach app=backend\nwhat can app=frontend reach\n"]
    assert "1 source(s) can reach: app=backend" in run.output
    assert "3 destination(s): what can app=frontend reach" in run.output


def test_multi_line_mode_submits_on_a_blank_line(make_repl: MakeRepl) -> None:
    run = drive(make_repl(multi_line=True), ["connectivity", ENTER, ENTER, CTRL_D])
    assert "default/frontend[Deployment] => default/backend[Deployment]" in run.output


def test_f3_toggles_multi_line_and_alt_enter_adds_a_line(make_repl: MakeRepl) -> None:
    repl = make_repl(multi_line=False)
    seen: list[str] = []
    steps = [F3, "connectivity", ENTER, buffer_text(repl, seen), F3, ENTER]
    steps += ["who can reach app=backend", ALT_ENTER, buffer_text(repl, seen), CTRL_C, CTRL_D]
    run = drive(repl, steps)
    assert seen == ["connectivity\n", "who can reach app=backend\n"]
    assert "=> default/backend[Deployment]" in run.output
    assert repl.state.settings.multi_line is False


def test_f2_and_f4_toggle_completion_and_vi(make_repl: MakeRepl) -> None:
    repl = make_repl()
    drive(repl, [F2, F4, CTRL_D])
    assert repl.state.settings.complete_while_typing is False
    assert repl.state.settings.vi is True


def test_meta_commands_run_in_the_repl(make_repl: MakeRepl) -> None:
    run = drive(make_repl(), ["\\o json", ENTER, "can app=frontend reach app=backend:80", ENTER])
    assert '"verdict": "allowed"' in run.output


def test_errors_are_printed_and_the_session_goes_on(make_repl: MakeRepl) -> None:
    run = drive(make_repl(), ["who can reach pod default/nope", ENTER, "\\nope", ENTER])
    assert "error: no pod or workload named default/nope" in run.output
    assert "error: unknown command '\\nope'" in run.output


def test_timing_prints_the_time(make_repl: MakeRepl) -> None:
    run = drive(make_repl(timing=True), ["connectivity", ENTER])
    assert "Time: " in run.output


def test_history_is_written_to_the_xdg_state_dir(make_repl: MakeRepl, isolated_home: Path) -> None:
    drive(make_repl(), ["connectivity", ENTER])
    history = isolated_home / ".local" / "state" / "npql" / "history"
    assert "+connectivity" in history.read_text()
    repl = make_repl()
    seen: list[str] = []
    drive(repl, ["\x1b[A", buffer_text(repl, seen), CTRL_C, CTRL_D])  # Up: the last entry
    assert seen == ["connectivity"]


def test_toolbar_shows_size_toggles_and_last_time(make_repl: MakeRepl) -> None:
    repl = make_repl()
    drive(repl, ["connectivity", ENTER])
    text = "".join(fragment[1] for fragment in toolbar(repl.state))
    assert "1 ns · 2 pods · 1 policy" in text
    assert "[F2] completion: on" in text and "[F3] multi-line: off" in text
    assert "[F4] emacs" in text and "last: " in text
