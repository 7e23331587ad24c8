"""Rendering the planned diagrams of the site: inline SVG (Graphviz in worker processes, batches of graphs per
`dot`, each SVG rebuilt from an allow-list; integration rows and landscape maps written directly), or Mermaid
text for Markdown.

The pages wait only for their own diagram: :class:`DiagramRendering` hands out what is ready at once (rows and
maps drawn here, Mermaid, SVGs from the diagram cache) and then each batch as a worker finishes it, so the main
process writes pages while the workers lay out graphs; what they render goes into the cache."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
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

__all__ = ["ALONE_ABOVE", "DiagramRendering"]

Progress = Callable[[int], None]
ALONE_ABOVE = 40  # boxes


class DiagramRendering:
    """The diagrams of ``plans`` as inline SVG (``fmt="svg"``) or Mermaid text, by page path. Use as a context
    manager: ``ready`` holds what is rendered; :meth:`finished` yields the keys of each batch the workers
    complete, after adding them to ``ready``. Leaving the block ends the workers. ``progress`` is called with
    the number of diagrams done, as they are done. What is rendered does not depend on the order the workers
    finish in, nor on what the cache held."""

    def __init__(self, plans: Mapping[str, PlannedDiagram], fmt: str, *, workers: int | None = None,
                 cache: DiagramCache | None = None, progress: Progress | None = None) -> None:
        self.ready = Diagrams(self._fetch)
        self.pending: set[str] = set()
        self._jobs: list[DotJob] = []
        self._workers = workers
        self._progress = progress
        self._stack = ExitStack()
        self._cache = cache
        self._fmt = fmt
        self._drawn_here: list[tuple[str, PlannedDiagram]] = []  # maps, rows, Mermaid: drawn once workers run
        for key, plan in sorted(plans.items()):
            if plan.map is None and plan.view is None:
                continue
            if plan.map is not None or plan.flow is not None or plan.rows or fmt == "mermaid":
                self._drawn_here.append((key, plan))
            else:
                assert plan.view is not None
                attributes = tuple(_svg_attributes(plan.view.title).items())
                self._jobs.append(DotJob(key, plan.view, attributes, alone=_alone(plan.view)))
        self._contents: dict[str, object] = {job.key: _content(job) for job in self._jobs}
        self._contents.update((key, _drawn_content(plan)) for key, plan in self._drawn_here)
        # in the cache: read only for the pages rendered (a rebuild renders a few), when they are
        cached = cache.present(list(self._contents.items())) if cache is not None else set()
        self.ready.cached.update(cached)
        self.cached = sum(1 for job in self._jobs if job.key in cached)  # Graphviz diagrams taken from the cache
        self._all_jobs = self._jobs
        self._jobs = [job for job in self._jobs if job.key not in cached]
        self.pending = {job.key for job in self._jobs}
        self.laid_out = len(self._jobs)  # Graphviz diagrams this build lays out
        self.total = len(self._contents)
        self._batches: Iterator[list[tuple[str, str]]] = iter(())

    def identity(self, name: str) -> str | None:
        """What the diagram of page ``name`` is a function of (its cache key, which covers its content, the code
        and Graphviz's version), for the key of the page; without a cache, the diagram itself (None: no diagram,
        or one not rendered yet)."""
        if name not in self._contents:
            return None
        if self._cache is not None:
            return self._cache.key(name, self._contents[name])
        return self.ready.get(name)

    def prefetch(self, names: list[str]) -> None:
        """Read the cached diagrams of ``names`` at once (the pages about to be rendered); those whose entry
        fails (removed or damaged since it was found, or not made by this machine's archrepo) are drawn again."""
        wanted = [(name, self._contents[name]) for name in names if name in self.ready.cached]
        found = self._cache.get_many(wanted) if self._cache is not None and wanted else {}
        for name, text in found.items():
            self.ready.add(name, text)
        self._redraw([name for name, _ in wanted if name not in found])

    def _fetch(self, name: str) -> str:
        """A cached diagram asked for without a prefetch."""
        self.prefetch([name])
        return self.ready[name]

    def _redraw(self, names: list[str]) -> None:
        if not names:
            return
        drawn = dict(self._drawn_here)
        jobs = [job for job in self._all_jobs if job.key in set(names)]
        again = [(name, _draw_here(drawn[name], self._fmt)) for name in names if name in drawn]
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
                    self._cache.keep_only([(job.key, _content(job)) for job in self._all_jobs]
                                          + [(key, _drawn_content(plan)) for key, plan in self._drawn_here])
                self._cache.close()

    def _draw_here(self) -> None:
        """Maps, rows and Mermaid, drawn in this process (not those the cache holds: drawing 6,000 of them is a
        second or two of a rebuild)."""
        drawn = []
        for key, plan in self._drawn_here:
            if key not in self.ready.cached:
                text = _draw_here(plan, self._fmt)
                self.ready.add(key, text)
                drawn.append((key, self._contents[key], text))
        if self._cache is not None:
            self._cache.put_many(drawn)

    def finished(self) -> Iterator[list[str]]:
        """The keys of each batch as it is finished (RenderError when a diagram cannot be rendered)."""
        jobs = {job.key: job for job in self._jobs}
        for done in self._batches:
            for key, svg in done:
                self.ready.add(key, svg)
                self.pending.discard(key)
            if self._cache is not None:
                self._cache.put_many([(key, _content(jobs[key]), svg) for key, svg in done])
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


def _content(job: DotJob) -> object:
    """What a Graphviz diagram is drawn from, for its cache key."""
    return ("dot", job.view, job.attributes, job.alone)


def _drawn_content(plan: PlannedDiagram) -> object:
    """What a diagram drawn here is drawn from, for its cache key."""
    return ("here", plan.map, plan.view, plan.flow, plan.rows)


def _draw_here(plan: PlannedDiagram, fmt: str) -> str:
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
