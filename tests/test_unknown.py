"""UNKNOWN is an answer, never "no path": a solver that gives up is reported with its reason,
and scripts exit 1 unless --allow-unknown."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import npql
from npql.cli import main
from npql.solve import engine
from npql.solve.engine import Outcome

EXAMPLE = str(Path(__file__).resolve().parents[1] / "examples" / "frontend-backend")


@pytest.fixture
def giving_up(monkeypatch: pytest.MonkeyPatch) -> None:
    def check(self: engine.IncrementalSolver, *args: object, **kw: object) -> Outcome:
        return Outcome("unknown", reason="timeout")

    monkeypatch.setattr(engine.IncrementalSolver, "check", check)


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(""), stdout=out, stderr=err)
    return code, out.getvalue() + err.getvalue()


def test_can_query_reports_unknown_with_reason(giving_up: None) -> None:
    answer = npql.load(EXAMPLE).query("can app=frontend reach app=backend:80")
    assert answer.allowed is None and answer.verdict == "unknown"
    assert answer.to_dict()["reason"] == "timeout"


def test_unknown_exit_codes(giving_up: None, tmp_path: Path) -> None:
    code, out = run("-f", EXAMPLE, "can app=frontend reach app=backend:81")
    assert code == 1 and "UNKNOWN" in out and "timeout" in out
    assert run("-f", EXAMPLE, "--allow-unknown", "can app=frontend reach app=backend:81")[0] == 0
    script = tmp_path / "checks.npql"
    script.write_text("assert cannot app=frontend reach app=backend:81\n")
    code, out = run("-f", EXAMPLE, "--script", str(script))
    assert code == 1 and "UNKNOWN" in out
    assert run("-f", EXAMPLE, "--script", str(script), "--allow-unknown")[0] == 0


def test_real_timeout_flag_is_accepted() -> None:
    code, out = run("-f", EXAMPLE, "--timeout", "5", "can app=frontend reach app=backend:80")
    assert code == 0 and "ALLOWED" in out
