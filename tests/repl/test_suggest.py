"""suggest(): what the completer offers at the cursor, table-driven, plus prefix fuzzing."""

from __future__ import annotations

import functools
import re

import pytest
from repl_helpers import ROOT

import npql
from npql.api import Cluster
from npql.query.ast import KEYWORDS
from npql.repl.catalog import Catalog
from npql.repl.commands import hints
from npql.repl.fuzzy import match, rank
from npql.repl.suggest import locate, path_argument, suggest


@pytest.fixture(scope="module")
def fb_catalog(frontend_backend: Cluster) -> Catalog:
    return Catalog.from_model(frontend_backend.model)


@pytest.fixture(scope="module")
def shop_catalog(shop: Cluster) -> Catalog:
    return Catalog.from_model(shop.model, ["web"])


def texts(text: str, catalog: Catalog) -> list[str]:
    return [s.text for s in suggest(text, catalog, hints())]


# (text before cursor, must be offered, must be first or None)
FRONTEND_BACKEND_CASES = [
    ("", {"who", "what", "can", "connectivity"}, None),
    ("wh", {"who", "what"}, None),
    ("who ", {"can"}, "can"),
    ("who can reach ", {"app", "pod", "ns", "svc", "all", "any", "internet"}, "app"),
    ("who can reach app=", {"backend", "frontend"}, "backend"),
    ("who can reach app=ba", {"backend"}, "backend"),
    ("who can reach app==fr", {"frontend"}, "frontend"),
    ("who can reach app != ", {"backend", "frontend"}, None),
    ("who can reach app in (", {"backend", "frontend"}, None),
    ("who can reach app notin (backend, ", {"backend", "frontend"}, None),
    ("who can reach pod ", {"default/backend", "default/frontend"}, None),
    ("who can reach pod def", {"default/backend", "default/frontend"}, None),
    ("who can reach pod default/fr", {"default/frontend"}, "default/frontend"),
    ("who can reach pod back", {"default/backend"}, "default/backend"),
    ("who can reach ns ", {"default"}, "default"),
    ("who can reach app=backend in ns ", {"default", "with"}, None),
    ("who can reach app=backend in ns with ", {"kubernetes.io/metadata.name"}, None),
    ("who can reach app=backend in ns with kubernetes.io/metadata.name=", {"default"}, None),
    ("who can reach app=backend:", {"http", "80"}, "http"),
    ("who can reach app=backend:ht", {"http"}, "http"),
    ("who can reach app=backend:80/", {"tcp", "udp", "sctp"}, None),
    ("who can reach app=backend ", {"in"}, None),
    ("can app=frontend reach ", {"app", "pod"}, "app"),
    ("can app=frontend ", {"reach", "in"}, None),
    ("what can app=frontend ", {"reach"}, None),
    ("connectivity; who ", {"can"}, None),
    ("whoo can reach x\nwho c", {"can"}, None),
    ("describe policy ", {"default/backend-allow-frontend"}, None),
    ("\\", {"\\pods", "\\ns", "\\o", "\\help", "\\?"}, None),
    ("\\o ", {"text", "json"}, None),
    ("\\o j", {"json"}, "json"),
    ("\\watch o", {"on", "off"}, None),
    ("\\pods app=", {"backend", "frontend"}, None),
    ("\\policies ", {"default"}, None),
    ("\\labels ", {"app", "kubernetes.io/metadata.name"}, None),
    ("\\help w", {"who", "what"}, None),
    ("\\set wit", {"witnesses"}, None),
]


@pytest.mark.parametrize(("text", "offered", "first"), FRONTEND_BACKEND_CASES)
def test_suggest_frontend_backend(
    fb_catalog: Catalog, text: str, offered: set[str], first: str | None
) -> None:
    found = texts(text, fb_catalog)
    assert offered <= set(found), found
    if first is not None:
        assert found[0] == first, found


SHOP_CASES = [
    ("who can reach app=x in ns with team=", {"web", "sre", "payments"}),
    ("who can reach app=x in ns with ", {"team", "env"}),
    ("can any pod with tier=", {"db", "backend", "frontend"}),
    ("who can reach svc ", {"shop/api"}),
    ("who can reach svc shop/", {"shop/api"}),
    ("who can reach app=api:", {"https", "metrics", "http", "pg"}),
    ("who can reach $", {"$web"}),
    ("who can reach ns m", {"monitoring"}),
    ("show pods in ns ", {"shop", "data", "monitoring"}),
]


@pytest.mark.parametrize(("text", "offered"), SHOP_CASES)
def test_suggest_shop(shop_catalog: Catalog, text: str, offered: set[str]) -> None:
    assert offered <= set(texts(text, shop_catalog))


NOTHING = [
    "who can reach app=backend # a comment ",
    'who can reach app="ba',
    "who can reach app=backend:80 reach reach ",
]


@pytest.mark.parametrize("text", NOTHING)
def test_nothing_to_suggest(fb_catalog: Catalog, text: str) -> None:
    assert texts(text, fb_catalog) == []


def test_replace_length_covers_the_word(fb_catalog: Catalog) -> None:
    found = suggest("who can reach pod default/fr", fb_catalog)
    assert (found[0].text, found[0].replace) == ("default/frontend", len("default/fr"))
    found = suggest("who can reach app=backend:80/t", fb_catalog)
    assert (found[0].text, found[0].replace) == ("tcp", 1)


def test_values_come_from_the_key_being_typed(shop_catalog: Catalog) -> None:
    tiers = set(texts("who can reach tier=", shop_catalog))
    apps = set(texts("who can reach app=", shop_catalog))
    assert tiers and apps and not tiers & apps


def test_metadata_says_what_a_suggestion_is(fb_catalog: Catalog) -> None:
    by_text = {s.text: s for s in suggest("who can reach ", fb_catalog)}
    assert by_text["app"].kind == "label key" and by_text["app"].meta == "2 values"
    assert by_text["pod"].kind == "keyword"
    port = suggest("who can reach app=backend:", fb_catalog)[0]
    assert (port.text, port.meta) == ("http", "80/TCP")


def test_locate_prefers_the_slashed_word_for_names() -> None:
    assert locate("can pod default/fr").word == "default/fr"
    assert locate("who can reach x:80/tc").word == "tc"


def test_path_argument() -> None:
    commands = hints()
    assert path_argument("\\load examples/fr", commands) == "examples/fr"
    assert path_argument("\\load a b/c", commands) == "b/c"
    assert path_argument("\\load", commands) is None
    assert path_argument("\\pods x", commands) is None


def test_empty_catalog_still_offers_keywords() -> None:
    assert "can" in texts("who ", Catalog())
    assert texts("who can reach app=", Catalog()) == []


# ------------------------------------------------------------------------------------- fuzzy


@pytest.mark.parametrize(
    ("word", "candidate", "category"),
    [("ba", "backend", 0), ("BA", "backend", 0), ("end", "backend", 1), ("bkd", "backend", 2)],
)
def test_match_categories(word: str, candidate: str, category: int) -> None:
    score = match(word, candidate)
    assert score is not None and score.category == category


def test_rank_prefix_before_substring_before_subsequence() -> None:
    items = ["xbackend", "bxaxckend", "backend", "aback"]
    assert rank("back", items, str) == ["backend", "aback", "xbackend", "bxaxckend"]


def test_rank_priority_breaks_ties_and_duplicates_collapse() -> None:
    items = [("pod", 2), ("pods", 2), ("podinfo", 1), ("pod", 1)]
    ranked = rank("pod", items, lambda i: i[0], lambda i: i[1])
    assert [i[0] for i in ranked] == ["pod", "podinfo", "pods"]


# -------------------------------------------------------------------------- prefix fuzzing


def documented_examples() -> list[tuple[str, str]]:
    """(cluster folder, statement) for each line of each ```npql block of docs/*.md."""
    block = re.compile(r"```npql\n(.*?)```", re.S)
    found: list[tuple[str, str]] = []
    for doc in sorted((ROOT / "docs").glob("*.md")):
        for text in block.findall(doc.read_text(encoding="utf-8")):
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            folder = lines[0].removeprefix("# cluster:").strip() if lines else ""
            found += [(folder, line) for line in lines]
    return found


@functools.cache
def catalog_for(folder: str) -> Catalog:
    path = ROOT / folder
    if not folder or not path.exists():
        return Catalog()
    return Catalog.from_model(npql.load(str(path)).model, ["web"])


def test_docs_have_examples_to_fuzz() -> None:
    assert len(documented_examples()) >= 20


def test_every_prefix_of_every_documented_example_completes() -> None:
    """pgcli's rule: completion never raises, whatever the cursor position."""
    commands = hints()
    for folder, example in documented_examples():
        catalog = catalog_for(folder)
        for end in range(len(example) + 1):
            for found in suggest(example[:end], catalog, commands):
                assert 0 <= found.replace <= end


def test_typing_an_example_word_by_word_keeps_it_on_offer() -> None:
    """Once the first letter of a word of an example is typed, the word is offered if npql can
    know it: keywords, label keys and values, namespaces, names and named ports."""
    misses = []
    for folder, example in documented_examples():
        catalog = catalog_for(folder)
        known = vocabulary(catalog)
        for word in re.finditer(r"[A-Za-z][-\w./']*", example.split("#")[0]):
            offered = {s.text for s in suggest(example[: word.start() + 1], catalog)}
            after_let = example[: word.start()].rstrip().lower().endswith("let")
            if word.group() in known and word.group() not in offered and not after_let:
                misses.append((example, word.group()))
    assert not misses, misses[:10]


def vocabulary(catalog: Catalog) -> set[str]:
    """Every word completion could know about."""
    words = set(KEYWORDS) | {"can't"} | set(catalog.pod_labels) | set(catalog.namespace_labels)
    for index in (catalog.pod_labels, catalog.namespace_labels):
        words |= {value for values in index.values() for value in values}
    named = catalog.namespaces + catalog.pods + catalog.services + catalog.policies
    return words | {n.ref for n in named + catalog.ports}
