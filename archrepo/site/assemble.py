"""Rendering and writing every page of the site: each as soon as its diagram is ready, written at once, and
none whose content is what the file already holds (:mod:`archrepo.site.page_cache`)."""

from __future__ import annotations

from collections.abc import Callable

from archrepo.site.diagrams import DiagramRendering
from archrepo.site.halves import KeyedPages
from archrepo.site.links import Page
from archrepo.site.page_cache import PageCache, unchanged
from archrepo.site.render import PageRenderer
from archrepo.site.writing import StagedWrites

__all__ = ["Counter", "Progress", "render_pages"]

# (stage, done, total): called as the diagrams and pages of stage "site" advance, for a progress bar
Progress = Callable[[str, int, int], None]


class Counter:
    """Diagrams and pages done, of how many, told to ``progress`` as stage "site"."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress, self.done, self.total = progress, 0, 0

    def add(self, more: int) -> None:
        self.total += more
        self.advance(0)

    def advance(self, count: int) -> None:
        self.done += count
        if self.progress is not None:
            self.progress("site", self.done, self.total)


def render_pages(renderer: PageRenderer, pages: list[Page], diagrams: DiagramRendering, counter: Counter,
                 files: StagedWrites, cache: PageCache | None, keyed: KeyedPages | None = None) -> int:
    """Render every page and stage it in ``files`` as soon as it is rendered (a site of 10,000 applications
    would hold gigabytes of page text otherwise), unless its file already holds it. First the pages whose
    diagram is ready, then the others as the workers finish their diagrams (the order does not change the
    pages). A page is keyed by its content and what its diagram is made from, so that a page found unchanged
    needs neither its diagram read from the cache nor waits for it; ``keyed``: pages keyed and judged already
    (:mod:`archrepo.site.halves`); the keys of the others are added to it. Returns the number of pages
    rendered."""
    out = files.out
    rendered = 0
    keyed = keyed or KeyedPages()
    keys: dict[str, str] = dict(keyed.keys)
    if cache is not None:
        for page in pages:
            if page.path in keys:
                continue
            identity = diagrams.identity(page.path)
            if identity is not None or page.path not in diagrams.pending:  # else: keyed once its diagram is made
                keys[page.path] = cache.key(page, identity)
    known = cache.known([key for path, key in keys.items() if path not in keyed.keys]) if cache else {}
    todo: list[Page] = []
    for page in pages:
        key = keys.get(page.path)
        if page.path in keyed.settled or (key is not None and key in known
                                          and unchanged(out / (page.path + renderer.ext), known[key])):
            counter.advance(1)
        else:
            todo.append(page)
    diagrams.prefetch([page.path for page in todo if page.path not in diagrams.pending])

    def render(page: Page) -> None:
        nonlocal rendered
        data = renderer.render(page).encode("utf-8")
        rendered += 1
        files.write(page.path + renderer.ext, data)
        if cache is not None:
            key = keys[page.path] = keys.get(page.path) or cache.key(page, diagrams.identity(page.path))
            cache.remember(key, data)
        counter.advance(1)

    waiting: dict[str, Page] = {}
    for page in todo:
        if page.path in diagrams.pending:
            waiting[page.path] = page
        else:
            render(page)
    for finished in diagrams.finished():
        for key in finished:
            if key in waiting:
                render(waiting.pop(key))
    assert not waiting, "a page waits for a diagram that was never rendered"
    keyed.keys.update(keys)
    return rendered
