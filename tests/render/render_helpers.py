"""Fixed inputs for the renderer tests, and golden-file comparison.

Inputs come from npql itself (the examples, a connectivity query, scripts run on them) plus a
few hand-built values for what the examples cannot produce: an UNKNOWN assertion, messages full
of characters every format must escape, names that clash once sanitized.

Set ``NPQL_UPDATE_GOLDENS=1`` to rewrite the golden files instead of comparing with them.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import npql
from npql.api.script import run_script
from npql.model.objects import Protocol
from npql.model.ports import PortSet
from npql.solve.results import (
    AssertionResult,
    Connection,
    ConnectivityResult,
    EndpointRef,
    InfoResult,
    ScriptEntry,
    ScriptReport,
    Status,
)

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"

SHOP_SCRIPT = """\
# checks for the shop example
let db = app=postgres
assert cannot app=web reach app=postgres:5432
assert can app=web reach app=postgres:5432
who can reach app=api
assert app=postgres is isolated for ingress
assert only app=web can reach app=api
assert cannot app=web reach app=api:8443
assert can pod shop/nosuch reach app=api:8443
"""

FRONTEND_SCRIPT = """\
assert can app=frontend reach app=backend:80
assert cannot app=frontend reach app=backend:443
"""


@cache
def cluster(example: str) -> npql.Cluster:
    """One loaded example, shared by every test."""
    return npql.load(str(ROOT / "examples" / example))


@cache
def connectivity(example: str) -> ConnectivityResult:
    """The example's connectivity map."""
    result = cluster(example).query("connectivity").result
    assert isinstance(result, ConnectivityResult)
    return result


@cache
def shop_report() -> ScriptReport:
    """Passes, failures with a witness and with a denial proof, a user error, other statements."""
    return run_script(cluster("shop"), SHOP_SCRIPT, "checks/shop.npql")


@cache
def frontend_report() -> ScriptReport:
    """Every assertion holds."""
    return run_script(cluster("frontend-backend"), FRONTEND_SCRIPT, "ci/frontend.npql")


def edge_report() -> ScriptReport:
    """What the examples cannot give: UNKNOWN, and text every format must escape."""
    odd = 'assert cannot "a|b" reach <x&y>:80 # 100% sure, really'
    return ScriptReport(
        "ci checks/odd,name:v1.npql",
        (
            ScriptEntry(
                1,
                "assert can app=a reach app=b:80",
                AssertionResult(
                    "assert can app=a reach app=b:80",
                    Status.UNKNOWN,
                    "the solver could not decide: timeout",
                    reason="timeout",
                    line=1,
                ),
            ),
            ScriptEntry(
                2,
                odd,
                AssertionResult(
                    odd, Status.FAILED, 'expected 100% "none" | got <one>\r\nsecond line', line=2
                ),
            ),
            ScriptEntry(3, "show policies", InfoResult("show policies", "policies")),
            ScriptEntry(4, "assert can $x reach app=b:80", error="unknown variable $x\n  $x\n  ^"),
            ScriptEntry(
                5,
                "assert cannot app=a reach app=b:80",
                AssertionResult(
                    "assert cannot app=a reach app=b:80", Status.PASSED, "as expected", line=5
                ),
            ),
        ),
    )


def odd_connectivity() -> ConnectivityResult:
    """Names that clash once sanitized, a new pod with odd labels, several protocols."""
    a = EndpointRef("Deployment", "team-a", "api")
    a_dot = EndpointRef("Deployment", "team.a", "api")
    new_pod = EndpointRef("Hypothetical", "team-a", labels={"app": 'we"ird', "x": "<y>"})
    outside = EndpointRef("External", cidr="192.168.0.0/16")
    both = PortSet.of(Protocol.TCP, 80, 80).union(PortSet.of(Protocol.UDP, 53, 53))
    return ConnectivityResult(
        "connectivity",
        (
            Connection(a, a_dot, both),
            Connection(new_pod, a, PortSet.of(Protocol.TCP, 8000, 8100)),
            Connection(outside, a_dot, PortSet.all()),
            Connection(a_dot, outside, PortSet.of(Protocol.SCTP, 9, 9)),
        ),
    )


def many_connections(count: int) -> ConnectivityResult:
    """``count`` connections from one workload to as many others in ten namespaces."""
    source = EndpointRef("Deployment", "hub", "client")
    return ConnectivityResult(
        "connectivity",
        tuple(
            Connection(
                source,
                EndpointRef("Deployment", f"ns-{i % 10}", f"svc-{i:03d}"),
                PortSet.of(Protocol.TCP, 1000 + i, 1000 + i),
            )
            for i in range(count)
        ),
    )


def workload_names(result: ConnectivityResult) -> set[str]:
    """The name of every workload in a connectivity map."""
    ends = [e for c in result.connections for e in (c.source, c.target)]
    return {e.name for e in ends if e.name is not None}


def assert_golden(name: str, text: str) -> None:
    """Compare with ``golden/<name>`` (npql's version masked), or rewrite it when asked."""
    version = npql.__version__
    text = text.replace(f'"version": "{version}"', '"version": "<version>"')
    text = text.replace(f"generated by npql {version}<", "generated by npql <version><")
    path = GOLDEN / name
    if os.environ.get("NPQL_UPDATE_GOLDENS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
        return
    assert path.exists(), f"missing golden {path}: run with NPQL_UPDATE_GOLDENS=1"
    expected = path.read_bytes().decode("utf-8")
    assert text == expected, f"{name} differs from its golden (NPQL_UPDATE_GOLDENS=1 rewrites)"
