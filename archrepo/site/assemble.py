"""Rendering every page of the site: each as soon as its diagram is ready, and none whose content is what the
file already holds (:mod:`archrepo.site.page_cache`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from archrepo.site.diagrams import DiagramRendering
from archrepo.site.links import Page
from archrepo.site.page_cache import PageCache, unchanged
from archrepo.site.render import PageRenderer

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
                 out: Path, cache: PageCache | None) -> dict[str, str | None]:
    """Every page's text by file name, or None for a page whose file already holds it. First the pages whose
    diagram is ready, then the others as the workers finish their diagrams (the order pages are rendered in
    does not change them)."""
    files: dict[str, str | None] = {}
    waiting: dict[str, Page] = {}
    ready = [page for page in pages if page.path not in diagrams.pending]
    keys = {page.path: cache.key(page, diagrams.ready.get(page.path)) for page in ready} if cache else {}
    known = cache.known(list(keys.values())) if cache else {}

    def render(page: Page, key: str | None) -> None:
        name = page.path + renderer.ext
        if key is not None and key in known and unchanged(out / name, known[key]):
            files[name] = None
        else:
            text = files[name] = renderer.render(page)
            if cache is not None:
                cache.remember(key or cache.key(page, diagrams.ready.get(page.path)), text.encode("utf-8"))
        counter.advance(1)

    for page in pages:
        if page.path in diagrams.pending:
            waiting[page.path] = page
        else:
            render(page, keys.get(page.path))
    for finished in diagrams.finished():
        for key in finished:
            if key in waiting:
                render(waiting.pop(key), None)
    assert not waiting, "a page waits for a diagram that was never rendered"
    return files
