"""Comparison from the command line: diff, the no-new-access gate, safe change, lint."""

from __future__ import annotations

import io
import json
from pathlib import Path

from npql.cli import main

EX = Path(__file__).resolve().parents[1] / "examples" / "compare"


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(""), stdout=out, stderr=err)
    return code, out.getvalue() + err.getvalue()


def test_diff_lists_added_connections() -> None:
    code, out = run("-f", str(EX / "after-broad"), "--diff-from", str(EX / "before"))
    assert code == 0
    assert "+ monitoring/prometheus[Deployment] => shop/api[Deployment] : TCP 8443" in out


def test_no_new_access_gate() -> None:
    grows = run("-f", str(EX / "after-broad"), "--diff-from", str(EX / "before"), "--no-new-access")
    assert grows[0] == 1 and "witness" in grows[1]
    shrinks = run(
        "-f", str(EX / "after-tighten"), "--diff-from", str(EX / "before"), "--no-new-access"
    )
    assert shrinks[0] == 0


def test_safe_change() -> None:
    intent = "can app=web reach app=api:8443"
    ok = run("-f", str(EX / "after-safe"), "--diff-from", str(EX / "before"), "--intent", intent)
    assert ok[0] == 0 and "SAFE" in ok[1]
    broad = run(
        "-f", str(EX / "after-broad"), "--diff-from", str(EX / "before"), "--intent", intent
    )
    assert broad[0] == 1


def test_diff_json() -> None:
    code, out = run("-f", str(EX / "after-broad"), "--diff-from", str(EX / "before"), "-o", "json")
    assert code == 0 and json.loads(out)["schema"] == "npql/v1"


def test_lint_exits_1_on_warnings_and_redundancy_answers() -> None:
    code, out = run("-f", str(EX / "redundant"), "lint")
    assert code == 1 and "NPQL001" in out and "cluster.yaml:" in out
    code, out = run("-f", str(EX / "redundant"), "redundant rules")
    assert code == 0 and "shadowed" in out
