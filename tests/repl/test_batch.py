"""Batch mode (piped stdin): answers on stdout, errors on stderr, exit 0 / 2 / 3."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from repl_helpers import FRONTEND_BACKEND, ROOT

import npql
from npql.api import Cluster
from npql.repl import run_batch


def batch(cluster: Cluster, text: str, **kw: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_batch(cluster, io.StringIO(text), out, err, **kw)
    return code, out.getvalue(), err.getvalue()


def test_statements_are_answered_in_order(frontend_backend: Cluster) -> None:
    code, out, err = batch(
        frontend_backend,
        "who can reach app=backend:80\n# a comment\n\ncan app=frontend reach app=backend:81\n",
    )
    assert code == 0 and err == ""
    assert out.index("1 source(s)") < out.index("DENIED")


def test_a_user_error_gives_2_and_the_rest_still_runs(frontend_backend: Cluster) -> None:
    code, out, err = batch(frontend_backend, "connectivity\nwho can reach app=\nconnectivity\n")
    assert code == 2
    assert out.count("=> default/backend[Deployment]") == 2
    assert err.startswith("error: unexpected end of line (line 2, column 19)")


def test_semicolons_and_commands(frontend_backend: Cluster) -> None:
    code, out, _ = batch(frontend_backend, "\\o json\nconnectivity; connectivity\n")
    assert code == 0 and out.count('"statement": "connectivity"') == 2


def test_quit_stops_reading(frontend_backend: Cluster) -> None:
    code, out, _ = batch(frontend_backend, "\\q\nconnectivity\n")
    assert (code, out) == (0, "")


def test_output_option(frontend_backend: Cluster) -> None:
    _, out, _ = batch(frontend_backend, "connectivity\n", output="connlist")
    assert "default/frontend[Deployment] => default/backend[Deployment] : TCP 80\n" in out
    assert "source(s)" not in out


def test_internal_errors_give_3(frontend_backend: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(Cluster, "query", boom)
    code, _, err = batch(frontend_backend, "connectivity\nwho can reach app=\n")
    assert code == 3 and "internal error (please report it)" in err and "boom" in err


def test_the_launcher_runs_batch_on_a_pipe() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "npql.repl", "-f", str(FRONTEND_BACKEND)],
        input="who can reach app=backend:80\nwho can reach pod default/nope\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "default/frontend[Deployment] -> default/backend[Deployment]" in proc.stdout
    assert "no pod or workload named default/nope" in proc.stderr
    assert "npql>" not in proc.stdout


def test_the_clusters_options_are_kept() -> None:
    cluster = npql.load(str(FRONTEND_BACKEND), timeout_ms=1500, ipblocks_match_pod_ips=True)
    code, _, _ = batch(cluster, "connectivity\n")
    assert code == 0
    assert cluster.options.timeout_ms == 1500 and cluster.options.ipblocks_match_pod_ips
