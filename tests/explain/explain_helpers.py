"""Small builders for hand-worked explanation cases."""

from __future__ import annotations

from collections.abc import Iterable

from npql.explain import Address, Explanation, RuleCheck, SideExplanation, explain_connection
from npql.ir.policies import compile_policies
from npql.ir.sides import PortQuery
from npql.model import (
    NAMESPACE_NAME_LABEL,
    Cluster,
    ContainerPort,
    Direction,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Pod,
    Protocol,
    Rule,
)

TCP, UDP, SCTP = Protocol.TCP, Protocol.UDP, Protocol.SCTP
INGRESS, EGRESS = Direction.INGRESS, Direction.EGRESS


def sel(**labels: str) -> LabelSelector:
    """A matchLabels selector."""
    return LabelSelector.from_match_labels(labels)


def ns(name: str, **labels: str) -> Namespace:
    """A namespace with its name label."""
    return Namespace(name, {NAMESPACE_NAME_LABEL: name, **labels})


def pod(
    namespace: str,
    name: str,
    labels: dict[str, str] | None = None,
    ports: Iterable[ContainerPort] = (),
    ips: Iterable[str] = (),
) -> Pod:
    """A bare Pod."""
    return Pod(namespace, name, "Pod", labels or {}, tuple(ports), tuple(ips), pod_name=name)


def netpol(
    namespace: str,
    name: str,
    selector: LabelSelector | None = None,
    types: Iterable[Direction] = (INGRESS,),
    ingress: Iterable[Rule] = (),
    egress: Iterable[Rule] = (),
) -> NetworkPolicy:
    """A policy; policyTypes given explicitly."""
    return NetworkPolicy(
        namespace,
        name,
        selector or LabelSelector(),
        frozenset(types),
        tuple(ingress),
        tuple(egress),
    )


def cluster(
    namespaces: Iterable[Namespace], pods: Iterable[Pod], policies: Iterable[NetworkPolicy]
) -> Cluster:
    """A model cluster."""
    return Cluster(
        namespaces={n.name: n for n in namespaces}, pods=tuple(pods), policies=tuple(policies)
    )


def explain(
    c: Cluster,
    src: Pod | Address,
    dst: Pod | Address,
    protocol: Protocol | None = TCP,
    lo: int = 80,
    hi: int | None = None,
    *,
    name: str | None = None,
    match_ips: bool = False,
) -> Explanation:
    """Explain one question over a model cluster."""
    ports = PortQuery(protocol, lo, lo if hi is None else hi, name)
    return explain_connection(
        c, compile_policies(c), src, dst, ports, ipblocks_match_pod_ips=match_ips
    )


def rules_of(side: SideExplanation | None) -> list[RuleCheck]:
    """Every rule check of a side, in order."""
    assert side is not None
    return [r for p in side.policies for r in p.rules]


def reasons(side: SideExplanation | None) -> list[str | None]:
    """The reason of every rule of a side, in order."""
    return [r.reason for r in rules_of(side)]
