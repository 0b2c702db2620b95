"""The shape of a document, checked before it is built: alias bombs, recursion, depth, keys.

YAML aliases let a few bytes stand for billions of nodes ("billion laughs"). The composed
node graph is measured without expanding it: each distinct node is visited once and its
expanded size and depth are computed from its children's (memoised by node identity), so
a bomb is rejected in time proportional to its text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml

from npql.loader.fields import clip
from npql.loader.limits import ALIAS_RATIO, MAX_DEPTH, MAX_EXPANDED_NODES

_MERGE_TAG = "tag:yaml.org,2002:merge"
_SCALAR = yaml.ScalarNode


@dataclass(frozen=True)
class Flaw:
    """Something wrong with a document's shape, and the line (1-based) it starts at."""

    message: str
    line: int | None


@dataclass
class Shape:
    """What the check found: a fatal flaw (the document is not built) and duplicate keys."""

    fatal: Flaw | None = None
    duplicates: list[Flaw] = field(default_factory=list)

    def flaws(self) -> list[Flaw]:
        """Every flaw found; the document is built only when there is none."""
        return ([self.fatal] if self.fatal else []) + self.duplicates


def too_deep() -> str:
    """The message for a document nesting deeper than MAX_DEPTH."""
    return f"document nests deeper than {MAX_DEPTH} levels (mappings and lists)"


def node_shape(root: yaml.Node) -> Shape:
    """Check a composed YAML document without constructing it (iteratively, no recursion).

    Scalars (most nodes) are counted where they are met; only collections are stacked.
    """
    shape = Shape()
    if not isinstance(root, yaml.CollectionNode):
        return shape
    sizes: dict[int, tuple[int, int]] = {}  # id(collection) -> (expanded nodes, depth)
    active: set[int] = set()  # collections being measured: ancestors of the current one
    written = 1  # nodes and aliases as written: the root and every child of a collection
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack and shape.fatal is None:
        node, finished = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        children = _children(node)
        if not finished:
            if key in active:
                shape.fatal = Flaw("recursive alias: a node contains itself", _line(node))
                continue
            if node.__class__ is yaml.MappingNode:
                shape.duplicates.extend(_duplicate_keys(node))
            nested = [(c, False) for c in children if c.__class__ is not _SCALAR]
            if nested:
                active.add(key)
                stack.append((node, True))
                stack.extend(nested)
                continue
        active.discard(key)
        written += len(children)
        sizes[key] = _measure(children, sizes)
        shape.fatal = _excess(node, sizes[key], written)
    return shape


def _measure(children: list[yaml.Node], sizes: dict[int, tuple[int, int]]) -> tuple[int, int]:
    """(expanded nodes, depth) of a collection whose collections are measured already."""
    count, depth = 1, 0
    for child in children:
        if child.__class__ is _SCALAR:
            count += 1
        else:
            nodes, levels = sizes[id(child)]
            count += nodes
            depth = max(depth, levels)
    return count, depth + 1


def _excess(node: yaml.Node, size: tuple[int, int], distinct: int) -> Flaw | None:
    count, depth = size
    if depth > MAX_DEPTH:
        return Flaw(too_deep(), _line(node))
    if count > MAX_EXPANDED_NODES and count > ALIAS_RATIO * distinct:
        message = (
            f"YAML aliases expand to more than {MAX_EXPANDED_NODES:,} nodes "
            f"({count:,} from {distinct:,} written): an alias bomb?"
        )
        return Flaw(message, _line(node))
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _duplicate_keys(node: yaml.MappingNode) -> Iterator[Flaw]:
    """Keys written twice in one mapping (YAML forbids it; kubectl rejects it)."""
    first: dict[tuple[str, str], yaml.Node] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE_TAG:
            continue
        seen = first.setdefault((key.tag, key.value), key)
        if seen is not key:
            message = (
                f'duplicate key "{clip(key.value)}" (first at line {_line(seen)}): '
                "kubectl rejects a mapping with a repeated key"
            )
            yield Flaw(message, _line(key))


def _line(node: yaml.Node) -> int | None:
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else None


def data_too_deep(data: object) -> bool:
    """Whether built data (from JSON) nests deeper than MAX_DEPTH (iteratively)."""
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: list[object] = list(value.values())
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth + 1 > MAX_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
