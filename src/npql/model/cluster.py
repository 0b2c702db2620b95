"""The loaded cluster: every object npql reasons about, plus what loading noticed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from npql.errors import Problem
from npql.model.objects import NAMESPACE_NAME_LABEL, Namespace, Pod, Service
from npql.model.policy import Direction, NetworkPolicy
from npql.model.tiered import TieredPolicy


@dataclass(frozen=True, slots=True)
class Cluster:
    """Namespaces, pods (endpoints), services and policies, plus loader warnings.

    ``unmodelled`` counts objects of policy kinds npql does not model yet (e.g.
    AdminNetworkPolicy); every answer warns about them. ``skipped`` counts other kinds.
    """

    namespaces: Mapping[str, Namespace] = field(default_factory=dict, hash=False)
    pods: tuple[Pod, ...] = ()
    policies: tuple[NetworkPolicy, ...] = ()
    services: tuple[Service, ...] = ()
    tiered: tuple[TieredPolicy, ...] = ()
    warnings: tuple[Problem, ...] = ()
    skipped: Mapping[str, int] = field(default_factory=dict, hash=False)
    unmodelled: Mapping[str, int] = field(default_factory=dict, hash=False)

    def namespace_labels(self, name: str) -> Mapping[str, str]:
        """Labels of a namespace; an undeclared one carries only its name label."""
        ns = self.namespaces.get(name)
        return ns.labels if ns is not None else {NAMESPACE_NAME_LABEL: name}

    def policies_in(self, namespace: str) -> Iterator[NetworkPolicy]:
        """The policies of one namespace."""
        return (p for p in self.policies if p.namespace == namespace)

    def policies_selecting(self, pod: Pod, direction: Direction) -> list[NetworkPolicy]:
        """Policies that select ``pod`` and have ``direction`` in their policyTypes."""
        return [
            p
            for p in self.policies_in(pod.namespace)
            if direction in p.policy_types and p.pod_selector.matches(pod.labels)
        ]

    def find_pods(self, namespace: str, name: str) -> list[Pod]:
        """Pods named ``name`` in ``namespace``: by workload name or by Pod object name."""
        by_workload = [p for p in self.pods if p.namespace == namespace and p.name == name]
        if by_workload:
            return by_workload
        return [p for p in self.pods if p.namespace == namespace and p.pod_name == name]
