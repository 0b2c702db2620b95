"""Carrying a Cluster's warm state over to the Cluster of a reload: only what answers alike.

A Cluster computes lazily and keeps what it computed: the compiled policies, the pod groups,
the bitset engine, the Z3 encoding of the whole cluster (``solver``) and per-question Z3
slices. Encoding is the expensive part (0.6 s of Z3 facts on the 1,000-pod benchmark, more
than the reload), and after a reload most manifests are usually the same. ``carry_over``
hands the new Cluster what the old one built, by one rule: a wrong reuse is a wrong answer,
so an object is reused only when every input it was built from is exactly the same (every
field, locations and mapping order included, and the options), and otherwise it is rebuilt.

The reused objects find pods by identity (``id(pod)`` in the grouping, the pod a witness
names), so the new model first takes over the old objects: every pod, NetworkPolicy and
cluster-scoped policy exactly equal to an old one is replaced by that old object
(``merge``). The two are indistinguishable, and "unchanged" becomes an identity test.

A Z3 slice encodes its pod groups, the NetworkPolicies of those groups' namespaces, the
cluster-scoped rules and the namespaces' labels; it is kept when all of those are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from enum import Enum
from functools import cache
from typing import TypeVar

import npql.api.cluster as cluster_module
from npql.api.cluster import Cluster
from npql.ir.groups import PodGroup
from npql.ir.policies import PolicyIR, PolicySet
from npql.model.cluster import Cluster as ClusterModel
from npql.model.objects import Pod
from npql.model.policy import NetworkPolicy
from npql.model.tiered import TieredPolicy
from npql.solve.engine import IncrementalSolver

T = TypeVar("T")

#: The Cluster's lazily computed state that depends only on the options, the namespaces, the
#: pods, the NetworkPolicies and the cluster-scoped policies (never on Services or warnings).
CARRIED = ("policies", "grouping", "bitsets", "solver", "policies_have_domains", "self_groups")


class EncodingReuse(Enum):
    """What became of the old cluster's Z3 encodings."""

    NONE = "none"  # the old cluster had encoded nothing
    KEPT = "kept"  # every encoding is reused
    PARTIAL = "partial"  # some slices are reused, the others are encoded again when asked
    REBUILT = "rebuilt"  # encoded again from scratch when next asked


@dataclass(frozen=True, slots=True)
class Reuse:
    """What a reload kept: for the user (``\\reload`` says it) and for tests."""

    encoding: EncodingReuse
    kept: tuple[str, ...] = ()  # names of the carried caches (see CARRIED)
    slices_kept: int = 0
    namespaces: int = 0  # namespaces of the new cluster
    changed: frozenset[str] = frozenset()  # namespaces whose pods or NetworkPolicies changed
    reencoded: frozenset[str] = frozenset()  # namespaces to be encoded again (PARTIAL)


@dataclass(frozen=True, slots=True)
class Reloaded:
    """The cluster to use after a reload, and what it took over from the previous one."""

    cluster: Cluster
    reuse: Reuse


def carry_over(old: Cluster, new: Cluster) -> Reloaded:
    """``new`` (just loaded, nothing computed yet) with what ``old`` computed that still holds.

    The result's cluster is ``new`` itself when nothing is reused, else a Cluster over the
    merged model. Session definitions (variables, assumptions) are not carried: the caller's.
    Call it while no query runs on ``old``.
    """
    if _computed(new):  # its caches were built from its own model: leave it alone
        return Reloaded(new, Reuse(EncodingReuse.REBUILT if _encoded(old) else EncodingReuse.NONE))
    model = merge(old.model, new.model)
    changed = changed_namespaces(old.model, model)
    total = len(set(model.namespaces) | {p.namespace for p in model.pods})
    if _same_inputs(old, model, new.options):
        return _whole(old, Cluster(model, new.options), total)
    if _slices_may_stay(old, model, new.options):
        return _some_slices(old, Cluster(model, new.options), changed, total)
    level = EncodingReuse.REBUILT if _encoded(old) else EncodingReuse.NONE
    return Reloaded(new, Reuse(level, namespaces=total, changed=changed, reencoded=changed))


# ------------------------------------------------------------------------------------- merge


def merge(old: ClusterModel, new: ClusterModel) -> ClusterModel:
    """``new`` with each pod, policy and namespace map exactly equal to ``old``'s taken from
    ``old``: the same objects, so caches keyed by identity stay valid."""
    return replace(
        new,
        namespaces=old.namespaces if exact(old.namespaces, new.namespaces) else new.namespaces,
        pods=prefer_old(old.pods, new.pods, _pod_key),
        policies=prefer_old(old.policies, new.policies, _policy_key),
        tiered=prefer_old(old.tiered, new.tiered, _tiered_key),
    )


def prefer_old(old: Sequence[T], new: Sequence[T], key: Callable[[T], Hashable]) -> tuple[T, ...]:
    """``new`` in its order, each item replaced by the old one of its key when exactly equal."""
    by_key = {key(item): item for item in old}
    return tuple(_older(by_key.pop(key(item), None), item) for item in new)


def _older(old: T | None, new: T) -> T:
    return old if old is not None and exact(old, new) else new


def _pod_key(pod: Pod) -> Hashable:
    return (pod.namespace, pod.kind, pod.name)


def _policy_key(policy: NetworkPolicy) -> Hashable:
    return (policy.namespace, policy.name)


def _tiered_key(policy: TieredPolicy) -> Hashable:
    return (policy.kind, policy.name)


def exact(a: object, b: object) -> bool:
    """Equal in every way an answer could show: every dataclass field (``compare=False`` ones
    such as locations too), mapping order, and types (``1`` is not ``True``).

    Dataclass equality alone skips locations and ignores the order of label maps, which
    answers print; reusing an object that differs there would print the old file's lines.
    """
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if is_dataclass(a) and not isinstance(a, type):
        return all(exact(getattr(a, n), getattr(b, n)) for n in _field_names(type(a)))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return len(a) == len(b) and all(
            exact(ka, kb) and exact(va, vb)
            for (ka, va), (kb, vb) in zip(a.items(), b.items(), strict=True)
        )
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(map(exact, a, b))
    return bool(a == b)


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind))


def same_objects(a: Sequence[object], b: Sequence[object]) -> bool:
    """The same objects in the same order (after ``merge``: nothing changed)."""
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


def changed_namespaces(old: ClusterModel, merged: ClusterModel) -> frozenset[str]:
    """Namespaces whose pods or NetworkPolicies differ (added, removed, edited, reordered)."""
    before, after = _contents(old), _contents(merged)
    return frozenset(
        ns
        for ns in before.keys() | after.keys()
        if not same_objects(before.get(ns, []), after.get(ns, []))
    )


def _contents(model: ClusterModel) -> dict[str, list[object]]:
    found: dict[str, list[object]] = {}
    items: tuple[Pod | NetworkPolicy, ...] = (*model.pods, *model.policies)
    for item in items:
        found.setdefault(item.namespace, []).append(item)
    return found


# -------------------------------------------------------------------------- what stays valid


def _same_inputs(old: Cluster, model: ClusterModel, options: cluster_module.Options) -> bool:
    """Every input of every cache is the same: all of it can be reused as it is."""
    return (
        _same_frame(old, model, options)
        and same_objects(old.model.pods, model.pods)
        and same_objects(old.model.policies, model.policies)
    )


def _same_frame(old: Cluster, model: ClusterModel, options: cluster_module.Options) -> bool:
    """What every encoding depends on: options, namespaces, cluster-scoped policies."""
    return (
        old.options == options
        and old.model.namespaces is model.namespaces
        and same_objects(old.model.tiered, model.tiered)
    )


def _slices_may_stay(old: Cluster, model: ClusterModel, options: cluster_module.Options) -> bool:
    return bool(old._slices) and _same_frame(old, model, options)


def _computed(cluster: Cluster) -> bool:
    return any(name in cluster.__dict__ for name in CARRIED) or bool(cluster._slices)


def _encoded(cluster: Cluster) -> bool:
    return "solver" in cluster.__dict__ or bool(cluster._slices)


# ------------------------------------------------------------------------------ carrying


def _whole(old: Cluster, new: Cluster, total: int) -> Reloaded:
    """Everything the old cluster computed, as it is."""
    kept = tuple(name for name in CARRIED if name in old.__dict__)
    for name in kept:
        new.__dict__[name] = old.__dict__[name]
    for groups, solver in old._slices.items():
        if timed_alike(solver, new):
            new._slices[groups] = solver
    level = EncodingReuse.KEPT if _encoded(old) else EncodingReuse.NONE
    reuse = Reuse(level, kept, slices_kept=len(new._slices), namespaces=total)
    return Reloaded(new, reuse)


def _some_slices(old: Cluster, new: Cluster, changed: frozenset[str], total: int) -> Reloaded:
    """The slices whose groups and policies are the same; the rest is built anew."""
    reencoded = set(changed)
    for groups, solver in old._slices.items():
        if timed_alike(solver, new) and slice_unchanged(groups, old, new):
            new._slices[groups] = solver
        else:
            reencoded |= {old.grouping.groups[i].namespace for i in groups}
    level = EncodingReuse.PARTIAL if new._slices else EncodingReuse.REBUILT
    reuse = Reuse(
        level,
        slices_kept=len(new._slices),
        namespaces=total,
        changed=changed,
        reencoded=frozenset(reencoded),
    )
    return Reloaded(new, reuse)


def timed_alike(solver: IncrementalSolver, cluster: Cluster) -> bool:
    """Whether ``solver`` has the cluster's timeout (``\\set timeout`` updates only the
    whole-cluster solver, so a slice may still have an earlier one)."""
    return solver.timeout_ms == cluster.options.timeout_ms


def slice_unchanged(groups: frozenset[int], old: Cluster, new: Cluster) -> bool:
    """Whether the slice of ``groups`` encodes the same in both clusters (whose options,
    namespaces and cluster-scoped policies are the same): the same groups under the same
    indices, and the same NetworkPolicies for their namespaces."""
    old_groups, new_groups = old.grouping.groups, new.grouping.groups
    if any(i >= len(new_groups) or not same_group(old_groups[i], new_groups[i]) for i in groups):
        return False
    namespaces = {old_groups[i].namespace for i in groups}
    return same_policies(
        _policies_in(old.policies, namespaces), _policies_in(new.policies, namespaces)
    )


def same_group(a: PodGroup, b: PodGroup) -> bool:
    """The same index, namespace, labels, ports and addresses, and the very same pods."""
    return same_objects(a.pods, b.pods) and exact(a, b)


def same_policies(a: Sequence[PolicyIR], b: Sequence[PolicyIR]) -> bool:
    """Compiled from the very same NetworkPolicies, in the same order."""
    return len(a) == len(b) and all(
        x.source is y.source and x.source is not None and x == y for x, y in zip(a, b, strict=True)
    )


def _policies_in(policies: PolicySet, namespaces: set[str]) -> tuple[PolicyIR, ...]:
    """The policies a slice of these namespaces encodes, in its order (``Cluster._slice``)."""
    return tuple(p for p in policies.policies if p.namespace in namespaces)
