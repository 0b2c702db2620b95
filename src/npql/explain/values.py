"""Explanation values: what ``explain_connection`` produces and the explain renderers read."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from npql.model.policy import Direction
from npql.model.ports import EMPTY, PortSet

#: What a client sees when policy blocks its connection (docs/semantics.md, erratum 1).
DROPPED = (
    "the packet is dropped by the network plugin: the client times out (not 'connection refused')"
)


@dataclass(frozen=True, slots=True)
class Address:
    """One external address, or a CIDR (explained at its first address)."""

    ip: str

    @property
    def is_range(self) -> bool:
        """True when ``ip`` is a CIDR of more than one address."""
        return "/" in self.ip and ipaddress.ip_network(self.ip, strict=False).num_addresses > 1

    @property
    def first(self) -> str:
        """The address the explanation evaluates: ``ip`` itself, or a CIDR's first address."""
        if "/" not in self.ip:
            return str(ipaddress.ip_address(self.ip))
        return str(ipaddress.ip_network(self.ip, strict=False).network_address)

    def __str__(self) -> str:
        return self.ip


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """One rule against the question: whether it admits, the first reason it does not, and the
    asked ports it admits (empty when it does not admit)."""

    rule_id: str
    admits: bool
    reason: str | None = None
    admitted: PortSet = field(default=EMPTY)


@dataclass(frozen=True, slots=True)
class PolicyCheck:
    """One policy that isolates the pod for the side's direction, and each of its rules."""

    policy_id: str
    rules: tuple[RuleCheck, ...] = ()


@dataclass(frozen=True, slots=True)
class TierCheck:
    """One rule of a cluster-scoped tier, in evaluation order: the ports it decided (first match
    wins, so only ports no earlier rule took), or why it did not match."""

    rule_id: str
    action: str  # "Allow", "Deny" or "Pass"
    decided: PortSet = field(default=EMPTY)
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class SideExplanation:
    """One end's policies for one direction: egress of the source, or ingress of the target.

    ``admitted`` is the asked ports this side lets through: all of them when not isolated.
    """

    direction: Direction
    pod: str | None
    isolated: bool
    policies: tuple[PolicyCheck, ...] = ()
    admitted: PortSet = field(default=EMPTY)
    admin: tuple[TierCheck, ...] = ()
    baseline: tuple[TierCheck, ...] = ()
    # Ports left undecided by the admin tier (its Pass rules and what no rule matched).
    undecided: PortSet = field(default=EMPTY)
    # Ports no tier decided, allowed by default (only for pods no NetworkPolicy isolates).
    by_default: PortSet = field(default=EMPTY)

    def admitting_rules(self) -> list[RuleCheck]:
        """NetworkPolicy rules that admit the question, in policy order."""
        return [r for p in self.policies for r in p.rules if r.admits]

    def grants(self) -> list[tuple[str | None, PortSet]]:
        """What lets ports through on this side, in precedence order: (rule id, ports);
        ``None`` for "no policy decides, allowed by default"."""
        out: list[tuple[str | None, PortSet]] = [
            (t.rule_id, t.decided) for t in self.admin if t.action == "Allow"
        ]
        if self.isolated:
            out += [
                (r.rule_id, r.admitted.intersect(self.undecided)) for r in self.admitting_rules()
            ]
        else:
            out += [(t.rule_id, t.decided) for t in self.baseline if t.action in ("Allow", "Pass")]
        if not self.by_default.is_empty():
            out.append((None, self.by_default))
        return [(rule, ports) for rule, ports in out if not ports.is_empty()]


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a connection is allowed or denied, both ends walked rule by rule.

    ``ports`` is what is allowed (egress-admitted ∩ ingress-admitted ∩ asked); ``asked`` is the
    question's ports (a named port resolved at the target). ``egress``/``ingress`` are None when
    that end is an external address. ``minimal_rules`` is one admitting rule per isolated
    direction covering a common port; ``other_rules`` the further rules that admit too.
    ``notes`` are facts about the question itself (a CIDR evaluated at its first address, a
    named port the target does not declare, a pod talking to itself).
    """

    query: str = ""
    source: str = ""
    target: str = ""
    allowed: bool = False
    ports: PortSet = field(default=EMPTY)
    egress: SideExplanation | None = None
    ingress: SideExplanation | None = None
    minimal_rules: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    other_rules: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    asked: PortSet = field(default=EMPTY)
    self_connection: bool = False

    @property
    def denial(self) -> str | None:
        """What the client sees when denied (None when allowed)."""
        if self.allowed:
            return None
        if self.asked.is_empty():
            return "nothing is admitted: the asked port does not resolve at the destination"
        return DROPPED


@dataclass(frozen=True, slots=True)
class ExplainResult:
    """Answer to ``why can / why can't``: the verdict and one explanation per pair walked.

    ``verdict`` is "allowed", "denied" or "unknown"; when several pods are involved, the pairs
    explained are the witness (allowed) or up to five representative pairs (denied).
    """

    query: str
    verdict: str
    explanations: tuple[Explanation, ...] = ()
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
