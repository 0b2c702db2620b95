"""Script reports for CI: JUnit XML, GitHub workflow commands, SARIF."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from render_helpers import assert_golden, edge_report, frontend_report, shop_report

from npql.render.github import escape_data, escape_property, render_github
from npql.render.junit import render_junit
from npql.render.report import counts_text, outcomes
from npql.render.sarif import render_sarif
from npql.solve.results import ScriptReport

REPORTS: dict[str, Callable[[], ScriptReport]] = {
    "shop": shop_report,
    "frontend": frontend_report,
    "edge": edge_report,
}


@pytest.mark.parametrize("name", REPORTS)
@pytest.mark.parametrize(
    ("fmt", "render"), [("junit.xml", render_junit), ("github.txt", render_github)]
)
def test_golden_text(name: str, fmt: str, render: Callable[[ScriptReport], str]) -> None:
    assert_golden(f"{name}.{fmt}", render(REPORTS[name]()))


@pytest.mark.parametrize("name", REPORTS)
def test_golden_sarif(name: str) -> None:
    assert_golden(f"{name}.sarif", render_sarif(REPORTS[name]()))


def test_shop_report_has_every_kind_of_outcome() -> None:
    report = shop_report()
    assert (report.passed, report.failed, report.unknown, report.errors) == (2, 3, 0, 1)
    assert counts_text(report) == "2 passed, 3 failed, 1 error(s)"
    statuses = [o.status for o in outcomes(report)]
    assert statuses == ["passed", "failed", "passed", "failed", "failed", "error"]


# --- JUnit ----------------------------------------------------------------------------------


def _suite(report: ScriptReport) -> ET.Element:
    root = ET.fromstring(render_junit(report))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    return suites[0]


@pytest.mark.parametrize("name", REPORTS)
def test_junit_counts(name: str) -> None:
    report = REPORTS[name]()
    suite = _suite(report)
    cases = suite.findall("testcase")
    assert suite.get("name") == report.path
    assert int(suite.get("tests", "-1")) == len(cases) == len(report.assertions()) + report.errors
    assert int(suite.get("failures", "-1")) == report.failed == len(suite.findall("*/failure"))
    errors = report.unknown + report.errors
    assert int(suite.get("errors", "-1")) == errors == len(suite.findall("*/error"))
    assert suite.get("skipped") == "0"


def test_junit_cases_name_lines_and_carry_witnesses() -> None:
    suite = _suite(shop_report())
    names = [c.get("name") for c in suite.findall("testcase")]
    assert names[0] == "line 3: assert cannot app=web reach app=postgres:5432/tcp"
    assert not any("who can reach" in str(n) or "let db" in str(n) for n in names)
    assert {c.get("classname") for c in suite.findall("testcase")} == {"npql.shop"}
    witness = suite.find("testcase[@name='line 8: assert cannot app=web reach app=api:8443/tcp']")
    assert witness is not None
    failure = witness.find("failure")
    assert failure is not None
    assert failure.get("message") == "expected no connection, but one is allowed"
    assert "shop/web[Deployment] -> shop/api[Deployment]  TCP/8443" in (failure.text or "")
    assert "admitted by shop/api-ingress.ingress[0]" in (failure.text or "")


def test_junit_unknown_and_user_errors_are_errors() -> None:
    suite = _suite(edge_report())
    errors = suite.findall("testcase/error")
    assert [e.get("type") for e in errors] == ["unknown", "error"]
    assert errors[1].get("message") == "unknown variable $x"
    assert "  ^" in (errors[1].text or "")
    assert {c.get("classname") for c in suite.findall("testcase")} == {"npql.odd_name_v1"}


# --- GitHub ---------------------------------------------------------------------------------


def test_github_escapes_data_and_properties() -> None:
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a,b:c%") == "a%2Cb%3Ac%25"


@pytest.mark.parametrize("name", REPORTS)
def test_github_one_command_per_problem_then_a_notice(name: str) -> None:
    report = REPORTS[name]()
    lines = render_github(report).splitlines()
    assert all(line.startswith("::") for line in lines)
    problems = report.failed + report.unknown + report.errors
    assert len(lines) == problems + 1
    assert lines[-1] == f"::notice::{counts_text(report)}"
    assert sum(line.startswith("::warning ") for line in lines) == report.unknown


def test_github_annotations_point_at_lines() -> None:
    lines = render_github(shop_report()).splitlines()
    assert lines[0].startswith(
        "::error file=checks/shop.npql,line=4,title=npql assertion failed::FAILED  line 4: "
    )
    assert "%0A  isolated by: data/default-deny" in lines[0]
    assert lines[-2].startswith("::error file=checks/shop.npql,line=9,title=npql statement error")
    assert lines[-1] == "::notice::2 passed, 3 failed, 1 error(s)"


def test_github_edge_cases() -> None:
    lines = render_github(edge_report()).splitlines()
    path = "file=ci checks/odd%2Cname%3Av1.npql"
    assert lines[0].startswith(f"::warning {path},line=1,title=npql assertion unknown::")
    assert "100%25" in lines[1] and "%0D%0Asecond line" in lines[1]


# --- SARIF ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REPORTS)
def test_sarif_is_2_1_0_with_a_result_per_problem(name: str) -> None:
    report = REPORTS[name]()
    doc = json.loads(render_sarif(report))
    assert doc["version"] == "2.1.0"
    assert doc["$schema"].endswith("sarif-2.1.0.json")
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "npql"
    rule_ids = [r["id"] for r in driver["rules"]]
    assert rule_ids[:2] == ["npql/assertion-failed", "npql/assertion-unknown"]
    results = run["results"]
    assert len(results) == report.failed + report.unknown + report.errors
    for result in results:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["message"]["text"]
        (location,) = result["locations"]
        assert location["physicalLocation"]["region"]["startLine"] >= 1


def test_sarif_locations_and_levels() -> None:
    run = json.loads(render_sarif(shop_report()))["runs"][0]
    found = [
        (
            r["ruleId"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in run["results"]
    ]
    assert found == [
        ("npql/assertion-failed", "error", "checks/shop.npql", 4),
        ("npql/assertion-failed", "error", "checks/shop.npql", 7),
        ("npql/assertion-failed", "error", "checks/shop.npql", 8),
        ("npql/statement-error", "error", "checks/shop.npql", 9),
    ]
    edge = json.loads(render_sarif(edge_report()))["runs"][0]["results"]
    assert edge[0]["level"] == "warning"
    uri = edge[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "ci%20checks/odd%2Cname%3Av1.npql"
