"""The Lark parser for the query language, built once from ``grammar/npql.lark``."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from lark import Lark

GRAMMAR_NAME = "npql.lark"


def grammar_text() -> str:
    """The grammar's text: shipped in the wheel as ``npql/grammar``, else found in the repo."""
    shipped = resources.files("npql") / "grammar" / GRAMMAR_NAME
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    in_tree = Path(__file__).resolve().parents[3] / "grammar" / GRAMMAR_NAME
    return in_tree.read_text(encoding="utf-8")


def build_parser() -> Lark:
    """A fresh LALR parser with a contextual lexer and token positions."""
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
        # Reuse the built LALR tables across processes (a file in the temp dir, keyed by the
        # grammar's hash): saves about 0.1 s per command.
        cache=True,
    )


@lru_cache(maxsize=1)
def get_parser() -> Lark:
    """The shared parser (built on first use)."""
    return build_parser()
