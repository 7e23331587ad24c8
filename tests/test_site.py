"""The HTML documentation site of the reference model, in a real headless Chromium (Playwright), from file://."""

from __future__ import annotations

import datetime as dt
import filecmp
import time
from collections import deque
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

import archrepo
from archrepo.site import SiteSummary, build_site
from tests.conftest import CHROMIUM, ROOT

AS_OF = dt.date(2026, 11, 26)
ARTIFACTS = ROOT / "out" / "test-artifacts"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                     "(`make browser` installs it); the site is tested in it"),
]

# Every link-like attribute of a page (SVG nodes use xlink:href), resolved by the browser against the page's
# URL, and every id. The page is parsed by Chromium's own HTML parser (DOMParser), which is ~10x faster than a
# navigation; a navigation per kind of page (below) checks that pages load without errors.
_COLLECT = """([html, url]) => {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const links = [];
  for (const el of doc.querySelectorAll('a, link[href], script[src], img[src], use')) {
    const raw = el.getAttribute('href') ?? el.getAttribute('xlink:href') ?? el.getAttribute('src');
    if (raw !== null) links.push([raw, new URL(raw, url).href]);
  }
  return {links, ids: Array.from(doc.querySelectorAll('[id]'), e => e.id)};
}"""


@pytest.fixture(scope="module")
def reference() -> archrepo.Repository:
    return archrepo.load(ROOT / "archrepo.yaml")


@pytest.fixture(scope="module")
def site(reference, tmp_path_factory) -> SiteSummary:
    started = time.perf_counter()
    summary = build_site(reference, tmp_path_factory.mktemp("site") / "docs", as_of=AS_OF)
    print(f"built {summary.pages} pages, {summary.diagrams} diagrams in {time.perf_counter() - started:.1f} s")
    return summary


def test_the_build_writes_a_page_per_element_principle_and_rule(site, reference) -> None:
    model = reference.model
    for kind, directory in [("Application", "applications"), ("Process", "processes"),
                            ("Integration", "integrations"), ("DataObject", "data"),
                            ("Organisation", "organisations"), ("Capability", "capabilities")]:
        for element in model.of_kind(kind):
            assert (site.out / directory / f"{element.id}.html").is_file(), element.id
        assert (site.out / directory / "index.html").is_file()
    assert (site.out / "principles" / "EH-4.html").is_file()
    assert (site.out / "rules" / "SEC001.html").is_file()
    index = (site.out / "search-index.js").read_text(encoding="utf-8")
    principles = len(list((site.out / "principles").glob("*.html"))) - 1  # not the list page
    rules = len(list((site.out / "rules").glob("*.html"))) - 1
    assert index.count('"u":') == len(model) + principles + rules
    assert '"u":"applications/dips-arena.html"' in index
    assert site.diagrams >= 250
    text = (site.out / "index.html").read_text(encoding="utf-8")
    assert "https://" not in text.replace("http://www.w3.org/", "")  # no CDN, no external font
    assert "fetch(" not in (site.out / "static" / "site.js").read_text(encoding="utf-8")


def test_index_loads_without_console_errors_and_is_screenshotted(site, tab) -> None:
    tab.open(site.out / "index.html")
    assert tab.page.locator("h1").inner_text() == "Architecture repository"
    assert tab.page.locator("#compliance table tbody tr").count() >= 17
    assert tab.page.locator("#landscape svg.diagram").is_visible()
    svg_links = tab.page.locator("#landscape svg a").evaluate_all(
        "links => links.map(a => a.getAttribute('xlink:href') || a.getAttribute('href'))")
    assert "applications/dips-arena.html" in svg_links  # nodes are clickable
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=str(ARTIFACTS / "site-index.png"), full_page=True)
    assert tab.errors == []


def test_every_internal_link_resolves(site, tab) -> None:
    """Crawl every page reachable from the index; each non-external href, src and xlink:href resolves to a
    file, and each #anchor exists in its target page."""
    root = site.out.resolve()
    ids: dict[Path, set[str]] = {}
    anchors: list[tuple[Path, Path, str]] = []
    broken: list[str] = []
    queue = deque([root / "index.html"])
    seen = {root / "index.html"}
    while queue:
        current = queue.popleft()
        found = tab.page.evaluate(_COLLECT, [current.read_text(encoding="utf-8"), current.as_uri()])
        ids[current] = set(found["ids"])
        assert len(ids[current]) == len(found["ids"]), f"{current}: duplicate ids"
        for raw, absolute in found["links"]:
            url = urlparse(absolute)
            if url.scheme != "file":
                assert url.scheme in ("http", "https", "mailto", "data"), raw
                continue
            target = Path(unquote(url.path))
            if not target.is_file():
                broken.append(f"{current.relative_to(root)}: {raw}")
                continue
            assert root in target.parents, f"{current}: {raw} leaves the site"
            if url.fragment and target.name != "explorer.html":  # the explorer's fragment is its state
                anchors.append((current, target, url.fragment))
            if target.suffix == ".html" and target not in seen:
                seen.add(target)
                queue.append(target)
    assert broken == []
    missing = [f"{page.relative_to(root)} -> {target.relative_to(root)}#{anchor}"
               for page, target, anchor in anchors if anchor not in ids[target]]
    assert missing == []
    pages = {p.resolve() for p in root.rglob("*.html")}
    assert pages == seen, f"pages not linked from anywhere: {sorted(map(str, pages - seen))[:5]}"


def test_every_kind_of_page_loads_without_errors(site, tab) -> None:
    """A real navigation to the first page of every directory (each template and kind), and to the root pages."""
    samples = [site.out / "index.html", site.out / "violations.html"]
    for directory in sorted(p for p in site.out.iterdir() if p.is_dir() and p.name != "static"):
        samples.append(directory / "index.html")
        samples += sorted(p for p in directory.glob("*.html") if p.name != "index.html")[:1]
    for path in samples:
        tab.open(path)
        assert tab.page.locator("h1").count() == 1, path
        assert tab.page.evaluate("() => Array.isArray(window.ARCHREPO_SEARCH_INDEX)"), path
    assert tab.errors == []


def test_search_finds_an_application_by_name(site, tab) -> None:
    tab.open(site.out / "index.html")
    tab.page.locator("#site-search").press_sequentially("DIPS")
    result = tab.page.locator('#site-search-results a[href="applications/dips-arena.html"]')
    result.wait_for(state="visible")
    assert "DIPS Arena" in result.inner_text()
    result.click()
    tab.page.wait_for_url("**/applications/dips-arena.html")
    assert tab.page.locator("h1").inner_text() == "DIPS Arena"
    # from one level down, results link one level up
    tab.page.locator("#site-search").fill("SEC001")
    tab.page.locator('#site-search-results a[href="../rules/SEC001.html"]').wait_for(state="visible")
    assert tab.errors == []


def test_an_application_page_shows_its_diagram(site, tab) -> None:
    tab.open(site.out / "applications" / "dips-arena.html")
    diagram = tab.page.locator("#diagram svg.diagram")
    assert diagram.is_visible()
    box = diagram.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    titles = tab.page.locator("#diagram svg g.node > title").all_text_contents()
    assert "dips-arena" in titles and "lvms" in titles  # the focus and a neighbour
    node = tab.page.locator("#diagram svg g.node", has=tab.page.locator("title", has_text="lvms")).first
    assert node.is_visible()
    assert tab.page.locator('#integrations-out a[href="../applications/lvms.html"], '
                            '#integrations-in a[href="../applications/lvms.html"]').count() >= 1
    assert tab.errors == []


def test_elements_with_violations_are_marked_in_their_diagrams(site, tab) -> None:
    tab.open(site.out / "integrations" / "lab-orders-to-flexlab-aker.html")  # AR003, a warning
    assert tab.page.locator("#violations tbody tr").count() >= 1
    assert tab.page.locator('#violations a[href="../rules/AR003.html"]').count() == 1
    edge_colours = tab.page.locator("#diagram svg g.edge path").evaluate_all(
        "paths => paths.map(p => p.getAttribute('stroke'))")
    assert "#d97706" in edge_colours  # amber: the warning
    tab.open(site.out / "integrations" / "lab-results-sftp.html")
    assert tab.page.locator("#violations .b-waived").count() == 3


def test_building_twice_gives_identical_files(site, reference, tmp_path) -> None:
    again = build_site(reference, tmp_path / "again", as_of=AS_OF)
    assert again.files == site.files
    match, mismatch, errors = filecmp.cmpfiles(site.out, again.out, list(site.files), shallow=False)
    assert mismatch == [] and errors == [] and len(match) == len(site.files)
