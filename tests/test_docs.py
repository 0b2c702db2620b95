"""Every example query in docs/*.md runs against its example cluster without error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import npql

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"```npql\n(.*?)```", re.S)


def examples() -> list[tuple[str, str]]:
    """(cluster folder, query) for every line of every ```npql block."""
    found = []
    for doc in sorted((ROOT / "docs").glob("*.md")):
        for block in BLOCK.findall(doc.read_text()):
            lines = block.strip().splitlines()
            folder = lines[0].removeprefix("# cluster:").strip()
            found += [(folder, q.strip()) for q in lines[1:] if q.strip()]
    return found


@pytest.mark.parametrize(("folder", "query"), examples())
def test_documented_example_answers(folder: str, query: str) -> None:
    cluster = npql.load(str(ROOT / folder))
    answer = cluster.query(query)
    assert answer.to_dict()["schema"] == "npql/v1"
    assert str(answer)


def test_docs_have_examples() -> None:
    assert len(examples()) >= 20


@pytest.mark.parametrize(("folder", "query"), examples())
def test_documented_example_round_trips(folder: str, query: str) -> None:
    from npql.query import parse_statement

    node = parse_statement(query)
    assert parse_statement(str(node)) == node
