"""A folder at a git revision, compared with the working tree."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from compare_helpers import EXAMPLES

import npql
from npql.compare.contain import no_new_access
from npql.compare.diff import diff
from npql.compare.lint import lint
from npql.compare.revision import load_revision
from npql.errors import UsageError

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repo), *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose HEAD~1 has examples/compare/before and HEAD after-broad."""
    folder = tmp_path / "repo" / "manifests"
    shutil.copytree(EXAMPLES / "before", folder)
    _git(tmp_path / "repo", "init", "-q")
    _git(tmp_path / "repo", "add", ".")
    _git(tmp_path / "repo", "commit", "-q", "-m", "before")
    shutil.copy(EXAMPLES / "after-broad" / "policies.yaml", folder / "policies.yaml")
    _git(tmp_path / "repo", "commit", "-q", "-am", "after")
    shutil.copy(EXAMPLES / "after-safe" / "policies.yaml", folder / "policies.yaml")
    return folder


def test_a_revision_against_the_working_tree(repo: Path) -> None:
    old = load_revision(str(repo), "HEAD~1")
    working = npql.load(str(repo))
    result = diff(old, working, old_name="HEAD~1", new_name="working tree")
    assert result.connlist_lines() == ["+ shop/web[Deployment] => shop/api[Deployment] : TCP 8443"]
    head = load_revision(str(repo), "HEAD")
    assert no_new_access(head, working).holds is True
    assert no_new_access(old, head).holds is False


def test_locations_name_the_revision(repo: Path) -> None:
    head = load_revision([str(repo / "policies.yaml"), str(repo / "workloads.yaml")], "HEAD")
    paths = {p.location.path for p in head.model.policies if p.location is not None}
    assert paths == {"HEAD:manifests/policies.yaml"}
    findings = lint(head).findings
    assert findings and all(f.where.startswith("HEAD:manifests/policies.yaml:") for f in findings)


def test_missing_paths_and_revisions_are_usage_errors(repo: Path, tmp_path: Path) -> None:
    (repo / "later.yaml").write_text("")
    with pytest.raises(UsageError):
        load_revision(str(repo / "later.yaml"), "HEAD")
    with pytest.raises(UsageError):
        load_revision(str(repo), "no-such-revision")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    with pytest.raises(UsageError):
        load_revision(str(outside), "HEAD")
