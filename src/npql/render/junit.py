"""``--script -o junit``: one JUnit XML test suite, one test case per assertion."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import PurePath

from npql.render.report import ERROR, Outcome, outcomes
from npql.solve.results import ScriptReport, Status

# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _classname(path: str) -> str:
    stem = PurePath(path).stem or "script"
    return "npql." + (re.sub(r"[^\w-]+", "_", stem).strip("_") or "script")


def _testcase(suite: ET.Element, outcome: Outcome, classname: str) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        name=_clean(f"line {outcome.line}: {outcome.text}"),
        classname=classname,
    )
    if outcome.status == Status.FAILED.value:
        child = ET.SubElement(case, "failure", message=_clean(outcome.message), type="failed")
    elif outcome.status == Status.UNKNOWN.value:
        child = ET.SubElement(case, "error", message=_clean(outcome.message), type="unknown")
    elif outcome.status == ERROR:
        child = ET.SubElement(case, "error", message=_clean(outcome.message), type="error")
    else:
        return
    child.text = _clean(outcome.detail + "\n")


def render_junit(report: ScriptReport) -> str:
    """The script run as JUnit XML: failures carry the witness as text, UNKNOWN is an error."""
    cases = outcomes(report)
    counts = {
        "tests": str(len(cases)),
        "failures": str(report.failed),
        "errors": str(report.unknown + report.errors),
        "skipped": "0",
    }
    root = ET.Element("testsuites", {"name": "npql", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": _clean(report.path), **counts})
    classname = _classname(report.path)
    for outcome in cases:
        _testcase(suite, outcome, classname)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
