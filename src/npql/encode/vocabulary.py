"""Strings (label values, namespace names) interned as integers, so Z3 reasons over Ints.

Label values are only ever compared for equality against constants, so an integer per
distinct string is exact; an integer no string was interned for stands for "some other value",
which witnesses print as a fresh, syntactically valid value.
"""

from __future__ import annotations

import re

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


class Vocabulary:
    """A two-way map between strings and small non-negative integers."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._strings: list[str] = []

    def intern(self, text: str) -> int:
        """The id of ``text``, allocating one on first sight."""
        found = self._ids.get(text)
        if found is None:
            found = len(self._strings)
            self._ids[text] = found
            self._strings.append(text)
        return found

    def lookup(self, value: int) -> str | None:
        """The string for an id, None for an id no string has (a fresh value)."""
        return self._strings[value] if 0 <= value < len(self._strings) else None

    def __len__(self) -> int:
        return len(self._strings)

    def namespace_name_ids(self) -> list[int]:
        """Ids of interned strings that are valid namespace names (RFC 1123 labels)."""
        return [i for i, s in enumerate(self._strings) if len(s) <= 63 and _DNS_LABEL.match(s)]

    def fresh(self, value: int, prefix: str) -> str:
        """A readable string for an id no string has, distinct from every interned string."""
        candidate = f"{prefix}{value - len(self._strings) + 1}"
        while candidate in self._ids:
            candidate += "x"
        return candidate
