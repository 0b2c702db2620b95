"""A Pygments lexer for npql: keywords, selectors, operators, ports, addresses, strings, comments.

The keyword list comes from the query package, so new statements highlight without changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from pygments import lexer as pygments_lexer
from pygments.lexer import RegexLexer, words
from pygments.token import (
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
)

from npql.query.ast import KEYWORDS

#: ``pygments.lexer.bygroups`` (untyped upstream), typed for mypy --strict.
bygroups: Callable[..., Any] = pygments_lexer.bygroups
_WORD_END = r"(?![-\w./])"
_KEY = r"[A-Za-z0-9_.\-]+(?:/[A-Za-z0-9_.\-]+)?"
_VALUE = r"[A-Za-z0-9_.\-]+"
_STRING = r'"(?:[^"\\\n]|\\.)*"?'
_PORT = r"(:)(\s*)(\*|[A-Za-z0-9_\-]+)(?:(/)(tcp|udp|sctp)\b)?"
_ADDRESS = (
    r"(?:[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*|\d+\.\d+\.\d+\.\d+|\d+\.\d+\.\d+)(?:/\d+)?"
)


def _keywords() -> tuple[str, ...]:
    """Longest first, so ``pods`` wins over ``pod``."""
    return tuple(sorted(KEYWORDS | {"can't"}, key=lambda w: (-len(w), w)))


def _namespace_ref(lexer: RegexLexer, match: re.Match[str]) -> Iterator[tuple[int, object, str]]:
    """``ns NAME``: a namespace name, unless the word after ``ns`` is a keyword (``ns with``)."""
    name_token = Keyword if match.group(3).lower() in KEYWORDS else Name.Namespace
    yield match.start(1), Keyword, match.group(1)
    yield match.start(2), Whitespace, match.group(2)
    yield match.start(3), name_token, match.group(3)


class NpqlLexer(RegexLexer):
    """Highlights npql statements and REPL backslash commands."""

    name = "npql"
    aliases: ClassVar[list[str]] = ["npql"]
    filenames: ClassVar[list[str]] = ["*.npql"]
    flags = re.IGNORECASE | re.MULTILINE

    tokens: ClassVar[dict[str, list[object]]] = {
        "root": [
            (r"\s+", Whitespace),
            (r"#.*?$", Comment.Single),
            (r"^\\\S*", Name.Builtin),
            (_STRING, String.Double),
            (r"\$[A-Za-z_][A-Za-z0-9_]*", Name.Variable),
            (_PORT, bygroups(Punctuation, Whitespace, Number, Punctuation, Keyword.Type)),
            (
                rf"({_KEY})(\s*)(==|!=|=)(\s*)({_VALUE}|{_STRING})?",
                bygroups(Name.Attribute, Whitespace, Operator, Whitespace, String),
            ),
            (
                rf"({_KEY})(\s+)((?:not)?in)(\s*)(\()",
                bygroups(Name.Attribute, Whitespace, Operator.Word, Whitespace, Punctuation),
                "values",
            ),
            (
                rf"(pod|svc|service|policy)(\s+)({_KEY}){_WORD_END}",
                bygroups(Keyword, Whitespace, Name.Entity),
            ),
            (rf"(ns|namespace)(\s+)({_VALUE}){_WORD_END}", _namespace_ref),
            (_ADDRESS + _WORD_END, Number),
            (words(_keywords(), suffix=_WORD_END), Keyword),
            (r"!", Operator),
            (r"[*{}]", Operator),
            (r"[;,()/=]", Punctuation),
            (_KEY, Name.Attribute),
            (r".", Text),
        ],
        "values": [
            (r"\s+", Whitespace),
            (_VALUE, String),
            (_STRING, String.Double),
            (r",", Punctuation),
            (r"\)", Punctuation, "#pop"),
            (r"\n|.", Text, "#pop"),
        ],
    }
