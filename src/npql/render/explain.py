"""Explanations as text lines and as JSON-ready dicts."""

from __future__ import annotations

from typing import Any

from npql.explain.values import Explanation, RuleCheck, SideExplanation, TierCheck
from npql.model.policy import Direction


def explanation_lines(e: Explanation) -> list[str]:
    """Verdict header, the egress side, the ingress side, then why (or what the client sees)."""
    verdict = "ALLOWED" if e.allowed else "DENIED"
    ports = e.ports if e.allowed else e.asked
    on = "" if ports.is_empty() else f"  on {ports}"
    lines = [f"{verdict}  {e.source} -> {e.target}{on}"]
    if e.query:
        lines.append(f"  query: {e.query}")
    lines += _side_lines(e.egress, Direction.EGRESS, e.source)
    lines += _side_lines(e.ingress, Direction.INGRESS, e.target)
    lines += [f"  note: {n}" for n in e.notes]
    if e.allowed:
        if not e.self_connection:
            if e.minimal_rules:
                lines.append(f"  admitted by: {', '.join(e.minimal_rules)}")
            else:
                lines.append("  no policy restricts it: no end of it is isolated")
            if e.other_rules:
                lines.append(f"  also admitted by: {', '.join(e.other_rules)}")
    else:
        lines += [f"  {b}" for b in _blocked(e)]
        if e.denial is not None:
            lines.append(f"  {e.denial}")
    lines += [f"  warning: {w}" for w in e.warnings]
    return lines


def _side_lines(side: SideExplanation | None, direction: Direction, end: str) -> list[str]:
    word = direction.value.lower()
    if side is None:
        role = "source" if direction is Direction.EGRESS else "target"
        return [f"  {word}: {role} {end} is an external address: no policy applies to it"]
    head = f"  {word} of {side.pod}: "
    tiers = _tier_lines("admin tier", side.admin)
    if not side.isolated:
        if not side.admin and not side.baseline:
            every = "destination" if direction is Direction.EGRESS else "source"
            return [f"{head}not isolated: every {every} is allowed"]
        out = [f"{head}lets through {side.admitted}", *tiers]
        out.append("    NetworkPolicies: none isolates it (the baseline tier decides next)")
        out += _tier_lines("baseline tier", side.baseline)
        if not side.by_default.is_empty():
            out.append(f"    default: allowed, as no tier decided: {side.by_default}")
        return out
    count = len(side.policies)
    noun = "policy" if count == 1 else "policies"
    out = [f"{head}isolated by {count} {noun}; lets through {side.admitted}", *tiers]
    if tiers:
        out.append(f"    NetworkPolicies (final for the ports left: {side.undecided})")
    for policy in side.policies:
        if not policy.rules:
            out.append(f"    policy {policy.policy_id}: no {word} rule (admits nothing)")
            continue
        out.append(f"    policy {policy.policy_id}")
        out += [f"      {_rule_line(r)}" for r in policy.rules]
    return out


def _tier_lines(title: str, checks: tuple[TierCheck, ...]) -> list[str]:
    if not checks:
        return []
    out = [f"    {title} (first match wins)"]
    for c in checks:
        if c.reason is None:
            out.append(f"      > {c.rule_id} ({c.action}) decides {c.decided}")
        else:
            out.append(f"      - {c.rule_id} ({c.action}): {c.reason}")
    return out


def _rule_line(rule: RuleCheck) -> str:
    if rule.admits:
        return f"+ {rule.rule_id}: admits {rule.admitted}"
    return f"- {rule.rule_id}: {rule.reason}"


def _blocked(e: Explanation) -> list[str]:
    if e.asked.is_empty():
        return []
    blocking = [
        f"no {side.direction.value.lower()} rule of {side.pod} admits it"
        for side in (e.egress, e.ingress)
        if side is not None and side.isolated and side.admitted.is_empty()
    ]
    if blocking:
        return [f"blocked: {'; '.join(blocking)}"]
    if e.egress is not None and e.ingress is not None:
        return [
            f"blocked: egress lets through {e.egress.admitted}, ingress lets through "
            f"{e.ingress.admitted}: no port in common"
        ]
    return []


def _side_dict(side: SideExplanation | None) -> dict[str, Any] | None:
    if side is None:
        return None
    return {
        "direction": side.direction.value,
        "pod": side.pod,
        "isolated": side.isolated,
        "ports": str(side.admitted),
        "policies": [
            {
                "policy": p.policy_id,
                "rules": [
                    {
                        "rule": r.rule_id,
                        "admits": r.admits,
                        "reason": r.reason,
                        "ports": str(r.admitted),
                    }
                    for r in p.rules
                ],
            }
            for p in side.policies
        ],
        "admin_tier": [_tier_dict(c) for c in side.admin],
        "baseline_tier": [_tier_dict(c) for c in side.baseline],
        "allowed_by_default": str(side.by_default),
    }


def _tier_dict(c: TierCheck) -> dict[str, Any]:
    return {"rule": c.rule_id, "action": c.action, "decides": str(c.decided), "reason": c.reason}


def explanation_dict(e: Explanation) -> dict[str, Any]:
    """The JSON form: verdict, both sides policy by policy, minimal rules, warnings."""
    return {
        "query": e.query,
        "verdict": "allowed" if e.allowed else "denied",
        "allowed": e.allowed,
        "source": e.source,
        "target": e.target,
        "ports": str(e.ports),
        "asked": str(e.asked),
        "egress": _side_dict(e.egress),
        "ingress": _side_dict(e.ingress),
        "minimal_rules": list(e.minimal_rules),
        "other_rules": list(e.other_rules),
        "self_connection": e.self_connection,
        "denial": e.denial,
        "notes": list(e.notes),
        "warnings": list(e.warnings),
    }
