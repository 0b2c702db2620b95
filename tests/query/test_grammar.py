"""The grammar file itself: one source, conflict-free, every terminal readable."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import lark
import pytest

from npql.query.ast import KEYWORDS
from npql.query.grammar import build_parser, get_parser, grammar_text
from npql.query.parser import STATEMENT_KEYWORDS, TERMINAL_WORDS, describe, expected_tokens

REPO = Path(__file__).resolve().parents[2]


def test_grammar_comes_from_the_repo_file() -> None:
    assert grammar_text() == (REPO / "grammar" / "npql.lark").read_text(encoding="utf-8")


def test_parser_is_built_once() -> None:
    assert get_parser() is get_parser()


def test_no_lalr_conflicts(caplog: pytest.LogCaptureFixture) -> None:
    previous = lark.logger.level
    lark.logger.setLevel(logging.DEBUG)
    try:
        with caplog.at_level(logging.DEBUG, logger="lark"):
            build_parser()
    finally:
        lark.logger.setLevel(previous)
    assert "conflict" not in caplog.text.lower()


def test_keyword_terminals_match_ast_keywords() -> None:
    names = {t.name for t in get_parser().terminals}
    keyword_terminals = {n.lower() for n in names if n.lower() in KEYWORDS}
    # 'in' and 'notin' also appear inside the IN_PAREN / NOTIN_PAREN terminals.
    assert keyword_terminals | {"notin"} == KEYWORDS
    texts = re.findall(r"^([A-Z]+)\.2: /(\w+)\(", grammar_text(), flags=re.MULTILINE)
    assert {word for _, word in texts} | {"notin"} == KEYWORDS


def test_every_terminal_has_a_readable_word() -> None:
    ignored = {"WS", "COMMENT"}
    for terminal in get_parser().terminals:
        if terminal.name in ignored:
            continue
        assert describe([terminal.name]), terminal.name
    assert describe(["$END"]) == {"end of query"}
    assert set(TERMINAL_WORDS) - {"$END"} <= {t.name for t in get_parser().terminals}


def test_lark_is_imported_only_by_the_query_package() -> None:
    for path in (REPO / "src" / "npql").rglob("*.py"):
        if "query" in path.relative_to(REPO / "src" / "npql").parts[:1]:
            continue
        assert not re.search(r"^\s*(from|import)\s+lark\b", path.read_text(), re.MULTILINE), path


def test_grammar_documents_every_statement_and_endpoint() -> None:
    header = "".join(line for line in grammar_text().splitlines(True) if line.startswith("//"))
    for form in [
        "who can reach",
        "what can",
        "can SOURCE reach",
        "connectivity",
        "all pods",
        "pod NS/NAME",
        "ns NAME",
        "any pod",
        "svc NS/NAME",
        "ip ADDR",
        "cidr NET",
        "internet",
        "$name",
        "in ns with",
        "in any namespace",
        ":8000-8080",
        "outside ns NAME",
        "who could reach",
        "why can A reach",
        "why can't A reach",
        "why cannot",
        "why not",
        "is ENDPOINT isolated [for ingress|egress]",
        "policies selecting ENDPOINT",
        "pods selected by policy NS/NAME",
        "describe policy NS/NAME",
        "show KIND [with SELECTOR] [SCOPE]",
        "let NAME = ENDPOINT",
        "exposure [of ENDPOINT]",
        "assume no ns with SELECTOR",
        "assume no pod with SELECTOR [SCOPE]",
        "assert can A reach",
        "assert cannot A reach",
        "assert ENDPOINT is [not] isolated",
        "assert only ALLOWED can reach",
        "lint",
        "redundant rules [for any pod]",
    ]:
        assert form in header, form


def test_statement_keywords_are_exactly_the_statement_starts() -> None:
    assert expected_tokens("") == {*STATEMENT_KEYWORDS, "end of query"}


def test_cant_lexes_as_one_token() -> None:
    for text in ("why can't a reach b", "why CAN\u2019T a reach b", "assert can't a reach b"):
        tree = get_parser().parse(text)
        types = {t.type for t in tree.scan_values(lambda v: isinstance(v, lark.Token))}
        assert "CANT" in types and "CAN" not in types
