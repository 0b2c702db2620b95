"""Parse query text into AST nodes, with errors that point at the place and say what fits there."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from copy import copy
from typing import Any

from lark import Token, UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.exceptions import VisitError

from npql.errors import QueryError, QuerySyntaxError
from npql.query.ast import KEYWORDS, Script, Statement
from npql.query.grammar import get_parser
from npql.query.transform import PORT_HINT, LocatedStatement, ToAst

STATEMENT_KEYWORDS = ("who", "what", "can", "connectivity")
_STATEMENT_TERMINALS = frozenset(word.upper() for word in STATEMENT_KEYWORDS)
_ENDPOINT_TERMINALS = frozenset({"KEY", "POD", "NS", "ANY", "ALL", "IP", "INTERNET"})
END = "end of query"
UNTERMINATED = "'\"': the quoted string is not closed on its line"

#: Readable words for the grammar's terminals; keyword terminals read as their keyword.
TERMINAL_WORDS: dict[str, str] = {
    "KEY": "<label key>",
    "VALUE": "<label value>",
    "STRING": "<quoted string>",
    "NS_NAME": "<namespace>",
    "REF": "<namespace/name>",
    "ADDR": "<ip address>",
    "VAR": "<$variable>",
    "PORT": "<port>",
    "PROTO": "<protocol>",
    "STAR": "*",
    "IN_PAREN": "in (",
    "NOTIN_PAREN": "notin (",
    "_EQ": "=",
    "_EQEQ": "==",
    "_NEQ": "!=",
    "_BANG": "!",
    "_COMMA": ",",
    "_COLON": ":",
    "_SLASH": "/",
    "_RPAR": ")",
    "_LBRACE": "{",
    "_RBRACE": "}",
    "_SEP": END,
    "$END": END,
}

_OPERATORS = frozenset({"=", "==", "!=", "in (", "notin ("})
_NAMED_THINGS = frozenset({"<namespace>", "<namespace/name>", "<ip address>", "pods", "pod"})
_SYNONYMS = {"namespace": "ns", "service": "svc", "external": "internet", "==": "="}
_TRAILING_WORD = re.compile(r"[-\w.$]+\Z")
_WORD_AT = re.compile(r"[-\w.$]+")
_UNTERMINATED = re.compile(r'"([^"\\\n]|\\.)*(\n|\Z)')
_LAST_WORD = re.compile(r"([-\w.$]+|\S)\s*\Z")


# ------------------------------------------------------------------------------------ public


def parse(text: str) -> Script:
    """Parse a script: statements separated by ';' or new lines, '#' comments, blank lines."""
    located = _parse_located(text)
    return Script(tuple(item.statement for item in located), tuple(item.line for item in located))


def parse_statement(text: str) -> Statement:
    """Parse exactly one statement (comments and a trailing ';' are fine)."""
    located = _parse_located(text)
    if not located:
        raise QuerySyntaxError(
            "empty query: expected a statement",
            text,
            *_end_position(text),
            expected=frozenset(STATEMENT_KEYWORDS),
        )
    if len(located) > 1:
        extra = located[1]
        raise QuerySyntaxError(
            f"expected one statement, found {len(located)}",
            text,
            extra.line,
            extra.column,
            hint="run the statements one at a time, or parse them as a script",
        )
    return located[0].statement


def expected_tokens(text_before_cursor: str) -> frozenset[str]:
    """What may come next after ``text_before_cursor``, for completion.

    Keywords read as themselves ("reach"), other terminals as placeholders ("<label key>",
    "<port>") or punctuation ("=", ":"); "end of query" when the statement may end there.
    When the text ends inside a word, the set also holds what may stand at that word's start
    (the candidates for completing it). Text that cannot begin a query gives an empty set.
    """
    found: set[str] = set()
    after = _accepts_after(text_before_cursor)
    if after is not None:
        found |= after
    word = _TRAILING_WORD.search(text_before_cursor)
    if word is not None:
        before = _accepts_after(text_before_cursor[: word.start()])
        if before is not None:
            found |= before
    return describe(found)


def describe(terminals: Iterable[str], *, for_error: bool = False) -> frozenset[str]:
    """Readable words for terminal names; ``for_error`` folds synonyms into a small set."""
    words = {_terminal_word(name) for name in terminals}
    words.discard("")
    return frozenset(_compact(words) if for_error else words)


# ------------------------------------------------------------------------------------ parsing


def _parse_located(text: str) -> list[LocatedStatement]:
    try:
        tree = get_parser().parse(text)
    except UnexpectedInput as exc:
        raise syntax_error(text, exc) from None
    try:
        located: list[LocatedStatement] = ToAst(text).transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, QueryError):
            raise exc.orig_exc from None
        raise
    return located


def _accepts_after(text: str) -> set[str] | None:
    """The terminals the parser accepts after ``text``, or None when ``text`` does not lex/parse."""
    interactive = get_parser().parse_interactive(text)
    try:
        interactive.exhaust_lexer()
    except UnexpectedInput:
        return None
    accepted: set[str] = interactive.accepts()  # type: ignore[no-untyped-call]
    return accepted


def _terminal_word(name: str) -> str:
    if name in TERMINAL_WORDS:
        return TERMINAL_WORDS[name]
    word = name.lower()
    return word if word in KEYWORDS else ""


def _compact(words: set[str]) -> set[str]:
    """Fold synonyms and alternatives so an error lists only what a reader needs."""
    out = {_SYNONYMS.get(word, word) for word in words}
    if "<label key>" in out and "!" in out:
        out -= {"<label key>", "!", "{"}
        out.add("<label selector>")
    if len(out) > 1:
        out.discard("<quoted string>")
    if out & _NAMED_THINGS:
        out -= _OPERATORS
    if "<port>" in out:
        out.discard("*")
    return out


# ------------------------------------------------------------------------------------ errors


def syntax_error(text: str, exc: UnexpectedInput) -> QuerySyntaxError:
    """A QuerySyntaxError for a Lark error: position, readable expected set and a hint."""
    expected = _expected_terminals(exc)
    line, column, pos, found = _where(text, exc)
    unknown = _unknown_statement(text, pos, line, column, expected)
    if unknown is not None:
        return unknown
    return QuerySyntaxError(
        f"unexpected {found}",
        text,
        line,
        column,
        expected=describe(expected, for_error=True),
        hint='close the string with "'
        if found == UNTERMINATED
        else _hint(text, pos, expected, exc),
    )


def _expected_terminals(exc: UnexpectedInput) -> set[str]:
    """Terminal names the parser would accept where the error happened."""
    state = getattr(exc, "state", None)
    if hasattr(state, "position") and hasattr(state, "parse_conf"):
        return _accepted(state)
    if isinstance(exc, UnexpectedToken):
        return set(exc.expected)
    if isinstance(exc, UnexpectedCharacters):
        return set(exc.allowed or ())
    return set()


def _accepted(state: Any) -> set[str]:
    """Terminals a Lark LALR ParserState can take next (trying each, as Lark's accepts() does).

    The parse table alone over-promises: LALR merges lookaheads of states with equal cores.
    """
    conf = copy(state.parse_conf)
    conf.callbacks = {}
    accepted: set[str] = set()
    for name in conf.states[state.position]:
        if not name.isupper():
            continue
        trial = state.copy(deepcopy_values=False)
        trial.parse_conf = conf
        try:
            trial.feed_token(Token(name, ""))
        except UnexpectedToken:
            continue
        accepted.add(name)
    return accepted


def _where(text: str, exc: UnexpectedInput) -> tuple[int, int, int, str]:
    """(line, column, offset, description) of what the parser stumbled on."""
    if isinstance(exc, UnexpectedToken) and isinstance(exc.token, Token):
        return _token_where(text, exc.token)
    pos = exc.pos_in_stream if isinstance(exc.pos_in_stream, int) else len(text)
    line, column = _line_column(text, pos)
    if pos >= len(text):
        return line, column, pos, END
    if _UNTERMINATED.match(text, pos):
        return line, column, pos, UNTERMINATED
    word = _WORD_AT.match(text, pos)
    found = f"{word.group()!r}" if word else f"character {text[pos]!r}"
    return line, column, pos, found


def _token_where(text: str, token: Token) -> tuple[int, int, int, str]:
    if token.type == "$END":
        if token.end_line is not None and token.end_column is not None:
            return token.end_line, token.end_column, len(text), END
        return (*_end_position(text), len(text), END)
    line, column = token.line or 1, token.column or 1
    pos = token.start_pos if token.start_pos is not None else len(text)
    if token.type == "_SEP":
        return line, column, pos, "end of line" if token == "\n" else "';'"
    shown = str(token) if len(token) <= 40 else str(token)[:37] + "..."
    return line, column, pos, repr(shown)


def _end_position(text: str) -> tuple[int, int]:
    """Line and column just after the last character that is neither space nor comment."""
    body = re.sub(r"#[^\n]*", lambda m: " " * len(m.group()), text).rstrip()
    return _line_column(text, len(body))


def _line_column(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def _unknown_statement(
    text: str, pos: int, line: int, column: int, expected: set[str]
) -> QuerySyntaxError | None:
    """'unknown statement' when a statement starts with a word that is not a statement keyword."""
    if not expected >= _STATEMENT_TERMINALS:
        return None
    word = _WORD_AT.match(text, pos)
    if word is None:
        return None
    close = difflib.get_close_matches(word.group().lower(), STATEMENT_KEYWORDS, n=1)
    return QuerySyntaxError(
        f"unknown statement {word.group()!r}",
        text,
        line,
        column,
        expected=frozenset(STATEMENT_KEYWORDS),
        hint=f"did you mean {close[0]!r}?" if close else None,
    )


# ------------------------------------------------------------------------------------ hints


def _hint(text: str, pos: int, expected: set[str], exc: UnexpectedInput) -> str | None:
    """A sentence that tells how to go on, when the situation is a common one."""
    previous = _previous_word(text, pos)
    statement = _statement_word(text, pos)
    if expected >= _ENDPOINT_TERMINALS:
        if previous == "reach":
            return "expected a target endpoint after 'reach'"
        if previous == "can":
            return "expected a source endpoint after 'can'"
        return None
    if "REACH" in expected and statement in _STATEMENT_FORMS:
        return f"write {_STATEMENT_FORMS[statement]!r}"
    return _terminal_hint(expected, previous) or _extra_hint(expected, exc)


_STATEMENT_FORMS = {
    "who": "who can reach TARGET[:PORT]",
    "what": "what can SOURCE reach",
    "can": "can SOURCE reach TARGET[:PORT]",
}


def _terminal_hint(expected: set[str], previous: str) -> str | None:
    if "PORT" in expected:
        return PORT_HINT
    if "PROTO" in expected:
        return "the protocol is tcp, udp or sctp"
    if "REF" in expected:
        kind = "svc" if previous in {"svc", "service"} else "pod"
        return f"write '{kind} NAMESPACE/NAME' (or '{kind} NAME' in namespace default)"
    if "ADDR" in expected:
        return "write 'ip 203.0.113.7' for an address or 'cidr 10.0.0.0/8' for a network"
    if "WITH" in expected and "NS_NAME" in expected:
        return "write 'in ns NAME[,NAME...]' or 'in ns with SELECTOR'"
    if "NS_NAME" in expected:
        return "write 'ns NAME'"
    if {"NS", "ANY"} <= expected and "KEY" not in expected:
        return "write 'in ns NAME', 'in ns with SELECTOR' or 'in any namespace'"
    if "VALUE" in expected:
        return 'write a label value after the operator; an empty value is written ""'
    return None


def _extra_hint(expected: set[str], exc: UnexpectedInput) -> str | None:
    """Hints for text after a complete endpoint or statement."""
    token = exc.token if isinstance(exc, UnexpectedToken) else None
    if token is None or token.type in {"$END", "_SEP"}:
        return None
    if "_COLON" in expected and str(token).isdecimal():
        return f"write the port after a colon, e.g. ':{token}'"
    if expected <= {"_SEP", "$END"}:
        return "separate statements with ';' or a new line"
    return None


def _previous_word(text: str, pos: int) -> str:
    before = re.sub(r"#[^\n]*", "", text[:pos])
    match = _LAST_WORD.search(before)
    return match.group(1).lower() if match else ""


def _statement_word(text: str, pos: int) -> str:
    """The first word (lowercase) of the statement that contains offset ``pos``."""
    start = max(text.rfind("\n", 0, pos), text.rfind(";", 0, pos)) + 1
    match = _WORD_AT.search(text, start)
    return match.group().lower() if match else ""
