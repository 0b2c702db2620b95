"""Manifests as they were at a git revision: ``git archive`` into a temporary folder, loaded,
then the folder is removed. Locations read ``REV:path/in/repo.yaml``."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from npql.errors import Location, Problem, UsageError
from npql.model.cluster import Cluster as Model

if TYPE_CHECKING:
    from npql.api.cluster import Cluster


def _git(repo: str, *args: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", repo, *args], capture_output=True, check=False, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"cannot run git: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise UsageError(f"git {' '.join(args[:2])}: {message[-1] if message else 'failed'}")
    return done.stdout


def repository_of(path: str) -> str:
    """The top folder of the git work tree holding ``path``."""
    folder = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError(f"{path}: no such folder")
    return _git(folder, "rev-parse", "--show-toplevel").decode().strip()


def load_revision(paths: str | Sequence[str], rev: str, **options: Any) -> Cluster:
    """Load manifest files or folders as they were at git revision ``rev``.

    ``options`` are those of :func:`npql.load` (``ipblocks_match_pod_ips``, ``strict``, ...).
    A path that did not exist at ``rev`` is an error.
    """
    from npql.api.cluster import Cluster, load

    path_list = [paths] if isinstance(paths, str) else list(paths)
    if not path_list:
        raise UsageError("no manifests to load at a revision")
    tmp = tempfile.mkdtemp(prefix="npql-rev-")
    try:
        loaded: list[str] = []
        names: dict[str, str] = {}
        for path in path_list:
            repo = repository_of(path)
            commit = _git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
            relative = os.path.relpath(os.path.realpath(path), os.path.realpath(repo))
            relative = relative.replace(os.sep, "/")
            if relative.startswith(".."):
                raise UsageError(f"{path} is outside the repository {repo}")
            target = os.path.join(tmp, str(len(loaded)))
            os.makedirs(target)
            spec = "." if relative == "." else relative
            archive = _git(repo, "archive", "--format=tar", commit.decode().strip(), "--", spec)
            with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                tar.extractall(target, filter="data")
            local = os.path.join(target, relative) if relative != "." else target
            if not os.path.exists(local):
                raise UsageError(f"{path} did not exist at {rev}")
            loaded.append(local)
            names[target] = f"{rev}:"
        cluster = load(loaded, **options)
        model = relocate(cluster.model, {k + os.sep: v for k, v in names.items()})
        return Cluster(model, cluster.options)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _moved(location: Location | None, prefixes: dict[str, str]) -> Location | None:
    if location is None:
        return None
    for prefix, name in prefixes.items():
        if location.path.startswith(prefix):
            return replace(location, path=name + location.path[len(prefix) :].replace(os.sep, "/"))
    return location


def relocate(model: Model, prefixes: dict[str, str]) -> Model:
    """The model with every location's path prefix replaced (temporary folder -> ``REV:``)."""
    namespaces = {
        name: replace(ns, location=_moved(ns.location, prefixes))
        for name, ns in model.namespaces.items()
    }
    return replace(
        model,
        namespaces=namespaces,
        pods=tuple(replace(p, location=_moved(p.location, prefixes)) for p in model.pods),
        policies=tuple(replace(p, location=_moved(p.location, prefixes)) for p in model.policies),
        services=tuple(replace(s, location=_moved(s.location, prefixes)) for s in model.services),
        warnings=tuple(
            Problem(w.message, _moved(w.location, prefixes), w.obj, w.field) for w in model.warnings
        ),
    )
