"""`archrepo docs` as a library call: check the repository, lay out the pages, render diagrams and
templates, and write the site into a directory without touching anything it did not generate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from archrepo.api import Repository
from archrepo.errors import ModelError, UsageError
from archrepo.model.elements import KINDS
from archrepo.output import write_atomic
from archrepo.rules.check import CheckOptions, CheckResult, run_check
from archrepo.rules.definitions import load_rules
from archrepo.site.content import SiteContent
from archrepo.site.crossref import build_cross_reference
from archrepo.site.diagrams import plan_diagrams, render_diagrams
from archrepo.site.element_pages import element_page
from archrepo.site.links import Page
from archrepo.site.overview_pages import (
    ELEMENT_KINDS,
    index_page,
    list_page,
    principle_page,
    rule_page,
    violations_page,
)
from archrepo.site.ownership import claim_files, remove_stale
from archrepo.site.render import FORMATS, MARKER, PageRenderer, static_files
from archrepo.site.search import search_index_script
from archrepo.views.marks import violation_marks

__all__ = ["SiteSummary", "build_site"]

SITE_TITLE = "Architecture repository"


@dataclass(frozen=True)
class SiteSummary:
    """What a build wrote: counts for people, paths (relative to ``out``) for tools and tests."""

    out: Path
    fmt: str
    pages: int
    diagrams: int
    files: tuple[str, ...]  # every file of the site, sorted
    written: tuple[str, ...]  # those whose content changed (the others were left as they were)
    removed: tuple[str, ...]  # pages of an earlier build that no longer exist
    elements: dict[str, int]  # per kind
    violations: dict[str, int]  # the check summary

    @property
    def entry(self) -> Path:
        """The page to open first."""
        return self.out / f"index{FORMATS[self.fmt]}"


def build_site(repository: Repository, out: Path, *, fmt: str = "html", as_of: dt.date | None = None,
               result: CheckResult | None = None, workers: int | None = None) -> SiteSummary:
    """Write the documentation site of ``repository`` into ``out`` (created if missing).

    ``fmt``: ``html`` (pages with inline SVG diagrams and a search box; opens from the file system) or
    ``markdown`` (pages with Mermaid diagrams, for MkDocs or a wiki). ``as_of``: the date lifecycles and
    rules are evaluated at (default today). ``result``: a check already run for that date, if the caller has
    one. Output is deterministic. Files in ``out`` that archrepo did not generate are never overwritten or
    deleted: UsageError, before anything is written. ModelError when the model is invalid."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown site format '{fmt}'", hint=f"Use one of: {', '.join(FORMATS)}.")
    day = as_of or dt.date.today()
    if result is None:
        result = run_check(repository.config, CheckOptions(as_of=day))
    if result.errors:
        raise ModelError.from_diagnostics(result.errors, "the model is invalid; no documentation written")
    model = repository.model
    views = plan_diagrams(model, repository.dependencies, as_of=day, marks=violation_marks(result),
                          ext=FORMATS[fmt] if fmt == "html" else None)
    content = SiteContent(
        model=model, result=result, xref=build_cross_reference(model, result.violations), as_of=day,
        rules=load_rules(repository.config, result.principles, include_disabled=True),
        enabled=frozenset(r.id for r in result.rules), diagrams=frozenset(views),
        approved_standards=tuple(repository.config.approved_standards))
    pages = site_pages(content)
    assets = {"search-index.js": search_index_script(pages, MARKER), **static_files()} if fmt == "html" else {}
    claimed = claim_files(out, fmt, [page.path + FORMATS[fmt] for page in pages] + list(assets))
    diagrams = render_diagrams(views, "svg" if fmt == "html" else "mermaid", workers=workers)
    renderer = PageRenderer(fmt, diagrams, title=SITE_TITLE, as_of=day.isoformat())
    files: dict[str, str] = {page.path + FORMATS[fmt]: renderer.render(page) for page in pages} | assets
    written = [name for name in sorted(files) if _write_if_changed(out / name, files[name])]
    claimed.write_manifest(sorted(files))
    removed = remove_stale(out, claimed.previous - set(files))
    return SiteSummary(out, fmt, len(pages), len(diagrams), tuple(sorted(files)), tuple(written), removed,
                       {kind: len(model.of_kind(kind)) for kind in KINDS}, result.summary())


def site_pages(content: SiteContent) -> list[Page]:
    """Every page of the site, in a fixed order; paths are unique."""
    pages = [index_page(content), violations_page(content)]
    pages += [list_page(content, kind) for kind in (*ELEMENT_KINDS, "Principle", "Rule")]
    pages += [element_page(content, element) for kind in ELEMENT_KINDS for element in content.model.of_kind(kind)]
    pages += [principle_page(content, p) for p in content.sorted_principles()]
    pages += [rule_page(content, rule) for rule in content.rules]
    paths = [page.path for page in pages]
    assert len(paths) == len(set(paths)), "two pages with the same path"
    return pages


def _write_if_changed(path: Path, text: str) -> bool:
    """Write atomically unless the file already holds exactly this text (keeps mtimes for rebuilds)."""
    data = text.encode("utf-8")
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    write_atomic(path, data)
    return True

