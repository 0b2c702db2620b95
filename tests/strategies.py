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
from dataclasses import replace
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
from npql.model.tiered import Action, Tier, TieredPeer, TieredPolicy, TieredPort, TieredRule
from reference import Endpoint, External

__all__ = [
    "CONTAINER_PORT_NAMES",
    "CONTAINER_PORT_NUMBERS",
    "NETWORKS",
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
    "tiered_clusters",
    "tiered_peers",
    "tiered_policies",
    "tiered_ports",
    "tiered_rules",
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
#: CIDRs of cluster-scoped ``networks`` peers: all of POD_IPS / EXTERNAL_IPS, parts, none.
NETWORKS: tuple[str, ...] = (
    "10.0.0.0/24",
    "0.0.0.0/0",
    "10.0.0.0/28",
    "10.0.0.16/28",
    "10.0.0.42/32",
    "192.168.0.0/16",
    "fd00::/8",
    "::/0",
)
#: Priorities of cluster-scoped policies: few, so that different policies often tie.
TIER_PRIORITIES: tuple[int, ...] = (5, 10, 5, 0)
TIER_POLICY_NAMES: tuple[str, ...] = ("t0", "t1", "t2", "t3")


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


# --- cluster-scoped policies ------------------------------------------------------------------


def tiered_peers(*, egress: bool = True) -> st.SearchStrategy[TieredPeer]:
    """A peer: namespaces, pods (namespace AND pod selector), networks; rarely nodes or (egress)
    domainNames, which match nothing manifests show."""
    networks = st.lists(st.sampled_from(NETWORKS), min_size=1, max_size=2, unique=True).map(
        lambda cidrs: TieredPeer(networks=tuple(cidrs))
    )
    forms = [
        _broad(namespace_selectors()).map(lambda n: TieredPeer(namespace_selector=n)),
        st.builds(
            lambda n, p: TieredPeer(namespace_selector=n, pod_selector=p),
            _broad(namespace_selectors()),
            pod_selectors(),
        ),
        networks,
    ]
    rare = [st.just(TieredPeer(nodes=LabelSelector()))]
    if egress:
        rare.append(st.just(TieredPeer(domain_names=("example.com",))))
    return _pick(forms + forms + [_pick(rare)])


def _pick(choices: list[st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of ``choices``, each about as likely (``st.one_of`` favours its first branches)."""
    return st.sampled_from(choices).flatmap(lambda chosen: chosen)


def _broad(selectors: st.SearchStrategy[LabelSelector]) -> st.SearchStrategy[LabelSelector]:
    """``selectors``, or (as often) the empty selector: cluster-scoped policies select widely."""
    return _pick([st.just(LabelSelector()), selectors])


def _some(strategy: st.SearchStrategy[Any], most: int) -> st.SearchStrategy[list[Any]]:
    """0..most items, non-empty lists as likely as an empty one."""
    return st.sampled_from(tuple(range(1, most + 1)) + (0,)).flatmap(
        lambda n: st.lists(strategy, min_size=n, max_size=n)
    )


@st.composite
def tiered_ports(draw: Draw) -> TieredPort:
    """A port entry: a whole protocol, a number, a range, or a container-port name (no
    protocol: it takes the protocol the destination pod declares)."""
    form: str = draw(st.sampled_from(["protocol", "number", "range", "name"]))
    if form == "name":
        return TieredPort(None, name=draw(st.sampled_from(POLICY_PORT_NAMES)))
    protocol: Protocol = draw(protocols())
    if form == "protocol":
        return TieredPort(protocol)
    number: int = draw(st.sampled_from(POLICY_PORT_NUMBERS))
    if form == "number":
        return TieredPort(protocol, number, number)
    end: int = draw(st.sampled_from([e for e in END_PORTS if e > number]))
    return TieredPort(protocol, number, end)


def tiered_rules(
    actions: tuple[Action, ...], *, egress: bool = True
) -> st.SearchStrategy[TieredRule]:
    """A rule with 1-3 peers and 0-3 ports (none = every port)."""
    return st.builds(
        lambda name, action, ps, ports: TieredRule(name, action, tuple(ps), tuple(ports)),
        st.sampled_from(["r", "allow-web", "deny-all"]),
        st.sampled_from(actions),
        st.lists(tiered_peers(egress=egress), min_size=1, max_size=3),
        _pick([st.just([]), st.lists(tiered_ports(), min_size=1, max_size=3)]),
    )


@st.composite
def tiered_policies(
    draw: Draw, kind: str, name: str, tier: Tier, *, baseline_pass: bool = False
) -> TieredPolicy:
    """One cluster-scoped policy of ``kind`` in ``tier``, with 0-3 rules per direction.

    Actions are those the kind's CRD accepts (a BaselineAdminNetworkPolicy has no Pass; a
    Baseline-tier ClusterNetworkPolicy gets Pass only with ``baseline_pass``).
    """
    actions: tuple[Action, ...]
    if tier is Tier.ADMIN or (kind == "ClusterNetworkPolicy" and baseline_pass):
        actions = (Action.ALLOW, Action.DENY, Action.PASS)
    else:
        actions = (Action.ALLOW, Action.DENY)
    priority = 0 if kind == "BaselineAdminNetworkPolicy" else draw(st.sampled_from(TIER_PRIORITIES))
    by_pods: bool = draw(st.booleans())
    return TieredPolicy(
        kind=kind,
        name=name,
        tier=tier,
        priority=priority,
        subject_namespaces=draw(_broad(namespace_selectors())),
        subject_pods=draw(pod_selectors()) if by_pods else None,
        ingress=tuple(draw(_some(tiered_rules(actions, egress=False), 3))),
        egress=tuple(draw(_some(tiered_rules(actions), 3))),
    )


#: Kinds and tiers to draw from; the admin tier (with Pass and ties) twice as often.
_TIERED_KINDS: tuple[tuple[str, Tier], ...] = (
    ("AdminNetworkPolicy", Tier.ADMIN),
    ("ClusterNetworkPolicy", Tier.ADMIN),
    ("ClusterNetworkPolicy", Tier.BASELINE),
    ("AdminNetworkPolicy", Tier.ADMIN),
    ("ClusterNetworkPolicy", Tier.ADMIN),
    ("BaselineAdminNetworkPolicy", Tier.BASELINE),
)


@st.composite
def tiered_clusters(draw: Draw, *, baseline_pass: bool = False) -> Cluster:
    """A :func:`clusters` cluster plus 0-4 cluster-scoped policies of both tiers.

    Priorities come from :data:`TIER_PRIORITIES`, so policies often tie; names are unique per
    kind, and there is at most one BaselineAdminNetworkPolicy (named ``default``, as its CRD
    requires).
    """
    cluster: Cluster = draw(clusters())
    count: int = draw(st.sampled_from((2, 3, 1, 4, 0)))
    chosen = [draw(st.sampled_from(_TIERED_KINDS)) for _ in range(count)]
    used: set[tuple[str, str]] = set()
    tiered: list[TieredPolicy] = []
    for kind, tier in chosen:
        if kind == "BaselineAdminNetworkPolicy":
            name = "default"
        else:
            name = draw(st.sampled_from(TIER_POLICY_NAMES))
        if (kind, name) in used:
            continue
        used.add((kind, name))
        tiered.append(draw(tiered_policies(kind, name, tier, baseline_pass=baseline_pass)))
    return replace(cluster, tiered=tuple(tiered))
