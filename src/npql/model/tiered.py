"""Cluster-scoped policies: AdminNetworkPolicy, BaselineAdminNetworkPolicy (v1alpha1) and
ClusterNetworkPolicy (v1alpha2, tiers Admin and Baseline).

Per direction, a connection is decided by the first of: the admin tier (policies by priority,
lower first, rules in order; Allow/Accept and Deny are final, Pass hands the decision to the
NetworkPolicy tier); NetworkPolicies, final for every pod they isolate; the baseline tier
(Allow/Accept and Deny final); and the default, allow. A tier with no matching rule passes the
decision on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from npql.errors import Location
from npql.model.objects import Protocol
from npql.model.selector import LabelSelector


class Tier(str, Enum):
    """Where a cluster-scoped policy sits relative to NetworkPolicies."""

    ADMIN = "Admin"
    BASELINE = "Baseline"


class Action(str, Enum):
    """What a matching rule does. ClusterNetworkPolicy's Accept is Allow."""

    ALLOW = "Allow"
    DENY = "Deny"
    PASS = "Pass"


@dataclass(frozen=True, slots=True)
class TieredPeer:
    """One peer: pods (namespace AND pod selector; pod None = every pod), or CIDRs, or nodes /
    domain names (which manifests cannot decide)."""

    namespace_selector: LabelSelector | None = None
    pod_selector: LabelSelector | None = None
    networks: tuple[str, ...] = ()
    nodes: LabelSelector | None = None
    domain_names: tuple[str, ...] = ()

    @property
    def is_pods(self) -> bool:
        """A namespaces/pods peer (as opposed to networks, nodes or domain names)."""
        return self.namespace_selector is not None


@dataclass(frozen=True, slots=True)
class TieredPort:
    """A port match: a number range of a protocol, or a container-port name.

    A named port with ``protocol`` None (AdminNetworkPolicy's namedPort) takes the protocol of
    the container port it names.
    """

    protocol: Protocol | None = Protocol.TCP
    lo: int = 1
    hi: int = 65535
    name: str | None = None


@dataclass(frozen=True, slots=True)
class TieredRule:
    """One rule; empty ``ports`` matches every port of every protocol."""

    name: str
    action: Action
    peers: tuple[TieredPeer, ...]
    ports: tuple[TieredPort, ...] = ()


@dataclass(frozen=True, slots=True)
class TieredPolicy:
    """An AdminNetworkPolicy, BaselineAdminNetworkPolicy or ClusterNetworkPolicy.

    The subject is the pods in namespaces matching ``subject_namespaces`` whose labels match
    ``subject_pods`` (None = every pod of those namespaces).
    """

    kind: str
    name: str
    tier: Tier
    priority: int
    subject_namespaces: LabelSelector
    subject_pods: LabelSelector | None = None
    ingress: tuple[TieredRule, ...] = ()
    egress: tuple[TieredRule, ...] = ()
    location: Location | None = field(default=None, compare=False)

    @property
    def ident(self) -> str:
        """``Kind/name``: how answers name this policy."""
        short = {"AdminNetworkPolicy": "anp", "BaselineAdminNetworkPolicy": "banp"}.get(
            self.kind, "cnp"
        )
        return f"{short}:{self.name}"
