"""Hostile and broken inputs: each one is a LoadError naming its file, found quickly.

``hostile/`` holds small files, each broken in one way; ``hostile/strict/`` holds files
whose problem is only a warning, an error in strict mode. Big inputs are built in tmp_path.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from npql.errors import LoadError
from npql.loader import DEFAULT_MAX_FILE_BYTES, load_paths, load_text

HOSTILE = Path(__file__).parent / "hostile"
FILES = sorted(p for p in HOSTILE.iterdir() if p.suffix in (".yaml", ".json"))
STRICT_FILES = sorted((HOSTILE / "strict").iterdir())
# What the message must say for some of the files (the others: just their names).
EXPECTED = {
    "alias-bomb.yaml": "alias bomb",
    "merge-key-bomb.yaml": "alias bomb",
    "recursive-alias.yaml": "recursive alias",
    "deep-nesting.yaml": "nesting depth",
    "deep-nesting.json": "deeper than 100",
    "deep-but-parseable.yaml": "deeper than 100",
    "binary.yaml": "binary file",
    "invalid-utf8.yaml": "not UTF-8 text (bad byte 0xe9",
    "utf16-without-bom.yaml": "byte order mark",
    "truncated-utf16.yaml": "not UTF-16 text",
    "control-characters.yaml": "control characters are not allowed",
    "unsafe-tag.yaml": "python/object/apply",
    "invalid-timestamp.yaml": "month must be in 1..12",
    "invalid-bool.yaml": "invalid YAML value",
    "huge-integer.yaml": "too many digits",
    "huge-hex-integer.yaml": "<an integer of 16000 bits>",
    "huge-integer.json": "too many digits",
    "json-duplicate-key.json": 'duplicate key "name"',
    "duplicate-key.yaml": 'duplicate key "labels" (first at line 5)',
    "not-a-mapping.yaml": "must be a mapping, not a list",
    "kind-not-a-string.yaml": "field kind: must be a string",
    "api-version-not-a-string.yaml": "field apiVersion: must be a string",
    "label-not-string.yaml": "field metadata.labels[5]: keys must be strings",
    "policy-types-three.yaml": "may not specify more than two policyTypes",
    "policy-ipblock-ipv6-zone.yaml": "invalid CIDR",
    "policy-endport-too-big.yaml": "between 1 and 65535",
}


def load_error(path: Path, *, strict: bool = False) -> tuple[LoadError, float]:
    start = time.perf_counter()
    with pytest.raises(LoadError) as info:
        load_paths([str(path)], strict=strict)
    return info.value, time.perf_counter() - start


def assert_names_the_file(error: LoadError, path: Path) -> None:
    for problem in error.problems:
        if not problem.message.startswith("... and"):
            assert str(path) in str(problem), problem


def test_the_corpus_is_there() -> None:
    assert len(FILES) > 60 and len(STRICT_FILES) >= 8
    assert set(EXPECTED) <= {p.name for p in FILES}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_hostile_file_is_a_load_error_naming_it(path: Path) -> None:
    error, seconds = load_error(path)
    assert seconds < 2, f"{path.name} took {seconds:.2f} s"
    assert_names_the_file(error, path)
    assert EXPECTED.get(path.name, "") in str(error)


@pytest.mark.parametrize("path", STRICT_FILES, ids=lambda p: p.name)
def test_warnings_name_the_file_and_are_errors_when_strict(path: Path) -> None:
    cluster = load_paths([str(path)])
    assert cluster.warnings or cluster.unmodelled
    assert all(str(path) in str(w) for w in cluster.warnings)
    error, seconds = load_error(path, strict=True)
    assert seconds < 2
    assert_names_the_file(error, path)


def test_the_whole_corpus_at_once() -> None:
    error, seconds = load_error(HOSTILE)
    assert seconds < 5
    named = {p.location.path if p.location else p.message.split(":")[0] for p in error.problems}
    assert {str(p) for p in FILES} <= named


def billion_laughs(levels: int = 9) -> str:
    lines = ['kind: ConfigMap\ndata:\n  a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        lines.append(f"  a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_rejected_in_well_under_a_second(tmp_path: Path) -> None:
    path = tmp_path / "lol.yaml"
    path.write_text(billion_laughs())
    error, seconds = load_error(path)
    assert seconds < 1, seconds
    assert "alias bomb" in str(error) and str(path) in str(error)


def test_aliases_that_expand_little_are_fine() -> None:
    text = (
        "kind: PodList\nitems:\n- metadata: {name: a, labels: &l {app: web}}\n"
        "- metadata: {name: b, labels: *l}\n"
    )
    assert [dict(p.labels) for p in load_text(text).pods] == [{"app": "web"}] * 2


def test_a_large_document_without_aliases_is_not_a_bomb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("npql.loader.shape.MAX_EXPANDED_NODES", 1000)
    data = [[str(i)] * 10 for i in range(200)]  # 2,201 nodes, all written out
    text = json.dumps({"kind": "ConfigMap", "metadata": {"name": "big"}, "data": data})
    assert load_text(text, source="big.yaml").skipped == {"ConfigMap": 1}
    aliased = (
        "kind: ConfigMap\ndata:\n  a: &a "
        + json.dumps(data[0])
        + "\n  b: ["
        + ",".join(["*a"] * 200)
        + "]\n"
    )
    assert "alias bomb" in str(pytest.raises(LoadError, load_text, aliased).value)


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_ten_thousand_levels_of_brackets(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"deep{suffix}"
    path.write_text("[" * 10_000 + "]" * 10_000)
    error, seconds = load_error(path)
    assert seconds < 2 and str(path) in str(error)


def test_a_hundred_thousand_unclosed_brackets(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("kind: ConfigMap\ndata: " + "[" * 100_000)
    error, seconds = load_error(path)
    assert seconds < 2 and str(path) in str(error)


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:  # sparse: costs no disk
        handle.truncate(DEFAULT_MAX_FILE_BYTES + 1)
    error, seconds = load_error(path)
    assert seconds < 2
    assert f"{path}: larger than 64 MiB" in str(error) and "--max-file-size" in str(error)
    unlimited = pytest.raises(LoadError, load_paths, [str(path)], max_file_bytes=0)
    assert "binary file" in str(unlimited.value)


def test_more_objects_than_the_limit() -> None:
    text = json.dumps({"apiVersion": "v1", "kind": "ConfigMapList", "items": [{}] * 200_001})
    start = time.perf_counter()
    with pytest.raises(LoadError) as info:
        load_text(text, source="many.json")
    assert time.perf_counter() - start < 5
    (problem,) = info.value.problems
    assert "more than 200,000 objects" in problem.message and "--max-objects" in problem.message
    assert problem.location is not None and problem.location.path == "many.json"


def test_many_empty_documents_count_too() -> None:
    with pytest.raises(LoadError, match="more than 1,000 objects"):
        load_text("---\n" * 5000, max_objects=1000)


@pytest.mark.parametrize(
    "text",
    [
        "kind: ConfigMap\ndata: " + "[" * 100_000,
        "kind: ConfigMap\n---\n" + "".join(f"{' ' * i}k{i}:\n" for i in range(1200)),
        "- " * 2000 + "x\n",
    ],
    ids=["flow", "block", "compact"],
)
def test_deep_nesting_with_a_parser_that_does_not_stop_it(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """libyaml before 0.2.6 composes any depth, recursing in C: npql measures first."""
    monkeypatch.setattr("npql.loader.documents._PARSER_LIMITS_NESTING", False)
    start = time.perf_counter()
    with pytest.raises(LoadError, match="deeper than 100|maximum nesting depth") as info:
        load_text(text, source="deep.yaml")
    assert time.perf_counter() - start < 2
    (problem,) = info.value.problems
    assert problem.location is not None and problem.location.path == "deep.yaml"
    assert problem.location.document == (1 if "---" in text else 0)


def test_shallow_text_with_a_parser_that_does_not_stop_nesting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("npql.loader.documents._PARSER_LIMITS_NESTING", False)
    text = "kind: Pod\nmetadata: {name: a, labels: {app: web}}\n" + "# " + "[" * 5000 + "\n"
    assert load_text(text).pods[0].name == "a"
