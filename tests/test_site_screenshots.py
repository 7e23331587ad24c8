"""The docs site of a generated model of 1,500 applications, in headless Chromium: the explorer loads without a
console error at that size, finds an application, shows its neighbourhood (bounded, through platforms), and
the index shows the landscape map. Screenshots are kept as test artifacts (out/test-artifacts/, linked from
the README)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

import archrepo
from archrepo.site import SiteSummary, build_site
from tests.conftest import CHROMIUM, Tab
from tests.test_site import ARTIFACTS
from tests.test_site_scale import _generate

AS_OF = dt.date(2026, 11, 26)
SIZE = 1500

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                     "(`make browser` installs it); the site is checked in it"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> SiteSummary:
    root = _generate(tmp_path_factory.mktemp("generated") / "repo", SIZE)
    started = time.perf_counter()
    summary = build_site(archrepo.load(root / "archrepo.yaml"), root.parent / "site", as_of=AS_OF)
    print(f"{summary.pages} pages, {summary.diagrams} diagrams ({summary.laid_out} laid out) in "
          f"{time.perf_counter() - started:.1f} s")
    return summary


def test_the_explorer_of_1500_applications_in_chromium(site: SiteSummary, browser) -> None:
    assert site.elements["Application"] == SIZE
    tab = Tab(browser)
    try:
        tab.page.set_viewport_size({"width": 1600, "height": 1000})
        tab.page.goto((site.out / "explorer.html").as_uri(), wait_until="load")
        tab.page.wait_for_function("() => window.archrepoExplorer && window.archrepoExplorer.cy.nodes().length > 0")
        shown = tab.page.locator("#explorer-count").inner_text()
        assert shown.startswith("Showing ") and shown.endswith(f" of {SIZE} applications.")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        tab.page.screenshot(path=str(ARTIFACTS / "explorer-1500.png"))
        # a core system of a trust: its neighbourhood, bounded, drawn in rings around it
        tab.page.locator("#explorer-search").fill("dips-arena")
        tab.page.locator("#explorer-results button").first.click()
        tab.page.wait_for_function("() => window.archrepoExplorer.state.focus >= 0")
        drawn = tab.page.evaluate("() => window.archrepoExplorer.cy.nodes().length")
        assert 2 <= drawn <= 250
        assert "Neighbourhood of" in tab.page.locator("#explorer-mode").inner_text()
        tab.page.screenshot(path=str(ARTIFACTS / "explorer-1500-neighbourhood.png"))
        tab.page.locator("#explorer-hops").select_option("2")
        assert tab.page.evaluate("() => window.archrepoExplorer.cy.nodes().length") <= 250
        assert tab.errors == []
    finally:
        tab.page.close()


def test_the_index_of_1500_applications_shows_the_map(site: SiteSummary, browser) -> None:
    tab = Tab(browser)
    try:
        tab.open(site.out / "index.html")
        tiles = tab.page.locator("#landscape svg g.tile").count()
        assert tiles >= SIZE * 0.9  # every application in service has its tile
        tab.page.locator("#landscape").screenshot(path=str(ARTIFACTS / "site-index-1500.png"))
        assert tab.errors == []
    finally:
        tab.page.close()


def test_pages_of_1500_applications_are_bounded(site: SiteSummary) -> None:
    """No page's diagram draws more than the budget (60 boxes, plus the legend), whatever the model's size."""
    import re

    largest = 0
    for path in sorted((site.out / "applications").glob("*.html")):
        text = path.read_text(encoding="utf-8")
        largest = max(largest, len(re.findall(r'<g id="node\d+" class="node"', text)))
    assert 0 < largest <= 62
    assert max(p.stat().st_size for p in Path(site.out).rglob("*.html")) < 8_000_000
