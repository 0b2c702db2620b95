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

STATEMENT_KEYWORDS = (
    "who",
    "what",
    "can",
    "connectivity",
    "why",
    "is",
    "policies",
    "pods",
    "describe",
    "show",
    "let",
    "exposure",
    "assume",
    "assert",
    "lint",
    "redundant",
)
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
    "IDENT": "<name>",
    "CANT": "can't",
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
#: The singular kinds `show` takes besides the plurals (folded away in error messages).
_SHOW_SINGULARS = frozenset({"pod", "workload", "ns", "policy", "svc"})
# Words may hold an apostrophe, for `can't` (typewriter or typographic).
_TRAILING_WORD = re.compile(r"[-\w.$'\u2019]+\Z")
_WORD_AT = re.compile(r"[-\w.$'\u2019]+")
_UNTERMINATED = re.compile(r'"([^"\\\n]|\\.)*(\n|\Z)')
_LAST_WORD = re.compile(r"([-\w.$'\u2019]+|\S)\s*\Z")


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
    return _usable(text, len(text), accepted)


def _usable(text: str, pos: int, terminals: set[str]) -> set[str]:
    """``terminals`` less those the grammar takes only to reject them with a clear message.

    `outside ns with SELECTOR` parses so that it can be refused as such; it is not offered.
    """
    if "WITH" in terminals and _previous_words(text, pos)[:1] == ["outside"]:
        return terminals - {"WITH"}
    return terminals


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
    if "workloads" in out:
        out -= _SHOW_SINGULARS
    return out


# ------------------------------------------------------------------------------------ errors


def syntax_error(text: str, exc: UnexpectedInput) -> QuerySyntaxError:
    """A QuerySyntaxError for a Lark error: position, readable expected set and a hint."""
    line, column, pos, found = _where(text, exc)
    expected = _usable(text, pos, _expected_terminals(exc))
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
    words = _previous_words(text, pos)
    previous = words[-1] if words else ""
    if expected >= _ENDPOINT_TERMINALS:
        return _endpoint_hint(previous)
    statement = _statement_words(text, pos)
    form = _statement_form(statement, expected)
    hint = f"write {form}" if form is not None else _terminal_hint(expected, words)
    if hint is None and 0 < len(statement) <= 3 and statement[0] in _STATEMENT_FORMS:
        # Early in a statement: its wording is the likely mistake.
        hint = f"write {_STATEMENT_FORMS[statement[0]]}"
    return hint or _extra_hint(expected, exc)


def _endpoint_hint(previous: str) -> str | None:
    if previous == "reach":
        return "expected a target endpoint after 'reach'"
    if previous in {"can", "can't", "can\u2019t", "cannot", "not"}:
        return f"expected a source endpoint after {previous!r}"
    if previous == "only":
        return "expected the allowed sources after 'only'"
    if previous == "assert":
        return f"write {_ASSERT_FORMS}"
    if previous in {"is", "selecting", "of", "="}:
        return f"expected an endpoint after {previous!r}"
    return None


_WHO_FORMS = "'who can reach TARGET[:PORT]' or 'who could reach TARGET[:PORT]'"
_WHY_FORMS = "'why can SOURCE reach TARGET[:PORT]' or 'why can't SOURCE reach TARGET[:PORT]'"
_WHY_NOT_FORM = "'why can't SOURCE reach TARGET[:PORT]'"
_ASSERT_CAN_FORM = "'assert can SOURCE reach TARGET[:PORT]'"
_ASSERT_CANNOT_FORM = "'assert cannot SOURCE reach TARGET[:PORT]'"
_ASSERT_ISOLATED_FORM = "'assert ENDPOINT is [not] isolated [for ingress|egress]'"
_ASSERT_FORMS = (
    "'assert can|cannot SOURCE reach TARGET[:PORT]', 'assert only ALLOWED can reach TARGET' "
    f"or {_ASSERT_ISOLATED_FORM}"
)

#: How to write each statement, by its first word (or first two words), quoted for a hint.
_STATEMENT_FORMS = {
    "who": _WHO_FORMS,
    "who can": "'who can reach TARGET[:PORT]'",
    "who could": "'who could reach TARGET[:PORT]'",
    "what": "'what can SOURCE reach'",
    "can": "'can SOURCE reach TARGET[:PORT]'",
    "why": _WHY_FORMS,
    "why can": "'why can SOURCE reach TARGET[:PORT]'",
    "why can't": _WHY_NOT_FORM,
    "why can\u2019t": _WHY_NOT_FORM,
    "why cannot": _WHY_NOT_FORM,
    "why not": _WHY_NOT_FORM,
    "is": "'is ENDPOINT isolated [for ingress|egress]'",
    "policies": "'policies selecting ENDPOINT'",
    "pods": "'pods selected by policy NAMESPACE/NAME'",
    "describe": "'describe policy NAMESPACE/NAME'",
    "show": "'show pods|workloads|namespaces|policies|services [with SELECTOR] [SCOPE]'",
    "let": "'let NAME = ENDPOINT'",
    "exposure": "'exposure' or 'exposure of ENDPOINT'",
    "assume": "'assume no ns with SELECTOR' or 'assume no pod with SELECTOR [SCOPE]'",
    "assert": _ASSERT_FORMS,
    "assert can": _ASSERT_CAN_FORM,
    "assert cannot": _ASSERT_CANNOT_FORM,
    "assert can't": _ASSERT_CANNOT_FORM,
    "assert can\u2019t": _ASSERT_CANNOT_FORM,
    "assert only": "'assert only ALLOWED can reach TARGET[:PORT]'",
    "redundant": "'redundant rules' or 'redundant rules for any pod'",
}

#: Keywords that, when expected, mean the statement's own wording went wrong.
_FORM_TERMINALS = frozenset(
    {
        "REACH", "CAN", "COULD", "CANT", "CANNOT", "NOT", "IS", "ISOLATED", "FOR", "INGRESS",
        "EGRESS", "SELECTING", "SELECTED", "BY", "POLICY", "OF", "WORKLOADS", "IDENT", "NO",
        "RULES",
    }
)  # fmt: skip


def _statement_form(words: list[str], expected: set[str]) -> str | None:
    """How to write the statement that starts with ``words``, when its wording went wrong."""
    if not words or not expected & _FORM_TERMINALS:
        return None
    if words[0] == "assert" and expected & {"IS", "ISOLATED", "NOT"}:
        return _ASSERT_ISOLATED_FORM
    if len(words) > 1 and " ".join(words[:2]) in _STATEMENT_FORMS:
        return _STATEMENT_FORMS[" ".join(words[:2])]
    return _STATEMENT_FORMS.get(words[0])


def _terminal_hint(expected: set[str], words: list[str]) -> str | None:
    previous = words[-1] if words else ""
    scope_word = words[-2] if len(words) > 1 else ""
    if "PORT" in expected:
        return PORT_HINT
    if "PROTO" in expected:
        return "the protocol is tcp, udp or sctp"
    if "REF" in expected:
        kind = _REF_KINDS.get(previous, "pod")
        return f"write '{kind} NAMESPACE/NAME' (or '{kind} NAME' in namespace default)"
    if "ADDR" in expected:
        return "write 'ip 203.0.113.7' for an address or 'cidr 10.0.0.0/8' for a network"
    if "NS_NAME" in expected and (previous == "outside" or scope_word == "outside"):
        return "write 'outside ns NAME[,NAME...]'"
    if "WITH" in expected and "NS_NAME" in expected:
        return "write 'in ns NAME[,NAME...]' or 'in ns with SELECTOR'"
    if "NS_NAME" in expected:
        return "write 'ns NAME'"
    if "OUTSIDE" not in expected and previous == "outside":
        return "write 'outside ns NAME[,NAME...]'"
    if {"NS", "ANY"} <= expected and "KEY" not in expected:
        return "write 'in ns NAME', 'in ns with SELECTOR' or 'in any namespace'"
    if "VALUE" in expected:
        return 'write a label value after the operator; an empty value is written ""'
    return None


_REF_KINDS = {"svc": "svc", "service": "svc", "policy": "policy"}


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


def _previous_words(text: str, pos: int) -> list[str]:
    """The last two words (lowercase; a symbol counts as a word) before offset ``pos``."""
    before = re.sub(r"#[^\n]*", "", text[:pos])
    words: list[str] = []
    for _ in range(2):
        match = _LAST_WORD.search(before)
        if match is None:
            break
        words.insert(0, match.group(1).lower())
        before = before[: match.start()]
    return words


def _statement_words(text: str, pos: int) -> list[str]:
    """The words (lowercase) of the statement that contains offset ``pos``, up to ``pos``."""
    start = max(text.rfind("\n", 0, pos), text.rfind(";", 0, pos)) + 1
    return [word.lower() for word in _WORD_AT.findall(text, start, pos)]
