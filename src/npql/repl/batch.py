"""Piped stdin: no prompt; statements read and answered one line at a time."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from npql.api import Cluster
from npql.repl.config import Settings
from npql.repl.session import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    ExitRepl,
    SessionState,
    execute,
    write_outcome,
)


def run_batch(
    cluster: Cluster,
    lines: Iterable[str],
    stdout: TextIO,
    stderr: TextIO,
    *,
    output: str = "text",
    paths: Iterable[str] = (),
) -> int:
    """Answer each line as it is read: 0 all fine, 2 if a line had a user error, 3 internal.

    Lines may hold statements (``;`` between several), ``#`` comments and backslash commands
    (``\\o json``, ``\\timing``, ``\\q``). Answers go to ``stdout``, errors to ``stderr``;
    an error does not stop the lines after it.
    """
    settings = settings_of(cluster, output)
    state = SessionState(cluster, list(paths), settings)
    worst = EXIT_OK
    for number, line in enumerate(lines, start=1):
        try:
            for outcome in execute(state, _at_line(number, line)):
                write_outcome(outcome, stdout, stderr, settings.timing)
                worst = _worse(worst, outcome.exit_code)
        except ExitRepl:
            break
        stdout.flush()
    return worst


def _at_line(number: int, line: str) -> str:
    """The line, preceded by empty lines so syntax errors name its line in the input."""
    return line if line.lstrip().startswith("\\") else "\n" * (number - 1) + line


def _worse(a: int, b: int) -> int:
    rank = {EXIT_OK: 0, EXIT_BAD_INPUT: 1, EXIT_INTERNAL: 2}
    return max(a, b, key=lambda code: rank.get(code, 1))


def settings_of(cluster: Cluster, output: str) -> Settings:
    """Settings that keep the options the cluster was loaded with (timeout, ipBlocks, strict)."""
    options = cluster.options
    return Settings(
        output=output,
        timeout=None if options.timeout_ms is None else options.timeout_ms / 1000,
        ipblocks_match_pod_ips=options.ipblocks_match_pod_ips,
        strict=options.strict,
    )
