"""Fuzzy matching and ranking for completion: prefix first, then substring, then subsequence.

Pure functions, no prompt_toolkit: ``match(word, candidate)`` scores one candidate and
``rank`` orders many, the way pgcli's ``find_matches`` does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

PREFIX, SUBSTRING, SUBSEQUENCE = 0, 1, 2


@dataclass(frozen=True, slots=True, order=True)
class Score:
    """How well a candidate matches: lower is better; compare scores with ``<``."""

    category: int
    span: int = 0
    position: int = 0


def match(word: str, candidate: str) -> Score | None:
    """Score ``candidate`` for the typed ``word`` (case-insensitive), or None if it misses.

    >>> match("ba", "backend").category, match("end", "backend").category
    (0, 1)
    >>> match("bkd", "backend").category, match("zz", "backend") is None
    (2, True)
    """
    lowered, typed = candidate.lower(), word.lower()
    if lowered.startswith(typed):
        return Score(PREFIX)
    position = lowered.find(typed)
    if position >= 0:
        return Score(SUBSTRING, position, len(candidate))
    found = _subsequence(typed).search(lowered)
    if found is None:
        return None
    return Score(SUBSEQUENCE, found.end() - found.start(), found.start())


def _subsequence(typed: str) -> re.Pattern[str]:
    return re.compile(".*?".join(re.escape(ch) for ch in typed))


def rank(
    word: str,
    items: Iterable[T],
    text: Callable[[T], str],
    priority: Callable[[T], int] = lambda _: 0,
) -> list[T]:
    """The items whose ``text`` matches ``word``, best first.

    Order: match category (prefix < substring < subsequence), then ``priority``, then how
    tight the match is, then alphabetically. Duplicated texts keep their best entry.
    """
    scored: list[tuple[int, int, Score, str, T]] = []
    for item in items:
        score = match(word, text(item))
        if score is not None:
            scored.append((score.category, priority(item), score, text(item), item))
    scored.sort(key=lambda entry: entry[:4])
    return _unique(scored, text)


def _unique(scored: Sequence[tuple[int, int, Score, str, T]], text: Callable[[T], str]) -> list[T]:
    seen: set[str] = set()
    out: list[T] = []
    for *_, item in scored:
        if text(item) not in seen:
            seen.add(text(item))
            out.append(item)
    return out
