"""``explain_connection``: both ends of one connection, walked policy by policy, rule by rule."""

from __future__ import annotations

from npql.explain.reasons import (
    Endpoint,
    External,
    combine,
    entry_ports,
    entry_reason,
    named_port_set,
    peer_reason,
)
from npql.explain.values import (
    Address,
    Explanation,
    PolicyCheck,
    RuleCheck,
    SideExplanation,
    TierCheck,
)
from npql.ir.policies import AddressPeer, PolicyIR, PolicySet, RuleIR, TierRuleIR
from npql.ir.sides import PortQuery
from npql.model.cluster import Cluster
from npql.model.objects import ALL_PROTOCOLS, Pod
from npql.model.policy import Direction, IPBlock
from npql.model.ports import EMPTY, FULL, PortSet
from npql.model.tiered import Action, Tier

SELF_NOTE = "a pod always reaches itself: no policy applies to its own traffic"
UNRESOLVED = "the asked port does not resolve at the destination"
IPBLOCK_POD_IP_WARNING = (
    "{rule} would admit this connection if ipBlocks matched pod IPs (as Calico does): "
    "see --ipblocks-match-pod-ips"
)


def explain_connection(
    cluster: Cluster,
    policies: PolicySet,
    source: Pod | Address,
    target: Pod | Address,
    ports: PortQuery,
    *,
    ipblocks_match_pod_ips: bool = False,
) -> Explanation:
    """Explain ``source -> target`` on ``ports``: the source's egress and the target's ingress.

    Allowed iff some asked (protocol, port) passes both ends: an end that is an address or
    not isolated passes every asked port; an isolated one those some rule of an isolating
    policy admits. A pod always reaches itself. Raises ``ValueError`` for address -> address.
    """
    if isinstance(source, Address) and isinstance(target, Address):
        raise ValueError("address -> address is not governed by NetworkPolicy")
    notes: list[str] = []
    src = _endpoint(source, notes)
    dst = _endpoint(target, notes)
    asked = _asked(ports, dst, notes)
    flag = ipblocks_match_pod_ips
    warnings: list[str] = []

    egress = None
    if isinstance(src, Pod):
        egress = _side(cluster, policies, src, Direction.EGRESS, dst, dst, asked, flag, warnings)
    ingress = None
    if isinstance(dst, Pod):
        ingress = _side(cluster, policies, dst, Direction.INGRESS, src, dst, asked, flag, warnings)

    allowed_ports = asked
    for side in (egress, ingress):
        if side is not None:
            allowed_ports = allowed_ports.intersect(side.admitted)
    self_connection = isinstance(src, Pod) and isinstance(dst, Pod) and (src is dst or src == dst)
    minimal: tuple[str, ...] = ()
    others: tuple[str, ...] = ()
    if self_connection:
        notes.append(SELF_NOTE)
        allowed, allowed_ports = True, asked
    else:
        allowed = not allowed_ports.is_empty()
        if allowed:
            minimal, others = _minimal_rules(egress, ingress, asked, allowed_ports)
    return Explanation(
        query="",
        source=_name(src, source),
        target=_name(dst, target),
        allowed=allowed,
        ports=allowed_ports,
        egress=egress,
        ingress=ingress,
        minimal_rules=minimal,
        warnings=tuple(dict.fromkeys(warnings)),
        other_rules=others,
        notes=tuple(notes),
        asked=asked,
        self_connection=self_connection,
    )


def _endpoint(end: Pod | Address, notes: list[str]) -> Endpoint:
    if isinstance(end, Pod):
        return end
    if end.is_range:
        notes.append(f"{end.ip} is a range: explained at its first address {end.first}")
    return External(end.first)


def _name(endpoint: Endpoint, given: Pod | Address) -> str:
    return endpoint.workload if isinstance(endpoint, Pod) else str(given)


def _asked(ports: PortQuery, destination: Endpoint, notes: list[str]) -> PortSet:
    """The question's (protocol, port)s; a named port resolved on the destination pod."""
    protocols = (ports.protocol,) if ports.protocol is not None else ALL_PROTOCOLS
    if ports.name is None:
        out = EMPTY
        for proto in protocols:
            out = out.union(PortSet.of(proto, ports.lo, ports.hi))
        return out
    which = ports.protocol.value if ports.protocol is not None else "any protocol"
    if isinstance(destination, External):
        notes.append(
            f'the asked port "{ports.name}" is a named port: an external address declares none, '
            "so nothing is admitted"
        )
        return EMPTY
    resolved = named_port_set(destination, ports.name, protocols)
    if resolved.is_empty():
        notes.append(
            f'the asked port "{ports.name}" is not declared on {destination.workload} '
            f"(for {which}), so nothing is admitted"
        )
    else:
        notes.append(f'port "{ports.name}" of {destination.workload} is {resolved}')
    return resolved


def _side(
    cluster: Cluster,
    policies: PolicySet,
    pod: Pod,
    direction: Direction,
    peer: Endpoint,
    destination: Endpoint,
    asked: PortSet,
    flag: bool,
    warnings: list[str],
) -> SideExplanation:
    applying = [
        p
        for p in policies.by_namespace.get(pod.namespace, ())
        if direction in p.directions and p.pod_selector.matches(pod.labels)
    ]
    admin, allowed, undecided = _tier(
        cluster, policies, Tier.ADMIN, pod, direction, peer, destination, asked, asked
    )
    checks: list[PolicyCheck] = []
    admitted = EMPTY
    for policy in applying:
        rules: list[RuleCheck] = []
        for rule in policy.rules(direction):
            check = check_rule(
                cluster, policy, rule, peer, destination, asked, ipblocks_match_pod_ips=flag
            )
            rules.append(check)
            admitted = admitted.union(check.admitted)
            if not check.admits and not flag and isinstance(peer, Pod) and peer.ips:
                again = check_rule(
                    cluster, policy, rule, peer, destination, asked, ipblocks_match_pod_ips=True
                )
                if again.admits:
                    warnings.append(IPBLOCK_POD_IP_WARNING.format(rule=rule.ident))
        checks.append(PolicyCheck(policy.ident, tuple(rules)))
    baseline: tuple[TierCheck, ...] = ()
    by_default = EMPTY
    if applying:
        allowed = allowed.union(admitted.intersect(undecided))
    else:
        baseline, base_allowed, by_default = _tier(
            cluster, policies, Tier.BASELINE, pod, direction, peer, destination, asked, undecided
        )
        allowed = allowed.union(base_allowed).union(by_default)
    return SideExplanation(
        direction=direction,
        pod=pod.workload,
        isolated=bool(applying),
        policies=tuple(checks),
        admitted=allowed,
        admin=admin,
        baseline=baseline,
        undecided=undecided,
        by_default=by_default,
    )


def _tier(
    cluster: Cluster,
    policies: PolicySet,
    tier: Tier,
    pod: Pod,
    direction: Direction,
    peer: Endpoint,
    destination: Endpoint,
    asked: PortSet,
    open_: PortSet,
) -> tuple[tuple[TierCheck, ...], PortSet, PortSet]:
    """Walk one cluster-scoped tier over the still-open ports: (checks, allowed, left open).

    First match wins: a rule decides the open ports it matches. In the admin tier, Pass hands
    its ports to the NetworkPolicy tier; in the baseline tier, to the default (allow).
    """
    checks: list[TierCheck] = []
    allowed, passed = EMPTY, EMPTY
    for rule in policies.tier_rules(tier, direction):
        if not (
            rule.subject_namespaces.matches(cluster.namespace_labels(pod.namespace))
            and rule.subject_pods.matches(pod.labels)
        ):
            continue
        if open_.is_empty():
            checks.append(TierCheck(rule.ident, rule.action.value, reason="nothing left to decide"))
            continue
        reason = _tier_peer_reason(cluster, rule, peer)
        if reason is not None:
            checks.append(TierCheck(rule.ident, rule.action.value, reason=reason))
            continue
        hit = _tier_ports(rule, destination).intersect(open_)
        if hit.is_empty():
            why = combine(entry_reason(e, destination, open_) for e in rule.ports)
            checks.append(TierCheck(rule.ident, rule.action.value, reason=why))
            continue
        checks.append(TierCheck(rule.ident, rule.action.value, hit))
        if rule.action is Action.ALLOW:
            allowed = allowed.union(hit)
        elif rule.action is Action.PASS:
            passed = passed.union(hit)
        open_ = open_.subtract(hit)
    if tier is Tier.BASELINE:
        allowed = allowed.union(passed)
        return tuple(checks), allowed, open_
    return tuple(checks), allowed, open_.union(passed)


def _tier_peer_reason(cluster: Cluster, rule: TierRuleIR, peer: Endpoint) -> str | None:
    """None when some peer of the rule matches; else why none does."""
    if not rule.peers:
        return "its peers (nodes or domain names) match nothing npql can see"
    reasons = []
    for peer_ir in rule.peers:
        pods_too = isinstance(peer_ir, AddressPeer) and peer_ir.pods_too
        reason = peer_reason(cluster, peer_ir, peer, None, ipblocks_match_pod_ips=pods_too)
        if reason is None:
            return None
        reasons.append(reason)
    return combine(reasons)


def _tier_ports(rule: TierRuleIR, destination: Endpoint) -> PortSet:
    if not rule.ports:
        return FULL
    out = EMPTY
    for entry in rule.ports:
        out = out.union(entry_ports(entry, destination))
    return out


def _ip_blocks(policy: PolicyIR, rule: RuleIR) -> list[IPBlock | None]:
    """The model ipBlock behind each compiled peer (for naming the except that holds)."""
    count = len(rule.peers or ())
    source = policy.source
    if source is None:
        return [None] * count
    model_rules = source.rules(rule.direction)
    if rule.index >= len(model_rules) or len(model_rules[rule.index].peers) != count:
        return [None] * count
    return [p.ip_block for p in model_rules[rule.index].peers]


def check_rule(
    cluster: Cluster,
    policy: PolicyIR,
    rule: RuleIR,
    peer: Endpoint,
    destination: Endpoint,
    asked: PortSet,
    *,
    ipblocks_match_pod_ips: bool = False,
) -> RuleCheck:
    """One rule against the question: peers first (any may match), then ports."""
    if rule.peers is not None:
        blocks = _ip_blocks(policy, rule)
        reasons: list[str] = []
        for peer_ir, block in zip(rule.peers, blocks, strict=True):
            reason = peer_reason(
                cluster, peer_ir, peer, block, ipblocks_match_pod_ips=ipblocks_match_pod_ips
            )
            if reason is None:
                break
            reasons.append(reason)
        else:
            return RuleCheck(rule.ident, False, combine(reasons or ["the rule admits no peer"]))
    if asked.is_empty():
        return RuleCheck(rule.ident, False, UNRESOLVED)
    if not rule.ports:
        return RuleCheck(rule.ident, True, None, asked)
    admitted = EMPTY
    for entry in rule.ports:
        admitted = admitted.union(entry_ports(entry, destination))
    admitted = admitted.intersect(asked)
    if not admitted.is_empty():
        return RuleCheck(rule.ident, True, None, admitted)
    return RuleCheck(
        rule.ident, False, combine(entry_reason(e, destination, asked) for e in rule.ports)
    )


def _minimal_rules(
    egress: SideExplanation | None,
    ingress: SideExplanation | None,
    asked: PortSet,
    allowed: PortSet,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """One admitting rule per isolated side, covering a common port, first in policy order;
    then every other admitting rule that lets some allowed port through."""

    def options(side: SideExplanation | None) -> list[tuple[str | None, PortSet]]:
        if side is None:
            return [(None, asked)]
        return side.grants()

    minimal: tuple[str, ...] = ()
    found = False
    for e_id, e_ports in options(egress):
        for i_id, i_ports in options(ingress):
            if not e_ports.intersect(i_ports).intersect(asked).is_empty():
                minimal = tuple(x for x in (e_id, i_id) if x is not None)
                found = True
                break
        if found:
            break
    others = tuple(
        rule_id
        for side in (egress, ingress)
        if side is not None
        for rule_id, ports in side.grants()
        if rule_id is not None
        and rule_id not in minimal
        and not ports.intersect(allowed).is_empty()
    )
    return minimal, others
