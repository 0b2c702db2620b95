"""The interactive REPL (prompt_toolkit) and batch mode for piped stdin.

``run`` starts the REPL on a terminal; ``run_batch`` answers lines from a pipe. Only this
package imports prompt_toolkit and pygments, and only when ``run`` is called.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TextIO

from npql.api import Cluster, load
from npql.loader import ParseCache
from npql.repl.batch import run_batch
from npql.repl.config import Settings, load_settings
from npql.repl.session import SessionState, empty_cluster

__all__ = ["load_cluster", "run", "run_batch"]


def load_cluster(
    paths: list[str],
    settings: Settings,
    stdin: TextIO | None = None,
    parse_cache: ParseCache | None = None,
) -> Cluster:
    """The manifests at ``paths`` (an empty cluster when there are none); with
    ``parse_cache`` the files' parses are kept, so that ``\\reload`` reads only changes."""
    if not paths:
        return empty_cluster(settings)
    return load(
        paths,
        ipblocks_match_pod_ips=settings.ipblocks_match_pod_ips,
        strict=settings.strict,
        timeout_ms=settings.timeout_ms,
        stdin=stdin,
        parse_cache=parse_cache,
    )


def run(
    paths: list[str],
    *,
    options: Mapping[str, object],
    stdin: TextIO,
    stdout: TextIO,
) -> int:
    """Start the interactive REPL on a terminal; returns the exit code (0).

    ``options`` carries the command-line flags by setting name: ``output``, ``timeout``
    (seconds), ``ipblocks_match_pod_ips``, ``strict``, and any key of the config file
    (``multi_line``, ``vi``, ...); None (or False for on/off flags) means "not given".
    Raises NpqlError when the initial load fails (the CLI maps it to exit code 2).
    """
    from prompt_toolkit.input import create_input
    from prompt_toolkit.output import create_output

    from npql.repl.app import Repl

    settings = load_settings(options)
    parse_cache = ParseCache()
    cluster = load_cluster(paths, settings, stdin, parse_cache)
    state = SessionState(cluster, paths, settings, parse_cache)
    repl = Repl(state, stdout, input=create_input(stdin), output=create_output(stdout))
    if settings.watch:
        _start_watch(state)
    return repl.run()


def _start_watch(state: SessionState) -> None:
    from npql.errors import UsageError
    from npql.repl.commands import run_command

    try:
        run_command(state, "\\watch on")
    except UsageError:
        state.settings.watch = False
