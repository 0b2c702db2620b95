"""The fast node builder gives exactly what PyYAML's safe constructor gives, or steps aside."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from npql.loader.construct import Unusual, build
from npql.loader.documents import _Loader
from npql.loader.limits import MAX_DEPTH
from npql.loader.shape import node_shape


def _both(text: str) -> tuple[object, object]:
    """(fast, general) values of the single document in ``text``."""
    fast_loader, general_loader = _Loader(text), _Loader(text)
    try:
        fast = build(fast_loader.get_single_node(), fast_loader)
        general = general_loader.construct_document(general_loader.get_single_node())
    finally:
        fast_loader.dispose()
        general_loader.dispose()
    return fast, general


def _same(a: object, b: object) -> bool:
    """Equal, with the same types all the way down (1 == True == 1.0 would hide a bug)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        assert isinstance(b, list)
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and a != a:  # nan
        return isinstance(b, float) and b != b
    return a == b


# Scalars whose plain spelling YAML 1.1 reads as something other than a string.
TRICKY = [
    "80",
    "0",
    "007",
    "0x1F",
    "0b101",
    "-12",
    "+3",
    "1_000",
    "1:30",
    "0o17",
    "3.5",
    "-.inf",
    ".NaN",
    "1e3",
    "1.5e+3",
    "yes",
    "No",
    "ON",
    "off",
    "true",
    "False",
    "~",
    "null",
    "",
    "2024-01-01",
    "2001-12-14t21:59:43.10-05:00",
    "=",
    "<<",
    "app=web",
    "10.0.0.0/8",
    "*",
]
plain_texts = st.sampled_from(TRICKY) | st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12
)
scalars = plain_texts | st.integers() | st.floats(allow_nan=True) | st.booleans() | st.none()
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(plain_texts, inner, max_size=4),
    max_leaves=20,
)


@pytest.mark.parametrize("flow", [False, True, None])
@settings(max_examples=150, deadline=None)
@given(data=values)
def test_dumped_data_builds_the_same(data: Any, flow: bool | None) -> None:
    fast, general = _both(yaml.safe_dump(data, default_flow_style=flow))
    assert _same(fast, general)


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.sampled_from(TRICKY), min_size=1, max_size=6))
def test_plain_scalars_as_kubectl_reads_them(words: list[str]) -> None:
    # written unquoted, so each is read by the implicit resolvers, not as a dumped string
    text = "\n".join(f"k{i}: {w}" for i, w in enumerate(words) if w not in ("", "=", "<<", "*"))
    fast, general = _both(text or "{}")
    assert _same(fast, general)


def test_scalar_aliases_build_and_collection_aliases_are_left_to_the_checked_path() -> None:
    fast, general = _both("a: &x web\nb: *x\n")
    assert _same(fast, general)
    loader = _Loader("a: &x {app: web}\nb: *x\n")
    try:
        with pytest.raises(Unusual):
            build(loader.get_single_node(), loader)
    finally:
        loader.dispose()


@pytest.mark.parametrize(
    "text",
    [
        "base: &b {app: web}\nmerged:\n  <<: *b\n  tier: front\n",  # merge key
        "data: !!binary aGVsbG8=\n",
        "when: !!timestamp 2001-12-14\n",
        "? [a, b]\n: list as a key\n",
        "? {a: 1}\n: map as a key\n",
        "x: !custom 1\n",
        "s: !!set {a, b}\n",
        "a: &x [1]\nb: *x\n",  # an alias to a collection
        "a: 1\na: 2\n",  # a duplicate key
        "1: one\n0x1: also one\n",  # two keys building to one value
        "true: a\nyes: b\n",
        "a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n",  # too deep
    ],
)
def test_unusual_documents_are_left_to_pyyaml(text: str) -> None:
    loader = _Loader(text)
    try:
        with pytest.raises(Unusual):
            build(loader.get_single_node(), loader)
    finally:
        loader.dispose()


def test_an_impossible_boolean_fails_as_pyyaml_fails() -> None:
    with pytest.raises(KeyError):
        _both("flag: !!bool maybe\n")
    loader = _Loader("flag: !!bool maybe\n")
    try:
        with pytest.raises(KeyError):
            loader.construct_document(loader.get_single_node())
    finally:
        loader.dispose()


def test_a_merge_key_still_loads(tmp_path: Any) -> None:
    import npql

    text = """
apiVersion: v1
kind: Pod
metadata:
  name: api
  annotations: &base {app: web}
  labels:
    <<: *base
    tier: back
"""
    cluster = npql.loads(text)
    api = next(p for p in cluster.model.pods if p.name == "api")
    assert dict(api.labels) == {"app": "web", "tier": "back"}


def test_as_deep_as_allowed_still_builds() -> None:
    text = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    fast, general = _both(text)
    assert _same(fast, general)


# Documents with anchors, aliases and repeated keys: whatever the builder accepts, the shape
# check would have passed, and it builds what PyYAML builds.
keys = st.sampled_from(["a", "b", "1", "0x1", "yes", "true", "~", "null"])
leaves = st.sampled_from(["web", "80", "*A", "*B", "[1, 2]", "{x: y}", "&A {k: v}", "&B [3]"])


@st.composite
def aliased_texts(draw: st.DrawFn) -> str:
    """A flow mapping whose values may define anchors and refer to them (valid YAML only)."""
    pairs, defined = [], set()
    for _ in range(draw(st.integers(1, 6))):
        leaf = draw(leaves)
        if leaf.startswith("*") and leaf[1:] not in defined:
            leaf = "web"  # an alias before its anchor is not YAML
        elif leaf.startswith("&") and leaf[1] in defined:
            leaf = leaf[3:]  # each anchor once, to keep aliases unambiguous
        elif leaf.startswith("&"):
            defined.add(leaf[1])
        pairs.append(f"{draw(keys)}: {leaf}")
    return "{" + ", ".join(pairs) + "}\n"


@settings(max_examples=300, deadline=None)
@given(text=aliased_texts())
def test_what_the_builder_accepts_the_shape_check_passes(text: str) -> None:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        try:
            fast = build(node, loader)
        except Unusual:
            return
        assert node_shape(node).flaws() == []
        assert _same(fast, loader.construct_document(node))
    finally:
        loader.dispose()
