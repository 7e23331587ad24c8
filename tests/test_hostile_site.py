"""The docs site of a hostile model, in the real headless Chromium: no script from the model runs on any page, and
no page carries markup the model wrote (event handlers, scripts, images, frames, links out of the site).

Also the Markdown site (rendered by a real CommonMark parser) and ids too long for a file name."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

import archrepo
from archrepo.site import build_site
from archrepo.site.render import MARKER
from tests.conftest import CHROMIUM
from tests.hostile_output import PAYLOADS, write_hostile_repo
from tests.markdown_check import assert_markdown_is_text

AS_OF = dt.date(2026, 11, 26)
MARKER_LINE = f"<!-- {MARKER} -->"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]

# What a page may hold: only archrepo's own scripts and no element a model could have smuggled in.
_INSPECT = """(source) => {
  const doc = source ? new DOMParser().parseFromString(source[0], 'text/html') : document;
  const base = source ? source[1] : document.baseURI;
  const found = [];
  for (const el of doc.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (attr.name.toLowerCase().startsWith('on')) found.push(`${el.tagName} has ${attr.name}`);
      if (/href|src|action/i.test(attr.name)) {
        const url = new URL(attr.value, base);
        const ownIcon = el.tagName === 'LINK' && attr.value === 'data:,';  // the site's empty favicon
        if (url.protocol !== 'file:' && !ownIcon) found.push(`${el.tagName} ${attr.name}=${attr.value}`);
      }
    }
  }
  for (const el of doc.querySelectorAll('script')) {
    const src = el.getAttribute('src') || '';
    if (!/(^|\\/)(search-index\\.js|explorer-data\\.js|static\\/(site|explorer|vendor\\/cytoscape\\.min)\\.js)$/.test(src)) {
      found.push(`script ${src || el.textContent}`);
    }
  }
  for (const el of doc.querySelectorAll('img, iframe, object, embed, foreignObject, image, use, style, '
                                              + 'animate, set, video, audio, form, base, meta[http-equiv]')) {
    // the one style element Cytoscape.js adds to the explorer, exactly
    const cytoscape = el.tagName === 'STYLE' && el.id === '__________cytoscape_stylesheet'
      && el.textContent === '.__________cytoscape_container { position: relative; }';
    if (!cytoscape) found.push(`element ${el.tagName}`);
  }
  return {found, xss: window.__xss === undefined ? null : String(window.__xss), title: doc.title};
}"""

# Payloads that run script if they reach a page as markup; the corpus-wide test below has them all, this set is
# the one a site could be built from before the fix (Graphviz refused the others), so a browser sees them.
SCRIPT_PAYLOADS = ("graphviz-html-href", "html-img", "attribute-break", "single-quote-break", "javascript-url",
                   "entity-spelling", "markdown-link", "mermaid-break")


def inspect_pages(browser, out: Path, navigate: set[str]) -> list[str]:
    """Every page of the site, what is wrong with it. The pages in ``navigate`` (paths relative to ``out``) are
    opened for real (scripts run, images load, handlers fire); the others are parsed by Chromium's DOMParser,
    which builds the same document without running it (much faster)."""
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    problems = []
    try:
        page.goto((out / "index.html").as_uri(), wait_until="load")
        for path in sorted(out.rglob("*.html")):
            where = str(path.relative_to(out))
            if where in navigate:
                page.goto(path.as_uri(), wait_until="load")
                page.wait_for_timeout(10)  # let onerror/onload handlers of anything that slipped through fire
                result = page.evaluate(_INSPECT, None)
            else:
                result = page.evaluate(_INSPECT, [path.read_text(encoding="utf-8"), path.as_uri()])
            problems += [f"{where}: {item}" for item in result["found"]]
            if result["xss"] is not None:
                problems.append(f"{where}: a script from the model ran (window.__xss = {result['xss']})")
            if not result["title"].endswith("Architecture repository"):
                problems.append(f"{where}: the title was changed to {result['title']!r}")
            problems += [f"{where}: a dialog opened: {message}" for message in dialogs]
            dialogs.clear()
    finally:
        page.close()
    return problems


def test_no_script_from_the_model_runs_on_any_page(browser, tmp_path: Path) -> None:
    repo = write_hostile_repo(tmp_path / "repo", {key: PAYLOADS[key] for key in SCRIPT_PAYLOADS}, long_name=False,
                              rules=False)
    summary = build_site(archrepo.load(repo / "archrepo.yaml"), tmp_path / "site", as_of=AS_OF)
    assert summary.diagrams > 0
    navigate = {p for p in summary.files if p.endswith(".html") and "/index" not in p}  # all but the lists
    assert inspect_pages(browser, summary.out, navigate) == []


def test_the_site_of_the_whole_hostile_corpus_is_built_and_inert(browser, tmp_path: Path) -> None:
    repo = write_hostile_repo(tmp_path / "repo")
    summary = build_site(archrepo.load(repo / "archrepo.yaml"), tmp_path / "site", as_of=AS_OF)
    assert summary.pages > 200
    # every page parsed; a real navigation to the index (the landscape holds every name), the violations, the
    # application page of every payload that would run script, and one page of every other kind
    scripts = [key for key, text in PAYLOADS.items() if "__xss" in text or "alert(" in text]
    navigate = {"index.html", "violations.html"} | {f"applications/app-{key}.html" for key in scripts}
    navigate |= {f"{directory}/{prefix}-graphviz-html-href.html" for directory, prefix in (
        ("processes", "proc"), ("integrations", "int"), ("data", "data"), ("organisations", "org"),
        ("capabilities", "cap"))}
    assert inspect_pages(browser, summary.out, navigate) == []
    # the 20 KB name is drawn, cut, and the page still says it in full
    page = (summary.out / "applications" / "app-long.html").read_text(encoding="utf-8")
    assert "L" * 20_000 in page and "…" in page


def test_the_markdown_site_renders_as_text(tmp_path: Path) -> None:
    repo = write_hostile_repo(tmp_path / "repo")
    summary = build_site(archrepo.load(repo / "archrepo.yaml"), tmp_path / "site", fmt="markdown", as_of=AS_OF)
    for path in sorted(summary.out.rglob("*.md")):
        assert_markdown_is_text(path.read_text(encoding="utf-8"), allowed_tags={"code"}, links=True,
                                where=str(path.relative_to(summary.out)), allowed_blocks=frozenset({MARKER_LINE}))


def test_ids_longer_than_a_file_name_get_pages_and_every_link_resolves(browser, tmp_path: Path) -> None:
    """Ids have no length limit (255 and 300 characters are valid), file names do."""
    stem = "long-" + "x" * 300
    long_ids = {stem[:255], stem[:299] + "b", stem[:299] + "c"}  # the two of 300 differ only at the end
    documents = "".join(f"---\nkind: Application\nid: {i}\nname: App {len(i)} {i[-1]}\nowner: org\n"
                        f"lifecycle: {{status: active}}\n" for i in sorted(long_ids))
    documents += "---\nkind: Organisation\nid: org\nname: Org\n"
    documents += "".join(f"---\nkind: Integration\nid: int-{n}\nsource: {a}\ntarget: {b}\nstandard: FHIR-R4\n"
                         for n, (a, b) in enumerate(zip(sorted(long_ids), sorted(long_ids)[1:], strict=False)))
    repo = tmp_path / "repo"
    (repo / "models").mkdir(parents=True)
    (repo / "archrepo.yaml").write_text("models: [models]\n", encoding="utf-8")
    (repo / "models" / "long.yaml").write_text(documents.removeprefix("---\n"), encoding="utf-8")
    for fmt in ("html", "markdown"):
        summary = build_site(archrepo.load(repo / "archrepo.yaml"), tmp_path / fmt, fmt=fmt, as_of=AS_OF)
        names = [Path(name).name for name in summary.files]
        assert max(len(name.encode()) for name in names) <= 255
        assert len([n for n in names if n.startswith("long-")]) == 3  # three pages, none shared
    out = tmp_path / "html"
    assert _broken_links(browser, out) == []
    index = (out / "search-index.js").read_text(encoding="utf-8")
    assert all(f'"i":"{i}"' in index for i in long_ids)  # search shows the real ids


def _broken_links(browser, out: Path) -> list[str]:
    page = browser.new_page()
    broken = []
    try:
        for path in sorted(out.rglob("*.html")):
            page.goto(path.as_uri(), wait_until="load")
            links = page.evaluate("""() => Array.from(document.querySelectorAll('a'),
                a => a.getAttribute('href') ?? a.getAttribute('xlink:href')).filter(h => h !== null)
                .map(h => new URL(h, document.baseURI).href)""")
            for link in links:
                url = urlparse(link)
                if url.scheme == "file" and not Path(unquote(url.path)).is_file():
                    broken.append(f"{path.relative_to(out)} -> {link}")
    finally:
        page.close()
    return broken
