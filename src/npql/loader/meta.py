"""Object metadata: name, namespace (``default`` when absent) and labels."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from npql.loader.fields import Fields
from npql.loader.names import dns_label_problem, dns_subdomain_problem, label_map
from npql.model import DEFAULT_NAMESPACE


@dataclass(frozen=True)
class Meta:
    """The checked metadata of one object; ``namespace`` is None for Namespace objects."""

    name: str
    namespace: str | None
    labels: dict[str, str] = field(default_factory=dict)


def describe_object(kind: str, data: Mapping[Any, Any]) -> str:
    """How messages name an object, e.g. ``NetworkPolicy default/foo``, before it is checked."""
    metadata = data.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    name = _text(metadata.get("name"), "<unnamed>")
    if kind == "Namespace":
        return f"Namespace {name}"
    return f"{kind} {_text(metadata.get('namespace'), DEFAULT_NAMESPACE)}/{name}"


def _text(value: object, default: str) -> str:
    return value if isinstance(value, str) and value else default


def parse_meta(obj: Fields, *, namespaced: bool = True) -> Meta | None:
    """The metadata of ``obj``; None (with errors reported) when its name is missing or bad."""
    metadata = obj.section("metadata")
    name = _name(metadata, namespaced)
    namespace = _namespace(metadata) if namespaced else None
    labels = label_map(metadata, "labels")
    if name is None or (namespaced and namespace is None):
        return None
    return Meta(name, namespace, labels)


def _name(metadata: Fields, namespaced: bool) -> str | None:
    name = metadata.string("name", required=True)
    check = dns_subdomain_problem if namespaced else dns_label_problem
    problem = check(name) if name is not None else None
    if problem:
        metadata.warn(f"{problem} (the API server would reject it)", "name")
    return name


def _namespace(metadata: Fields) -> str | None:
    namespace = metadata.string("namespace") or DEFAULT_NAMESPACE
    problem = dns_label_problem(namespace)
    if problem:
        metadata.warn(f"{problem} (the API server would reject it)", "namespace")
    return namespace
