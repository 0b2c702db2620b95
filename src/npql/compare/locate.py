"""The line of a rule, peer or port entry inside a policy's manifest.

Model objects carry the location of the policy (file, document, line of its mapping); this
re-reads the file's YAML node tree (no values are constructed) and walks ``spec`` down to the
element. Whatever cannot be found (stdin, a file changed since, JSON) falls back to the
policy's own location.
"""

from __future__ import annotations

import os
from dataclasses import replace
from functools import lru_cache

import yaml

from npql.compare.elements import Element
from npql.errors import Location
from npql.model.policy import Direction, NetworkPolicy

Step = str | int


@lru_cache(maxsize=64)
def _documents(path: str, stamp: float) -> tuple[yaml.Node | None, ...] | None:
    del stamp  # part of the cache key only
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
        return tuple(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return None


def _mapping_at(node: yaml.Node | None, line: int) -> yaml.MappingNode | None:
    """The first mapping node (pre-order) starting on ``line`` (1-based)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current is None:
            continue
        if isinstance(current, yaml.MappingNode) and current.start_mark.line + 1 == line:
            return current
        if isinstance(current, yaml.MappingNode):
            stack.extend(v for _, v in reversed(current.value))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(reversed(current.value))
    return None


def _child(node: yaml.Node, step: Step) -> yaml.Node | None:
    if isinstance(step, str) and isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if getattr(k, "value", None) == step), None)
    if isinstance(step, int) and isinstance(node, yaml.SequenceNode):
        return node.value[step] if 0 <= step < len(node.value) else None
    return None


def locate(policy: NetworkPolicy, *steps: Step) -> Location | None:
    """The location of ``spec.<steps>`` of the policy (or of the deepest step found)."""
    location = policy.location
    if location is None or location.line is None:
        return location
    try:
        stamp = os.stat(location.path).st_mtime
    except OSError:
        return location
    documents = _documents(location.path, stamp)
    if documents is None or location.document >= len(documents):
        return location
    node: yaml.Node | None = _mapping_at(documents[location.document], location.line)
    if node is None:
        return location
    line = location.line
    for step in ("spec", *steps):
        node = _child(node, step)
        if node is None:
            break
        line = node.start_mark.line + 1
    return replace(location, line=line)


def rule_steps(direction: Direction, rule: int) -> tuple[Step, ...]:
    """``ingress[rule]`` / ``egress[rule]``."""
    return ("ingress" if direction is Direction.INGRESS else "egress", rule)


def peer_steps(direction: Direction, rule: int, peer: int) -> tuple[Step, ...]:
    """``ingress[rule].from[peer]`` / ``egress[rule].to[peer]``."""
    word = "from" if direction is Direction.INGRESS else "to"
    return (*rule_steps(direction, rule), word, peer)


def port_steps(direction: Direction, rule: int, port: int) -> tuple[Step, ...]:
    """``ingress[rule].ports[port]``."""
    return (*rule_steps(direction, rule), "ports", port)


def element_location(policy: NetworkPolicy, element: Element) -> Location | None:
    """Where an element of ``policy`` is written."""
    if element.kind == "policy" or element.direction is None or element.rule is None:
        return policy.location
    if element.kind == "rule":
        return locate(policy, *rule_steps(element.direction, element.rule))
    assert element.index is not None
    if element.kind == "peer":
        return locate(policy, *peer_steps(element.direction, element.rule, element.index))
    return locate(policy, *port_steps(element.direction, element.rule, element.index))
