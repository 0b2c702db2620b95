"""Whole reports: Markdown for pull-request comments, one self-contained HTML page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from render_helpers import (
    assert_golden,
    connectivity,
    edge_report,
    frontend_report,
    many_connections,
    odd_connectivity,
    shop_report,
    workload_names,
)

from npql.render.html import MAX_GRAPH_WORKLOADS, render_html
from npql.render.markdown import MAX_CONNECTION_ROWS, cell, code, fenced, render_markdown
from npql.solve.results import ConnectivityResult

SVG = "http://www.w3.org/2000/svg"

# --- Markdown -------------------------------------------------------------------------------


def test_golden_markdown() -> None:
    assert_golden("shop.md", render_markdown(shop_report(), connectivity("shop")))
    assert_golden("frontend.md", render_markdown(frontend_report()))
    assert_golden("edge.md", render_markdown(edge_report(), odd_connectivity()))


def test_markdown_summary_line() -> None:
    assert "\n✅ **2 passed, 0 failed, 0 unknown**\n" in render_markdown(frontend_report())
    shop = render_markdown(shop_report())
    assert "\n❌ **2 passed, 3 failed, 0 unknown, 1 error(s)**\n" in shop
    assert "\n❌ **1 passed, 1 failed, 1 unknown, 1 error(s)**\n" in render_markdown(edge_report())


def test_markdown_table_and_details() -> None:
    text = render_markdown(shop_report(), connectivity("shop"))
    assert "| Line | Assertion | Status | Detail |" in text
    assert "| 3 | `assert cannot app=web reach app=postgres:5432/tcp` | ✅ passed |" in text
    assert text.count("<details>") == 4  # three failures and the error
    assert "  shop/web[Deployment] -> shop/api[Deployment]  TCP/8443\n" in text
    assert "| Source | Destination | Ports |" in text
    assert "| shop/api[Deployment] | data/postgres[StatefulSet] | TCP 5432 |" in text
    assert "who can reach" not in text


def test_markdown_escapes_cells() -> None:
    assert cell("a|b\nc <d>") == "a\\|b<br>c &lt;d&gt;"
    assert code("x `y` | z") == "``x `y` \\| z``"
    assert fenced("has ``` inside") == "````text\nhas ``` inside\n````"
    text = render_markdown(edge_report())
    row = next(line for line in text.splitlines() if line.startswith("| 2 |"))
    assert row.count(" | ") == 3  # the pipes inside the cells are escaped
    assert "&lt;one&gt;" in row


def test_markdown_caps_the_connectivity_table() -> None:
    text = render_markdown(frontend_report(), many_connections(MAX_CONNECTION_ROWS + 50))
    rows = [line for line in text.splitlines() if line.startswith("| hub/client")]
    assert len(rows) == MAX_CONNECTION_ROWS
    assert "_50 more connection(s) not shown: first 200 of 250;" in text


# --- HTML -----------------------------------------------------------------------------------


def _svg(page: str) -> ET.Element:
    match = re.search(r"<svg .*?</svg>", page, flags=re.DOTALL)
    assert match, "no inline svg"
    return ET.fromstring(match.group())


def _svg_texts(page: str) -> set[str]:
    return {t.text or "" for t in _svg(page).iter(f"{{{SVG}}}text")}


def test_golden_html() -> None:
    assert_golden("shop.html", render_html(shop_report(), connectivity("shop")))
    assert_golden("frontend.html", render_html(None, connectivity("frontend-backend")))


MAPS: dict[str, Callable[[], ConnectivityResult]] = {
    "shop": lambda: connectivity("shop"),
    "frontend": lambda: connectivity("frontend-backend"),
    "odd": odd_connectivity,
}


@pytest.mark.parametrize("name", MAPS)
def test_html_svg_names_every_workload(name: str) -> None:
    result = MAPS[name]()
    page = render_html(shop_report(), result)
    assert workload_names(result) <= _svg_texts(page)


def test_html_is_self_contained() -> None:
    page = render_html(shop_report(), connectivity("shop"))
    assert page.startswith("<!DOCTYPE html>")
    assert re.findall(r"https?://[^\s\"'<>]+", page) == [SVG]
    assert "<link" not in page and " src=" not in page and "@import" not in page


def test_html_sections() -> None:
    page = render_html(shop_report(), connectivity("shop"))
    assert "<title>npql report: checks/shop.npql</title>" in page
    assert '<div class="summary bad">✘ 2 passed, 3 failed, 1 error(s)</div>' in page
    assert page.count('<td class="status failed">') == 3
    assert "<h2>Connectivity (15 allowed)</h2>" in page
    assert "<td>shop/api[Deployment]</td><td>data/postgres[StatefulSet]</td>" in page
    alone = render_html(None, connectivity("frontend-backend"))
    assert "<title>npql connectivity</title>" in alone and "Assertions" not in alone


def test_html_escapes_text() -> None:
    page = render_html(edge_report(), odd_connectivity())
    assert "&lt;one&gt;" in page and "<one>" not in page
    assert "team-a/&lt;new pod {app=we&quot;ird,x=&lt;y&gt;}&gt;" in page
    _svg(page)  # still well-formed


def test_html_graph_is_left_out_past_the_limit() -> None:
    big = many_connections(MAX_GRAPH_WORKLOADS + 10)
    page = render_html(None, big)
    assert "<svg" not in page
    assert f"drawn for up to {MAX_GRAPH_WORKLOADS} workloads; this answer has 61" in page
    assert page.count("<tr><td>hub/client[Deployment]</td>") == MAX_GRAPH_WORKLOADS + 10
    fits = render_html(None, many_connections(MAX_GRAPH_WORKLOADS - 1))
    assert len(_svg_texts(fits) & workload_names(many_connections(49))) == 50


def test_html_without_connections() -> None:
    page = render_html(frontend_report(), ConnectivityResult("connectivity", ()))
    assert "<svg" not in page and "No connection is allowed" in page
