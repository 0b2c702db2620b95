"""CI gates: containment, equivalence and the safe-change check, with verified witnesses."""

from __future__ import annotations

import pytest
from compare_helpers import check_possible, example, versions
from hypothesis import HealthCheck, given, settings

import npql
from npql.api.cluster import Cluster
from npql.compare.contain import equivalent, no_new_access
from npql.compare.diff import diff
from npql.compare.safe import safe_change
from npql.errors import QuerySemanticError
from npql.model import Cluster as Model
from npql.model import Pod, Protocol
from npql.solve.results import Status, Witness
from reference import External, allowed

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _pod(model: Model, text: str) -> Pod:
    return next(p for p in model.pods if p.workload == text)


def _check_witness(old: Model, new: Model, w: Witness) -> None:
    """The concrete witness is allowed by the new version and not by the old (reference)."""
    ends = []
    for model in (old, new):
        src = External(w.source.cidr.split("/")[0]) if w.source.cidr else _pod(model, str(w.source))
        dst = External(w.target.cidr.split("/")[0]) if w.target.cidr else _pod(model, str(w.target))
        ends.append((src, dst))
    protocol = Protocol(w.protocol)
    assert allowed(new, *ends[1], w.port, protocol)
    assert not allowed(old, *ends[0], w.port, protocol)


def test_containment_fails_with_a_verified_witness_when_access_grows() -> None:
    old, new = example("before"), example("after-broad")
    result = no_new_access(old, new)
    assert result.holds is False and result.passed is False
    assert result.change is not None and result.witness is not None
    assert str(result.change.target) == "shop/api[Deployment]"
    assert result.witness.ingress_rules == ("shop/api-from-web.ingress[0]",)
    _check_witness(old.model, new.model, result.witness)
    assert result.to_dict()["holds"] is False


def test_containment_holds_when_access_only_shrinks() -> None:
    old, new = example("before"), example("after-tighten")
    assert no_new_access(old, new).holds is True
    assert no_new_access(old, old).holds is True
    assert equivalent(old, old).holds is True
    result = equivalent(old, new)
    assert result.holds is False and result.change is not None
    assert not result.change.removed.is_empty()


CANARY = """
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-canary, namespace: data}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {track: canary}}, namespaceSelector: {}}]
    ports: [{port: 5432}]
"""


def _before_text() -> str:
    from compare_helpers import EXAMPLES

    return "\n---\n".join(p.read_text() for p in sorted((EXAMPLES / "before").glob("*.yaml")))


def test_containment_catches_access_for_pods_that_do_not_exist_yet() -> None:
    old = example("before")
    new = npql.loads(_before_text() + CANARY)
    assert not diff(old, new, possible=False).changes  # no loaded pod has track=canary
    result = no_new_access(old, new)
    assert result.holds is False and result.change is None and result.possible is not None
    assert dict(result.possible.source.labels) == {"track": "canary"}
    assert dict(result.possible.target.labels) == {"app": "db"}
    assert result.possible.ports.contains(Protocol.TCP, 5432)
    check_possible(old.model, new.model, result.possible)


def test_safe_change_passes_for_a_change_that_does_what_it_says() -> None:
    result = safe_change(example("before"), example("after-safe"), "can app=web reach app=api:8443")
    assert result.holds is True
    assert [s.status for s in result.steps] == [Status.PASSED] * 3
    assert result.steps[1].witness is not None
    assert result.to_dict()["steps"][2]["status"] == "passed"


def test_safe_change_fails_when_more_than_the_intent_changed() -> None:
    result = safe_change(
        example("before"), example("after-broad"), "can app=web reach app=api:8443"
    )
    assert result.holds is False
    assert [s.status for s in result.steps] == [Status.PASSED, Status.PASSED, Status.FAILED]
    change = result.steps[2].change
    assert change is not None and str(change.source) == "monitoring/prometheus[Deployment]"


def test_safe_change_fails_when_the_intent_does_not_hold() -> None:
    old, new = example("before"), example("after-safe")
    again = safe_change(new, new, "can app=web reach app=api:8443")
    assert [s.status for s in again.steps][:2] == [Status.FAILED, Status.PASSED]
    not_done = safe_change(old, old, "can app=web reach app=api:8443")
    assert [s.status for s in not_done.steps] == [Status.PASSED, Status.FAILED, Status.PASSED]
    wrong_port = safe_change(old, new, "can app=web reach app=api:9443")
    assert wrong_port.steps[1].status is Status.FAILED
    assert wrong_port.steps[2].status is Status.FAILED  # 8443 changed, outside the intent


def test_safe_change_sees_possible_pods_outside_the_intent() -> None:
    old = example("before")
    broader = (
        _before_text()
        + """
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-from-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}, {podSelector: {matchLabels: {tier: edge}}}]
    ports: [{port: 8443}]
"""
    )
    new = npql.loads(broader)
    result = safe_change(old, new, "can app=web reach app=api:8443")
    assert [s.status for s in result.steps] == [Status.PASSED, Status.PASSED, Status.FAILED]
    step = result.steps[2]
    assert step.change is None and step.possible is not None
    assert dict(step.possible.source.labels).get("tier") == "edge"
    assert dict(step.possible.source.labels).get("app") != "web"
    check_possible(old.model, new.model, step.possible)
    # Named workloads: clones of shop/web are within the intent, a tier=edge pod is not.
    by_name = safe_change(old, new, "can pod shop/web reach pod shop/api:8443")
    assert by_name.steps[2].status is Status.FAILED
    exact = safe_change(old, example("after-safe"), "can pod shop/web reach pod shop/api:8443")
    assert exact.holds is True


def test_an_intent_is_a_can_query() -> None:
    with pytest.raises(QuerySemanticError):
        safe_change(example("before"), example("after-safe"), "who can reach app=api")


@SETTINGS
@given(versions())
def test_random_containment_witnesses_are_real(pair: tuple[Model, Model]) -> None:
    old, new = Cluster(pair[0]), Cluster(pair[1])
    result = no_new_access(old, new)
    if result.witness is not None:
        _check_witness(old.model, new.model, result.witness)
    if result.possible is not None:
        check_possible(old.model, new.model, result.possible)
    if result.holds:
        assert not any(
            not c.added.is_empty()
            for c in diff(old, new, possible=False).changes
            if c.only_in is None
        )
    assert result.holds is not None
