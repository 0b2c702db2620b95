"""The prompt_toolkit Completer: a thin wrapper over ``suggest`` (and paths for ``\\load``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from prompt_toolkit.completion import CompleteEvent, Completer, Completion, PathCompleter
from prompt_toolkit.document import Document

from npql.repl.catalog import Catalog
from npql.repl.suggest import CommandHint, path_argument, suggest


class NpqlCompleter(Completer):
    """Completions from the grammar and the live cluster's catalog."""

    def __init__(self, catalog: Callable[[], Catalog], commands: Sequence[CommandHint]) -> None:
        self.catalog = catalog
        self.commands = tuple(commands)
        self._paths = PathCompleter(expanduser=True)

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        """Completions for the text before the cursor."""
        path = path_argument(document.current_line_before_cursor, self.commands)
        if path is not None:
            yield from self._paths.get_completions(Document(path), complete_event)
            return
        if not complete_event.completion_requested and not document.current_line.strip():
            return  # nothing typed on this line yet: no menu until Tab
        for found in suggest(document.text_before_cursor, self.catalog(), self.commands):
            yield Completion(
                found.text,
                start_position=-found.replace,
                display_meta=found.meta or found.kind,
            )
