"""Every resources/ folder of the netpol-analyzer conformance corpus loads."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from npql.loader import load_paths

CORPUS = Path("/work/shared/conformance/netpol-analyzer")
FOLDERS = sorted(CORPUS.glob("*/resources")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not FOLDERS, reason="conformance corpus not available")
@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.parent.name)
def test_corpus_folder_loads(folder: Path) -> None:
    cluster = load_paths([str(folder)])
    assert cluster.pods
    # AdminNetworkPolicy and BaselineAdminNetworkPolicy are modelled (the tiered policies).
    assert cluster.unmodelled == {}
    group = yaml.safe_load((folder.parent / "meta.yaml").read_text())["group"]
    assert bool(cluster.tiered) == (group == "anp")


@pytest.mark.skipif(not FOLDERS, reason="conformance corpus not available")
def test_corpus_owner_collapse_and_kind_less_list_items() -> None:
    cluster = load_paths([str(CORPUS / "example_pods_w_same_owner_and_labels_gap_no_policy")])
    assert [p.workload for p in cluster.pods] == ["default/internal-security[Pod]"]
    boutique = load_paths([str(CORPUS / "onlineboutique" / "resources")])
    assert len(boutique.pods) == 12 and len(boutique.policies) == 11
