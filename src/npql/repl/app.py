"""The interactive REPL: a prompt_toolkit PromptSession around ``session.execute``."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory, DynamicAutoSuggest
from prompt_toolkit.completion import Completer, DynamicCompleter, ThreadedCompleter
from prompt_toolkit.enums import EditingMode
from prompt_toolkit.filters import Condition, has_focus, is_done
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.layout.processors import (
    ConditionalProcessor,
    HighlightMatchingBracketProcessor,
)
from prompt_toolkit.lexers import PygmentsLexer
from prompt_toolkit.output import Output
from prompt_toolkit.styles import BaseStyle, Style, merge_styles, style_from_pygments_cls
from pygments.styles import get_style_by_name
from pygments.util import ClassNotFound

from npql.api import Answer
from npql.query import expected_tokens
from npql.repl import commands
from npql.repl.completer import NpqlCompleter
from npql.repl.config import history_path
from npql.repl.keys import key_bindings, multiline_filter
from npql.repl.lexer import NpqlLexer
from npql.repl.output import pager_command, show, use_colour
from npql.repl.session import (
    ExitRepl,
    Outcome,
    SessionState,
    error_text,
    execute,
)
from npql.repl.toolbar import toolbar
from npql.repl.validator import NpqlValidator
from npql.repl.worker import Abandoned, run_interruptible

PROMPT = "npql> "
GOODBYE = "Goodbye!"
UI_STYLE = {
    "bottom-toolbar": "bg:#222222 #aaaaaa noreverse",
    "bottom-toolbar.key": "bg:#222222 #ffffff bold",
    "bottom-toolbar.size": "bg:#005f87 #ffffff",
    "bottom-toolbar.status": "bg:#5f8700 #ffffff",
    "bottom-toolbar.unknown": "bg:#af8700 #000000",
    "validation-toolbar": "bg:#870000 #ffffff",
    "matching-bracket.cursor": "bg:#5f5f5f #ffffff",
    "matching-bracket.other": "bg:#5f5f5f #ffffff",
}


def warm_up() -> None:
    """Build the parser before the first key press needs it (it takes a moment)."""
    expected_tokens("")


def continuation(width: int, line_number: int, is_soft_wrap: int) -> StyleAndTextTuples:
    """``   ...> `` under ``npql> ``."""
    return [("class:continuation", "...> ".rjust(width))]


class Repl:
    """One interactive session. ``input``/``output`` default to the terminal."""

    def __init__(
        self,
        state: SessionState,
        stdout: TextIO | None = None,
        *,
        input: Input | None = None,
        output: Output | None = None,
        history: History | None = None,
        threaded_completion: bool = True,
        paging: bool | None = None,
    ) -> None:
        self.state = state
        self.stdout = stdout or sys.stdout
        self.colour = use_colour()
        self.paging = self.stdout.isatty() if paging is None else paging
        self.completer = self._completer()
        self.threaded_completion = threaded_completion
        self.session: PromptSession[str] = self._session(input, output, history)
        state.on_change = self.session.app.invalidate
        threading.Thread(target=warm_up, name="npql-warm-up", daemon=True).start()

    # ------------------------------------------------------------------------------ building

    def _completer(self) -> Completer:
        return NpqlCompleter(lambda: self.state.catalog, commands.hints())

    def _session(
        self, input: Input | None, output: Output | None, history: History | None
    ) -> PromptSession[str]:
        settings = self.state.settings
        dynamic = DynamicCompleter(lambda: self.completer)
        return PromptSession(
            PROMPT,
            input=input,
            output=output,
            lexer=PygmentsLexer(NpqlLexer),
            completer=ThreadedCompleter(dynamic) if self.threaded_completion else dynamic,
            complete_while_typing=Condition(lambda: settings.complete_while_typing),
            auto_suggest=DynamicAutoSuggest(
                lambda: AutoSuggestFromHistory() if settings.auto_suggest else None
            ),
            validator=NpqlValidator(),
            validate_while_typing=False,
            history=history or self._history(),
            search_ignore_case=True,
            enable_history_search=False,
            multiline=multiline_filter(settings),
            prompt_continuation=continuation,
            key_bindings=key_bindings(settings),
            editing_mode=EditingMode.VI if settings.vi else EditingMode.EMACS,
            bottom_toolbar=lambda: toolbar(self.state),
            style=self._style(),
            include_default_pygments_style=False,
            input_processors=[
                ConditionalProcessor(
                    HighlightMatchingBracketProcessor(chars="(){}"),
                    has_focus("DEFAULT_BUFFER") & ~is_done,
                )
            ],
            enable_open_in_editor=True,
        )

    def _history(self) -> History:
        path = history_path(self.state.settings)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return InMemoryHistory()
        return FileHistory(str(path))

    def _style(self) -> BaseStyle:
        try:
            pygments_style = get_style_by_name(self.state.settings.syntax_style)
        except ClassNotFound:
            pygments_style = get_style_by_name("default")
        return merge_styles([style_from_pygments_cls(pygments_style), Style.from_dict(UI_STYLE)])

    # ------------------------------------------------------------------------------ running

    def run(self) -> int:
        """Prompt, answer, repeat; Ctrl-C clears the line, Ctrl-D or ``\\q`` leaves."""
        while True:
            try:
                text = self.session.prompt()
            except KeyboardInterrupt:
                continue
            except EOFError:
                break
            try:
                self.handle(text)
            except ExitRepl:
                break
        self._stop_watch()
        self.stdout.write(GOODBYE + "\n")
        self.stdout.flush()
        return 0

    def handle(self, text: str) -> None:
        """Answer one entry and show what it produced."""
        if not text.strip():
            return
        try:
            for outcome in execute(self.state, text, self._run_query):
                self._show(outcome)
        except Abandoned:
            self._print_error("stopped waiting; the query ends in the background")
        except KeyboardInterrupt:
            self._print_error("interrupted")

    def _run_query(self, fn: Callable[[], Answer]) -> Answer:
        if self.state.engine_lock.locked():
            self._say("waiting for the previous query to end (Ctrl-C interrupts it)")
        return run_interruptible(
            fn,
            self.state.cluster.interrupt,
            lock=self.state.engine_lock,
            on_first_interrupt=self._interrupting,
        )

    def _interrupting(self) -> None:
        self._say("interrupting... (Ctrl-C again to stop waiting)")

    def _say(self, message: str) -> None:
        self.stdout.write(message + "\n")
        self.stdout.flush()

    def _show(self, outcome: Outcome) -> None:
        if outcome.text:
            pager = pager_command(self.state.settings.pager) if self._pages() else None
            show(outcome.text, self.stdout, colour=self.colour, pager=pager)
        if outcome.error:
            self._print_error(error_text(outcome).rstrip("\n"), prefixed=True)
        if self.state.settings.timing and outcome.seconds is not None:
            self.stdout.write(f"Time: {outcome.seconds:.3f}s\n")
            self.stdout.flush()

    def _pages(self) -> bool:
        return self.paging and self.state.settings.enable_pager

    def _print_error(self, message: str, *, prefixed: bool = False) -> None:
        text = message if prefixed else f"error: {message}"
        show(text + "\n", self.stdout, colour=self.colour, pager=None)

    def _stop_watch(self) -> None:
        if self.state.watcher is not None:
            self.state.watcher.stop()
