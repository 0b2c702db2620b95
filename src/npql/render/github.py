"""``--script -o github``: GitHub Actions workflow commands that annotate the script's lines."""

from __future__ import annotations

from npql.render.report import ERROR, Outcome, counts_text, outcomes
from npql.solve.results import ScriptReport, Status

_TITLES = {
    Status.FAILED.value: ("error", "npql assertion failed"),
    Status.UNKNOWN.value: ("warning", "npql assertion unknown"),
    ERROR: ("error", "npql statement error"),
}


def escape_data(text: str) -> str:
    """Escape a command's message: ``%``, CR and LF (the workflow-command spec)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value: as data, plus ``:`` and ``,`` which end a property."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(path: str, outcome: Outcome) -> str | None:
    if outcome.status not in _TITLES:
        return None
    command, title = _TITLES[outcome.status]
    props = [f"file={escape_property(path)}"]
    if outcome.line:
        props.append(f"line={outcome.line}")
    props.append(f"title={escape_property(title)}")
    return f"::{command} {','.join(props)}::{escape_data(outcome.detail or outcome.message)}"


def render_github(report: ScriptReport) -> str:
    """One annotation per failed, unknown or erroring statement, then a summary notice."""
    lines = [c for c in (_command(report.path, o) for o in outcomes(report)) if c is not None]
    lines.append(f"::notice::{escape_data(counts_text(report))}")
    return "\n".join(lines) + "\n"
