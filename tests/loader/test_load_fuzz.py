"""Property-based fuzzing: whatever the input, a Cluster or a LoadError naming the source.

Inputs are the valid manifests of examples/ with random mutations (keys deleted or renamed,
values replaced by values of any JSON type, documents duplicated or dropped, text truncated,
random characters and bytes injected), and random text.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npql.errors import LoadError
from npql.loader import load_paths, load_text
from npql.model import Cluster

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("**/*.yaml"))
DOCUMENTS: list[Any] = [
    d for path in EXAMPLES for d in yaml.safe_load_all(path.read_text()) if d is not None
]
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["", "TCP", "80", "http", "10.0.0.0/8", "In", "Ingress", "a/b", "-x"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=3)
    ),
    max_leaves=6,
)


def check(text: str, source: str) -> None:
    """The property: a Cluster, or a LoadError every problem of which names ``source``."""
    try:
        cluster = load_text(text, source=source)
    except LoadError as error:
        assert error.problems
        for problem in error.problems:
            assert source in str(problem) or problem.message.startswith("... and"), problem
    else:
        assert isinstance(cluster, Cluster)
        assert all(source in str(w) or w.message.startswith("... and") for w in cluster.warnings)


def places(data: Any) -> Iterator[tuple[Any, Any]]:
    """(container, key) of every value below ``data``."""
    items = enumerate(data) if isinstance(data, list) else data.items()
    for key, value in list(items):
        yield data, key
        if isinstance(value, dict | list):
            yield from places(value)


@st.composite
def mutated_documents(draw: st.DrawFn) -> list[Any]:
    documents = copy.deepcopy(draw(st.lists(st.sampled_from(DOCUMENTS), min_size=1, max_size=3)))
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(documents) - 1))
        spots = list(places(documents[index])) if isinstance(documents[index], dict) else []
        operation = draw(st.sampled_from(["delete", "replace", "rename", "duplicate", "swap"]))
        if operation == "duplicate":
            documents.insert(index, copy.deepcopy(documents[index]))
        elif operation == "swap":
            documents[index] = draw(json_values)
        elif spots:
            container, key = draw(st.sampled_from(spots))
            if operation == "delete" and isinstance(container, dict):
                del container[key]
            elif operation == "rename" and isinstance(container, dict):
                container[draw(scalars.filter(lambda k: k == k))] = container.pop(key)
            else:
                container[key] = draw(json_values)
    return documents


@st.composite
def mutated_texts(draw: st.DrawFn) -> str:
    text = yaml.safe_dump_all(draw(mutated_documents()), sort_keys=False)
    cut = draw(st.sampled_from(["none", "truncate", "inject", "drop-documents"]))
    if cut == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    elif cut == "inject":
        at = draw(st.integers(0, len(text)))
        junk = draw(st.text(max_size=8) | st.binary(max_size=8).map(lambda b: b.decode("latin-1")))
        text = text[:at] + junk + text[at:]
    elif cut == "drop-documents":
        parts = text.split("---\n")
        text = "---\n".join(parts[: draw(st.integers(1, len(parts)))])
    return text


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 3 and len(DOCUMENTS) >= 10


@SETTINGS
@given(mutated_texts())
def test_mutated_examples(text: str) -> None:
    check(text, "mutated.yaml")


@SETTINGS
@given(mutated_documents())
def test_mutated_examples_as_json(documents: list[Any]) -> None:
    check(json.dumps(documents[0]), "mutated.json")


@SETTINGS
@given(st.text())
def test_random_text(text: str) -> None:
    check(text, "random.yaml")


@SETTINGS
@given(st.text(alphabet="[]{}:,-&*!|>'\"#%@` \n\tab01.~?<=", max_size=60))
def test_random_yaml_punctuation(text: str) -> None:
    check(text, "punctuation.yaml")


@SETTINGS
@given(st.text(max_size=40))
def test_random_text_as_json(text: str) -> None:
    check("{" + text, "random.json")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_mutated_example_bytes(folder: Path, data: st.DataObject) -> None:
    raw = yaml.safe_dump_all(data.draw(mutated_documents())).encode("utf-8")
    at = data.draw(st.integers(0, len(raw)))
    raw = raw[:at] + data.draw(st.binary(max_size=6)) + raw[at:]
    path = folder / "bytes.yaml"
    path.write_bytes(raw)
    try:
        load_paths([str(path)])
    except LoadError as error:
        assert all(str(path) in str(p) or p.message.startswith("... and") for p in error.problems)
