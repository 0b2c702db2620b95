"""Hypothesis strategies for small, valid, coincidence-rich clusters.

Every vocabulary is tiny (three namespaces, three label keys with three values, four container
ports, five ipBlocks) so that selectors, named ports and CIDRs hit and miss often. Everything
generated is something the API server would accept: In/NotIn carry values, Exists/DoesNotExist
none; endPort only with a numeric port and never below it; ipBlock excepts inside their cidr;
container port names unique per pod; pod names unique per namespace; pod IPs distinct.
Every namespace a pod or policy uses is declared in ``Cluster.namespaces`` and carries its
``kubernetes.io/metadata.name`` label.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from npql.model import (
    NAMESPACE_NAME_LABEL,
    Cluster,
    ContainerPort,
    Direction,
    IPBlock,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Operator,
    Peer,
    Pod,
    PolicyPort,
    Protocol,
    Requirement,
    Rule,
)
from reference import Endpoint, External

__all__ = [
    "CONTAINER_PORT_NAMES",
    "CONTAINER_PORT_NUMBERS",
    "EXTERNAL_IPS",
    "IP_BLOCKS",
    "NAMESPACE_NAMES",
    "POD_IPS",
    "PROBE_PORTS",
    "clusters",
    "endpoints",
    "external_ips",
    "externals",
    "ip_blocks",
    "label_selectors",
    "namespace_selectors",
    "network_policies",
    "peers",
    "pod_selectors",
    "policy_ports",
    "probe_ports",
    "protocols",
    "rules",
]

Draw = Callable[[st.SearchStrategy[Any]], Any]

NAMESPACE_NAMES: tuple[str, ...] = ("a", "b", "c")
NAMESPACE_LABEL_KEYS: tuple[str, ...] = ("team", "env")
NAMESPACE_LABEL_VALUES: tuple[str, ...] = ("x", "y")
POD_LABEL_KEYS: tuple[str, ...] = ("app", "tier", "team")
POD_LABEL_VALUES: tuple[str, ...] = ("x", "y", "z")
POD_NAMES: tuple[str, ...] = ("p0", "p1", "p2", "p3", "p4", "p5")
CONTAINER_PORT_NUMBERS: tuple[int, ...] = (80, 443, 8080, 53)
CONTAINER_PORT_NAMES: tuple[str | None, ...] = ("http", "https", "dns", None)
#: Named ports a policy may use: the container names plus one that no pod ever declares.
POLICY_PORT_NAMES: tuple[str, ...] = ("http", "https", "dns", "metrics")
POLICY_PORT_NUMBERS: tuple[int, ...] = (1, 53, 80, 443, 8080)
END_PORTS: tuple[int, ...] = (80, 443, 8080, 8081, 65535)
PROBE_PORTS: tuple[int, ...] = (53, 80, 443, 8080, 8081, 1, 65535)
#: Pod IPs: in 10.0.0.0/24, both inside and outside its except 10.0.0.0/28.
POD_IPS: tuple[str, ...] = (
    "10.0.0.1",
    "10.0.0.7",
    "10.0.0.15",
    "10.0.0.16",
    "10.0.0.42",
    "10.0.0.100",
    "10.0.0.200",
    "10.0.0.254",
)
IP_BLOCKS: tuple[IPBlock, ...] = (
    IPBlock("10.0.0.0/24", ("10.0.0.0/28",)),
    IPBlock("0.0.0.0/0"),
    IPBlock("192.168.0.0/16"),
    IPBlock("10.0.0.0/8", ("10.0.0.0/24",)),
    IPBlock("fd00::/8"),
)
#: External addresses hitting every region of IP_BLOCKS, plus IPv6 inside and outside fd00::/8.
EXTERNAL_IPS: tuple[str, ...] = (
    "10.0.0.5",  # in 10.0.0.0/28: excepted from 10.0.0.0/24; in the except of 10.0.0.0/8
    "10.0.0.15",  # last address of the except 10.0.0.0/28
    "10.0.0.16",  # first address of 10.0.0.0/24 past its except
    "10.0.0.100",  # in 10.0.0.0/24; in the except of 10.0.0.0/8
    "10.1.2.3",  # in 10.0.0.0/8 outside its except; not in 10.0.0.0/24
    "192.168.1.1",  # in 192.168.0.0/16
    "8.8.8.8",  # only in 0.0.0.0/0
    "fd00::1",  # IPv6, in fd00::/8
    "2001:db8::1",  # IPv6, outside fd00::/8 (and never in 0.0.0.0/0)
)


# --- basic vocabularies -----------------------------------------------------------------------


def protocols() -> st.SearchStrategy[Protocol]:
    """Any protocol NetworkPolicy can name."""
    return st.sampled_from([Protocol.TCP, Protocol.UDP, Protocol.SCTP])


def probe_ports() -> st.SearchStrategy[int]:
    """Ports to ask about: container ports, a range end, and the extremes."""
    return st.sampled_from(PROBE_PORTS)


def external_ips() -> st.SearchStrategy[str]:
    """External addresses inside, outside and in the excepts of :data:`IP_BLOCKS`."""
    return st.sampled_from(EXTERNAL_IPS)


def externals() -> st.SearchStrategy[External]:
    """External endpoints over :func:`external_ips`."""
    return external_ips().map(External)


def ip_blocks() -> st.SearchStrategy[IPBlock]:
    """One of :data:`IP_BLOCKS`."""
    return st.sampled_from(IP_BLOCKS)


# --- selectors --------------------------------------------------------------------------------


@st.composite
def _requirements(draw: Draw, keys: tuple[str, ...], values: tuple[str, ...]) -> Requirement:
    key: str = draw(st.sampled_from(keys))
    operator: Operator = draw(st.sampled_from(list(Operator)))
    if operator in (Operator.EXISTS, Operator.DOES_NOT_EXIST):
        return Requirement(key, operator)
    chosen = draw(st.lists(st.sampled_from(values), min_size=1, max_size=2, unique=True))
    return Requirement(key, operator, tuple(sorted(chosen)))


@st.composite
def label_selectors(draw: Draw, keys: tuple[str, ...], values: tuple[str, ...]) -> LabelSelector:
    """A selector over ``keys``/``values``: empty, matchLabels, matchExpressions, or both."""
    match_labels: dict[str, str] = draw(
        st.dictionaries(st.sampled_from(keys), st.sampled_from(values), max_size=2)
    )
    expressions: list[Requirement] = draw(st.lists(_requirements(keys, values), max_size=2))
    selector = LabelSelector.from_match_labels(match_labels)
    return LabelSelector(selector.requirements + tuple(expressions))


def pod_selectors() -> st.SearchStrategy[LabelSelector]:
    """Selectors over pod labels (often empty)."""
    return st.one_of(st.just(LabelSelector()), label_selectors(POD_LABEL_KEYS, POD_LABEL_VALUES))


def namespace_selectors() -> st.SearchStrategy[LabelSelector]:
    """Selectors over namespace labels, including the metadata.name label (often empty)."""
    by_labels = label_selectors(NAMESPACE_LABEL_KEYS, NAMESPACE_LABEL_VALUES)
    by_name = label_selectors((NAMESPACE_NAME_LABEL,), NAMESPACE_NAMES)
    return st.one_of(st.just(LabelSelector()), by_labels, by_name)


# --- policies ---------------------------------------------------------------------------------


def peers() -> st.SearchStrategy[Peer]:
    """A peer of every valid form: pod-only, namespace-only, both, or an ipBlock."""
    return st.one_of(
        pod_selectors().map(lambda s: Peer(pod_selector=s)),
        namespace_selectors().map(lambda n: Peer(namespace_selector=n)),
        st.builds(
            lambda s, n: Peer(pod_selector=s, namespace_selector=n),
            pod_selectors(),
            namespace_selectors(),
        ),
        ip_blocks().map(lambda b: Peer(ip_block=b)),
    )


@st.composite
def policy_ports(draw: Draw) -> PolicyPort:
    """A port entry: any protocol; no port, a number (sometimes a range), or a name."""
    protocol: Protocol = draw(protocols())
    form: str = draw(st.sampled_from(["none", "number", "range", "name"]))
    if form == "none":
        return PolicyPort(protocol)
    if form == "name":
        return PolicyPort(protocol, draw(st.sampled_from(POLICY_PORT_NAMES)))
    number: int = draw(st.sampled_from(POLICY_PORT_NUMBERS))
    if form == "number":
        return PolicyPort(protocol, number)
    end: int = draw(st.sampled_from([e for e in END_PORTS if e >= number]))
    return PolicyPort(protocol, number, end)


def rules() -> st.SearchStrategy[Rule]:
    """A rule with 0-3 peers and 0-3 ports (empty means everything)."""
    return st.builds(
        lambda ps, ports: Rule(tuple(ps), tuple(ports)),
        st.lists(peers(), max_size=3),
        st.lists(policy_ports(), max_size=3),
    )


_POLICY_TYPES: tuple[frozenset[Direction], ...] = (
    frozenset({Direction.INGRESS}),
    frozenset({Direction.EGRESS}),
    frozenset({Direction.INGRESS, Direction.EGRESS}),
)


@st.composite
def network_policies(draw: Draw, namespace: str, name: str) -> NetworkPolicy:
    """A policy in ``namespace``; rules of both directions whatever its policyTypes say."""
    return NetworkPolicy(
        namespace=namespace,
        name=name,
        pod_selector=draw(pod_selectors()),
        policy_types=draw(st.sampled_from(_POLICY_TYPES)),
        ingress=tuple(draw(st.lists(rules(), max_size=3))),
        egress=tuple(draw(st.lists(rules(), max_size=3))),
    )


# --- pods and namespaces ----------------------------------------------------------------------


@st.composite
def _container_ports(draw: Draw) -> tuple[ContainerPort, ...]:
    """Up to 3 container ports, names unique per pod, (port, protocol) unique too."""
    keys: list[tuple[int, Protocol]] = draw(
        st.lists(
            st.tuples(
                st.sampled_from(CONTAINER_PORT_NUMBERS),
                st.sampled_from([Protocol.TCP, Protocol.UDP]),
            ),
            max_size=3,
            unique=True,
        )
    )
    used: set[str] = set()
    result: list[ContainerPort] = []
    for port, protocol in keys:
        name: str | None = draw(st.sampled_from(CONTAINER_PORT_NAMES))
        if name in used:
            name = None
        if name is not None:
            used.add(name)
        result.append(ContainerPort(port, protocol, name))
    return tuple(result)


@st.composite
def _namespace(draw: Draw, name: str) -> Namespace:
    labels: dict[str, str] = draw(
        st.dictionaries(
            st.sampled_from(NAMESPACE_LABEL_KEYS), st.sampled_from(NAMESPACE_LABEL_VALUES)
        )
    )
    labels[NAMESPACE_NAME_LABEL] = name
    return Namespace(name, labels)


@st.composite
def clusters(draw: Draw) -> Cluster:
    """A small valid cluster: 1-3 namespaces, 1-6 pods, 0-4 policies."""
    ns_names: list[str] = draw(
        st.lists(st.sampled_from(NAMESPACE_NAMES), min_size=1, max_size=3, unique=True)
    )
    namespaces = {name: draw(_namespace(name)) for name in sorted(ns_names)}

    pod_keys: list[tuple[str, str]] = draw(
        st.lists(
            st.tuples(st.sampled_from(sorted(ns_names)), st.sampled_from(POD_NAMES)),
            min_size=1,
            max_size=6,
            unique=True,
        )
    )
    ip_pool: list[str] = draw(st.permutations(POD_IPS))
    pods: list[Pod] = []
    for index, (namespace, name) in enumerate(pod_keys):
        kind: str = draw(st.sampled_from(["Pod", "Deployment"]))
        has_ip: bool = draw(st.booleans())
        pods.append(
            Pod(
                namespace=namespace,
                name=name,
                kind=kind,
                labels=draw(
                    st.dictionaries(
                        st.sampled_from(POD_LABEL_KEYS), st.sampled_from(POD_LABEL_VALUES)
                    )
                ),
                ports=draw(_container_ports()),
                ips=(ip_pool[index],) if has_ip else (),
                pod_name=name if kind == "Pod" else f"{name}-5d8f7c-x2x9q",
            )
        )

    policy_keys: list[tuple[str, str]] = draw(
        st.lists(
            st.tuples(st.sampled_from(sorted(ns_names)), st.sampled_from(["np0", "np1", "np2"])),
            max_size=4,
            unique=True,
        )
    )
    policies = tuple(draw(network_policies(ns, name)) for ns, name in policy_keys)
    return Cluster(namespaces=namespaces, pods=tuple(pods), policies=policies)


def endpoints(cluster: Cluster) -> st.SearchStrategy[Endpoint]:
    """A pod of ``cluster`` or an external address."""
    pods: st.SearchStrategy[Endpoint] = st.sampled_from(cluster.pods)
    return st.one_of(pods, externals())
