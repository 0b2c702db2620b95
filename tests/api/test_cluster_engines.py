"""How a Cluster picks its engine: on a small cluster the first few questions about existing
pods are answered from slices (fast for one question), then the whole-cluster encoding takes
over (fast for many); the answers are the same either way. And what load() accepts."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

import npql
import npql.api.cluster as api_cluster
from npql.api.cluster import Cluster

SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"


def _questions(cluster: Cluster) -> list[str]:
    pods = cluster.model.pods
    return [
        f"can pod {a.namespace}/{a.name} reach pod {b.namespace}/{b.name}:{port}"
        for a, b in itertools.permutations(pods, 2)
        for port in (5432, 8443)
    ]


def _verdicts(cluster: Cluster, questions: list[str]) -> list[bool | None]:
    return [cluster.query(q).allowed for q in questions]


def test_first_questions_are_sliced_then_the_whole_encoding_answers() -> None:
    cluster = npql.load(SHOP)
    pods = cluster.model.pods
    distinct_pairs = [  # a slice serves both directions of a pair, so one question each
        f"can pod {a.namespace}/{a.name} reach pod {b.namespace}/{b.name}:5432"
        for a, b in itertools.combinations(pods, 2)
    ]
    for asked, question in enumerate(distinct_pairs[: api_cluster.WHOLE_AFTER], start=1):
        cluster.query(question)
        assert "solver" not in cluster.__dict__
        assert len(cluster._slices) == asked
    cluster.query(distinct_pairs[api_cluster.WHOLE_AFTER])
    assert "solver" in cluster.__dict__
    assert len(cluster._slices) == api_cluster.WHOLE_AFTER  # no new slice once whole


def test_sliced_and_whole_answers_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    questions = _questions(npql.load(SHOP))
    monkeypatch.setattr(api_cluster, "WHOLE_AFTER", 0)
    whole = npql.load(SHOP)
    expected = _verdicts(whole, questions)
    assert not whole._slices
    monkeypatch.setattr(api_cluster, "WHOLE_AFTER", len(questions) + 1)
    sliced = npql.load(SHOP)
    assert _verdicts(sliced, questions) == expected
    assert "solver" not in sliced.__dict__
    assert True in expected and False in expected  # the questions tell the two apart


def test_a_large_cluster_never_builds_the_whole_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api_cluster, "SLICE_ABOVE", 0)
    cluster = npql.load(SHOP)
    _verdicts(cluster, _questions(cluster))
    assert "solver" not in cluster.__dict__


def test_load_takes_paths_as_path_objects_or_strings() -> None:
    by_path, by_text = npql.load(SHOP), npql.load(str(SHOP))
    by_list = npql.load([SHOP / "namespaces.yaml", str(SHOP / "workloads.yaml")])
    assert len(by_path.model.pods) == len(by_text.model.pods) == len(by_list.model.pods) > 0


def test_a_question_a_slice_already_answers_does_not_build_the_whole_encoding() -> None:
    cluster = npql.load(SHOP)
    pods = cluster.model.pods
    pairs = [
        f"can pod {a.namespace}/{a.name} reach pod {b.namespace}/{b.name}:5432"
        for a, b in itertools.combinations(pods, 2)
    ][: api_cluster.WHOLE_AFTER]
    for question in pairs:
        cluster.query(question)
    cluster.query(pairs[0])  # as after a reload that kept the slices of unchanged namespaces
    assert "solver" not in cluster.__dict__


def test_on_a_large_cluster_slices_answer_even_once_the_whole_encoding_exists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(api_cluster, "SLICE_ABOVE", 0)
    cluster = npql.load(SHOP)
    cluster.query("can any pod reach pod data/postgres:5432")  # symbolic: the whole encoding
    assert "solver" in cluster.__dict__
    web, api = cluster.model.pods[0], cluster.model.pods[1]
    cluster.query(f"can pod {web.namespace}/{web.name} reach pod {api.namespace}/{api.name}:8443")
    assert len(cluster._slices) == 1
