"""Reading inputs: files, folders, stdin, YAML/JSON documents, and the guards against abuse."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import pytest
from loader_helpers import only_problem

from npql.errors import LoadError
from npql.loader import load_paths, load_text

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n"


def pod(name: str) -> str:
    return POD.format(name=name)


def load_error(paths: list[str]) -> LoadError:
    with pytest.raises(LoadError) as info:
        load_paths(paths)
    return info.value


def test_file_and_multiple_documents(tmp_path: Path) -> None:
    path = tmp_path / "pods.yaml"
    path.write_text(pod("a") + "---\n---\n" + pod("b") + "...\n")
    cluster = load_paths([str(path)])
    assert [p.name for p in cluster.pods] == ["a", "b"]
    location = cluster.pods[1].location
    assert location is not None and (location.document, location.line) == (2, 7)


def test_a_single_path_string_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "pod.yml"
    path.write_text(pod("a"))
    assert load_paths(str(path)).pods[0].name == "a"


def test_folder_recursion_sorted_and_filtered(tmp_path: Path) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "b.yaml").write_text(pod("b"))
    (tmp_path / "a.YML").write_text(pod("a"))
    (tmp_path / "sub" / "deeper" / "c.json").write_text(
        json.dumps({"kind": "Pod", "metadata": {"name": "c"}})
    )
    (tmp_path / "notes.txt").write_text("not: [yaml")
    (tmp_path / "sub" / "d.yaml.bak").write_text("not: [yaml")
    assert [p.name for p in load_paths([str(tmp_path)]).pods] == ["a", "b", "c"]


def test_stdin() -> None:
    cluster = load_paths(["-"], stdin=io.StringIO(pod("web")))
    assert cluster.pods[0].name == "web"
    assert cluster.pods[0].location is not None
    assert cluster.pods[0].location.path == "<stdin>"


def test_missing_path_is_named(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.yaml")
    error = load_error([missing])
    assert missing in str(error) and "no such file" in str(error)


def test_binary_and_non_utf8_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(b"kind: Pod\x00\x01")
    (tmp_path / "b.yaml").write_bytes(b"kind: \xff\xfe\n")
    messages = [p.message for p in load_error([str(tmp_path)]).problems]
    assert "a.yaml: binary file" in messages[0]
    assert "b.yaml: not UTF-8" in messages[1]


def test_binary_stdin() -> None:
    with pytest.raises(LoadError, match="binary"):
        load_paths(["-"], stdin=io.StringIO("kind: Pod\0"))


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(b"\xef\xbb\xbf" + pod("a").encode())
    assert load_paths([str(tmp_path / "a.yaml")]).pods[0].name == "a"


def test_symlink_loops(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(pod("a"))
    os.symlink(tmp_path, tmp_path / "again")
    os.symlink(tmp_path / "self.yaml", tmp_path / "self.yaml")
    messages = [p.message for p in load_error([str(tmp_path)]).problems]
    assert any("again" in m and "loop" in m for m in messages)
    assert any("self.yaml" in m and "symbolic links" in m for m in messages)
    assert "self.yaml" in str(load_error([str(tmp_path / "self.yaml")]))


def test_yaml_syntax_error_has_line_and_column() -> None:
    problem = only_problem(pod("a") + "---\nkind: Pod\nmetadata: x\n  name: y\n", source="x.yaml")
    assert problem.location is not None
    assert (problem.location.path, problem.location.document) == ("x.yaml", 1)
    assert problem.location.line == 8
    assert "line 8, column" in problem.message


def test_unsafe_tags_are_rejected() -> None:
    problem = only_problem("kind: !!python/object/apply:os.system ['true']\n")
    assert "YAML" in problem.message


def test_json_file_and_json_syntax_error() -> None:
    text = json.dumps({"kind": "Pod", "metadata": {"name": "a"}}, indent="\t")
    assert load_text(text, source="a.json").pods[0].name == "a"
    problem = only_problem('{\n  "kind": "Pod",\n}', source="b.json")
    assert problem.location is not None and problem.location.line == 3
    assert "JSON syntax error at line 3" in problem.message


def test_json_file_holding_yaml_is_read_as_yaml() -> None:
    assert load_text(pod("a"), source="a.json").pods[0].name == "a"


def test_alias_bomb_is_rejected_fast() -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    start = time.monotonic()
    problem = only_problem("kind: ConfigMap\n" + "\n".join(lines))
    assert time.monotonic() - start < 2
    assert "alias bomb" in problem.message and "1,000,000 nodes" in problem.message


def test_recursive_alias_is_rejected() -> None:
    assert "recursive alias" in only_problem("kind: ConfigMap\ndata: &a [*a]\n").message


def test_deep_nesting_is_rejected() -> None:
    deep = "kind: ConfigMap\ndata: " + "[" * 120 + "]" * 120
    assert "deeper than 100" in only_problem(deep).message
    ok = "kind: ConfigMap\ndata: " + "[" * 90 + "]" * 90
    assert load_text(ok).skipped == {"ConfigMap": 1}


def test_document_that_is_not_a_mapping() -> None:
    problem = only_problem(pod("a") + "---\n- a\n- b\n", source="x.yaml")
    assert problem.location is not None and problem.location.document == 1
    assert "must be a mapping, not a list" in problem.message
    assert "x.yaml" in str(problem)


def test_empty_inputs() -> None:
    assert load_text("").pods == ()
    assert load_text("---\n# nothing\n---\n").namespaces == {}


def test_object_without_kind_is_a_warning() -> None:
    cluster = load_text("metadata: {name: x}\n")
    assert "without a kind" in cluster.warnings[0].message
    assert "without a kind" in only_problem("metadata: {name: x}\n", strict=True).message
