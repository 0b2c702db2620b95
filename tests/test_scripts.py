"""Scripts of assertions in CI: exit codes, witnesses, JUnit counts, syntax errors, pictures."""

from __future__ import annotations

import io
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from npql.cli import main

ROOT = Path(__file__).resolve().parents[1]
SHOP = str(ROOT / "examples" / "shop")
CHECKS = ROOT / "examples" / "ci" / "checks.npql"

MIXED = """\
# two pass, two fail
assert can app=api reach app=postgres:5432
assert cannot app=web reach app=postgres:5432
assert can app=web reach app=postgres:5432
assert only app=web can reach app=api
"""


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(""), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_example_checks_all_hold() -> None:
    code, out, _ = run("-f", SHOP, "--script", str(CHECKS))
    assert code == 0 and out.rstrip().endswith("7 passed, 0 failed")


def test_failing_script_exits_1_with_witnesses(tmp_path: Path) -> None:
    script = tmp_path / "mixed.npql"
    script.write_text(MIXED)
    code, out, _ = run("-f", SHOP, "--script", str(script))
    assert code == 1
    assert "2 passed, 2 failed" in out
    # a denied 'can' shows the isolating policy; a broken 'only' shows who gets through
    assert "isolated by: data/default-deny" in out
    assert "monitoring/prometheus[Deployment]" in out and "TCP 9090" in out
    assert run("-f", SHOP, "--script", str(script), "--exit-zero")[0] == 0


def test_junit_counts(tmp_path: Path) -> None:
    script = tmp_path / "mixed.npql"
    script.write_text(MIXED)
    code, out, _ = run("-f", SHOP, "--script", str(script), "-o", "junit")
    assert code == 1
    root = ET.fromstring(out)
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    assert suite is not None
    assert suite.get("tests") == "4" and suite.get("failures") == "2"


def test_syntax_error_names_the_line(tmp_path: Path) -> None:
    script = tmp_path / "broken.npql"
    script.write_text(
        "assert can app=api reach app=postgres:5432\n\nassert cannot app=web rech x\n"
    )
    code, _, err = run("-f", SHOP, "--script", str(script))
    assert code == 2 and f"{script}:3:" in err and "Traceback" not in err


def test_statements_piped_on_stdin() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["-f", SHOP], stdin=io.StringIO(MIXED), stdout=out, stderr=err)
    assert code == 1 and "2 passed, 2 failed" in out.getvalue()


def test_json_lines(tmp_path: Path) -> None:
    import json

    script = tmp_path / "mixed.npql"
    script.write_text(MIXED)
    _, out, _ = run("-f", SHOP, "--script", str(script), "-o", "json")
    docs = [json.loads(line) for line in out.splitlines()]
    assert [d["line"] for d in docs] == [2, 3, 4, 5]
    assert [d["passed"] for d in docs] == [True, True, False, False]


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_dot_renders_every_workload() -> None:
    code, out, _ = run("-f", SHOP, "-o", "dot", "connectivity")
    assert code == 0
    svg = subprocess.run(["dot", "-Tsvg"], input=out, capture_output=True, text=True, check=True)
    for name in ("web", "api", "postgres", "prometheus"):
        assert f">{name}<" in svg.stdout or name in svg.stdout
