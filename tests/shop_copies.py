"""A writable copy of examples/shop and the answers that reload tests compare."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from npql.api import Cluster

SHOP = Path(__file__).resolve().parents[1] / "examples" / "shop"


def copy_shop(tmp_path: Path) -> Path:
    """examples/shop copied under ``tmp_path``, for tests that edit manifests."""
    folder = tmp_path / "shop"
    shutil.copytree(SHOP, folder)
    return folder


def shop_answers(cluster: Cluster, can: Sequence[str], who: Sequence[str]) -> list[object]:
    """Verdicts of the can-questions (witnesses may differ) and whole bulk answers."""
    verdicts: list[object] = [cluster.query(q).verdict for q in can]
    return verdicts + [cluster.query(q).to_dict() for q in who]
