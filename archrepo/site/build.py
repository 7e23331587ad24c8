"""`archrepo docs` as a library call: check the repository, lay out the pages, render diagrams and
templates, and write the site into a directory without touching anything it did not generate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from archrepo.api import Repository
from archrepo.errors import ModelError, UsageError
from archrepo.model.elements import KINDS
from archrepo.rules.check import CheckOptions, CheckResult, run_check
from archrepo.rules.definitions import load_rules
from archrepo.site.content import SiteContent
from archrepo.site.crossref import build_cross_reference
from archrepo.site.diagrams import render_diagrams
from archrepo.site.element_pages import element_page
from archrepo.site.explorer_data import explorer_data, explorer_script
from archrepo.site.links import Page
from archrepo.site.overview_pages import (
    ELEMENT_KINDS,
    explorer_page,
    index_page,
    list_page,
    principle_page,
    rule_page,
    violations_page,
)
from archrepo.site.ownership import claim_files, remove_stale
from archrepo.site.plan import plan_diagrams
from archrepo.site.render import FORMATS, MARKER, PageRenderer, static_files
from archrepo.site.search import search_index_script
from archrepo.site.writing import write_changed
from archrepo.views.marks import violation_marks

__all__ = ["SiteSummary", "build_site"]

SITE_TITLE = "Architecture repository"
# (stage, done, total): "diagrams" and "pages", called as they advance, for a progress bar
Progress = Callable[[str, int, int], None]


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
               result: CheckResult | None = None, workers: int | None = None,
               progress: Progress | None = None) -> SiteSummary:
    """Write the documentation site of ``repository`` into ``out`` (created if missing).

    ``fmt``: ``html`` (pages with inline SVG diagrams and a search box; opens from the file system) or
    ``markdown`` (pages with Mermaid diagrams, for MkDocs or a wiki). ``as_of``: the date lifecycles and
    rules are evaluated at (default today). ``result``: a check already run for that date, if the caller has
    one. ``workers``: processes rendering diagrams (default: one per core). ``progress``: told how the diagrams
    and pages advance. Output is deterministic. Files in ``out`` that archrepo did not generate are never overwritten or
    deleted: UsageError, before anything is written. ModelError when the model is invalid."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown site format '{fmt}'", hint=f"Use one of: {', '.join(FORMATS)}.")
    day = as_of or dt.date.today()
    if result is None:
        result = run_check(repository.config, CheckOptions(as_of=day))
    if result.errors:
        raise ModelError.from_diagnostics(result.errors, "the model is invalid; no documentation written")
    model = repository.model
    plans = plan_diagrams(model, repository.dependencies, as_of=day, marks=violation_marks(result),
                          ext=FORMATS[fmt] if fmt == "html" else None)
    content = SiteContent(
        model=model, result=result, xref=build_cross_reference(model, result.violations), as_of=day,
        rules=load_rules(repository.config, result.principles, include_disabled=True),
        enabled=frozenset(r.id for r in result.rules),
        diagrams={key: (plan.view is not None, plan.note) for key, plan in plans.items()}, explorer=fmt == "html",
        approved_standards=tuple(repository.config.approved_standards))
    pages = site_pages(content)
    assets: dict[str, str] = {}
    if fmt == "html":
        pages.append(explorer_page(content))
        data = explorer_data(model, content.xref.by_element, day)
        assets = {"search-index.js": search_index_script(pages, MARKER),
                  "explorer-data.js": explorer_script(data, MARKER), **static_files()}
    claimed = claim_files(out, fmt, [page.path + FORMATS[fmt] for page in pages] + list(assets))
    drawn = sum(1 for plan in plans.values() if plan.view is not None)
    diagrams = render_diagrams(plans, "svg" if fmt == "html" else "mermaid", workers=workers,
                               progress=_counter(progress, "diagrams", drawn))
    renderer = PageRenderer(fmt, diagrams, title=SITE_TITLE, as_of=day.isoformat())
    files = _render_pages(renderer, pages, progress) | assets
    written = write_changed(out, files)
    claimed.write_manifest(sorted(files))
    removed = remove_stale(out, claimed.previous - set(files))
    return SiteSummary(out, fmt, len(pages), len(diagrams), tuple(sorted(files)), tuple(written), removed,
                       {kind: len(model.of_kind(kind)) for kind in KINDS}, result.summary())


def _counter(progress: Progress | None, stage: str, total: int) -> Callable[[int], None] | None:
    """A callback that adds up what is done and tells ``progress``."""
    if progress is None:
        return None
    done = 0
    progress(stage, 0, total)

    def advance(count: int) -> None:
        nonlocal done
        done += count
        progress(stage, done, total)

    return advance


def _render_pages(renderer: PageRenderer, pages: list[Page], progress: Progress | None) -> dict[str, str]:
    advance = _counter(progress, "pages", len(pages))
    files: dict[str, str] = {}
    for number, page in enumerate(pages, start=1):
        files[page.path + renderer.ext] = renderer.render(page)
        if advance is not None and (number % 200 == 0 or number == len(pages)):
            advance(200 if number % 200 == 0 else number % 200)
    return files


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
