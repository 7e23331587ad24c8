"""The element pages of a rebuild, made in two processes: a rebuild lays out no diagram, so the second core is
idle while this process makes every page and its key (most of a rebuild's time). A helper forked from it
makes the second half of the pages, keys them and finds which of their files already hold them, while this
process does the same for the first half; the helper sends back, for each of its pages, its path, title, kind,
id, key and whether its file holds it. A page of the helper's half that must be written is made again here
(a rebuild writes a few); the others stand in the page list as stubs with what the search index and the list
of files need, and are not rendered.

Only where forking is safe and worth it (see :func:`split_worthwhile`); anything the helper cannot do (it
fails, or dies) is done here instead, with the same result.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archrepo.model.elements import Element
from archrepo.site.content import SiteContent
from archrepo.site.element_pages import element_page
from archrepo.site.links import Page
from archrepo.site.page_cache import PageCache, unchanged

__all__ = ["ElementPages", "KeyedPages", "split_worthwhile"]

SPLIT_FROM = 2000  # elements: below this a fork costs more than half the pages' time
HERE_SHARE = 0.45  # of the element pages, made here: this process makes the index and list pages too
Identity = Callable[[str], "str | None"]


@dataclass
class KeyedPages:
    """Pages made ahead of rendering: their keys by path, and the paths whose files already hold them."""

    keys: dict[str, str] = field(default_factory=dict)
    settled: set[str] = field(default_factory=set)
    helped: int = 0  # pages the helper process made


@dataclass(frozen=True)
class ElementPages:
    """How to make and judge the element pages of a rebuild: the page cache to key them with and to look them
    up in, what a page's diagram is made from (``identity``), and where their files are."""

    cache: PageCache
    identity: Identity
    out: Path
    ext: str
    reopen: Callable[[], PageCache | None]  # the same cache, on a connection of its own (for the helper)

    def make(self, content: SiteContent, elements: list[Element], keyed: KeyedPages,
             first: Callable[[], list[Page]]) -> list[Page]:
        """The pages ``first`` makes, then the page of each element in order, keyed into ``keyed``; the element
        pages split between two processes when :func:`split_worthwhile` (the helper starts before ``first`` is
        called, and takes the larger share)."""
        if not split_worthwhile(len(elements)):
            return first() + [element_page(content, element) for element in elements]
        half = int(len(elements) * HERE_SHARE)
        receiving, sending = multiprocessing.get_context("fork").Pipe(duplex=False)
        helper = multiprocessing.get_context("fork").Process(
            target=self._helper, args=(content, elements[half:], sending), name="archrepo-pages", daemon=True)
        helper.start()
        sending.close()
        answer = None
        try:
            pages = first()
            pages += [element_page(content, element) for element in elements[:half]]
            self._judge(pages[len(pages) - half:], keyed)
            answer = _receive(receiving)
        finally:
            receiving.close()
            helper.join(timeout=10 if answer is not None else 0)  # it has answered: it is leaving
            if helper.is_alive():  # interrupted here, or stuck: it must not outlive this build
                helper.kill()
                helper.join()
        if answer is None or len(answer) != len(elements) - half:  # the helper failed: its share made here
            return pages + [element_page(content, element) for element in elements[half:]]
        for element, (path, title, kind, element_id, key, settled) in zip(elements[half:], answer, strict=True):
            keyed.keys[path] = key
            if settled:
                keyed.settled.add(path)
                pages.append(Page(path, title, kind, id=element_id))  # a stub: never rendered
            else:
                pages.append(element_page(content, element))
        self.cache.keep(key for _, _, _, _, key, _ in answer)
        keyed.helped = len(answer)
        return pages

    def _judge(self, pages: list[Page], keyed: KeyedPages, cache: PageCache | None = None) -> list[str]:
        cache = cache or self.cache
        keys = [cache.key(page, self.identity(page.path)) for page in pages]
        known = cache.known(keys)
        for page, key in zip(pages, keys, strict=True):
            keyed.keys[page.path] = key
            if key in known and unchanged(self.out / (page.path + self.ext), known[key]):
                keyed.settled.add(page.path)
        return keys

    def _helper(self, content: SiteContent, elements: list[Element], sending: Any) -> None:
        """In the forked helper: its half's pages, keyed and judged, sent back (None when anything fails)."""
        answer = None
        try:
            cache = self.reopen()  # never the parent's connection: SQLite connections do not survive a fork
            if cache is not None:
                try:
                    pages = [element_page(content, element) for element in elements]
                    keyed = KeyedPages()
                    keys = self._judge(pages, keyed, cache)
                    answer = [(page.path, page.title, page.kind, page.id, key, page.path in keyed.settled)
                              for page, key in zip(pages, keys, strict=True)]
                finally:
                    cache.abandon()
        finally:
            sending.send(answer)
            sending.close()


def split_worthwhile(elements: int) -> bool:
    """Whether to fork a helper for ``elements`` pages: enough of them, more than one core allowed
    (``ARCHREPO_JOBS``), and a fork that is safe (no other thread in this process)."""
    from archrepo.model.loader import parallel_jobs

    return (elements >= SPLIT_FROM and hasattr(os, "fork") and threading.active_count() == 1
            and parallel_jobs() > 1)


def _receive(connection: Any) -> list[tuple[str, str, str, str, str, bool]] | None:
    try:
        answer = connection.recv()
    except (EOFError, OSError):  # the helper died before it answered
        return None
    return answer if isinstance(answer, list) else None
