"""``npql``: answer a query over manifests. Exit 0 answered, 2 bad input, 3 internal error."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import TextIO

from npql import __version__
from npql.api import Answer, Cluster, load
from npql.errors import NpqlError, UsageError
from npql.render.connlist import render_connlist
from npql.render.json import render_json
from npql.render.manifests import render_manifests
from npql.render.text import render_text
from npql.solve.results import ConnectivityResult, Result

EXIT_OK, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 2, 3, 130


def _connlist(result: Result) -> str:
    if not isinstance(result, ConnectivityResult):
        raise UsageError("-o connlist prints the answer to 'connectivity' only")
    return render_connlist(result)


RENDERERS: dict[str, Callable[[Result], str]] = {
    "text": render_text,
    "json": lambda r: render_json(r) + "\n",
    "connlist": _connlist,
    "yaml": render_manifests,
}


class _Parser(argparse.ArgumentParser):
    """argparse that raises UsageError instead of exiting, so main() owns every exit code."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    p = _Parser(
        prog="npql",
        description="Ask questions about Kubernetes NetworkPolicies.",
        epilog="example: npql -f examples/frontend-backend who can reach app=backend:80",
    )
    p.add_argument("query", nargs="*", help="the query (several words are joined with spaces)")
    p.add_argument(
        "-f",
        "--file",
        dest="paths",
        action="append",
        default=[],
        metavar="PATH",
        help="manifest file or folder (recursive), or - for stdin; repeatable",
    )
    p.add_argument("-o", "--output", choices=sorted(RENDERERS), default="text")
    p.add_argument(
        "--ipblocks-match-pod-ips",
        action="store_true",
        help="let ipBlock rules match pod IPs too (Calico); default: external addresses only",
    )
    p.add_argument("--strict", action="store_true", help="turn every loader warning into an error")
    p.add_argument("--timeout", type=float, default=None, metavar="SECONDS", help="solver timeout")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    return p


def run(argv: Sequence[str] | None, stdin: TextIO, stdout: TextIO) -> int:
    """Parse arguments, load, answer; raises NpqlError for user errors."""
    args = build_parser().parse_args(argv)
    if args.version:
        stdout.write(f"npql {__version__}\n")
        return EXIT_OK
    if not args.paths:
        raise UsageError("no manifests: give -f PATH (a file, a folder, or - for stdin)")
    query = " ".join(args.query).strip()
    if not query:
        raise UsageError("no query given, e.g.: npql -f manifests/ who can reach app=backend:80")
    cluster = load(
        args.paths,
        ipblocks_match_pod_ips=args.ipblocks_match_pod_ips,
        strict=args.strict,
        timeout_ms=None if args.timeout is None else int(args.timeout * 1000),
        stdin=stdin,
    )
    stdout.write(answer_text(cluster, query, args.output))
    return EXIT_OK


def answer_text(cluster: Cluster, query: str, output: str) -> str:
    """Answer one query and render it."""
    answer: Answer = cluster.query(query)
    return RENDERERS[output](answer.result)


def main(
    argv: Sequence[str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Entry point of the ``npql`` command; returns the exit code."""
    err = stderr or sys.stderr
    try:
        return run(argv, stdin or sys.stdin, stdout or sys.stdout)
    except SystemExit as exc:  # --help / --version
        return int(exc.code or 0)
    except NpqlError as exc:
        err.write(f"error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        err.write("interrupted\n")
        return EXIT_INTERRUPTED
    except Exception:  # a bug in npql, never the user's fault
        err.write("internal error (please report it):\n" + traceback.format_exc())
        return EXIT_INTERNAL


def entry() -> None:
    """Console-script wrapper."""
    sys.exit(main())
