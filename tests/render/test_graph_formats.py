"""The connectivity map as Graphviz DOT (and images drawn by ``dot``) and as Mermaid."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace

import pytest
from render_helpers import assert_golden, connectivity, odd_connectivity, workload_names

from npql.errors import UsageError
from npql.render import dot as dot_module
from npql.render.dot import render_dot, render_image
from npql.render.mermaid import render_mermaid
from npql.solve.results import ConnectivityResult

MAPS: dict[str, Callable[[], ConnectivityResult]] = {
    "shop": lambda: connectivity("shop"),
    "frontend": lambda: connectivity("frontend-backend"),
    "odd": odd_connectivity,
}
NEEDS_DOT = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz 'dot' not installed (apt-get install graphviz)"
)


@pytest.mark.parametrize("name", MAPS)
def test_golden_dot(name: str) -> None:
    assert_golden(f"{name}.dot", render_dot(MAPS[name]()))


@pytest.mark.parametrize("name", MAPS)
def test_golden_mermaid(name: str) -> None:
    assert_golden(f"{name}.mmd", render_mermaid(MAPS[name]()))


@pytest.mark.parametrize("render", [render_dot, render_mermaid])
@pytest.mark.parametrize("name", MAPS)
def test_order_is_stable(name: str, render: Callable[[ConnectivityResult], str]) -> None:
    result = MAPS[name]()
    shuffled = replace(result, connections=tuple(reversed(result.connections)))
    assert render(shuffled) == render(result)


# --- DOT ------------------------------------------------------------------------------------


def test_dot_groups_workloads_by_namespace() -> None:
    text = render_dot(connectivity("shop"))
    assert text.startswith("digraph npql {\n")
    for ns in ("data", "monitoring", "shop"):
        assert f'subgraph "cluster_{ns}" {{' in text
        assert f'label="namespace {ns}";' in text
    cluster_shop = text.split('subgraph "cluster_shop" {')[1].split("}")[0]
    assert '"shop/web[Deployment]" [label="web\\nDeployment"];' in cluster_shop
    assert '"0.0.0.0/0" [label="0.0.0.0/0", style="filled,dashed"' in text
    assert '"shop/web[Deployment]" -> "shop/api[Deployment]" [label="TCP 8443"];' in text


def test_dot_quotes_every_id() -> None:
    text = render_dot(odd_connectivity())
    for line in text.splitlines()[4:]:
        stripped = line.strip()
        if stripped.startswith(("label=", "style=", "}")):
            continue
        assert stripped.startswith(('"', 'subgraph "')), line
    assert '\\"' in text  # the quote in a label value is escaped
    assert '[label="TCP 80,UDP 53"]' in text


@NEEDS_DOT
@pytest.mark.parametrize("name", MAPS)
def test_dot_accepts_the_graph_and_draws_every_workload(name: str) -> None:
    result = MAPS[name]()
    done = subprocess.run(
        ["dot", "-Tsvg"], input=render_dot(result), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    texts = set(re.findall(r"<text[^>]*>([^<]*)</text>", done.stdout))
    assert workload_names(result) <= texts


@NEEDS_DOT
def test_render_image_svg_and_png() -> None:
    svg = render_image(connectivity("shop"), "svg")
    assert b"<svg" in svg and b">postgres</text>" in svg
    png = render_image(connectivity("shop"), "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_render_image_without_graphviz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dot_module.shutil, "which", lambda _name: None)
    with pytest.raises(UsageError, match=r"install graphviz \(apt-get install graphviz"):
        render_image(connectivity("shop"), "svg")


def test_render_image_unknown_format() -> None:
    with pytest.raises(UsageError, match="svg, png"):
        render_image(connectivity("shop"), "gif")


# --- Mermaid --------------------------------------------------------------------------------


def _ids(text: str) -> list[str]:
    return re.findall(r"^\s*(?:subgraph )?([^\s\[(]+)[\[(]", text, flags=re.MULTILINE)


def test_mermaid_shape() -> None:
    text = render_mermaid(connectivity("shop"))
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert '  subgraph ns_shop["namespace shop"]' in lines
    assert '    w_shop_web["web (Deployment)"]' in lines
    assert '  w_shop_web -->|"TCP 8443"| w_shop_api' in lines
    assert text.count("subgraph ") == text.count("\n  end\n") == 3


def test_mermaid_ids_are_safe_and_unique() -> None:
    text = render_mermaid(odd_connectivity())
    ids = _ids(text)
    assert ids and all(re.fullmatch(r"[A-Za-z0-9_]+", i) for i in ids)
    assert len(ids) == len(set(ids))
    assert "w_team_a_api" in ids and "w_team_a_api_2" in ids


def test_mermaid_labels_are_quoted_and_escaped() -> None:
    text = render_mermaid(odd_connectivity())
    for label in re.findall(r'\["(.*?)"\]|\|"(.*?)"\|', text):
        inner = "".join(label)
        assert '"' not in inner and "<" not in inner and ">" not in inner
    assert "\u2039new pod {app=we'ird,x=\u2039y\u203a}\u203a (Hypothetical)" in text
    assert '-->|"TCP 80,UDP 53"|' in text
