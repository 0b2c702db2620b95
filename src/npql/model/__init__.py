"""The data model: frozen values, no I/O, no solver."""

from npql.model.cluster import Cluster
from npql.model.objects import (
    ALL_PROTOCOLS,
    DEFAULT_NAMESPACE,
    NAMESPACE_NAME_LABEL,
    ContainerPort,
    Namespace,
    Pod,
    Protocol,
    Service,
    ServicePort,
)
from npql.model.policy import Direction, IPBlock, NetworkPolicy, Peer, PolicyPort, Rule
from npql.model.selector import EVERYTHING, LabelSelector, Operator, Requirement

__all__ = [
    "ALL_PROTOCOLS",
    "DEFAULT_NAMESPACE",
    "EVERYTHING",
    "NAMESPACE_NAME_LABEL",
    "Cluster",
    "ContainerPort",
    "Direction",
    "IPBlock",
    "LabelSelector",
    "Namespace",
    "NetworkPolicy",
    "Operator",
    "Peer",
    "Pod",
    "PolicyPort",
    "Protocol",
    "Requirement",
    "Rule",
    "Service",
    "ServicePort",
]
