"""Plain aligned tables for the listing commands (``\\pods``, ``\\ns``, ...)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], empty: str = "(none)") -> str:
    """Columns padded to their widest cell, a header line, and a row count."""
    if not rows:
        return f"{empty}\n"
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = [_line(headers, widths), _line(["-" * w for w in widths], widths)]
    lines += [_line(row, widths) for row in rows]
    lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(lines) + "\n"


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def labels_text(labels: Mapping[str, str]) -> str:
    """``a=1,b=2`` sorted by key."""
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
