"""Which renderer serves which ``-o`` format, for single queries and for scripts."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TextIO

from npql.errors import UsageError
from npql.render.connlist import render_connlist
from npql.render.json import render_json, to_dict
from npql.render.manifests import render_manifests
from npql.render.text import render_text
from npql.solve.results import ConnectivityResult, Result, ScriptReport

if TYPE_CHECKING:
    from npql.api.cluster import Cluster


def _connectivity_only(fmt: str, result: Result) -> ConnectivityResult:
    if not isinstance(result, ConnectivityResult):
        raise UsageError(f"-o {fmt} prints the answer to 'connectivity' only")
    return result


def _dot(result: Result) -> str:
    from npql.render.dot import render_dot

    return render_dot(_connectivity_only("dot", result))


def _mermaid(result: Result) -> str:
    from npql.render.mermaid import render_mermaid

    return render_mermaid(_connectivity_only("mermaid", result))


def _image(fmt: str) -> Callable[[Result], bytes]:
    def render(result: Result) -> bytes:
        from npql.render.dot import render_image

        return render_image(_connectivity_only(fmt, result), fmt)

    return render


def _html(result: Result) -> str:
    from npql.render.html import render_html

    return render_html(None, _connectivity_only("html", result))


QUERY_FORMATS: dict[str, Callable[[Result], str | bytes]] = {
    "text": render_text,
    "json": lambda r: render_json(r) + "\n",
    "connlist": lambda r: render_connlist(_connectivity_only("connlist", r)),
    "yaml": render_manifests,
    "dot": _dot,
    "mermaid": _mermaid,
    "svg": _image("svg"),
    "png": _image("png"),
    "html": _html,
}


def render_query(result: Result, fmt: str, limit: int | None = None) -> str | bytes:
    """Render one answer in a format (UsageError for an unknown one)."""
    if fmt == "text":
        return render_text(result, limit)
    renderer = QUERY_FORMATS.get(fmt)
    if renderer is None:
        raise UsageError(f"unknown output format {fmt!r}; choose one of {', '.join(QUERY_FORMATS)}")
    return renderer(result)


def _script_text(report: ScriptReport) -> str:
    blocks = []
    for entry in report.entries:
        if entry.error is not None:
            blocks.append(f"ERROR  line {entry.line}: {entry.text}\n  {entry.error}\n")
        elif entry.result is not None:
            blocks.append(render_text(entry.result))
    summary = f"{report.passed} passed, {report.failed} failed"
    if report.unknown:
        summary += f", {report.unknown} unknown"
    if report.errors:
        summary += f", {report.errors} error(s)"
    return "".join(blocks) + summary + "\n"


def _script_json(report: ScriptReport) -> str:
    lines = []
    for entry in report.entries:
        if entry.result is not None:
            doc = to_dict(entry.result) | {"line": entry.line}
        else:
            doc = {
                "schema": "npql/v1",
                "query": entry.text,
                "line": entry.line,
                "error": {"message": entry.error, "file": report.path, "line": entry.line},
            }
        lines.append(json.dumps(doc))
    return "\n".join(lines) + "\n"


def render_script(report: ScriptReport, fmt: str, cluster: Cluster) -> str:
    """Render a script run in a format (UsageError for an unknown one)."""
    if fmt == "text":
        return _script_text(report)
    if fmt == "json":
        return _script_json(report)
    if fmt in ("html", "markdown"):
        connectivity = cluster.query("connectivity").result
        assert isinstance(connectivity, ConnectivityResult)
        if fmt == "html":
            from npql.render.html import render_html

            return render_html(report, connectivity)
        from npql.render.markdown import render_markdown

        return render_markdown(report, connectivity)
    renderer = _SCRIPT_RENDERERS.get(fmt)
    if renderer is None:
        raise UsageError(
            f"unknown script output {fmt!r}; choose one of {', '.join(SCRIPT_FORMATS)}"
        )
    return renderer(report)


def _junit(report: ScriptReport) -> str:
    from npql.render.junit import render_junit

    return render_junit(report)


def _github(report: ScriptReport) -> str:
    from npql.render.github import render_github

    return render_github(report)


def _sarif(report: ScriptReport) -> str:
    from npql.render.sarif import render_sarif

    return render_sarif(report)


_SCRIPT_RENDERERS: dict[str, Callable[[ScriptReport], str]] = {
    "junit": _junit,
    "github": _github,
    "sarif": _sarif,
}
SCRIPT_FORMATS = ("text", "json", "junit", "github", "sarif", "markdown", "html")


def _stream_connlist(cluster: Cluster) -> Iterator[str]:
    from npql.api.bulk import connlist_blocks

    # a source's lines in one write: 140,000 single-line writes cost more than the joins
    return ("\n".join(block) for block in connlist_blocks(cluster.bitsets))


def _grouped(cluster: Cluster) -> Iterator[str]:
    from npql.api.bulk import grouped_connectivity

    return (str(g) for g in grouped_connectivity(cluster.bitsets))


#: Formats of ``connectivity`` written line by line, never held whole in memory.
BULK_FORMATS: dict[str, Callable[[Cluster], Iterator[str]]] = {
    "connlist": _stream_connlist,
    "connlist-grouped": _grouped,
}


def write_lines(lines: Iterator[str], stdout: TextIO, path: str | None) -> None:
    """Write lines as they come, to a file when asked, else to stdout."""
    if path is None:
        for line in lines:
            stdout.write(line + "\n")
        return
    with open(path, "w") as fh:
        for line in lines:
            fh.write(line + "\n")


def write_output(data: str | bytes, stdout: TextIO, path: str | None) -> None:
    """Write to a file when asked, else to stdout (binary formats need a file or a pipe)."""
    if path is not None:
        mode = "wb" if isinstance(data, bytes) else "w"
        with open(path, mode) as fh:
            fh.write(data)
        return
    if isinstance(data, bytes):
        buffer = getattr(stdout, "buffer", None)
        if buffer is None:
            raise UsageError("binary output: use --output-file FILE")
        buffer.write(data)
        return
    stdout.write(data)
