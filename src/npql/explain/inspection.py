"""Inspection helpers: which policies isolate a pod, which pods a policy selects."""

from __future__ import annotations

from collections.abc import Iterable

from npql.model.cluster import Cluster
from npql.model.objects import Pod
from npql.model.policy import Direction, NetworkPolicy

#: The order directions are listed in everywhere.
DIRECTIONS: tuple[Direction, ...] = (Direction.INGRESS, Direction.EGRESS)


def isolation(cluster: Cluster, pod: Pod) -> dict[Direction, list[str]]:
    """For each direction, the ids of the policies isolating ``pod`` (empty: not isolated)."""
    return {d: [p.ident for p in cluster.policies_selecting(pod, d)] for d in DIRECTIONS}


def selects(policy: NetworkPolicy, pod: Pod) -> bool:
    """Whether ``policy``'s own podSelector selects ``pod`` (only pods of its namespace)."""
    return pod.namespace == policy.namespace and policy.pod_selector.matches(pod.labels)


def policies_selecting(cluster: Cluster, pods: Iterable[Pod]) -> list[tuple[str, list[Direction]]]:
    """Policies whose podSelector selects at least one of ``pods``, with the directions they
    isolate (their policyTypes), in cluster order."""
    chosen = list(pods)
    return [
        (policy.ident, [d for d in DIRECTIONS if d in policy.policy_types])
        for policy in cluster.policies
        if any(selects(policy, pod) for pod in chosen)
    ]


def pods_selected_by(cluster: Cluster, policy: NetworkPolicy) -> list[Pod]:
    """The pods a policy applies to: those of its namespace its podSelector matches."""
    return [pod for pod in cluster.pods if selects(policy, pod)]
