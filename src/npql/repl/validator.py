"""Validation on Enter: a statement that does not parse is not submitted; the cursor moves to
the failing column and the toolbar shows the message and what was expected there."""

from __future__ import annotations

from prompt_toolkit.document import Document
from prompt_toolkit.validation import ValidationError, Validator

from npql.errors import QueryError
from npql.query import parse
from npql.repl.session import is_command

MAX_EXPECTED = 8


def one_line(exc: QueryError, limit: int = MAX_EXPECTED) -> str:
    """The message and the hint, else what was expected (a toolbar has one line)."""
    if exc.hint:
        return f"{exc.message}: {exc.hint}"
    if not exc.expected:
        return exc.message
    expected = sorted(exc.expected)
    shown = ", ".join(expected[:limit]) + (", ..." if len(expected) > limit else "")
    return f"{exc.message}; expected {shown}"


class NpqlValidator(Validator):
    """Parses the input; backslash commands and blank input always pass."""

    def validate(self, document: Document) -> None:
        """Raise ValidationError at the failing column."""
        text = document.text
        if not text.strip() or is_command(text):
            return
        try:
            parse(text)
        except QueryError as exc:
            row = min(max(exc.line - 1, 0), document.line_count - 1)
            column = max(exc.column - 1, 0)
            index = document.translate_row_col_to_index(row, column)
            raise ValidationError(cursor_position=index, message=one_line(exc)) from None
