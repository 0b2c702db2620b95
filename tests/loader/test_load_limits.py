"""Limits, encodings and unreadable inputs: every failure is a LoadError naming the path."""

from __future__ import annotations

import builtins
import codecs
import io
import os
from pathlib import Path
from typing import Any

import pytest
from loader_helpers import dump, netpol, only_problem, problems

from npql.errors import LoadError, UsageError
from npql.loader import load_paths, load_text

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n"


def pod(name: str) -> str:
    return POD.format(name=name)


def message(paths: list[str], **options: Any) -> str:
    with pytest.raises(LoadError) as info:
        load_paths(paths, **options)
    return str(info.value)


# Limits


def test_limit_keywords_default_custom_and_unlimited() -> None:
    text = "".join(f"---\n{pod(f'p{i}')}" for i in range(5))
    assert len(load_text(text).pods) == 5
    assert len(load_text(text, max_objects=None, max_file_bytes=None).pods) == 5
    assert "more than 4 objects" in only_problem(text, max_objects=4).message
    assert len(load_text(text, max_objects=5).pods) == 5
    assert len(load_text(text, max_objects=0, max_file_bytes=0).pods) == 5
    too_big = only_problem(text, source="t.yaml", max_file_bytes=10)
    assert "larger than 10 bytes" in str(too_big) and "t.yaml" in str(too_big)


def test_list_items_count_as_objects() -> None:
    text = dump({"kind": "PodList", "items": [{"metadata": {"name": f"p{i}"}} for i in range(9)]})
    assert len(load_text(text, max_objects=10).pods) == 9
    problem = only_problem(text, max_objects=5)
    assert "more than 5 objects" in problem.message and problem.location is not None


def test_the_object_limit_spans_files(tmp_path: Path) -> None:
    for name in "abc":
        (tmp_path / f"{name}.yaml").write_text(pod(name) + "---\n" + pod(name + "2"))
    error = message([str(tmp_path)], max_objects=5)
    assert "c.yaml" in error and "more than 5 objects" in error


def test_file_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(pod("a"))
    size = path.stat().st_size
    assert load_paths([str(path)], max_file_bytes=size).pods
    assert f"{path}: larger than {size - 1} bytes" in message([str(path)], max_file_bytes=size - 1)


@pytest.mark.parametrize("value", [-1, True, 1.5, "10"])
def test_bad_limit_values_are_usage_errors(value: Any) -> None:
    with pytest.raises(UsageError, match="max_objects"):
        load_text("", max_objects=value)
    with pytest.raises(UsageError, match="max_file_bytes"):
        load_paths([], max_file_bytes=value)


# Encodings


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "utf-8"])
def test_unicode_with_a_byte_order_mark(tmp_path: Path, codec: str) -> None:
    bom = {
        "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE,
        "utf-32-le": codecs.BOM_UTF32_LE,
        "utf-32-be": codecs.BOM_UTF32_BE,
        "utf-8": codecs.BOM_UTF8,
    }[codec]
    path = tmp_path / "a.yaml"
    path.write_bytes(bom + pod("café-é").replace("café-é", "cafe").encode(codec))
    assert load_paths([str(path)]).pods[0].name == "cafe"


def test_utf16_without_a_byte_order_mark_is_binary(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(pod("a").encode("utf-16-le"))
    assert f"{path}: binary file" in message([str(path)])


def test_bad_bytes_after_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(codecs.BOM_UTF16_LE + b"k\x00\x00\xdc")  # a lone low surrogate
    assert f"{path}: not UTF-16 text" in message([str(path)])


def test_invalid_utf8_names_the_offset(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"kind: Pod\nmetadata: {name: \xc3\x28}\n")
    assert f"{path}: not UTF-8 text (bad byte 0xc3 at offset 27)" in message([str(path)])


def test_text_with_a_lone_surrogate() -> None:
    problem = only_problem("kind: Pod\nmetadata: {name: \ud800}\n", source="s.yaml")
    assert "lone surrogate" in problem.message and "s.yaml" in str(problem)


def test_text_with_nul_is_binary() -> None:
    assert "binary" in only_problem("kind: Pod\0", source="n.yaml").message


def test_dates_and_base_60_stay_strings() -> None:
    text = "kind: Pod\nmetadata:\n  name: a\n  labels: {since: 2024-01-01, at: '1.30', v: 1_0}\n"
    with pytest.raises(LoadError) as info:
        load_text(text)
    (problem,) = info.value.problems  # only the integer 10, not the date
    assert problem.field == "metadata.labels[v]"
    assert load_text(text.replace(", v: 1_0", "")).pods[0].labels["since"] == "2024-01-01"
    ok = "kind: Pod\nmetadata: {name: a, annotations: {at: 12:30}}\n"
    assert load_text(ok).pods[0].name == "a"


# Stdin


def stdin_bytes(data: bytes) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")


def test_stdin_bytes_are_decoded_like_files() -> None:
    data = codecs.BOM_UTF16_LE + pod("web").encode("utf-16-le")
    assert load_paths(["-"], stdin=stdin_bytes(data)).pods[0].name == "web"
    assert "<stdin>: not UTF-8" in message(["-"], stdin=stdin_bytes(b"kind: \xff\n"))
    assert "<stdin>: larger than 5 bytes" in message(
        ["-"], stdin=stdin_bytes(b"kind: Pod\n"), max_file_bytes=5
    )


def test_text_stdin_too_large() -> None:
    error = message(["-"], stdin=io.StringIO(pod("a")), max_file_bytes=5)
    assert "<stdin>" in error and "larger than 5 bytes" in error


class _Broken(io.StringIO):
    def read(self, size: int | None = -1) -> str:
        raise OSError(5, "Input/output error")


def test_stdin_that_fails_to_read() -> None:
    assert "<stdin>: cannot read: input/output error" in message(["-"], stdin=_Broken())


# Unreadable paths (tests run as root: permissions are simulated)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text(pod("a"))
    real_open = builtins.open

    def fake_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    assert f"{path}: cannot read: permission denied" in message([str(path)])
    assert f"{path}: cannot read: permission denied" in message([str(tmp_path)])


def test_file_that_fails_while_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "flaky.yaml"
    path.write_text(pod("a"))
    real_open = builtins.open

    class Failing:
        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def __enter__(self) -> Failing:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def fileno(self) -> int:
            return int(self.handle.fileno())

        def read(self, size: int = -1) -> bytes:
            raise OSError(5, "Input/output error")

    def fake_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, *args, **kwargs)
        return Failing(handle) if str(file) == str(path) else handle

    monkeypatch.setattr(builtins, "open", fake_open)
    assert f"{path}: cannot read: input/output error" in message([str(path)])


def test_unreadable_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.yaml").write_text(pod("a"))
    (tmp_path / "b.yaml").write_text(pod("b"))
    real_scandir = os.scandir

    def fake_scandir(path: Any = ".") -> Any:
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", fake_scandir)
    assert f"{locked}: cannot read folder: permission denied" in message([str(tmp_path)])


def test_path_that_cannot_be_stat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_stat = os.stat

    def fake_stat(path: Any, *args: Any, **kwargs: Any) -> Any:
        if str(path).endswith("hidden.yaml"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)

    (tmp_path / "hidden.yaml").write_text(pod("a"))
    monkeypatch.setattr(os, "stat", fake_stat)
    assert "hidden.yaml: cannot read: permission denied" in message([str(tmp_path)])
    assert "hidden.yaml: cannot read: permission denied" in message([str(tmp_path / "hidden.yaml")])


def test_path_with_a_nul_character() -> None:
    assert "cannot read" in message(["bad\0name.yaml"])


def test_fifo_in_a_folder_is_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "a.yaml").write_text(pod("a"))
    assert "pipe.yaml: not a regular file" in message([str(tmp_path)])


def test_dangling_symlink_in_a_folder(tmp_path: Path) -> None:
    os.symlink(tmp_path / "gone.yaml", tmp_path / "link.yaml")
    assert "link.yaml: cannot read: no such file" in message([str(tmp_path)])


def test_a_file_reached_twice_is_read_once(tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "a.yaml").write_text(pod("a"))
    os.symlink(sub, tmp_path / "link1")
    os.symlink(sub, tmp_path / "link2")
    os.symlink(sub / "a.yaml", tmp_path / "b.yml")
    cluster = load_paths([str(tmp_path), str(sub / "a.yaml"), str(tmp_path)])
    assert [p.name for p in cluster.pods] == ["a"] and not cluster.warnings


def test_symlink_diamonds_are_walked_once(tmp_path: Path) -> None:
    level = tmp_path / "d0"
    level.mkdir()
    (level / "a.yaml").write_text(pod("a"))
    for depth in range(1, 25):  # 2^24 paths if every link were followed
        upper = tmp_path / f"d{depth}"
        upper.mkdir()
        os.symlink(level, upper / "x")
        os.symlink(level, upper / "y")
        level = upper
    assert [p.name for p in load_paths([str(level)]).pods] == ["a"]


# Problems: capped, deduplicated, always naming the source


def test_a_flood_of_errors_is_capped() -> None:
    text = dump({"kind": "List", "items": [7] * 5000})
    found = problems(text, source="flood.yaml")
    assert len(found) == 1001 and found[-1].message == "... and 4,000 more errors not shown"
    assert all("flood.yaml" in str(p) for p in found[:-1])


def test_a_flood_of_warnings_is_capped() -> None:
    text = netpol({f"field{i}": 1 for i in range(3000)})
    cluster = load_text(text)
    assert len(cluster.warnings) == 1001 and "2,000 more warnings" in cluster.warnings[-1].message


def test_a_problem_found_twice_is_reported_once() -> None:
    text = dump({"kind": "Pod", "metadata": {"name": "p", "ownerReferences": [{"controller": 1}]}})
    assert [p.field for p in problems(text)] == ["metadata.ownerReferences[0].controller"]


def test_huge_values_are_cut_in_messages() -> None:
    text = dump({"kind": "Pod", "metadata": {"name": "p", "labels": {"k" * 100_000: "v"}}})
    problem = only_problem(text)
    assert len(str(problem)) < 600 and "..." in problem.message


def test_huge_integers_in_messages() -> None:
    text = "kind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 0x" + "f" * 4000 + "}]\n"
    assert "<an integer of 16000 bits>" in only_problem(text).message


def test_no_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", None)
    assert "<stdin>: cannot read: there is no standard input" in message(["-"])


def test_load_text_needs_text() -> None:
    with pytest.raises(UsageError, match="needs a str"):
        load_text(b"kind: Pod")  # type: ignore[arg-type]
