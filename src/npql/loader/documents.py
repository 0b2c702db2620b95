"""From text to objects: YAML/JSON documents (safely), shape guards, and List expansion."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import yaml

from npql.errors import Location, Problem
from npql.loader.construct import build
from npql.loader.fields import clip, describe
from npql.loader.limits import MAX_DEPTH, ObjectBudget
from npql.loader.meta import describe_object
from npql.loader.reading import Source
from npql.loader.report import Report
from npql.loader.shape import data_too_deep, node_shape, too_deep

_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
# YAML 1.1 numbers as kubectl's YAML library (go-yaml v2) reads them: no base-60 forms.
_INT = re.compile(
    r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"
)
_FLOAT = re.compile(
    r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_NUMBERS = {"tag:yaml.org,2002:int": _INT, "tag:yaml.org,2002:float": _FLOAT}


class _Loader(_SAFE_LOADER):  # type: ignore[valid-type,misc]
    """The safe loader, reading plain scalars as kubectl does.

    A date-like plain scalar (``2024-01-01``) stays a string, as kubectl keeps it, rather
    than becoming a date that no string field would accept; ``1:30`` is not a base-60 number.
    """

    yaml_implicit_resolvers = {
        first: [(tag, _NUMBERS.get(tag, regexp)) for tag, regexp in resolvers if tag != _TIMESTAMP]
        for first, resolvers in _SAFE_LOADER.yaml_implicit_resolvers.items()
    }

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
        """The tag of an untagged node; a plain scalar's depends on its text alone, and
        manifests repeat the same texts (keys, label values) many times, so it is memoised."""
        if kind is not yaml.ScalarNode or not implicit[0]:
            return str(super().resolve(kind, value, implicit))
        tag = _PLAIN_TAGS.get(value)
        if tag is None:
            tag = str(super().resolve(kind, value, implicit))
            if len(_PLAIN_TAGS) < _PLAIN_TAGS_KEPT:
                _PLAIN_TAGS[value] = tag
        return tag


_PLAIN_TAGS: dict[str, str] = {}  # plain scalar text -> its tag (the loader has no path resolvers)
_PLAIN_TAGS_KEPT = 20_000  # the common texts (keys, frequent values) come early; memory stays small


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


def parse_source(source: Source, report: Report, budget: ObjectBudget) -> list[Document]:
    """The non-empty documents of one source; problems go to ``report``.

    Every document, empty or not, counts against ``budget``; reading stops when it is spent.
    """
    if _is_json(source):
        documents = _json_documents(source, report, budget)
    else:
        documents = _yaml_documents(source, report, budget)
    return [d for d in documents if d.data is not None]


def _is_json(source: Source) -> bool:
    """A .json file that looks like JSON (as kubectl, a .json file of YAML is read as YAML)."""
    return source.path.lower().endswith(".json") and source.text.lstrip()[:1] in ("{", "[")


def _json_documents(source: Source, report: Report, budget: ObjectBudget) -> list[Document]:
    location = Location(source.path, 0, 1)
    duplicates: list[str] = []
    try:
        data = json.loads(source.text, object_pairs_hook=lambda p: _json_object(p, duplicates))
    except json.JSONDecodeError as exc:
        message = f"JSON syntax error at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        report.error(Problem(message, Location(source.path, 0, exc.lineno)))
        return []
    except RecursionError:
        report.error(Problem(too_deep(), location))
        return []
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        report.error(Problem(f"invalid JSON value: {_failure(exc)}", location))
        return []
    for key in duplicates[:10]:
        message = f'duplicate key "{clip(key)}" in a JSON object: which value counts is unclear'
        report.error(Problem(message, location))
    if duplicates or not budget.take(location):
        return []
    if data_too_deep(data):
        report.error(Problem(too_deep(), location))
        return []
    return [Document(location, data)]


def _json_object(pairs: list[tuple[str, Any]], duplicates: list[str]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                duplicates.append(key)
            seen.add(key)
    return data


def _yaml_documents(source: Source, report: Report, budget: ObjectBudget) -> list[Document]:
    # the caller (build_cluster) pauses the cycle collector over the whole load
    deep = None if _PARSER_LIMITS_NESTING else _too_deep_at(source.text)
    if deep is not None:  # composing it could overflow the C stack
        report.error(Problem(too_deep(), Location(source.path, *deep)))
        return []
    return _yaml_documents_of(source, report, budget)


def _parser_limits_nesting() -> bool:
    """Whether the parser refuses deep nesting itself, so composing never overflows a stack.

    libyaml 0.2.6 stops at 1000 levels; the pure-Python composer raises RecursionError. Older
    libyaml does not stop, and the C composer recurses once per level.
    """
    if _SAFE_LOADER is yaml.SafeLoader:
        return True
    try:
        from yaml import _yaml

        return tuple(_yaml.get_version()) >= (0, 2, 6)
    except (ImportError, AttributeError, TypeError):
        return False


_PARSER_LIMITS_NESTING = _parser_limits_nesting()
_SAFE_NESTING = 1000  # levels the C composer recurses through without risk to the stack


def _too_deep_at(text: str) -> tuple[int, int] | None:
    """(document, line) where ``text`` nests deeper than MAX_DEPTH, read from parser events.

    Only texts that might nest deeper than the stack bears are read (the bound: a level per
    flow bracket, and two per column of the longest line); events are read iteratively.
    """
    longest = max((len(line) for line in text.splitlines()), default=0)
    if text.count("[") + text.count("{") + 2 * longest + 2 <= _SAFE_NESTING:
        return None
    loader = _Loader(text)
    depth, document = 0, -1
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.DocumentStartEvent):
                document += 1
            elif isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    return max(document, 0), mark.line + 1 if mark is not None else 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass  # reported when the text is composed
    finally:
        loader.dispose()
    return None


def _yaml_documents_of(source: Source, report: Report, budget: ObjectBudget) -> list[Document]:
    documents: list[Document] = []
    loader = _Loader(source.text)
    try:
        _read_yaml(loader, source.path, documents, report, budget)
    except yaml.YAMLError as exc:
        report.error(_yaml_problem(exc, Location(source.path, len(documents))))
    except RecursionError:  # the pure-Python composer recurses on nesting
        report.error(Problem(too_deep(), Location(source.path, len(documents))))
    finally:
        loader.dispose()
    return documents


def _read_yaml(
    loader: Any, path: str, out: list[Document], report: Report, budget: ObjectBudget
) -> None:
    """Compose each document; build it when it is a plain tree, else check its shape and
    only then build it (loader/construct.py says why a built tree needs no check)."""
    while loader.check_node():
        node = loader.get_node()
        line = node.start_mark.line + 1 if node is not None else None
        location = Location(path, len(out), line)
        if not budget.take(location):
            return
        data = _built_fast(loader, node)
        if data is _UNUSUAL:
            flaws = node_shape(node).flaws() if node is not None else []
            for flaw in flaws:
                report.error(Problem(flaw.message, replace(location, line=flaw.line or line)))
            data = None if flaws else _construct(loader, node, location, report)
        out.append(Document(location, data, node))


_UNUSUAL = object()  # the fast builder declined the document


def _built_fast(loader: Any, node: yaml.Node | None) -> object:
    """The document built by the fast builder, or _UNUSUAL when it declines or fails."""
    if node is None:
        return None
    try:
        return build(node, loader)
    except Exception:  # Unusual, or a value that fails: the checked path builds or reports it
        return _UNUSUAL


def _construct(loader: Any, node: yaml.Node, location: Location, report: Report) -> object:
    """Build a checked document; constructor failures other than YAMLError are errors too."""
    try:
        return loader.construct_document(node)
    except yaml.YAMLError:
        raise
    except Exception as exc:  # e.g. !!timestamp 2001-13-45, !!bool maybe, huge integers
        _reset(loader)
        report.error(Problem(f"invalid YAML value: {_failure(exc)}", location))
        return None


def _reset(loader: Any) -> None:
    """Forget a half-built document so the next one starts clean."""
    loader.constructed_objects = {}
    loader.recursive_objects = {}
    loader.state_generators = []


def _failure(exc: Exception) -> str:
    """What went wrong building a value, in words for people."""
    text = str(exc)
    if "integer string conversion" in text:  # Python refuses integers of > 4300 digits
        return "an integer with too many digits"
    return f"{type(exc).__name__}: {clip(text, 200)}" if isinstance(exc, KeyError) else clip(text)


def _yaml_problem(exc: yaml.YAMLError, location: Location) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if not isinstance(exc, yaml.MarkedYAMLError) or mark is None:
        return Problem(f"YAML error: {exc}", location)
    what = exc.problem or exc.context or "invalid YAML"
    message = f"YAML syntax error at line {mark.line + 1}, column {mark.column + 1}: {what}"
    return Problem(message, Location(location.path, location.document, mark.line + 1))


@dataclass(frozen=True)
class _Item:
    """A mapping to expand: a document or a List item, with what its List implies."""

    data: Mapping[Any, Any]
    node: yaml.Node | None
    location: Location
    kind_hint: str | None = None
    version_hint: str | None = None


def objects(document: Document, report: Report, budget: ObjectBudget) -> Iterator[RawObject]:
    """The objects of a document: itself, or the items of a List (recursively).

    List items count against ``budget`` (the document itself was counted when read).
    """
    data = document.data
    if not isinstance(data, dict):
        message = f"a document must be a mapping, not {describe(data)}"
        report.error(Problem(message, document.location))
        return iter(())
    return _expand(_Item(data, document.node, document.location), report, budget)


def _expand(item: _Item, report: Report, budget: ObjectBudget) -> Iterator[RawObject]:
    own_kind = item.data.get("kind")
    own_version = item.data.get("apiVersion")
    if not _typed(item, "kind", own_kind, report) or not _typed(
        item, "apiVersion", own_version, report
    ):
        return
    kind = own_kind or item.kind_hint
    version = own_version or (None if own_kind else item.version_hint)
    if not kind:
        message = "object without a kind: not a Kubernetes object, ignored"
        report.warn(Problem(message, item.location))
    elif kind.endswith("List"):
        yield from _list_items(item, kind, version, report, budget)
    else:
        yield RawObject(kind, version, item.data, item.location)


def _typed(item: _Item, key: str, value: object, report: Report) -> bool:
    """Whether ``kind`` or ``apiVersion`` is a string or absent (else an error)."""
    if value is None or isinstance(value, str):
        return True
    kind = item.data.get("kind")
    obj = describe_object(kind if isinstance(kind, str) and kind else "object", item.data)
    report.error(Problem(f"must be a string, not {describe(value)}", item.location, obj, key))
    return False


def _list_items(
    item: _Item, kind: str, version: str | None, report: Report, budget: ObjectBudget
) -> Iterator[RawObject]:
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
        if not budget.take(location):
            return
        if isinstance(data, dict):
            yield from _expand(_Item(data, node, location, *hints), report, budget)
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
