"""The progress bar: the tracker the stages report to, the status line drawn from it, and
where that line may (a terminal) and may not (pipes, CI logs) be written."""

from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import pytest

import npql
from npql import cli
from npql.api.bulk import grouped_connectivity, pod_pairs, stream_connlist
from npql.cli import Progress, main, status_line
from npql.cli_output import write_lines
from npql.progress import BYTES, Snapshot, Tracker, tracker

ROOT = Path(__file__).resolve().parents[1]
SHOP = ROOT / "examples" / "shop"


class FakeTTY(io.StringIO):
    """A stream that says it is a terminal, and keeps what was written."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[Snapshot]:
    """Every snapshot the tracker shows right after an advance (what a reader could draw)."""
    seen: list[Snapshot] = []
    advance = Tracker.advance

    def recording(self: Tracker, n: int = 1) -> None:
        advance(self, n)
        seen.append(self.snapshot())

    monkeypatch.setattr(Tracker, "advance", recording)
    return seen


@pytest.fixture
def drawn_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The status line without its one-second grace, on a terminal that is not dumb."""
    monkeypatch.setattr(Progress, "DELAY", 0.0)
    monkeypatch.setenv("TERM", "xterm")


# -- the status line ---------------------------------------------------------------------------


def test_bar_at_zero_percent() -> None:
    line = status_line(Snapshot("connectivity", 1931, 0, "sources"), 1.25)
    assert line == "npql: connectivity       [....................]   0%      0/1,931 sources  1.2s"


def test_bar_at_45_percent_in_megabytes() -> None:
    line = status_line(Snapshot("loading manifests", 27_000_000, 12_300_000, BYTES), 1.4)
    assert line == "npql: loading manifests  [#########...........]  45%  12.3/27.0 MB  1.4s"


def test_bar_at_100_percent() -> None:
    line = status_line(Snapshot("connectivity", 1931, 1931, "sources"), 6.2)
    assert line == "npql: connectivity       [####################] 100%  1,931/1,931 sources  6.2s"


def test_bar_rounds_down_so_100_means_done() -> None:
    assert " 99%" in status_line(Snapshot("connectivity", 1000, 999, "groups"), 2.0)


def test_unknown_total_is_a_spinner() -> None:
    assert status_line(Snapshot("answering", None), 3.0, tick=1) == "/ npql: answering... 3.0s"
    assert status_line(Snapshot("answering", None), 3.0, tick=2).startswith("- npql: answering")


def test_zero_total_is_a_spinner_not_a_division() -> None:
    assert status_line(Snapshot("loading manifests", 0, 0, BYTES), 1.0) == (
        "| npql: loading manifests... 1.0s"
    )


@pytest.mark.parametrize("total", [9, 1931, 10**7, 10**12])
def test_line_fits_80_columns(total: int) -> None:
    for done in (0, total // 3, total):
        line = status_line(Snapshot("a phase with a long name", total, done, "sources"), 999.9)
        assert len(line) <= cli.STATUS_WIDTH < 80
        assert "[" in line and "]" in line


def test_bar_keeps_its_width_as_it_fills() -> None:
    widths = {
        len(status_line(Snapshot("connectivity", 19_499, done, "sources"), 5.0))
        for done in (0, 151, 3_047, 19_499)
    }
    assert widths == {79}


# -- the tracker -------------------------------------------------------------------------------


def test_tracker_counts_and_clamps() -> None:
    t = Tracker()
    t.start("loading manifests", 10, BYTES)
    t.advance(4)
    assert t.snapshot() == Snapshot("loading manifests", 10, 4, BYTES)
    assert t.snapshot().fraction == 0.4
    t.advance(100)
    assert t.snapshot().done == 10 and t.snapshot().fraction == 1.0


def test_finish_keeps_the_phase_and_drops_the_bar() -> None:
    t = Tracker()
    t.start("connectivity", 3, "sources")
    t.advance(3)
    t.finish()
    assert t.snapshot().phase == "connectivity"
    assert t.snapshot().fraction is None


def test_stage_shows_a_step_then_the_phase_again() -> None:
    t = Tracker()
    t.start("connectivity", 8, "sources")
    t.advance(2)
    with t.stage("indexing rules"):
        assert t.snapshot() == Snapshot("indexing rules", None, 0, "")
    assert t.snapshot() == Snapshot("connectivity", 8, 2, "sources")


def test_loading_reports_every_byte(recorded: list[Snapshot]) -> None:
    files = sorted(SHOP.glob("*.yaml"))
    total = sum(len(f.read_text(encoding="utf-8")) for f in files)
    assert total == 3357  # examples/shop: three ASCII files
    npql.load(str(SHOP))
    loading = [s for s in recorded if s.phase == "loading manifests"]
    assert [s.total for s in loading] == [total] * len(files)
    assert [s.done for s in loading] == [
        sum(len(f.read_text(encoding="utf-8")) for f in files[: k + 1]) for k in range(len(files))
    ]
    assert tracker.snapshot() == Snapshot("loading manifests", total, total, BYTES)


def test_streamed_connlist_counts_every_source(recorded: list[Snapshot]) -> None:
    engine = npql.load(str(SHOP)).bitsets
    recorded.clear()
    lines = list(stream_connlist(engine))
    # 4 workloads (one group each) and 3 address ranges that reach into the shop
    assert sum(len(g.pods) for g in engine.groups) == 4
    assert [s.total for s in recorded] == [7] * len(recorded)
    assert recorded[-1] == Snapshot("connectivity", 7, 7, "sources")
    assert [s.done for s in recorded] == sorted({s.done for s in recorded})  # it only grows
    assert len({line.split(" => ")[0] for line in lines}) == 6  # one source reaches nothing


def test_connectivity_counts_every_source_group(recorded: list[Snapshot]) -> None:
    engine = npql.load(str(SHOP)).bitsets
    recorded.clear()
    list(pod_pairs(engine, engine.groups, engine.groups))
    assert recorded == [Snapshot("connectivity", 4, k, "sources") for k in (1, 2, 3, 4)]
    assert tracker.snapshot().fraction is None  # finished: the rest is a spinner


def test_grouped_connectivity_counts_every_group(recorded: list[Snapshot]) -> None:
    engine = npql.load(str(SHOP)).bitsets
    recorded.clear()
    grouped_connectivity(engine)
    assert recorded == [Snapshot("connectivity", 4, k, "groups") for k in (1, 2, 3, 4)]


def test_the_connectivity_query_reports_too(recorded: list[Snapshot]) -> None:
    cluster = npql.load(str(SHOP))
    recorded.clear()
    cluster.query("connectivity")
    assert recorded[-1] == Snapshot("connectivity", 4, 4, "sources")


# -- where the line is written -----------------------------------------------------------------


def _slow_load(monkeypatch: pytest.MonkeyPatch, seconds: float = 0.5) -> None:
    """Loading holds a 40% bar for ``seconds``: long enough for the CLI to draw it."""

    def slow(*args: Any, **kwargs: Any) -> npql.Cluster:
        cluster = npql.load(*args, **kwargs)
        tracker.start("loading manifests", 10, "files")
        tracker.advance(4)
        time.sleep(seconds)
        return cluster

    monkeypatch.setattr("npql.cli.load", slow)


def _run(stderr: TextIO, stdout: TextIO | None = None) -> str:
    """``-o connlist connectivity`` of the shop; what it printed when stdout is not given."""
    out = io.StringIO()
    argv = ["-f", str(SHOP), "-o", "connlist", "connectivity"]
    assert main(argv, stdin=io.StringIO(""), stdout=stdout or out, stderr=stderr) == 0
    return out.getvalue()


@pytest.mark.usefixtures("drawn_at_once")
def test_a_terminal_gets_the_bar_then_a_clean_line(monkeypatch: pytest.MonkeyPatch) -> None:
    _slow_load(monkeypatch)
    err = FakeTTY()
    out = _run(err)
    text = err.getvalue()
    bar = r"\rnpql: loading manifests  \[########\.{12}\]  40%   4/10 files  \d+\.\ds\x1b\[K"
    assert re.search(bar, text), text
    assert text.endswith("\r\x1b[K")  # erased before the answer
    assert len(out.splitlines()) == 11 and not out.startswith("\r")


@pytest.mark.usefixtures("drawn_at_once")
def test_nothing_is_written_when_stderr_is_not_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _slow_load(monkeypatch)
    err = io.StringIO()
    _run(err)
    assert err.getvalue() == ""


@pytest.mark.usefixtures("drawn_at_once")
def test_nothing_is_written_on_a_dumb_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "dumb")
    _slow_load(monkeypatch)
    err = FakeTTY()
    _run(err)
    assert err.getvalue() == ""


def _slow_writing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing the answer takes a while and reports a bar named ``writing``."""

    def slow(lines: Iterator[str], stdout: TextIO, path: str | None) -> None:
        write_lines(lines, stdout, path)
        tracker.start("writing", 2, "parts")
        tracker.advance()
        time.sleep(0.5)

    monkeypatch.setattr("npql.cli.write_lines", slow)


@pytest.mark.usefixtures("drawn_at_once")
def test_an_answer_going_to_a_file_keeps_the_bar_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _slow_writing(monkeypatch)
    err = FakeTTY()
    with open(tmp_path / "out.txt", "w") as out:
        _run(err, out)
    assert "npql: writing" in err.getvalue()
    assert err.getvalue().endswith("\r\x1b[K")
    assert len((tmp_path / "out.txt").read_text().splitlines()) == 11


@pytest.mark.usefixtures("drawn_at_once")
def test_an_answer_on_screen_erases_the_bar_for_good(monkeypatch: pytest.MonkeyPatch) -> None:
    _slow_writing(monkeypatch)
    err = FakeTTY()
    _run(err)
    assert "writing" not in err.getvalue()


def test_clear_erases_once_and_stops_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    err = FakeTTY()
    progress = Progress(err)
    progress.show(0.5)
    assert err.getvalue() == ""  # within the first second: nothing
    progress.show(1.5)
    assert "npql:" in err.getvalue()
    progress.clear()
    progress.show(2.5)
    progress.clear()
    assert err.getvalue().count("\r\x1b[K") == 1
    assert err.getvalue().endswith("\r\x1b[K")


def test_a_file_and_dev_null_are_out_of_sight(tmp_path: Path) -> None:
    with open(tmp_path / "answer.txt", "w") as regular, open(os.devnull, "w") as null:
        assert cli._out_of_sight(regular) and cli._out_of_sight(null)


def test_a_pipe_or_a_buffer_is_not_out_of_sight() -> None:
    read, write = os.pipe()
    with os.fdopen(read) as r, os.fdopen(write, "w") as w:
        assert not cli._out_of_sight(w) and r.readable()
    assert not cli._out_of_sight(io.StringIO())
    assert not cli._out_of_sight(FakeTTY())
