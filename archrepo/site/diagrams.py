"""Rendering the planned diagrams of the site: inline SVG (Graphviz in worker processes, batches of graphs per
`dot`, each SVG rebuilt from an allow-list; integration rows and landscape maps written directly), or Mermaid
text for Markdown.

The pages wait only for their own diagram: :class:`DiagramRendering` hands out what is ready at once (rows and
maps drawn here, Mermaid, SVGs from the diagram cache) and then each batch as a worker finishes it, so the main
process writes pages while the workers lay out graphs; what they render goes into the cache."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from types import TracebackType

from archrepo.escaping import one_line, shorten
from archrepo.site.diagram_cache import DiagramCache
from archrepo.site.flow_svg import render_flow_svg, render_rows_svg
from archrepo.site.plan import PlannedDiagram
from archrepo.site.render_pool import DotJob, rendering
from archrepo.views import ViewGraph
from archrepo.views.map_formats import render_map_mermaid
from archrepo.views.map_svg import render_map_svg
from archrepo.views.render_mermaid import render_mermaid

__all__ = ["ALONE_ABOVE", "DiagramRendering", "Elsewhere", "content_of"]

Progress = Callable[[int], None]
ALONE_ABOVE = 40  # boxes
DRAWN_BY_WORKERS = 500  # diagrams archrepo draws itself: from this many, the workers draw them


@dataclass(frozen=True)
class Elsewhere:
    """A diagram planned in another process (:mod:`archrepo.site.halves`): its cache key, whether it is drawn,
    its note, and whether Graphviz lays it out."""

    identity: str | None
    drawn: bool
    note: str
    graphviz: bool


class DiagramRendering:
    """The diagrams of ``plans`` as inline SVG (``fmt="svg"``) or Mermaid text, by page path. Use as a context
    manager: ``ready`` holds what is rendered; :meth:`finished` yields the keys of each batch the workers
    complete, after adding them to ``ready``. Leaving the block ends the workers. ``progress`` is called with
    the number of diagrams done, as they are done. What is rendered does not depend on the order the workers
    finish in, nor on what the cache held.

    ``elsewhere``: diagrams planned by another process, known here by their cache key (needs ``cache``); those
    the cache holds are read from it when a page needs them; the others, and any whose entry fails when read, are
    planned here with ``plan_of`` (their page path) and drawn. ``keep``: cache keys of diagrams of pages this
    build leaves as they are (:mod:`archrepo.site.page_inputs`), kept in the cache with those it renders."""

    def __init__(self, plans: Mapping[str, PlannedDiagram], fmt: str, *, workers: int | None = None,
                 cache: DiagramCache | None = None, progress: Progress | None = None,
                 elsewhere: Mapping[str, Elsewhere] | None = None,
                 plan_of: Callable[[str], PlannedDiagram | None] | None = None,
                 keep: Iterable[str] = ()) -> None:
        self.ready = Diagrams(self._fetch)
        self._keep = set(keep)
        self.pending: set[str] = set()
        self._all_jobs: list[DotJob] = []
        self._workers = workers
        self._progress = progress
        self._stack = ExitStack()
        self._cache = cache
        self._fmt = fmt
        self._plan_of = plan_of
        self._drawn_here: dict[str, PlannedDiagram] = {}  # maps, rows, Mermaid: drawn once workers run
        self._by_workers: set[str] = set()  # those of them the workers draw
        self._contents: dict[str, object] = {}
        for key, plan in sorted(plans.items()):
            self._add(key, plan)
        # in the cache: read only for the pages rendered (a rebuild renders a few), when they are
        cached = cache.present(list(self._contents.items())) if cache is not None else set()
        self._elsewhere: dict[str, str] = {}  # page path -> cache key, of diagrams planned elsewhere and cached
        elsewhere_jobs = 0
        if elsewhere:
            assert cache is not None and plan_of is not None, "diagrams planned elsewhere are found by cache key"
            drawn = {name: found.identity for name, found in elsewhere.items() if found.identity is not None}
            present = cache.present_keys(drawn)
            for name in sorted(drawn):
                if name in present:
                    self._elsewhere[name] = drawn[name]
                    elsewhere_jobs += elsewhere[name].graphviz
                else:  # not in the cache: planned here, to be drawn
                    self._add(name, plan_of(name))
            cached |= present
        self.ready.cached.update(cached)
        self._all_jobs.sort(key=lambda job: job.key)
        # Graphviz diagrams taken from the cache
        self.cached = sum(1 for job in self._all_jobs if job.key in cached) + elsewhere_jobs
        self._jobs = [job for job in self._all_jobs if job.key not in cached]
        self.laid_out = len(self._jobs)  # Graphviz diagrams this build lays out
        # a first build's thousands of rows, lineages and maps are drawn by the workers too: this process has
        # the pages to make meanwhile
        to_draw = [key for key in self._drawn_here if key not in cached]
        if fmt == "svg" and len(to_draw) >= DRAWN_BY_WORKERS:
            self._jobs += [DotJob(key, self._drawn_here[key].view, (), plan=self._drawn_here[key]) for key in to_draw]
            self._by_workers = set(to_draw)
        self.pending = {job.key for job in self._jobs}
        self.total = len(self._contents) + len(self._elsewhere)
        self._batches: Iterator[list[tuple[str, str]]] = iter(())

    def _add(self, key: str, plan: PlannedDiagram | None) -> None:
        found = content_of(key, plan, self._fmt)
        if found is None:
            return
        assert plan is not None
        content, job = found
        self._contents[key] = content
        if job is None:
            self._drawn_here[key] = plan
        else:
            self._all_jobs.append(job)

    def identity(self, name: str) -> str | None:
        """What the diagram of page ``name`` is a function of (its cache key, which covers its content, the code
        and Graphviz's version), for the key of the page; without a cache, the diagram itself (None: no diagram,
        or one not rendered yet)."""
        if name in self._elsewhere:
            return self._elsewhere[name]
        if name not in self._contents:
            return None
        if self._cache is not None:
            return self._cache.key(name, self._contents[name])
        return self.ready.get(name)

    def prefetch(self, names: list[str]) -> None:
        """Read the cached diagrams of ``names`` at once (the pages about to be rendered); those whose entry
        fails (removed or damaged since it was found, or not made by this machine's archrepo) are drawn again."""
        wanted = [name for name in names if name in self.ready.cached]
        found: dict[str, str] = {}
        if self._cache is not None and wanted:
            found = self._cache.get_many([(name, self._contents[name]) for name in wanted
                                          if name not in self._elsewhere])
            found.update(self._cache.get_keys({name: self._elsewhere[name] for name in wanted
                                               if name in self._elsewhere}))
        for name, text in found.items():
            self.ready.add(name, text)
        self._redraw([name for name in wanted if name not in found])

    def _fetch(self, name: str) -> str:
        """A cached diagram asked for without a prefetch."""
        self.prefetch([name])
        return self.ready[name]

    def _redraw(self, names: list[str]) -> None:
        if not names:
            return
        for name in names:
            if name in self._elsewhere:  # planned here now, as it is to be drawn
                del self._elsewhere[name]
                assert self._plan_of is not None
                self._add(name, self._plan_of(name))
        wanted = set(names)
        jobs = [job for job in self._all_jobs if job.key in wanted]
        again = [(name, draw_here(self._drawn_here[name], self._fmt)) for name in names if name in self._drawn_here]
        with rendering(jobs, workers=self._workers) as batches:
            again += [rendered for done in batches for rendered in done]
        for name, text in again:
            self.ready.add(name, text)
            self.ready.cached.discard(name)
        if self._cache is not None:
            self._cache.put_many([(name, self._contents[name], text) for name, text in again])
        self.cached -= len(jobs)
        self.laid_out += len(jobs)

    def __enter__(self) -> DiagramRendering:
        self._batches = self._stack.enter_context(rendering(self._jobs, workers=self._workers))
        self._draw_here()
        if self._progress is not None and self.ready:
            self._progress(len(self.ready))  # the cached ones and those drawn here
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        try:
            self._stack.__exit__(kind, error, traceback)
        finally:
            if self._cache is not None:
                if kind is None:
                    self._cache.keep_only(list(self._contents.items()), {*self._elsewhere.values(), *self._keep})
                self._cache.close()

    def _draw_here(self) -> None:
        """Maps, rows and Mermaid, drawn in this process (not those the cache holds: drawing 6,000 of them is a
        second or two of a rebuild)."""
        drawn = []
        for key, plan in self._drawn_here.items():
            if key not in self.ready.cached and key not in self._by_workers:
                text = draw_here(plan, self._fmt)
                self.ready.add(key, text)
                drawn.append((key, self._contents[key], text))
        if self._cache is not None:
            self._cache.put_many(drawn)

    def finished(self) -> Iterator[list[str]]:
        """The keys of each batch as it is finished (RenderError when a diagram cannot be rendered)."""
        for done in self._batches:
            for key, svg in done:
                self.ready.add(key, svg)
                self.pending.discard(key)
            if self._cache is not None:
                self._cache.put_many([(key, self._contents[key], svg) for key, svg in done])
            if self._progress is not None:
                self._progress(len(done))
            yield [key for key, _ in done]


class Diagrams(Mapping[str, str]):
    """The diagrams rendered so far, by page path, and those in the cache, read from it when first asked for
    (and not kept: each is on one page)."""

    def __init__(self, fetch: Callable[[str], str]) -> None:
        self.cached: set[str] = set()
        self._loaded: dict[str, str] = {}
        self._fetch = fetch

    def add(self, name: str, text: str) -> None:
        self._loaded[name] = text

    def __getitem__(self, name: str) -> str:
        text = self._loaded.get(name)
        if text is not None:
            return text
        if name not in self.cached:
            raise KeyError(name)
        return self._fetch(name)

    def __contains__(self, name: object) -> bool:
        return name in self._loaded or name in self.cached

    def __iter__(self) -> Iterator[str]:
        yield from self._loaded
        yield from (name for name in self.cached if name not in self._loaded)

    def __len__(self) -> int:
        return len(self._loaded) + sum(1 for name in self.cached if name not in self._loaded)


def content_of(key: str, plan: PlannedDiagram | None, fmt: str) -> tuple[object, DotJob | None] | None:
    """What the diagram of page ``key`` is made from (its cache key is a digest of it), and the Graphviz job that
    lays it out (None: drawn here); None when the page has no diagram."""
    if plan is None or (plan.map is None and plan.view is None):
        return None
    if plan.map is not None or plan.flow is not None or plan.rows or fmt == "mermaid":
        return _drawn_content(plan), None
    assert plan.view is not None
    job = DotJob(key, plan.view, tuple(_svg_attributes(plan.view.title).items()), alone=_alone(plan.view))
    return _content(job), job


def _content(job: DotJob) -> object:
    """What a Graphviz diagram is drawn from, for its cache key."""
    return ("dot", job.view, job.attributes, job.alone)


def _drawn_content(plan: PlannedDiagram) -> object:
    """What a diagram drawn here is drawn from, for its cache key."""
    return ("here", plan.map, plan.view, plan.flow, plan.rows)


def draw_here(plan: PlannedDiagram, fmt: str) -> str:
    """A diagram this process draws: a map, an integration row, or any view as Mermaid."""
    if plan.map is not None:
        return render_map_mermaid(plan.map) if fmt == "mermaid" else render_map_svg(
            plan.map, _svg_attributes(plan.map.title))
    assert plan.view is not None
    if fmt == "mermaid":
        return render_mermaid(plan.view)
    if plan.rows:
        return render_rows_svg(plan.view, _svg_attributes(plan.view.title))
    assert plan.flow is not None
    order, initiator = plan.flow
    return render_flow_svg(plan.view, list(order), initiator, _svg_attributes(plan.view.title))


def _alone(view: ViewGraph) -> bool:
    """Whether Graphviz must lay the view out in a process of its own to lay it out the same in every build:
    with two clusters or more, or many boxes (see :func:`archrepo.site.render_pool._batches`)."""
    clusters = {node.cluster for node in view.nodes.values() if node.cluster is not None}
    return len(clusters) > 1 or len(view.nodes) > ALONE_ABOVE


def _svg_attributes(title: str) -> dict[str, str]:
    """What the inline SVG carries for the page: its CSS class and an accessible name (escaped when written)."""
    return {"class": "diagram", "role": "img", "aria-label": shorten(one_line(title), 300)}
