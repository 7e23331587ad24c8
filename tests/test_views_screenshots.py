"""The map and an impact view of a generated model of 1,500 applications, opened in headless Chromium:
every name fits its tile with the browser's real font, and screenshots are kept as test artifacts
(out/test-artifacts/, linked from the README)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import archrepo
from archrepo.model.elements import effective_status
from archrepo.views import ViewOptions, build_view
from archrepo.views.landscape_map import build_map
from archrepo.views.map_layout import TILE_WIDTH
from archrepo.views.map_svg import render_map_image
from archrepo.views.render_dot import render_image
from tests.conftest import CHROMIUM, ROOT, bench_generator

ARTIFACTS = ROOT / "out" / "test-artifacts"
AS_OF = dt.date(2026, 11, 26)
SIZE = 1500

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                     "(`make browser` installs it); the views are checked in it"),
]

# For each tile: the widest drawn line and the number of lines, measured by the browser with its own fonts.
_TILES = """() => Array.from(document.querySelectorAll('g.tile'), tile => {
  const lines = Array.from(tile.querySelectorAll('tspan'), t => t.getComputedTextLength());
  return [tile.querySelector('title').textContent, Math.max(...lines), lines.length];
})"""


def _generate(root: Path) -> Path:
    bench_generator().generate(root, SIZE, seed=42, violation_rate=0.03)
    return root


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> archrepo.Repository:
    return archrepo.load(_generate(tmp_path_factory.mktemp("generated") / "repo") / "archrepo.yaml")


def _open(browser, svg: Path, width: int = 1600, height: int = 1000):
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(svg.as_uri())
    assert not errors
    return page


def _wrapper(svg: Path, style: str) -> Path:
    """A page showing the SVG as an image (a full-page screenshot of a large SVG document is very slow)."""
    page = svg.with_suffix(".html")
    page.write_text(f'<!doctype html><html><body style="margin:0"><img src="{svg.name}" style="{style}">'
                    "</body></html>", encoding="utf-8")
    return page


def test_map_of_1500_applications_in_chromium(generated, browser, tmp_path: Path) -> None:
    landscape = build_map(generated.model, ViewOptions(as_of=AS_OF))
    in_service = {a.id for a in generated.model.of_kind("Application") if effective_status(a, AS_OF) != "retired"}
    assert sorted(t.id for t in landscape.tiles()) == sorted(in_service)
    svg = tmp_path / "map.svg"
    svg.write_bytes(render_map_image(landscape, "svg"))
    page = _open(browser, svg)
    tiles = page.evaluate(_TILES)
    assert len(tiles) == len(in_service)
    too_wide = [(title, width) for title, width, _ in tiles if width > TILE_WIDTH - 8]
    assert not too_wide, too_wide[:5]  # every name legible inside its tile at 100% zoom
    assert all(1 <= count <= 3 for _, _, count in tiles)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "landscape-map-1500.png"))  # the top left corner at 100%
    page.close()
    overview = _open(browser, _wrapper(svg, "width: 1600px"), height=1300)
    overview.screenshot(path=str(ARTIFACTS / "landscape-map-1500-overview.png"))  # the whole map, scaled down
    overview.close()


def test_impact_view_of_1500_applications_in_chromium(generated, browser, tmp_path: Path) -> None:
    dependencies = generated.dependencies
    focus = max((a.id for a in generated.model.of_kind("Application")),
                key=lambda node: (dependencies.in_degree(node) if node in dependencies else 0, node))
    graph = build_view("impact", generated.model, dependencies, ViewOptions(as_of=AS_OF, focus=focus))
    assert len([n for n in graph.nodes.values() if n.category != "summary"]) <= 60
    svg = tmp_path / "impact.svg"
    svg.write_bytes(render_image(graph, "svg"))
    page = _open(browser, svg)
    assert page.evaluate("() => document.querySelectorAll('g.node').length") == len(graph.nodes) + 1  # + legend
    page.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    whole = _open(browser, _wrapper(svg, "max-width: 1600px; max-height: 2400px"), height=2400)
    whole.screenshot(path=str(ARTIFACTS / "impact-1500.png"))
    whole.close()
    integrations = build_view("integrations", generated.model, dependencies, ViewOptions(as_of=AS_OF))
    (ARTIFACTS / "integrations-1500.svg").write_bytes(render_image(integrations, "svg"))
