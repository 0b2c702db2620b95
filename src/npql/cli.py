"""``npql``: answer queries and run scripts of assertions over manifests.

Exit codes: 0 answered / every assertion holds; 1 an assertion fails or an answer is unknown
(unless --exit-zero / --allow-unknown); 2 bad usage, manifests or query; 3 internal error;
130 interrupted.
"""

from __future__ import annotations

import argparse
import gc
import os
import stat
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from npql import __version__
from npql.api import Cluster, load
from npql.api.script import run_script
from npql.cli_output import (
    BULK_FORMATS,
    QUERY_FORMATS,
    SCRIPT_FORMATS,
    render_query,
    render_script,
    write_lines,
    write_output,
)
from npql.errors import NpqlError, UsageError
from npql.progress import BYTES, Snapshot, tracker
from npql.query import ast, parse_statement
from npql.solve.results import (
    AssertionResult,
    CanResult,
    ConnectivityResult,
    Result,
    ScriptReport,
    Status,
    Verdict,
)

TEXT_LIMIT = 100  # lines of a who/what answer shown before summarising
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class _Parser(argparse.ArgumentParser):
    """argparse that raises UsageError instead of exiting, so main() owns every exit code."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    p = _Parser(
        prog="npql",
        description="Ask questions about Kubernetes NetworkPolicies, answered by Z3.",
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
    p.add_argument(
        "-o",
        "--output",
        default="text",
        metavar="FORMAT",
        help=f"query: {', '.join([*QUERY_FORMATS, 'connlist-grouped'])}; "
        f"script: {', '.join(SCRIPT_FORMATS)}",
    )
    p.add_argument("--output-file", metavar="FILE", help="write the output here instead of stdout")
    p.add_argument("--script", metavar="FILE", help="run the statements of a .npql file")
    p.add_argument(
        "--ipblocks-match-pod-ips",
        action="store_true",
        help="let ipBlock rules match pod IPs too (Calico); default: external only",
    )
    p.add_argument("--strict", action="store_true", help="turn every loader warning into an error")
    p.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="solver timeout per question (an answer then is UNKNOWN)",
    )
    p.add_argument("--exit-zero", action="store_true", help="report failures without exit 1")
    p.add_argument(
        "--allow-unknown",
        action="store_true",
        help="an UNKNOWN answer does not make the exit code 1",
    )
    p.add_argument(
        "--max-file-size",
        type=int,
        default=None,
        metavar="BYTES",
        help="largest manifest file read (0 = no limit)",
    )
    p.add_argument(
        "--max-objects",
        type=int,
        default=None,
        metavar="N",
        help="most objects loaded (0 = no limit)",
    )
    p.add_argument(
        "--all",
        action="store_true",
        help="list every line of long text answers (default: summary + first 100)",
    )
    p.add_argument(
        "--diff-from",
        metavar="PATH",
        action="append",
        help="compare with the manifests at PATH (the old version); repeatable",
    )
    p.add_argument(
        "--against",
        metavar="REV",
        help="compare with the -f paths as they were at git revision REV",
    )
    p.add_argument(
        "--no-new-access",
        action="store_true",
        help="with --diff-from/--against: exit 1 if the new version allows anything new",
    )
    p.add_argument(
        "--intent",
        metavar="QUERY",
        help="with --diff-from/--against: the change must make QUERY true and change "
        "nothing else (safe-change check)",
    )
    p.add_argument("--version", action="store_true", help="print the version and exit")
    return p


@dataclass
class Run:
    """One invocation: parsed arguments, streams, and the cluster once loaded."""

    args: argparse.Namespace
    stdin: TextIO
    stdout: TextIO
    cluster: Cluster | None = None
    code: int = EXIT_OK
    error: BaseException | None = field(default=None)


def _load(run: Run) -> Cluster:
    args = run.args
    if not args.paths:
        raise UsageError("no manifests: give -f PATH (a file, a folder, or - for stdin)")
    limits = {
        k: v
        for k, v in (("max_file_bytes", args.max_file_size), ("max_objects", args.max_objects))
        if v is not None
    }
    tracker.start("loading manifests")  # the loader adds the size once it has read the files
    cluster = load(
        args.paths,
        ipblocks_match_pod_ips=args.ipblocks_match_pod_ips,
        strict=args.strict,
        timeout_ms=None if args.timeout is None else max(1, int(args.timeout * 1000)),
        stdin=run.stdin,
        **limits,
    )
    gc.freeze()  # the loaded model lives until exit: keep the collector from rescanning it
    run.cluster = cluster
    tracker.start("answering")  # bulk answers replace it with a bar of their own
    return cluster


def _statements_source(run: Run) -> tuple[str, str] | None:
    """(text, path) of a script to run: --script FILE, or statements piped on stdin."""
    args = run.args
    if args.script:
        try:
            with open(args.script, encoding="utf-8") as fh:
                return fh.read(), args.script
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read script {args.script}: {exc}") from exc
    if args.query or "-" in args.paths or run.stdin.isatty():
        return None
    text = run.stdin.read()
    return (text, "<stdin>") if text.strip() else None


def execute(run: Run) -> int:
    """Parse arguments, load, answer; raises NpqlError for user errors."""
    args = run.args
    if args.version:
        run.stdout.write(f"npql {__version__}\n")
        return EXIT_OK
    if args.output is None and not _interactive(run):
        args.output = "text"
    if args.diff_from or args.against:
        return _compare(run)
    script = _statements_source(run)
    query = " ".join(args.query).strip()
    if script is None and not query:
        if _interactive(run):
            return _repl(run)
        raise UsageError("no query given, e.g.: npql -f manifests/ who can reach app=backend:80")
    cluster = _load(run)
    if script is not None:
        report = run_script(cluster, script[0], script[1])
        write_output(render_script(report, args.output, cluster), run.stdout, args.output_file)
        return _script_exit(report, args)
    statement = parse_statement(query)
    if isinstance(statement, ast.Connectivity) and args.output in BULK_FORMATS:
        # Streamed: a 100,000-pod map has millions of lines; memory stays flat.
        write_lines(BULK_FORMATS[args.output](cluster), run.stdout, args.output_file)
        return EXIT_OK
    answer = cluster.query(statement)
    limit = None if args.all or isinstance(answer.result, ConnectivityResult) else TEXT_LIMIT
    write_output(render_query(answer.result, args.output, limit), run.stdout, args.output_file)
    return _query_exit(answer.result, args)


def _compare(run: Run) -> int:
    """Two versions of the manifests: diff, or a no-new-access / safe-change gate."""
    from npql.compare.contain import no_new_access
    from npql.compare.diff import diff
    from npql.compare.revision import load_revision
    from npql.compare.safe import safe_change

    args = run.args
    new = _load(run)
    options = {"ipblocks_match_pod_ips": args.ipblocks_match_pod_ips, "strict": args.strict}
    if args.against:
        old = load_revision(args.paths, args.against, **options)
        old_name = f"{args.against}"
    else:
        old = load(args.diff_from, **options)
        old_name = ", ".join(args.diff_from)
    new_name = ", ".join(args.paths)
    tracker.start("comparing")
    if args.intent:
        result: object = safe_change(old, new, args.intent)
    elif args.no_new_access:
        result = no_new_access(old, new)
    else:
        result = diff(old, new, old_name=old_name, new_name=new_name)
    run.stdout.write(_compare_text(result, args.output or "text"))
    holds = getattr(result, "holds", True)
    if holds is None:
        return EXIT_OK if args.allow_unknown else EXIT_FAILED
    return EXIT_OK if holds or args.exit_zero else EXIT_FAILED


def _compare_text(result: object, fmt: str) -> str:
    import json

    if fmt == "json":
        return json.dumps(result.to_dict(), indent=2) + "\n"  # type: ignore[attr-defined]
    if fmt == "markdown":
        return str(result.markdown())  # type: ignore[attr-defined]
    if fmt == "connlist" and hasattr(result, "connlist_lines"):
        return "".join(line + "\n" for line in result.connlist_lines())
    if fmt != "text":
        raise UsageError(f"comparisons print as text, json, markdown or connlist, not {fmt!r}")
    return "\n".join(result.lines()) + "\n"  # type: ignore[attr-defined]


def _interactive(run: Run) -> bool:
    """No query, no script, a terminal on stdin (and manifests not read from it): the REPL."""
    args = run.args
    return not args.query and not args.script and run.stdin.isatty() and "-" not in args.paths


def _repl(run: Run) -> int:
    from npql.repl import run as repl_run

    # None means "not given on the command line": the REPL's config file decides.
    options = {
        "ipblocks_match_pod_ips": run.args.ipblocks_match_pod_ips or None,
        "strict": run.args.strict or None,
        "timeout": run.args.timeout,
        "output": run.args.output,
    }
    return int(repl_run(run.args.paths, options=options, stdin=run.stdin, stdout=run.stdout))


def _query_exit(result: Result, args: argparse.Namespace) -> int:
    failed = (isinstance(result, AssertionResult) and result.status is Status.FAILED) or (
        getattr(result, "passed", True) is False  # lint with warnings
    )
    unknown = (isinstance(result, AssertionResult) and result.status is Status.UNKNOWN) or (
        isinstance(result, CanResult) and result.verdict is Verdict.UNKNOWN
    )
    if (failed and not args.exit_zero) or (unknown and not args.allow_unknown):
        return EXIT_FAILED
    return EXIT_OK


def _script_exit(report: ScriptReport, args: argparse.Namespace) -> int:
    if report.errors:
        return EXIT_BAD_INPUT
    unknown = any(
        isinstance(e.result, CanResult) and e.result.verdict is Verdict.UNKNOWN
        for e in report.entries
    )
    if report.failed and not args.exit_zero:
        return EXIT_FAILED
    if (report.unknown or unknown) and not args.allow_unknown:
        return EXIT_FAILED
    return EXIT_OK


def _work(run: Run) -> None:
    try:
        run.code = execute(run)
    except BaseException as exc:  # handed to the main thread, which owns the exit code
        run.error = exc


def _supervise(run: Run, stderr: TextIO) -> int:
    """Answer in a worker thread so Ctrl-C can interrupt a long solve (exit 130); on a
    terminal, show what is happening once it takes more than a second."""
    worker = threading.Thread(target=_work, args=(run,), daemon=True)
    started = time.monotonic()
    progress = Progress(stderr)
    if not _out_of_sight(run.stdout):
        run.stdout = _BeforeFirstWrite(run.stdout, progress.clear)  # type: ignore[assignment]
    tracker.start("starting")
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
            progress.show(time.monotonic() - started)
        progress.clear()
    except KeyboardInterrupt:
        progress.clear()
        if run.cluster is not None:
            run.cluster.interrupt()
        from npql.solve.compare import interrupt_all

        interrupt_all()
        raise
    if run.error is not None:
        raise run.error
    return run.code


def main(
    argv: Sequence[str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Entry point of the ``npql`` command; returns the exit code."""
    err = stderr or sys.stderr
    try:
        args = build_parser().parse_args(argv)
        run = Run(args, stdin or sys.stdin, stdout or sys.stdout)
        if not args.script and not args.query and (run.stdin.isatty() and "-" not in args.paths):
            return execute(run)  # the REPL handles Ctrl-C itself
        return _supervise(run, err)
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    except NpqlError as exc:
        err.write(f"error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        err.write("interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. piped into head: the reader has all it wanted
        _silence_stdout()
        return EXIT_OK
    except Exception:  # a bug in npql, never the user's fault
        err.write("internal error (please report it):\n" + traceback.format_exc())
        return EXIT_INTERNAL


class Progress:
    """A one-line status on stderr (TTY only) for work that takes more than a second: a bar
    when the current phase has a known size (see ``npql.progress``), else a spinner."""

    DELAY = 1.0

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty() and os.environ.get("TERM") != "dumb"
        self.shown = False
        self.ticks = 0
        self.lock = threading.Lock()

    def show(self, elapsed: float) -> None:
        """Redraw the status line from the tracker's current snapshot."""
        with self.lock:
            if not self.enabled or elapsed < self.DELAY:
                return
            self.ticks += 1
            line = status_line(tracker.snapshot(), elapsed, self.ticks)
            self.stream.write(f"\r{line}\x1b[K")
            self.stream.flush()
            self.shown = True

    def clear(self) -> None:
        """Erase the status line for good: the answer is about to be printed."""
        with self.lock:
            self.enabled = False
            if self.shown:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self.shown = False


STATUS_WIDTH = 79  # at most this many columns: an 80-column terminal never wraps the line
SPINNER = "|/-\\"
_PHASE = 18  # phase names are padded to this width so that successive bars line up
_BAR = 20  # cells of the bar, fewer when the counts are long
_MIN_BAR = 8


def status_line(snap: Snapshot, elapsed: float, tick: int = 0) -> str:
    """The status text for ``snap`` after ``elapsed`` seconds (``tick`` turns the spinner).

    ``npql: connectivity       [################....]  80%  1,530/1,931 sources  6.2s``
    """
    fraction = snap.fraction
    if fraction is None or snap.total is None:
        spin = SPINNER[tick % len(SPINNER)]
        return f"{spin} npql: {snap.phase[:50]}... {elapsed:.1f}s"
    head = f"npql: {snap.phase[:_PHASE]:<{_PHASE}}"
    tail = f"{int(fraction * 100):>3}%  {_amount(snap.done, snap.total, snap.unit)}  {elapsed:.1f}s"
    cells = max(_MIN_BAR, min(_BAR, STATUS_WIDTH - len(head) - len(tail) - 4))
    filled = int(fraction * cells)
    return f"{head} [{'#' * filled}{'.' * (cells - filled)}] {tail}"[:STATUS_WIDTH]


def _amount(done: int, total: int, unit: str) -> str:
    """``12.3/27.0 MB`` for bytes (megabytes of 10**6), else ``1,530/1,931 sources``; the
    count done is padded to the total's width so that the bar keeps its size as it fills."""
    if unit == BYTES:
        whole = f"{total / 1e6:.1f}"
        return f"{done / 1e6:>{len(whole)}.1f}/{whole} MB"
    whole = f"{total:,}"
    return f"{done:>{len(whole)},}/{whole} {unit}".rstrip()


def _out_of_sight(stream: TextIO) -> bool:
    """Whether the answer goes to a regular file or /dev/null, so that the status line may
    stay up while it is written (a streamed connlist): a terminal or a pipe (``| head``) may
    show the answer on the screen, so there the line goes before the first byte."""
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (AttributeError, OSError, ValueError):
        return False
    return stat.S_ISREG(mode) or (stat.S_ISCHR(mode) and not stream.isatty())


class _BeforeFirstWrite:
    """Wraps the answer's stream so that the status line is erased before any output."""

    def __init__(self, stream: TextIO, hook: Callable[[], None]) -> None:
        self._stream = stream
        self._hook = hook

    def write(self, text: str) -> int:
        self._hook()
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the interpreter's flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def entry() -> None:
    """Console-script wrapper."""
    sys.exit(main())
