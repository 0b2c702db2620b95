"""The HTML report opened in headless Chromium: offline, it draws every workload in the SVG."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from render_helpers import connectivity, shop_report, workload_names

from npql.render.html import render_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium not installed (apt-get install -y chromium)"
)


def _chromium(tmp_path: Path, page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        *args,
        page.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("example", ["shop", "frontend-backend"])
def test_chromium_renders_every_workload_in_the_svg(tmp_path: Path, example: str) -> None:
    result = connectivity(example)
    page = tmp_path / "report.html"
    page.write_text(render_html(shop_report(), result), encoding="utf-8")
    done = _chromium(tmp_path, page, "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    svg = re.search(r"<svg .*?</svg>", done.stdout, flags=re.DOTALL)
    assert svg, "the browser's DOM has no svg"
    texts = set(re.findall(r"<text[^>]*>([^<]*)</text>", svg.group()))
    assert workload_names(result) <= texts


def test_chromium_screenshot(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(shop_report(), connectivity("shop")), encoding="utf-8")
    shot = tmp_path / "report.png"
    done = _chromium(tmp_path, page, f"--screenshot={shot}", "--window-size=1400,1000")
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.read_bytes().startswith(b"\x89PNG")
