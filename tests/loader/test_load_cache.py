"""The parse cache: a reload parses only changed files and loads exactly what a fresh load does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from npql.api.reuse import exact
from npql.errors import LoadError
from npql.loader import FileChanges, ParseCache, load_paths
from npql.loader.documents import parse_source
from npql.loader.limits import ObjectBudget
from npql.loader.reading import Source
from npql.loader.report import Report

SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"

# Warnings of every sort a load gives after parsing: unknown fields, an object without a
# kind, a duplicate (across files), List items with their own lines, and a JSON file.
NOISY = {
    "a.yaml": """\
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: web}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web, image: nginx}]}
status: {colour: blue}
---
metadata: {name: kindless}
""",
    "b.yaml": """\
apiVersion: v1
kind: List
items:
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: api, namespace: shop}
  spec: {podSelector: {}, flavour: sour}
- apiVersion: v1
  kind: Pod
  metadata: {name: web, namespace: shop, labels: {app: other}}
  spec: {containers: [{name: web, image: nginx}]}
""",
    "c.json": '{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",'
    ' "metadata": {"name": "deny", "namespace": "shop"},'
    ' "spec": {"podSelector": {}, "policyTypes": ["Ingress"], "extra": 1}}',
}


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    folder = tmp_path / "shop"
    shutil.copytree(SHOP, folder)
    return folder


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def test_unchanged_files_are_not_parsed_again(shop: Path) -> None:
    cache = ParseCache()
    first = load_paths([str(shop)], parse_cache=cache)
    assert cache.reparsed == 3 and cache.changes == FileChanges(3, 3, 0, False)
    second = load_paths([str(shop)], parse_cache=cache)
    assert cache.reparsed == 0 and cache.changes == FileChanges(3, 0, 0, True)
    assert exact(first, second)
    policies = shop / "policies.yaml"
    policies.write_text(policies.read_text().replace("port: 8080", "port: 8081"))
    load_paths([str(shop)], parse_cache=cache)
    assert cache.reparsed == 1 and cache.changes == FileChanges(3, 1, 0, True)


def test_added_and_removed_files_count_as_changes(shop: Path) -> None:
    cache = ParseCache()
    load_paths([str(shop)], parse_cache=cache)
    (shop / "workloads.yaml").rename(shop / "moved.yaml")
    load_paths([str(shop)], parse_cache=cache)
    assert cache.reparsed == 1 and cache.changes == FileChanges(3, 1, 1, True)


def test_a_cached_load_reports_what_a_fresh_load_does(tmp_path: Path) -> None:
    folder = write(tmp_path / "noisy", NOISY)
    fresh = load_paths([str(folder)])
    assert len(fresh.warnings) == 4  # every sort above was reported
    cache = ParseCache()
    load_paths([str(folder)], parse_cache=cache)
    cached = load_paths([str(folder)], parse_cache=cache)
    assert cache.reparsed == 0
    assert exact(cached, fresh)  # warnings, locations and List item lines included


def test_strict_loads_fail_alike_through_the_cache(tmp_path: Path) -> None:
    folder = write(tmp_path / "noisy", NOISY)
    cache = ParseCache()
    load_paths([str(folder)], parse_cache=cache)
    with pytest.raises(LoadError) as fresh:
        load_paths([str(folder)], strict=True)
    with pytest.raises(LoadError) as cached:
        load_paths([str(folder)], strict=True, parse_cache=cache)
    assert cached.value.problems == fresh.value.problems


def test_loading_does_not_change_shared_documents(tmp_path: Path) -> None:
    folder = write(tmp_path / "noisy", NOISY)
    cache = ParseCache()
    for _ in range(2):
        load_paths([str(folder)], parse_cache=cache)
    for path in sorted(folder.iterdir()):
        source = Source(str(path), path.read_text())
        shared = cache.parse(source, Report(), ObjectBudget(0, Report()))
        again = parse_source(source, Report(), ObjectBudget(0, Report()))
        assert [d.data for d in shared] == [d.data for d in again]
        assert [d.location for d in shared] == [d.location for d in again]
    assert cache.reparsed == 0


def test_syntax_errors_are_found_on_every_load(shop: Path) -> None:
    cache = ParseCache()
    good = load_paths([str(shop)], parse_cache=cache)
    policies = shop / "policies.yaml"
    text = policies.read_text()
    policies.write_text(text + "\n---\nkind: [unclosed\n")
    with pytest.raises(LoadError) as first:
        load_paths([str(shop)], parse_cache=cache)
    with pytest.raises(LoadError) as second:
        load_paths([str(shop)], parse_cache=cache)
    assert first.value.problems == second.value.problems
    policies.write_text(text)  # the last good load is still what the cache compares with
    assert exact(load_paths([str(shop)], parse_cache=cache), good)
    assert cache.reparsed == 0 and not cache.changes.any


def test_the_object_limit_counts_cached_files(shop: Path) -> None:
    cache = ParseCache()
    load_paths([str(shop)], parse_cache=cache)
    for limit in (1, 4, 10):
        with pytest.raises(LoadError) as fresh:
            load_paths([str(shop)], max_objects=limit)
        with pytest.raises(LoadError) as cached:
            load_paths([str(shop)], max_objects=limit, parse_cache=cache)
        assert cached.value.problems == fresh.value.problems
    assert exact(load_paths([str(shop)], parse_cache=cache), load_paths([str(shop)]))
