"""The bottom toolbar: cluster size, F-key toggles, the last solve time and status messages."""

from __future__ import annotations

from prompt_toolkit.formatted_text import StyleAndTextTuples

from npql.repl.session import SessionState

Fragments = StyleAndTextTuples


def _toggle(key: str, label: str, on: bool) -> Fragments:
    return [("class:bottom-toolbar.key", f" [{key}] "), ("", f"{label}: {'on' if on else 'off'}")]


def toolbar(state: SessionState) -> Fragments:
    """Formatted text (style, text) pairs for prompt_toolkit's bottom toolbar."""
    settings = state.settings
    out: Fragments = [("class:bottom-toolbar.size", f" {state.size()} ")]
    out += _toggle("F2", "completion", settings.complete_while_typing)
    out += _toggle("F3", "multi-line", settings.multi_line)
    out += [("class:bottom-toolbar.key", " [F4] "), ("", "vi" if settings.vi else "emacs")]
    out += _last(state)
    if state.status:
        out += [("", "  "), ("class:bottom-toolbar.status", f" {state.status} ")]
    return out


def _last(state: SessionState) -> Fragments:
    if state.last_seconds is None:
        return []
    text = f"  last: {state.last_seconds * 1000:.0f} ms"
    if state.last_verdict == "unknown":
        return [("", text), ("class:bottom-toolbar.unknown", " UNKNOWN ")]
    return [("", text)]
