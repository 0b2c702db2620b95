"""``python -m npql.repl -f PATH``: the REPL on a terminal, batch mode on piped stdin.

A small launcher (tests and development); ``npql`` itself starts the REPL the same way.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence

from npql.errors import NpqlError
from npql.repl import load_cluster, run, run_batch
from npql.repl.config import OUTPUT_FORMATS, Settings

EXIT_INTERNAL, EXIT_INTERRUPTED = 3, 130


def build_parser() -> argparse.ArgumentParser:
    """The same option names as ``npql``."""
    p = argparse.ArgumentParser(prog="python -m npql.repl", description="The npql REPL.")
    p.add_argument("-f", "--file", dest="paths", action="append", default=[], metavar="PATH")
    p.add_argument("-o", "--output", choices=OUTPUT_FORMATS, default=None)
    p.add_argument("--ipblocks-match-pod-ips", action="store_true")
    p.add_argument("--strict", action="store_true")
    p.add_argument("--timeout", type=float, default=None, metavar="SECONDS")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options; REPL when stdin is a terminal, else batch."""
    args = build_parser().parse_args(argv)
    options = {k: v for k, v in vars(args).items() if k != "paths"}
    try:
        if sys.stdin.isatty():
            return run(args.paths, options=options, stdin=sys.stdin, stdout=sys.stdout)
        settings = Settings(
            ipblocks_match_pod_ips=args.ipblocks_match_pod_ips,
            strict=args.strict,
            timeout=args.timeout,
        )
        cluster = load_cluster(args.paths, settings)
        output = args.output or "text"
        return run_batch(
            cluster, sys.stdin, sys.stdout, sys.stderr, output=output, paths=args.paths
        )
    except NpqlError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return EXIT_INTERRUPTED
    except Exception:
        sys.stderr.write("internal error (please report it):\n" + traceback.format_exc())
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
