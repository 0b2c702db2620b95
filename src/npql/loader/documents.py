"""From text to objects: YAML/JSON documents (safely), size guards, and List expansion."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import yaml

from npql.errors import Location, Problem
from npql.loader.fields import describe
from npql.loader.reading import Source
from npql.loader.report import Report

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_NODES = 1_000_000
MAX_DEPTH = 100


@dataclass(frozen=True)
class Document:
    """One parsed document with its location and, for YAML, its node tree (for lines)."""

    location: Location
    data: object
    node: yaml.Node | None = None


@dataclass(frozen=True)
class RawObject:
    """One object (a document or a List item) before its kind is looked at."""

    kind: str
    api_version: str | None
    data: Mapping[Any, Any]
    location: Location


def parse_source(source: Source, report: Report) -> list[Document]:
    """The non-empty documents of one source; problems go to ``report``."""
    if _is_json(source):
        documents = _json_documents(source, report)
    else:
        documents = _yaml_documents(source, report)
    return [d for d in documents if d.data is not None and _small_enough(d, report)]


def _is_json(source: Source) -> bool:
    """A .json file that looks like JSON (as kubectl, a .json file of YAML is read as YAML)."""
    return source.path.lower().endswith(".json") and source.text.lstrip()[:1] in ("{", "[")


def _json_documents(source: Source, report: Report) -> list[Document]:
    try:
        return [Document(Location(source.path, 0, 1), json.loads(source.text))]
    except json.JSONDecodeError as exc:
        message = f"JSON syntax error at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        report.error(Problem(message, Location(source.path, 0, exc.lineno)))
    except RecursionError:
        report.error(Problem(_too_deep(), Location(source.path, 0, 1)))
    return []


def _yaml_documents(source: Source, report: Report) -> list[Document]:
    loader = _LOADER(source.text)
    documents: list[Document] = []
    try:
        _read_yaml(loader, source.path, documents)
    except yaml.YAMLError as exc:
        report.error(_yaml_problem(exc, Location(source.path, len(documents))))
    except RecursionError:
        report.error(Problem(_too_deep(), Location(source.path, len(documents))))
    finally:
        loader.dispose()
    return documents


def _read_yaml(loader: Any, path: str, out: list[Document]) -> None:
    while loader.check_node():
        node = loader.get_node()
        line = node.start_mark.line + 1 if node is not None else None
        location = Location(path, len(out), line)
        out.append(Document(location, loader.construct_document(node), node))


def _yaml_problem(exc: yaml.YAMLError, location: Location) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if not isinstance(exc, yaml.MarkedYAMLError) or mark is None:
        return Problem(f"YAML error: {exc}", location)
    what = exc.problem or exc.context or "invalid YAML"
    message = f"YAML syntax error at line {mark.line + 1}, column {mark.column + 1}: {what}"
    return Problem(message, Location(location.path, location.document, mark.line + 1))


def _too_deep() -> str:
    return f"document nests deeper than {MAX_DEPTH} levels"


def _small_enough(document: Document, report: Report) -> bool:
    """Reject alias bombs and deep nesting, counting nodes as aliases expand them."""
    problem = size_problem(document.data)
    if problem is not None:
        report.error(Problem(problem, document.location))
    return problem is None


def size_problem(data: object) -> str | None:
    """Why ``data`` is too big or too deep to read, if it is; stops at the first excess."""
    stack: list[tuple[object, int]] = [(data, 1)]
    count = 0
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            return f"document expands to more than {MAX_NODES:,} nodes (a YAML alias bomb?)"
        children = _children(value)
        if children and depth > MAX_DEPTH:
            return _too_deep()
        stack.extend((child, depth + 1) for child in children)
    return None


def _children(value: object) -> list[object] | Any:
    if isinstance(value, dict):
        return value.values()
    return value if isinstance(value, list) else ()


@dataclass(frozen=True)
class _Item:
    """A mapping to expand: a document or a List item, with what its List implies."""

    data: Mapping[Any, Any]
    node: yaml.Node | None
    location: Location
    kind_hint: str | None = None
    version_hint: str | None = None


def objects(document: Document, report: Report) -> Iterator[RawObject]:
    """The objects of a document: itself, or the items of a List (recursively)."""
    data = document.data
    if not isinstance(data, dict):
        message = f"a document must be a mapping, not {describe(data)}"
        report.error(Problem(message, document.location))
        return iter(())
    return _expand(_Item(data, document.node, document.location), report)


def _expand(item: _Item, report: Report) -> Iterator[RawObject]:
    own_kind = item.data.get("kind")
    kind = own_kind or item.kind_hint
    version = item.data.get("apiVersion") or (None if own_kind else item.version_hint)
    version = version if isinstance(version, str) else None
    if not isinstance(kind, str):
        message = "object without a kind: not a Kubernetes object, ignored"
        report.warn(Problem(message, item.location))
    elif kind.endswith("List"):
        yield from _list_items(item, kind, version, report)
    else:
        yield RawObject(kind, version, item.data, item.location)


def _list_items(item: _Item, kind: str, version: str | None, report: Report) -> Iterator[RawObject]:
    """The items of a List; an item without kind is of the List's kind minus ``List``."""
    items = item.data.get("items")
    if not isinstance(items, list):
        if items is not None:
            message = f"must be a list, not {describe(items)}"
            report.error(Problem(message, item.location, kind, "items"))
        return
    item_kind = kind.removesuffix("List") or None
    hints = (item_kind, version if item_kind else None)
    nodes = _item_nodes(item.node, len(items))
    for index, (data, node) in enumerate(zip(items, nodes, strict=True)):
        location = _item_location(item.location, node)
        if isinstance(data, dict):
            yield from _expand(_Item(data, node, location, *hints), report)
        else:
            message = f"a List item must be a mapping, not {describe(data)}"
            report.error(Problem(message, location, kind, f"items[{index}]"))


def _item_location(location: Location, node: yaml.Node | None) -> Location:
    return replace(location, line=node.start_mark.line + 1) if node is not None else location


def _item_nodes(node: yaml.Node | None, count: int) -> list[yaml.Node | None]:
    """The YAML nodes of a List's items (for their lines), when they can be told."""
    items = _items_node(node)
    if items is None or len(items.value) != count:
        return [None] * count
    return list(items.value)


def _items_node(node: yaml.Node | None) -> yaml.SequenceNode | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "items":
            return value if isinstance(value, yaml.SequenceNode) else None
    return None
