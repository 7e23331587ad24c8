"""`archrepo docs` as a library call: check the repository, lay out the pages, render diagrams and
templates, and write the site into a directory without touching anything it did not generate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from archrepo.api import Repository
from archrepo.errors import ModelError, UsageError
from archrepo.model.elements import KINDS, Element
from archrepo.rules.check import CheckOptions, CheckResult, run_check
from archrepo.rules.definitions import load_rules
from archrepo.site.assemble import Counter, Progress, render_pages
from archrepo.site.content import SiteContent
from archrepo.site.crossref import build_cross_reference
from archrepo.site.diagram_cache import DiagramCache
from archrepo.site.diagrams import DiagramRendering, content_of
from archrepo.site.element_pages import element_page
from archrepo.site.explorer_data import explorer_data, explorer_script
from archrepo.site.halves import ElementPages, Helper, KeyedPages
from archrepo.site.links import Page, element_path
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
from archrepo.site.page_cache import PageCache
from archrepo.site.page_inputs import PageInputs, Reuse
from archrepo.site.plan import PlannedDiagram, Planner
from archrepo.site.render import FORMATS, MARKER, PageRenderer, static_files
from archrepo.site.search import search_index_script
from archrepo.site.writing import StagedWrites
from archrepo.views.marks import violation_marks

__all__ = ["SiteSummary", "build_site"]

SITE_TITLE = "Architecture repository"
_DIAGRAM_FORMAT = {"html": "svg", "markdown": "mermaid"}  # diagrams inline in pages of each format


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
    laid_out: int = 0  # diagrams Graphviz laid out in this build (the others were drawn directly or cached)
    cached: int = 0  # Graphviz diagrams taken from the diagram cache
    rendered: int = 0  # pages rendered in this build (the others' files already held them)
    helped: int = 0  # element pages made (and found unchanged or not) by a second process (archrepo.site.halves)
    reused: int = 0  # pages left as they were without being made: their inputs had not changed (page_inputs)

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
    counter = Counter(progress)
    cache = DiagramCache.open(repository.config.root) if fmt == "html" else None
    settings = (fmt, SITE_TITLE, day.isoformat())
    page_cache = PageCache.open(repository.config.root, settings)
    planner = Planner(model, repository.dependencies, as_of=day, marks=violation_marks(result),
                      ext=FORMATS[fmt] if fmt == "html" else None)
    content = SiteContent(
        model=model, result=result, xref=build_cross_reference(model, result.violations), as_of=day,
        rules=load_rules(repository.config, result.principles, include_disabled=True),
        enabled=frozenset(r.id for r in result.rules), diagrams={}, explorer=fmt == "html",
        approved_standards=tuple(repository.config.approved_standards), dependencies=repository.dependencies)
    elements = [element for kind in ELEMENT_KINDS for element in model.of_kind(kind)]
    # pages are left as they are on the word of their inputs only with both caches (a page's record names its
    # diagram's cache key)
    inputs = PageInputs(content, settings, cache.version) if cache is not None and page_cache is not None else None
    helper = None
    # the helper finds its diagrams by their cache keys; a first build has nothing to rebuild from
    if cache is not None and page_cache is not None and not page_cache.empty():
        diagram_cache = cache

        def identity_of(name: str, plan: PlannedDiagram) -> tuple[str | None, bool]:
            found = content_of(name, plan, _DIAGRAM_FORMAT[fmt])
            return (None, False) if found is None else (diagram_cache.key(name, found[0]), found[1] is not None)

        helper = Helper.start(planner, content, elements, identity_of=identity_of,
                              reopen=lambda: PageCache.open(repository.config.root, settings), out=out,
                              ext=FORMATS[fmt], inputs=inputs)
    try:
        return _build(repository, out, fmt, day, result, workers, counter, cache, page_cache, planner, content,
                      elements, helper, inputs)
    finally:
        if helper is not None:
            helper.close()


def _build(repository: Repository, out: Path, fmt: str, day: dt.date, result: CheckResult, workers: int | None,
           counter: Counter, cache: DiagramCache | None, page_cache: PageCache | None, planner: Planner,
           content: SiteContent, elements: list[Element], helper: Helper | None,
           inputs: PageInputs | None) -> SiteSummary:
    """The build after its inputs are made and the helper (if any) started: see :func:`build_site`."""
    model = repository.model
    ext = FORMATS[fmt]

    # a first build has nothing recorded to find: its pages' input keys are made once the workers lay out its
    # diagrams
    first = inputs is None or page_cache is None or page_cache.empty()

    def reusable(share: list[Element]) -> Reuse:
        if first:
            return Reuse()
        assert inputs is not None and page_cache is not None
        return Reuse.find(inputs, page_cache, share, out, ext)

    reuse = reusable(helper.here if helper is not None else elements)
    here = reuse.unsettled(helper.here if helper is not None else elements)
    plans = {"index": planner.landscape(), **planner.plan_all(here)}
    elsewhere = helper.plans() if helper is not None else None
    if helper is not None and elsewhere is None:  # the helper failed: its share planned here
        helper.adopt(reusable(helper.share))
        plans.update(planner.plan_all(helper.todo))
    if helper is not None and helper.reuse is not None:
        reuse.update(helper.reuse)
    by_path = {element_path(element.kind, element.id): element for element in helper.share} if helper else {}
    rendering = DiagramRendering(plans, _DIAGRAM_FORMAT[fmt], workers=workers, cache=cache,
                                 progress=counter.advance, elsewhere=elsewhere,
                                 plan_of=lambda name: planner.plan(by_path[name]),
                                 keep={diagram for _, diagram, _ in reuse.settled.values() if diagram})
    counter.add(rendering.total)
    maker = None
    if helper is not None and elsewhere is not None:
        # a rebuild: a core to spare; a first build: the workers lay out diagrams on every core (counted against
        # every diagram of the site, those of the pages left as they are too)
        assert page_cache is not None  # a helper is started only with one
        go = rendering.laid_out * 10 <= rendering.total + len(reuse.settled)
        helper.decide(go)
        if go:
            maker = ElementPages(page_cache, rendering.identity, out, FORMATS[fmt], helper, here)
    content.diagrams = {**{name: (found.drawn, found.note) for name, found in (elsewhere or {}).items()},
                        **{key: (plan.drawn, plan.note) for key, plan in plans.items()}}
    with rendering as diagrams:  # the workers lay out graphs from here on, while this process makes the pages
        if first and inputs is not None:
            reuse.add_fresh(inputs, elements)
        keyed = KeyedPages()
        stubs = []  # the pages left as they are: what the search index and the list of files need
        made = []
        for element in elements:
            path = element_path(element.kind, element.id)
            settled = reuse.settled.get(path)
            if settled is None:
                made.append(element)
                continue
            stubs.append(Page(path, element.name, element.kind, id=element.id))
            keyed.keys[path] = settled[0]
            keyed.settled.add(path)
        if page_cache is not None:
            page_cache.keep(key for page, _, inputs_key in reuse.settled.values() for key in (page, inputs_key))
        try:
            pages, assets = _pages_and_assets(content, fmt, maker, keyed, made, stubs)
            claimed = claim_files(out, fmt, [page.path + FORMATS[fmt] for page in pages] + list(assets))
            counter.add(len(pages))
            renderer = PageRenderer(fmt, diagrams.ready, title=SITE_TITLE, as_of=day.isoformat())
            with StagedWrites(out) as staged:
                rendered = render_pages(renderer, pages, diagrams, counter, staged, page_cache, keyed)
                for name, text in assets.items():
                    staged.write(name, text.encode("utf-8"))
                written = staged.commit()  # only now, with every page and diagram made, is the site changed
            if page_cache is not None:  # what each page made of a covered kind was made from
                for path, inputs_key in reuse.fresh.items():
                    if path in keyed.keys:
                        page_cache.record(inputs_key, keyed.keys[path], diagrams.identity(path))
        except BaseException:
            if page_cache is not None:
                page_cache.abandon()
            raise
        if page_cache is not None:
            page_cache.close()
    files = {page.path + FORMATS[fmt] for page in pages} | set(assets)
    claimed.write_manifest(sorted(files))
    removed = remove_stale(out, claimed.previous - files)
    # the site's diagrams: those of the pages made, and those the pages left as they are show
    shown = len(diagrams.ready) + sum(1 for _, diagram, _ in reuse.settled.values() if diagram)
    return SiteSummary(out, fmt, len(pages), shown, tuple(sorted(files)), tuple(written), removed,
                       {kind: len(model.of_kind(kind)) for kind in KINDS}, result.summary(), diagrams.laid_out,
                       diagrams.cached, rendered, keyed.helped, len(stubs))


def _pages_and_assets(content: SiteContent, fmt: str, maker: ElementPages | None, keyed: KeyedPages,
                      elements: list[Element], stubs: list[Page]) -> tuple[list[Page], dict[str, str]]:
    """Every page (of ``elements``: those to make; ``stubs``: the others), and (HTML) the scripts and styles
    beside them by file name."""
    if fmt != "html":
        return site_pages(content, maker, keyed, elements) + stubs, {}
    # the explorer's data first: it needs no page, and a rebuild's helper is still making its pages meanwhile
    explorer = explorer_script(explorer_data(content.model, content.xref.by_element, content.as_of), MARKER)
    pages = site_pages(content, maker, keyed, elements) + stubs
    pages.append(explorer_page(content))
    return pages, {"search-index.js": search_index_script(pages, MARKER), "explorer-data.js": explorer,
                   **static_files()}


def site_pages(content: SiteContent, maker: ElementPages | None = None, keyed: KeyedPages | None = None,
               elements: list[Element] | None = None) -> list[Page]:
    """Every page of the site, in a fixed order; paths are unique. ``maker``: the element pages (of
    ``elements``, every element of a kind with pages) are made, keyed (into ``keyed``) and judged by it, in two
    processes (:mod:`archrepo.site.halves`)."""

    def overviews() -> list[Page]:
        return [index_page(content), violations_page(content),
                *(list_page(content, kind) for kind in (*ELEMENT_KINDS, "Principle", "Rule"))]

    if elements is None:
        elements = [element for kind in ELEMENT_KINDS for element in content.model.of_kind(kind)]
    if maker is not None and keyed is not None:
        pages = maker.make(content, keyed, overviews)
    else:
        pages = overviews() + [element_page(content, element) for element in elements]
    pages += [principle_page(content, p) for p in content.sorted_principles()]
    pages += [rule_page(content, rule) for rule in content.rules]
    paths = [page.path for page in pages]
    assert len(paths) == len(set(paths)), "two pages with the same path"
    return pages
