"""``describe_policy``: what one NetworkPolicy allows, as plain sentences."""

from __future__ import annotations

from npql.explain.inspection import DIRECTIONS
from npql.model.policy import Direction, NetworkPolicy, Peer, PolicyPort, Rule


def describe_policy(policy: NetworkPolicy) -> list[str]:
    """Plain sentences: the pods selected, the directions isolated, then every rule.

    Empty podSelector: every pod of the namespace. namespaceSelector ``{}``: all namespaces.
    podSelector alone: the policy's own namespace. A direction in policyTypes without rules
    denies everything in that direction; rules of a direction not in policyTypes are ignored.
    """
    out = [_selects(policy), _isolates(policy)]
    for direction in DIRECTIONS:
        out += _direction(policy, direction)
    return out


def _selects(policy: NetworkPolicy) -> str:
    if policy.pod_selector.is_empty:
        return f"Selects all pods in namespace {policy.namespace}."
    return f"Selects pods in namespace {policy.namespace} with {policy.pod_selector}."


def _isolates(policy: NetworkPolicy) -> str:
    words = [d.value.lower() for d in DIRECTIONS if d in policy.policy_types]
    return f"Isolates them for {' and '.join(words)}."


def _direction(policy: NetworkPolicy, direction: Direction) -> list[str]:
    title = direction.value
    word = title.lower()
    towards = "to" if direction is Direction.INGRESS else "from"
    rules = policy.rules(direction)
    if direction not in policy.policy_types:
        if not rules:
            return [
                f"{title}: not in policyTypes — {word} {towards} the selected pods "
                "is not restricted by this policy."
            ]
        count = "1 rule" if len(rules) == 1 else f"{len(rules)} rules"
        return [
            f"{title}: {count} ignored — {title} is not in policyTypes, so {word} "
            f"{towards} the selected pods is not restricted by this policy."
        ]
    if not rules:
        return [f"{title}: no rule — all {word} {towards} the selected pods is denied."]
    return [_rule(policy, direction, index, rule) for index, rule in enumerate(rules, start=1)]


def _rule(policy: NetworkPolicy, direction: Direction, index: int, rule: Rule) -> str:
    if rule.peers:
        peers = ", or ".join(describe_peer(p, policy.namespace) for p in rule.peers)
    else:
        peers = "every source" if direction is Direction.INGRESS else "every destination"
    ports = ", ".join(describe_port(p) for p in rule.ports) if rule.ports else "every port"
    separator = ", " if " with " in peers else " "
    return f"{direction.value} rule {index} allows {peers}{separator}on {ports}."


def describe_peer(peer: Peer, namespace: str) -> str:
    """One from/to entry in words; ``namespace`` is the policy's own."""
    if peer.ip_block is not None:
        block = peer.ip_block
        if block.excepts:
            return f"{block.cidr} except {', '.join(block.excepts)}"
        return block.cidr
    pods = peer.pod_selector
    spaces = peer.namespace_selector
    if spaces is None:
        if pods is None or pods.is_empty:
            return f"all pods in namespace {namespace}"
        return f"pods with {pods} in namespace {namespace}"
    who = "all pods" if pods is None or pods.is_empty else f"pods with {pods}"
    where = "all namespaces" if spaces.is_empty else f"namespaces with {spaces}"
    return f"{who} in {where}"


def describe_port(port: PolicyPort) -> str:
    """One ports entry: ``TCP 80``, ``TCP 5432-5440``, ``TCP port pg (named)``, ``every UDP
    port``."""
    proto = port.protocol.value
    if port.port is None:
        return f"every {proto} port"
    if isinstance(port.port, str):
        return f"{proto} port {port.port} (named)"
    if port.end_port is not None and port.end_port != port.port:
        return f"{proto} {port.port}-{port.end_port}"
    return f"{proto} {port.port}"
