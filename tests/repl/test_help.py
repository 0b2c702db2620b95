"""\\help: statement forms from the grammar header, examples from the docs or the table."""

from __future__ import annotations

from npql.query import expected_tokens
from npql.repl.helptext import BUILTIN_EXAMPLES, docs_examples, examples, help_text, topics


def test_every_statement_word_has_examples() -> None:
    statement_words = {t for t in expected_tokens("") if t.isalpha()}
    assert statement_words <= set(topics())
    for word in topics():
        assert examples().get(word), word


def test_docs_examples_are_grouped_by_first_word() -> None:
    text = "x\n```npql\n# cluster: a\nwho can reach b\nCan a reach b\n```\n"
    assert docs_examples(text) == {"who": ["who can reach b"], "can": ["Can a reach b"]}


def test_builtin_examples_parse() -> None:
    from npql.query import parse

    for lines in BUILTIN_EXAMPLES.values():
        for line in lines:
            parse(line)


def test_unknown_topic_lists_topics() -> None:
    assert help_text("frobnicate").startswith("no statement starts with 'frobnicate'")
