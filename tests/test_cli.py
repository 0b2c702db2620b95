"""The command line: inputs, outputs and exit codes (in-process, plus one real process)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from npql.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "examples" / "frontend-backend")


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_who_can_reach_text() -> None:
    code, out, _ = run("-f", EXAMPLE, "who", "can", "reach", "app=backend:80")
    assert code == 0
    assert "default/frontend[Deployment] -> default/backend[Deployment] : TCP 80" in out


def test_query_as_one_argument() -> None:
    assert run("-f", EXAMPLE, "can app=frontend reach app=backend:80")[0] == 0


def test_can_json_contract() -> None:
    code, out, _ = run("-f", EXAMPLE, "-o", "json", "can app=frontend reach app=backend:81")
    doc = json.loads(out)
    assert code == 0
    assert doc["schema"] == "npql/v1"
    assert doc["verdict"] == "denied" and doc["allowed"] is False


def test_who_and_what_json_lists() -> None:
    who = json.loads(run("-f", EXAMPLE, "-o", "json", "who can reach app=backend:80")[1])
    assert who["sources"][0] | {"reaches": None} == {
        "namespace": "default",
        "name": "frontend",
        "kind": "Deployment",
        "reaches": None,
    }
    what = json.loads(run("-f", EXAMPLE, "-o", "json", "what can app=frontend reach")[1])
    cidrs = [d["cidr"] for d in what["destinations"] if "cidr" in d]
    assert cidrs == ["0.0.0.0/0", "::/0"]


def test_connlist_format() -> None:
    code, out, _ = run("-f", EXAMPLE, "-o", "connlist", "connectivity")
    assert code == 0
    assert "default/frontend[Deployment] => default/backend[Deployment] : TCP 80\n" in out
    assert (
        "0.0.0.0-255.255.255.255[External] => default/frontend[Deployment] : All Connections" in out
    )


def test_connlist_only_for_connectivity() -> None:
    code, _, err = run("-f", EXAMPLE, "-o", "connlist", "who can reach app=backend")
    assert code == 2 and "connectivity" in err


def test_manifests_from_stdin_as_kubectl_list() -> None:
    manifest = """
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: a, namespace: x, labels: {app: a}}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: deny, namespace: x}
  spec: {podSelector: {}}
- apiVersion: v1
  kind: Pod
  metadata: {name: b, namespace: x, labels: {app: b}}
"""
    code, out, _ = run("-f", "-", "-o", "json", "can pod x/a reach pod x/b:80", stdin=manifest)
    assert code == 0 and json.loads(out)["allowed"] is False


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["who can reach app=backend"], "no manifests"),
        (["-f", EXAMPLE], "no query"),
        (["-f", EXAMPLE, "who can reach app=backend:70000"], "70000"),
        (["-f", EXAMPLE, "can app=frontend reach"], "^"),
        (["-f", EXAMPLE, "can pod default/fronted reach app=backend"], "did you mean"),
        (["-f", "/nonexistent/path", "connectivity"], "/nonexistent/path"),
        (["-f", EXAMPLE, "--bogus-flag", "connectivity"], "bogus"),
    ],
)
def test_bad_usage_exits_2_without_traceback(argv: list[str], message: str) -> None:
    code, _, err = run(*argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_invalid_policy_exits_2_naming_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\n"
        "spec:\n  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/33}\n"
    )
    code, _, err = run("-f", str(bad), "connectivity")
    assert code == 2
    assert "bad.yaml" in err and "ipBlock" in err and "Traceback" not in err


def test_malformed_yaml_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("kind: Pod\nmetadata: {name: [unclosed\n")
    code, _, err = run("-f", str(bad), "connectivity")
    assert code == 2 and "broken.yaml" in err and "Traceback" not in err


CALICO = """
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: cluster-deny}
spec: {selector: all()}
---
apiVersion: v1
kind: Pod
metadata: {name: a, labels: {app: a}}
"""


def test_unmodelled_policy_kinds_warn_and_strict_fails() -> None:
    code, out, _ = run("-f", "-", "can pod default/a reach pod default/a", stdin=CALICO)
    assert code == 0 and "GlobalNetworkPolicy" in out and "ignored" in out
    code, _, err = run("-f", "-", "--strict", "connectivity", stdin=CALICO)
    assert code == 2 and "GlobalNetworkPolicy" in err


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("npql ")


def test_console_script_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "npql", "-f", EXAMPLE, "who", "can", "reach", "app=backend:80"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "frontend" in result.stdout


def test_ctrl_c_exits_130_cleanly() -> None:
    import signal
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "npql", "-f", EXAMPLE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # an inherited "ignore SIGINT" would survive into the child's Python
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(2.0)  # waiting for statements on stdin
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130
    assert "Traceback" not in err and "interrupted" in err
