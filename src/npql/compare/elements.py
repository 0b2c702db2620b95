"""Parts of a policy set that can be removed: whole policies, rules, peers and port entries.

An element is named by its position in the *original* manifests, so a set of removals applies
in one go whatever order it was found in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from npql.model.cluster import Cluster
from npql.model.policy import Direction, NetworkPolicy, Rule

KINDS = ("policy", "rule", "peer", "port")


@dataclass(frozen=True, slots=True)
class Element:
    """A policy, a rule of it, or a peer / port entry of a rule (indices 0-based, file order)."""

    kind: str  # one of KINDS
    policy: str  # namespace/name
    direction: Direction | None = None
    rule: int | None = None
    index: int | None = None

    @property
    def ident(self) -> str:
        """``ns/name``, ``ns/name.ingress[0]``, ``ns/name.ingress[0].from[1]``,
        ``ns/name.egress[2].ports[0]``."""
        if self.kind == "policy" or self.direction is None:
            return self.policy
        base = f"{self.policy}.{self.direction.value.lower()}[{self.rule}]"
        if self.kind == "rule":
            return base
        if self.kind == "peer":
            word = "from" if self.direction is Direction.INGRESS else "to"
        else:
            word = "ports"
        return f"{base}.{word}[{self.index}]"

    @property
    def rule_ident(self) -> str | None:
        """The id of the rule this element is or belongs to (None for a policy)."""
        if self.kind == "policy" or self.direction is None:
            return None
        return f"{self.policy}.{self.direction.value.lower()}[{self.rule}]"

    def sort_key(self) -> tuple[str, int, int, int, int]:
        """Document order: policy, direction, rule, then peers before ports."""
        direction = 0 if self.direction in (None, Direction.INGRESS) else 1
        return (
            self.policy,
            direction,
            -1 if self.rule is None else self.rule,
            KINDS.index(self.kind),
            -1 if self.index is None else self.index,
        )

    def __str__(self) -> str:
        return self.ident


def elements_of(policy: NetworkPolicy) -> Iterator[Element]:
    """Every element of a policy, the policy first, in document order."""
    yield Element("policy", policy.ident)
    for direction in (Direction.INGRESS, Direction.EGRESS):
        for r, rule in enumerate(policy.rules(direction)):
            yield Element("rule", policy.ident, direction, r)
            for i in range(len(rule.peers)):
                yield Element("peer", policy.ident, direction, r, i)
            for i in range(len(rule.ports)):
                yield Element("port", policy.ident, direction, r, i)


@dataclass(frozen=True, slots=True)
class Removal:
    """A set of removed elements."""

    elements: frozenset[Element] = frozenset()

    def plus(self, element: Element) -> Removal:
        """This set and one more element."""
        return Removal(self.elements | {element})

    def __bool__(self) -> bool:
        return bool(self.elements)

    def policy_removed(self, policy: str) -> bool:
        """The whole policy is gone."""
        return Element("policy", policy) in self.elements

    def rule_removed(self, policy: str, direction: Direction, rule: int) -> bool:
        """The rule, or its policy, is gone."""
        return self.policy_removed(policy) or (
            Element("rule", policy, direction, rule) in self.elements
        )

    def gone(self, element: Element) -> bool:
        """The element is removed, itself or with its rule or policy."""
        if element in self.elements or self.policy_removed(element.policy):
            return True
        if element.kind in ("peer", "port"):
            assert element.direction is not None and element.rule is not None
            return self.rule_removed(element.policy, element.direction, element.rule)
        return False

    def kept(
        self, kind: str, policy: str, direction: Direction, rule: int, count: int
    ) -> list[int]:
        """Indices of the peers (``kind`` "peer") or port entries ("port") of a rule still there."""
        return [
            i
            for i in range(count)
            if Element(kind, policy, direction, rule, i) not in self.elements
        ]

    def apply(self, cluster: Cluster) -> Cluster:
        """The cluster without the removed elements."""
        return remove(cluster, self.elements)


def remove(cluster: Cluster, elements: Iterable[Element]) -> Cluster:
    """The cluster with the elements taken out of its policies (indices are the original ones)."""
    removal = Removal(frozenset(elements))
    policies = tuple(
        _without(p, removal) for p in cluster.policies if not removal.policy_removed(p.ident)
    )
    return replace(cluster, policies=policies)


def _without(policy: NetworkPolicy, removal: Removal) -> NetworkPolicy:
    def rules(direction: Direction) -> tuple[Rule, ...]:
        out = []
        for r, rule in enumerate(policy.rules(direction)):
            if removal.rule_removed(policy.ident, direction, r):
                continue
            peers = removal.kept("peer", policy.ident, direction, r, len(rule.peers))
            ports = removal.kept("port", policy.ident, direction, r, len(rule.ports))
            out.append(
                Rule(tuple(rule.peers[i] for i in peers), tuple(rule.ports[i] for i in ports))
            )
        return tuple(out)

    return replace(policy, ingress=rules(Direction.INGRESS), egress=rules(Direction.EGRESS))
