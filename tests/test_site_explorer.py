"""The explorer page of the docs site in the real headless Chromium, from file:// with no network: it loads
without a console error, search finds an application, a real click on the canvas shows the application's
neighbourhood (1 or 2 hops, integration platforms included, exactly as the model says), the filters hide what
they should, the selection lives in the URL fragment, pages link into it. Also its data script, and a hostile
model whose names stay text."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import deque
from pathlib import Path

import pytest

import archrepo
from archrepo.escaping import one_line
from archrepo.model.elements import effective_status
from archrepo.rules.check import CheckOptions, run_check
from archrepo.site import SiteSummary, build_site
from archrepo.site.explorer_data import explorer_script
from tests.conftest import CHROMIUM, ROOT, Tab, write_repo
from tests.hostile_output import PAYLOADS, write_hostile_repo

AS_OF = dt.date(2026, 11, 26)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                     "(`make browser` installs it); the explorer is tested in it"),
]


@pytest.fixture(scope="module")
def reference() -> archrepo.Repository:
    return archrepo.load(ROOT / "archrepo.yaml")


@pytest.fixture(scope="module")
def site(reference, tmp_path_factory) -> SiteSummary:
    return build_site(reference, tmp_path_factory.mktemp("site") / "docs", as_of=AS_OF)


def open_explorer(tab: Tab, out: Path, fragment: str = "") -> None:
    tab.page.goto((out / "explorer.html").as_uri() + fragment, wait_until="load")
    tab.page.wait_for_function("() => window.archrepoExplorer && window.archrepoExplorer.cy.nodes().length > 0")


def shown_ids(tab: Tab) -> set[str]:
    """The applications drawn and visible (not the owner boxes), once the page has handled what came before
    (two animation frames: a loaded machine may still be dispatching the last control's events)."""
    tab.page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    shown = set(tab.page.evaluate("""() => window.archrepoExplorer.cy.nodes(':visible')
        .filter(n => !n.hasClass('group')).map(n => n.id())"""))
    assert tab.page.locator("#explorer-count").inner_text().startswith(f"Showing {len(shown)} of ")
    return shown


def neighbourhood(model, focus: str, hops: int, standard: str | None = None) -> set[str]:
    """What the explorer must show: applications in service reached through integrations that are not retired,
    from an end to the other end or to the platform it goes through, and from a platform to both ends."""
    in_service = {a.id for a in model.of_kind("Application") if effective_status(a, AS_OF) != "retired"}
    touching: dict[str, list] = {}
    for integration in model.of_kind("Integration"):
        if integration.get("status", "active") == "retired":
            continue
        if standard is not None and integration.get("standard") != standard:
            continue
        ends = {integration.get("source"), integration.get("target"), integration.get("via")} - {None}
        for end in ends:
            touching.setdefault(end, []).append(ends)
    distance = {focus: 0}
    queue = deque([focus])
    while queue:
        current = queue.popleft()
        if distance[current] >= hops:
            continue
        for ends in touching.get(current, ()):
            for other in sorted(ends - {current}):
                if other not in distance and other in in_service:
                    distance[other] = distance[current] + 1
                    queue.append(other)
    return set(distance)


def test_the_explorer_loads_from_disk_without_errors_and_shows_the_landscape(site, reference, tab) -> None:
    open_explorer(tab, site.out)
    in_service = {a.id for a in reference.model.of_kind("Application") if effective_status(a, AS_OF) != "retired"}
    assert shown_ids(tab) == in_service  # retired ones are filtered out by default
    total = len(reference.model.of_kind("Application"))
    assert tab.page.locator("#explorer-count").inner_text() == f"Showing {len(in_service)} of {total} applications."
    scripts = tab.page.evaluate("() => Array.from(document.scripts, s => s.getAttribute('src'))")
    assert scripts[-3:] == ["static/vendor/cytoscape.min.js", "explorer-data.js", "static/explorer.js"]
    assert tab.page.evaluate("() => cytoscape.version") == "3.35.0"
    assert tab.errors == []


def test_search_finds_an_application_and_shows_its_neighbourhood(site, reference, tab) -> None:
    open_explorer(tab, site.out)
    tab.page.locator("#explorer-search").press_sequentially("DIPS")
    result = tab.page.locator("#explorer-results button", has_text="DIPS Arena").first
    result.wait_for(state="visible")
    result.click()
    assert tab.page.locator("#explorer-detail h2").inner_text() == "DIPS Arena"
    assert tab.page.locator("#explorer-open").get_attribute("href") == "applications/dips-arena.html"
    assert shown_ids(tab) == neighbourhood(reference.model, "dips-arena", 1)
    assert "Neighbourhood of DIPS Arena (1 hop)" in tab.page.locator("#explorer-mode").inner_text()
    assert tab.page.evaluate("() => window.location.hash") == "#app=dips-arena"
    tab.page.locator("#explorer-open").click()
    tab.page.wait_for_url("**/applications/dips-arena.html")
    assert tab.errors == []


def test_a_click_on_an_application_shows_its_neighbourhood_through_platforms(site, reference, tab) -> None:
    open_explorer(tab, site.out)
    # bring the tile to a readable size at the centre, then click where Chromium draws it
    tab.page.evaluate("""() => { const cy = window.archrepoExplorer.cy;
        cy.zoom(1); cy.center(cy.getElementById('flexlab')); }""")
    box = tab.page.locator("#explorer-graph").bounding_box()
    point = tab.page.evaluate("() => window.archrepoExplorer.cy.getElementById('flexlab').renderedPosition()")
    tab.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    tab.page.locator("#explorer-detail h2").wait_for(state="visible")
    assert tab.page.locator("#explorer-detail h2").inner_text().startswith("Flexlab")
    one = neighbourhood(reference.model, "flexlab", 1)
    assert shown_ids(tab) == one
    # flexlab's integrations go through the integration platform, which is shown with the ends behind it
    platform = "regional-integrasjonsplattform"
    assert platform in one
    tab.page.locator("#explorer-hops").select_option("2")
    two = neighbourhood(reference.model, "flexlab", 2)
    assert shown_ids(tab) == two and len(two) > len(one)
    assert tab.page.evaluate("() => window.location.hash") == "#app=flexlab&hops=2"
    edges = tab.page.evaluate("""() => window.archrepoExplorer.cy.edges().map(e => [e.source().id(),
        e.target().id()])""")
    assert [platform, "flexlab"] in edges or ["flexlab", platform] in edges  # hops through the platform drawn
    assert tab.errors == []


def test_filters_hide_what_they_should(site, reference, tab) -> None:
    model = reference.model
    open_explorer(tab, site.out)
    in_service = shown_ids(tab)
    tab.page.locator("#filter-lifecycle input[value=active]").uncheck()
    assert shown_ids(tab) == {a for a in in_service if effective_status(model.elements[a], AS_OF) != "active"}
    tab.page.locator("#filter-lifecycle input[value=active]").check()
    tab.page.locator("#filter-lifecycle input[value=retired]").check()
    assert shown_ids(tab) == {a.id for a in model.of_kind("Application")}
    tab.page.locator("#filter-lifecycle input[value=retired]").uncheck()
    # owner: the organisation and those under it
    tab.page.locator("#filter-owner").select_option(label="Helse Sør-Øst RHF › Sykehuspartner HF")
    owned = {a for a in in_service if model.elements[a].get("owner") == "sykehuspartner"}
    assert shown_ids(tab) == owned and owned
    assert "owner=sykehuspartner" in tab.page.evaluate("() => window.location.hash")
    tab.page.locator("#filter-owner").select_option("")
    # standard, around a focus: only integrations of that standard lead anywhere
    tab.page.locator("#explorer-search").fill("dips-arena")
    tab.page.locator("#explorer-search").press("Enter")
    used = sorted({str(i.get("standard")) for i in model.of_kind("Integration")
                   if "dips-arena" in (i.get("source"), i.get("target")) and i.get("status", "active") != "retired"})
    standard = min(used, key=lambda s: (len(neighbourhood(model, "dips-arena", 1, standard=s)), s))
    tab.page.locator("#filter-standard").select_option(standard)
    expected = neighbourhood(model, "dips-arena", 1, standard=standard)
    assert shown_ids(tab) == expected and 1 < len(expected) < len(neighbourhood(model, "dips-arena", 1))
    labels = tab.page.evaluate("() => window.archrepoExplorer.cy.edges().map(e => e.data('label'))")
    assert labels and all(label.startswith(standard) and "," not in label for label in labels)
    assert tab.errors == []


def test_the_violations_filter_shows_the_applications_the_check_found(browser, tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", {"models/model.yaml": """
        kind: Organisation
        id: trust
        name: Trust
        ---
        kind: Application
        id: ownerless
        name: Ownerless (AR001, an error)
        description: No owner.
        lifecycle: {status: active}
        ---
        kind: Application
        id: orphan
        name: Orphan (AR005, a warning)
        description: Nothing uses it.
        owner: trust
        lifecycle: {status: active}
        ---
        kind: Application
        id: sender
        name: Sender
        description: Sends.
        owner: trust
        lifecycle: {status: active}
        ---
        kind: Application
        id: receiver
        name: Receiver
        description: Receives.
        owner: trust
        lifecycle: {status: active}
        ---
        kind: Integration
        id: sender-to-receiver
        name: Sender to receiver
        description: A clean one.
        source: sender
        target: receiver
        standard: FHIR-R4
        security: {encrypted: true, authentication: mtls}
        """}, config="models: [models]\nprinciples: [principles]\nrules: [rules]\n"
               "approved_standards: [FHIR-R4]\n")
    repository = archrepo.load(repo / "archrepo.yaml")
    summary = build_site(repository, tmp_path / "site", as_of=AS_OF)
    check = run_check(repository.config, CheckOptions(as_of=AS_OF))
    in_service = {a.id for a in repository.model.of_kind("Application") if effective_status(a, AS_OF) != "retired"}
    worst: dict[str, int] = {}
    for violation in check.counting():
        worst[violation.element] = max(worst.get(violation.element, 0), int(violation.severity))
    errors = {e for e, level in worst.items() if level == 3}
    warnings = {e for e, level in worst.items() if level >= 2}
    tab = Tab(browser)
    try:
        open_explorer(tab, summary.out)
        for choice, expected in (("error", errors), ("warning", warnings), ("none", in_service - set(worst))):
            tab.page.locator("#filter-violations").select_option(choice)
            assert shown_ids(tab) == in_service & expected, choice
        assert errors == {"ownerless"} and warnings == {"ownerless", "orphan"}
        assert tab.errors == []
    finally:
        tab.page.close()


def test_pages_link_into_the_explorer_and_the_fragment_is_its_state(site, reference, tab) -> None:
    tab.open(site.out / "applications" / "lvms.html")
    tab.page.locator("#diagram a", has_text="Explore its neighbourhood").click()
    tab.page.wait_for_function("() => window.archrepoExplorer && window.archrepoExplorer.state.focus >= 0")
    assert tab.page.locator("#explorer-detail h2").inner_text().startswith("LVMS")
    assert shown_ids(tab) == neighbourhood(reference.model, "lvms", 1)
    open_explorer(tab, site.out, "#owner=sykehuspartner&violations=none&hops=2")
    assert tab.page.locator("#filter-owner option:checked").inner_text() == "Helse Sør-Øst RHF › Sykehuspartner HF"
    assert tab.page.locator("#filter-violations").input_value() == "none"
    assert tab.page.locator("#explorer-hops").input_value() == "2"
    open_explorer(tab, site.out, "#app=no-such-app&owner=%3Cimg%3E&standard=x")  # unknown values are ignored
    assert tab.page.locator("#explorer-detail h2").count() == 0
    assert tab.errors == []


def test_the_data_script_cannot_be_ended_or_read_as_markup() -> None:
    names = ["</script><script>window.__xss=1</script>", "a\u2028b\u2029c", "<!--", "&amp; \"'", "]]>"]
    data = {"apps": [[name, name] for name in names]}
    script = explorer_script(data, "marker")
    body = script.split("\n", 1)[1]
    assert not re.search("[<>&\u2028\u2029]", body)
    assigned = body.removeprefix("window.ARCHREPO_EXPLORER = ").removesuffix(";\n")
    assert json.loads(assigned) == data  # and it still says exactly the names


def test_hostile_names_in_the_explorer_stay_text(browser, tmp_path: Path) -> None:
    """Every payload of the hostile corpus as an application's name: found by search, selected, shown in the
    detail panel as exactly its text, and no script of the model runs."""
    repo = write_hostile_repo(tmp_path / "repo", long_name=False, rules=False)
    summary = build_site(archrepo.load(repo / "archrepo.yaml"), tmp_path / "site", as_of=AS_OF)
    model = archrepo.load(repo / "archrepo.yaml").model
    page = browser.new_page()
    problems: list[str] = []
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    try:
        page.goto((summary.out / "explorer.html").as_uri(), wait_until="load")
        page.wait_for_function("() => window.archrepoExplorer !== undefined")
        for key in PAYLOADS:
            page.locator("#explorer-search").fill(f"app-{key}")
            page.locator("#explorer-results button").first.click()
            name = page.locator("#explorer-detail h2").evaluate("h => h.textContent")
            expected = model.elements[f"app-{key}"].name
            assert name == one_line(expected), key
            page.wait_for_timeout(5)
        assert page.evaluate("() => window.__xss") is None
        # nothing the model wrote became an element: the panels hold only what the script made
        tags = set(page.evaluate("() => Array.from(document.querySelectorAll('#explorer-detail *, "
                                 "#explorer-results *'), e => e.tagName)"))
        assert tags <= {"H2", "H3", "DL", "DT", "DD", "A", "UL", "LI", "P", "BUTTON", "SPAN"}
    finally:
        page.close()
    assert problems == []
