"""``--script -o sarif``: SARIF 2.1.0, for code-scanning dashboards."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from npql import __version__
from npql.render.report import ERROR, Outcome, outcomes
from npql.solve.results import ScriptReport, Status

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"

# (outcome status, rule id, level, short description)
_RULES: tuple[tuple[str, str, str, str], ...] = (
    (Status.FAILED.value, "npql/assertion-failed", "error", "An npql assertion does not hold"),
    (
        Status.UNKNOWN.value,
        "npql/assertion-unknown",
        "warning",
        "The solver could not decide an npql assertion",
    ),
    (ERROR, "npql/statement-error", "error", "An npql statement could not be answered"),
)
_INDEX = {status: i for i, (status, *_) in enumerate(_RULES)}


def _rule(rule_id: str, level: str, description: str) -> dict[str, Any]:
    return {
        "id": rule_id,
        "name": rule_id.removeprefix("npql/").replace("-", " ").title().replace(" ", ""),
        "shortDescription": {"text": description},
        "defaultConfiguration": {"level": level},
    }


def _location(path: str, line: int) -> dict[str, Any]:
    uri = quote(path.replace("\\", "/"), safe="/")
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if line > 0:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def _result(path: str, outcome: Outcome) -> dict[str, Any]:
    index = _INDEX[outcome.status]
    _, rule_id, level, _ = _RULES[index]
    return {
        "ruleId": rule_id,
        "ruleIndex": index,
        "level": level,
        "message": {"text": outcome.detail or outcome.message},
        "locations": [_location(path, outcome.line)],
    }


def render_sarif(report: ScriptReport) -> str:
    """One SARIF run: a rule per kind of problem, a result per failed/unknown/erroring line."""
    driver = {
        "name": "npql",
        "version": __version__,
        "rules": [_rule(rule_id, level, text) for _, rule_id, level, text in _RULES],
    }
    results = [_result(report.path, o) for o in outcomes(report) if o.status in _INDEX]
    doc = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": results}],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
