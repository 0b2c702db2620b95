"""Namespaces: declared ones, and the implicit ones that objects use without declaring."""

from __future__ import annotations

from npql.errors import Location
from npql.loader.fields import Fields, clip
from npql.loader.meta import Meta
from npql.model import NAMESPACE_NAME_LABEL, Namespace


def namespace_object(obj: Fields, meta: Meta, location: Location) -> Namespace:
    """A declared Namespace; its name label is set as the API server sets it."""
    labels = dict(meta.labels)
    written = labels.get(NAMESPACE_NAME_LABEL)
    if written is not None and written != meta.name:
        obj.warn(
            f'label {NAMESPACE_NAME_LABEL}="{clip(written)}" differs from the name; the API server '
            f'sets it to "{meta.name}"',
            f"metadata.labels[{NAMESPACE_NAME_LABEL}]",
        )
    labels[NAMESPACE_NAME_LABEL] = meta.name
    return Namespace(meta.name, labels, declared=True, location=location)


def implicit_namespace(name: str) -> Namespace:
    """A namespace that objects use but no Namespace object declares."""
    return Namespace(name, {NAMESPACE_NAME_LABEL: name}, declared=False)
