"""Helpers for the loader tests: manifests built from dicts, and problems of a failed load."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from npql.errors import LoadError, Problem
from npql.loader import load_text


def dump(*objects: dict[str, Any]) -> str:
    """Several objects as one multi-document YAML text."""
    return yaml.safe_dump_all(objects, sort_keys=False)


def netpol(spec: dict[str, Any], name: str = "np", namespace: str | None = None) -> str:
    """A NetworkPolicy manifest with ``spec``."""
    metadata: dict[str, Any] = {"name": name}
    if namespace is not None:
        metadata["namespace"] = namespace
    return dump(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": metadata,
            "spec": spec,
        }
    )


def problems(text: str, **options: Any) -> list[Problem]:
    """The problems of a load that must fail."""
    with pytest.raises(LoadError) as info:
        load_text(text, **options)
    return list(info.value.problems)


def only_problem(text: str, **options: Any) -> Problem:
    """The single problem of a load that must fail."""
    found = problems(text, **options)
    assert len(found) == 1, found
    return found[0]
