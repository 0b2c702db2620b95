"""``python -m npql``."""

from npql.cli import entry

entry()
