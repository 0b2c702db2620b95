"""npql's connectivity list against netpol-analyzer's expected outputs (third-party data).

Runs ``connectivity -o connlist`` through the CLI over every scenario of a group in
../shared/conformance/netpol-analyzer and compares with ``check_connlist.py --semantic``.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from npql.cli import main

SHARED = Path(os.environ.get("NPQL_SHARED", Path(__file__).resolve().parents[2] / "shared"))
CORPUS = SHARED / "conformance" / "netpol-analyzer"
CHECKER = SHARED / "conformance" / "check_connlist.py"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no conformance corpus at {CORPUS}")


def scenarios(group: str) -> list[str]:
    """Names of the corpus scenarios of one group."""
    if not CORPUS.is_dir():
        return []
    index = yaml.safe_load((CORPUS / "index.yaml").read_text())
    return sorted(s["name"] for s in index["scenarios"] if s["group"] == group)


def produce(scenario: str) -> str:
    """npql's connlist for one scenario, through the CLI."""
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["-f", str(CORPUS / scenario / "resources"), "-o", "connlist", "connectivity"],
        stdout=out,
        stderr=err,
    )
    assert code == 0, err.getvalue()
    return out.getvalue()


def test_groups_have_their_scenarios() -> None:
    assert len(scenarios("netpol")) == 42
    assert len(scenarios("anp")) == 54


@pytest.mark.parametrize("scenario", scenarios("netpol") + scenarios("anp"))
def test_scenario_matches(scenario: str, tmp_path: Path) -> None:
    produced = tmp_path / f"{scenario}.txt"
    produced.write_text(produce(scenario))
    result = subprocess.run(
        [sys.executable, str(CHECKER), "--semantic", str(CORPUS / scenario), str(produced)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
