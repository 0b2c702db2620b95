"""What each kind of object is to npql: modelled, an unmodelled policy kind, or skipped."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from npql.loader.workloads import WORKLOAD_KINDS


class Handling(Enum):
    """How the loader treats one object."""

    NAMESPACE = "namespace"
    POD = "pod"
    WORKLOAD = "workload"
    SERVICE = "service"
    POLICY = "policy"
    TIERED = "tiered"
    UNMODELLED = "unmodelled"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Kind:
    """The handling of one object and the key it is counted under when not modelled."""

    handling: Handling
    key: str


_CORE: dict[str, Handling] = {
    "Namespace": Handling.NAMESPACE,
    "Pod": Handling.POD,
    "Service": Handling.SERVICE,
    "ReplicationController": Handling.WORKLOAD,
}
_GROUPS: dict[str, frozenset[str]] = {
    "Deployment": frozenset({"apps", "extensions"}),
    "StatefulSet": frozenset({"apps"}),
    "DaemonSet": frozenset({"apps", "extensions"}),
    "ReplicaSet": frozenset({"apps", "extensions"}),
    "Job": frozenset({"batch"}),
    "CronJob": frozenset({"batch"}),
    "NetworkPolicy": frozenset({"networking.k8s.io", "extensions"}),
}
# Cluster-scoped policies of the network-policy-api project, which npql models.
_TIERED_GROUP = "policy.networking.k8s.io"
_TIERED_KINDS = frozenset(
    {"AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy"}
)
_POLICY_KINDS_BY_NAME = frozenset(
    {
        "AdminNetworkPolicy",
        "BaselineAdminNetworkPolicy",
        "ClusterNetworkPolicy",
        "CiliumNetworkPolicy",
        "CiliumClusterwideNetworkPolicy",
    }
)
_POLICY_GROUPS = frozenset({"projectcalico.org", "crd.projectcalico.org", "crd.antrea.io"})


def api_group(api_version: str | None) -> str | None:
    """The group of an apiVersion: ``""`` for the core group, None when not given."""
    if not api_version:
        return None
    group, slash, _ = api_version.rpartition("/")
    return group if slash else ""


def classify(kind: str, api_version: str | None) -> Kind:
    """How to treat an object of ``kind`` and ``apiVersion`` (a missing apiVersion fits)."""
    group = api_group(api_version)
    if kind in _TIERED_KINDS and group in (None, _TIERED_GROUP):
        return Kind(Handling.TIERED, kind)
    if group in _POLICY_GROUPS and kind.endswith("Policy"):
        return Kind(Handling.UNMODELLED, f"{group}/{kind}")
    expected = _GROUPS.get(kind, frozenset({""}) if kind in _CORE else None)
    if expected is not None and (group is None or group in expected):
        return Kind(_handling(kind), kind)
    return _not_modelled(kind, group, known=expected is not None)


def _handling(kind: str) -> Handling:
    if kind == "NetworkPolicy":
        return Handling.POLICY
    return _CORE.get(kind, Handling.WORKLOAD if kind in WORKLOAD_KINDS else Handling.SKIPPED)


def _not_modelled(kind: str, group: str | None, *, known: bool) -> Kind:
    qualified = f"{group}/{kind}" if known and group else kind
    if kind in _POLICY_KINDS_BY_NAME:
        return Kind(Handling.UNMODELLED, kind)
    if kind.endswith("NetworkPolicy"):
        return Kind(Handling.UNMODELLED, qualified)
    return Kind(Handling.SKIPPED, qualified)
