"""A checked view of one mapping of a manifest: every access knows its field path.

Wrong types are reported as errors naming the field, never raised as Python exceptions;
the accessor then answers as if the field were absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from npql.loader.report import Where

_TYPE_NAMES: dict[type, str] = {
    type(None): "null",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "a list",
    dict: "a mapping",
}


def describe(value: object) -> str:
    """A short name of the YAML type of ``value`` for messages."""
    return _TYPE_NAMES.get(type(value), f"a {type(value).__name__}")


def clip(text: str, limit: int = 100) -> str:
    """``text`` cut to ``limit`` characters for messages (hostile values can be megabytes)."""
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def shown(value: object, limit: int = 100) -> str:
    """``repr(value)`` cut for messages; never fails (repr of a huge integer can)."""
    try:
        return clip(repr(value), limit)
    except (ValueError, RecursionError):
        bits = value.bit_length() if isinstance(value, int) else 0
        return f"<an integer of {bits} bits>" if bits else f"<{describe(value)}>"


def key_path(path: str, key: object) -> str:
    """The path of the entry ``key`` of a map field at ``path``: ``metadata.labels[app]``."""
    return f"{path}[{clip(key) if isinstance(key, str) else shown(key)}]"


class Fields:
    """One mapping of a manifest, the path that leads to it, and where to report problems."""

    __slots__ = ("data", "path", "where")

    def __init__(self, data: Mapping[Any, Any], where: Where, path: str = "") -> None:
        self.data = data
        self.where = where
        self.path = path

    def at(self, key: str) -> str:
        """The path of the field ``key`` of this mapping."""
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str) -> object:
        """The raw value of ``key`` (None when absent)."""
        return self.data.get(key)

    def has(self, key: str) -> bool:
        """Whether ``key`` is present and not null."""
        return self.data.get(key) is not None

    def error(self, message: str, key: str | None = None) -> None:
        """Record an error about ``key`` (or this mapping)."""
        self.where.error(message, self.at(key) if key else self.path)

    def warn(self, message: str, key: str | None = None) -> None:
        """Record a warning about ``key`` (or this mapping)."""
        self.where.warn(message, self.at(key) if key else self.path)

    def _wrong(self, key: str, wanted: str, value: object) -> None:
        self.error(f"must be {wanted}, not {describe(value)}", key)

    def child(self, data: Mapping[Any, Any], path: str) -> Fields:
        """A view of a nested mapping at ``path``."""
        return Fields(data, self.where, path)

    def mapping(self, key: str) -> Fields | None:
        """The mapping at ``key``; None when absent or null."""
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, dict):
            return self.child(value, self.at(key))
        self._wrong(key, "a mapping", value)
        return None

    def section(self, key: str) -> Fields:
        """The mapping at ``key``, or an empty one when absent (wrong types are reported)."""
        found = self.mapping(key)
        return found if found is not None else self.child({}, self.at(key))

    def required(self, key: str) -> Fields | None:
        """The mapping at ``key``; an error when it is absent."""
        if not self.has(key):
            self.error("is required", key)
        return self.mapping(key)

    def string(self, key: str, *, required: bool = False) -> str | None:
        """The string at ``key``; an error when of another type or required and absent."""
        value = self.data.get(key)
        if isinstance(value, str) and (value or not required):
            return value
        if value is None or value == "":
            if required:
                self.error("is required", key)
            return None
        self._wrong(key, "a string", value)
        return None

    def integer(self, key: str) -> int | None:
        """The integer at ``key`` (booleans are not integers)."""
        value = self.data.get(key)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        self._wrong(key, "an integer", value)
        return None

    def boolean(self, key: str) -> bool:
        """The boolean at ``key``; False when absent."""
        value = self.data.get(key)
        if value is None or isinstance(value, bool):
            return bool(value)
        self._wrong(key, "a boolean", value)
        return False

    def int_or_string(self, key: str) -> int | str | None:
        """An IntOrString field: an integer or a string."""
        value = self.data.get(key)
        if value is None or isinstance(value, str):
            return value
        return self.integer(key)

    def sequence(self, key: str) -> list[object]:
        """The list at ``key``; empty when absent or null."""
        value = self.data.get(key)
        if value is None:
            return []
        if isinstance(value, list):
            return value
        self._wrong(key, "a list", value)
        return []

    def records(self, key: str) -> list[Fields]:
        """The mappings of the list at ``key``; other elements are errors and left out."""
        out = []
        for index, item in enumerate(self.sequence(key)):
            path = f"{self.at(key)}[{index}]"
            if isinstance(item, dict):
                out.append(self.child(item, path))
            else:
                self.where.error(f"must be a mapping, not {describe(item)}", path)
        return out

    def strings(self, key: str) -> list[tuple[str, str]]:
        """The strings of the list at ``key`` with their paths; other elements are errors."""
        out = []
        for index, item in enumerate(self.sequence(key)):
            path = f"{self.at(key)}[{index}]"
            if isinstance(item, str):
                out.append((path, item))
            else:
                self.where.error(f"must be a string, not {describe(item)}", path)
        return out

    def string_map(self, key: str) -> dict[str, str]:
        """The string-to-string mapping at ``key``; other entries are errors and left out."""
        found = self.mapping(key)
        if found is None:
            return {}
        return {k: v for k, v in found.data.items() if found.string_entry(k, v)}

    def string_entry(self, key: object, value: object) -> bool:
        """Whether one entry of a string map has a string key and value (else an error)."""
        if not isinstance(key, str):
            message = f"keys must be strings, not {describe(key)} ({shown(key)})"
            self.where.error(message, key_path(self.path, key))
            return False
        if not isinstance(value, str):
            self.where.error(f"must be a string, not {describe(value)}", key_path(self.path, key))
            return False
        return True

    def known(self, names: frozenset[str]) -> None:
        """Warn about every field of this mapping that is not in ``names``."""
        for key in self.data:
            if key not in names:
                name = clip(key) if isinstance(key, str) else shown(key)
                self.warn(f'unknown field "{name}" (ignored)', name)
