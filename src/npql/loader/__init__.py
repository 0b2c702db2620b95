"""Loading Kubernetes manifests (files, folders, stdin, text) into a validated Cluster.

Only safe YAML loading is used. Every problem of every input is collected, and errors are
raised together as one LoadError; warnings go to ``Cluster.warnings`` (errors when strict).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from npql.loader.build import build_cluster
from npql.loader.reading import Source, read_paths
from npql.loader.report import Report
from npql.model import Cluster

__all__ = ["load_paths", "load_text"]


def load_paths(
    paths: Sequence[str], *, strict: bool = False, stdin: TextIO | None = None
) -> Cluster:
    """Load files, folders (recursively: .yaml, .yml, .json) and ``-`` (stdin) into a Cluster.

    Raises LoadError naming every problem; with ``strict`` warnings and unmodelled policy
    kinds are errors too.
    """
    report = Report(strict)
    names = [paths] if isinstance(paths, str) else list(paths)
    return build_cluster(read_paths(names, stdin, report), report)


def load_text(text: str, *, source: str = "<string>", strict: bool = False) -> Cluster:
    """Load manifests from a string; ``source`` names it in messages (``.json`` means JSON)."""
    report = Report(strict)
    return build_cluster([Source(source, text)], report)
