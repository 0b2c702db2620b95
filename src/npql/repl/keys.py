"""Key bindings: F2 completion while typing, F3 multi-line, F4 vi/emacs, Alt-Enter newline,
Enter accepting a selected completion, Ctrl-P/Ctrl-N stepping through history by entry."""

from __future__ import annotations

from prompt_toolkit.application import get_app
from prompt_toolkit.enums import EditingMode
from prompt_toolkit.filters import Condition, completion_is_selected, has_completions
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

from npql.repl.config import Settings
from npql.repl.session import is_command


def ready_to_submit(text: str) -> bool:
    """In multi-line mode, Enter submits after ``;``, on a blank line, or for a command."""
    stripped = text.strip()
    return (
        not stripped
        or is_command(stripped)
        or stripped.endswith(";")
        or text.rstrip(" \t").endswith("\n")
    )


def multiline_filter(settings: Settings) -> Condition:
    """True while Enter should insert a newline instead of submitting."""

    @Condition
    def typing_more() -> bool:
        return settings.multi_line and not ready_to_submit(get_app().current_buffer.text)

    return typing_more


def key_bindings(settings: Settings) -> KeyBindings:
    """The REPL's bindings; they flip ``settings`` so the toolbar shows the new state."""
    kb = KeyBindings()

    @kb.add("f2")
    def _completion(event: KeyPressEvent) -> None:
        """Toggle completion while typing."""
        settings.complete_while_typing = not settings.complete_while_typing

    @kb.add("f3")
    def _multi_line(event: KeyPressEvent) -> None:
        """Toggle multi-line mode."""
        settings.multi_line = not settings.multi_line

    @kb.add("f4")
    def _vi(event: KeyPressEvent) -> None:
        """Toggle vi and emacs editing."""
        settings.vi = not settings.vi
        event.app.editing_mode = EditingMode.VI if settings.vi else EditingMode.EMACS

    @kb.add("escape", "enter")
    def _newline(event: KeyPressEvent) -> None:
        """Alt-Enter: a new line, in either mode."""
        event.current_buffer.insert_text("\n")

    @kb.add("enter", filter=completion_is_selected)
    def _accept_completion(event: KeyPressEvent) -> None:
        """Enter on a selected completion takes it (a second Enter submits)."""
        event.current_buffer.complete_state = None

    @kb.add("c-p", filter=~has_completions)
    def _previous(event: KeyPressEvent) -> None:
        """The previous history entry (whole entries, also multi-line ones)."""
        event.current_buffer.history_backward(count=event.arg)

    @kb.add("c-n", filter=~has_completions)
    def _next(event: KeyPressEvent) -> None:
        """The next history entry."""
        event.current_buffer.history_forward(count=event.arg)

    return kb
