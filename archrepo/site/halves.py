"""The site's diagrams and element pages made in two processes. Planning each page's diagram and making each page
(with its key) is most of a rebuild's time, all in Python; a rebuild lays out few diagrams, so the second core
is idle. A helper forked before the diagrams are planned finds which pages of its share of the elements need not be
made at all (:mod:`archrepo.site.page_inputs`), plans the diagrams of the others and sends back each one's cache
key, whether it is drawn and its note (:class:`~archrepo.site.diagrams.Elsewhere`); this process does the same
for its own share meanwhile. Then, in a rebuild (few diagrams to lay out), the helper makes, keys and
judges its share of the element pages, and sends back for each its path, title, kind, id, key and whether its
file already holds it; a page of its share that must be written is made again here (a rebuild writes a few),
the others stand in the page list as stubs with what the search index and the list of files need, and are not
rendered. In a first build the helper stops after planning, and this process makes every page.

Only where forking is safe and worth it (see :func:`split_worthwhile`); anything the helper cannot do (it
fails, or dies) is done here instead, with the same result.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archrepo.lifetime import die_with_parent
from archrepo.model.elements import Element
from archrepo.site.content import SiteContent
from archrepo.site.diagrams import Elsewhere
from archrepo.site.element_pages import element_page
from archrepo.site.links import Page
from archrepo.site.page_cache import PageCache, unchanged
from archrepo.site.page_inputs import PageInputs, Reuse
from archrepo.site.plan import PlannedDiagram, Planner

__all__ = ["ElementPages", "Helper", "KeyedPages", "split_worthwhile"]

SPLIT_FROM = 2000  # elements: below this a fork costs more than half the work it takes over
HERE_SHARE = 0.41  # of the elements, planned and made here: this process makes the index and list pages too
Identity = Callable[[str], "str | None"]
IdentityOf = Callable[[str, PlannedDiagram], tuple["str | None", bool]]  # (cache key, laid out by Graphviz)
Answer = list[tuple[str, str, str, str, str, bool]]  # (path, title, kind, id, key, file holds it) per page


@dataclass
class KeyedPages:
    """Pages made ahead of rendering: their keys by path, and the paths whose files already hold them."""

    keys: dict[str, str] = field(default_factory=dict)
    settled: set[str] = field(default_factory=set)
    helped: int = 0  # pages the helper process made


@dataclass(frozen=True)
class _Judge:
    """Keys pages and finds those whose files already hold them."""

    identity: Identity
    out: Path
    ext: str

    def __call__(self, pages: list[Page], keyed: KeyedPages, cache: PageCache) -> list[str]:
        keys = [cache.key(page, self.identity(page.path)) for page in pages]
        known = cache.known(keys)
        for page, key in zip(pages, keys, strict=True):
            keyed.keys[page.path] = key
            if key in known and unchanged(self.out / (page.path + self.ext), known[key]):
                keyed.settled.add(page.path)
        return keys


class Helper:
    """The forked helper of a build (use :meth:`start`; :meth:`close` ends it in any case)."""

    def __init__(self, process: Any, connection: Any, here: list[Element], share: list[Element]) -> None:
        self._process = process
        self._connection = connection
        self.here = here  # the elements the build plans and makes itself
        self.share = share  # the helper's, after them
        self.todo = share  # those of its share whose pages are made (the others are left as they are)
        self.reuse: Reuse | None = None  # what it found of its share (None: not known; it failed)
        self.planned: dict[str, Elsewhere] | None = None
        self._told = False  # whether to make its pages
        self._going = False  # told to make them, answer not read yet

    @classmethod
    def start(cls, planner: Planner, content: SiteContent, elements: list[Element], *, identity_of: IdentityOf,
              reopen: Callable[[], PageCache | None], out: Path, ext: str,
              inputs: PageInputs | None) -> Helper | None:
        """A helper for the elements after this process's share; None when :func:`split_worthwhile` says no.
        ``inputs``: to find the pages of its share that need not be made (None: make them all)."""
        if not split_worthwhile(len(elements)):
            return None
        here, share = _split(elements)
        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe(duplex=True)
        process = context.Process(target=_serve, args=(theirs, planner, content, share, identity_of, reopen, out, ext,
                                                       inputs, os.getpid()),
                                  name="archrepo-site-helper", daemon=True)
        process.start()
        theirs.close()
        return cls(process, ours, here, share)

    def plans(self) -> dict[str, Elsewhere] | None:
        """The diagrams the helper planned, by page path; None when it failed (they are planned here then).
        Also adopts what it found of its share (:meth:`adopt`)."""
        report = _receive(self._connection)
        if not isinstance(report, tuple) or len(report) != 2 or not isinstance(report[1], Reuse):
            return None
        planned, reuse = report
        self.adopt(reuse)
        self.planned = {name: Elsewhere(*found) for name, found in planned.items()}
        return self.planned

    def adopt(self, reuse: Reuse) -> None:
        """What was found of its share (by the helper, or here when it failed): its pages to make are the others."""
        self.reuse = reuse
        self.todo = reuse.unsettled(self.share)

    def decide(self, go: bool) -> None:
        """Tell the helper whether to make its pages (``go``: a rebuild) or to stop."""
        if self.planned is None or self._told:
            return
        self._told, self._going = True, go
        try:
            self._connection.send(go)
        except OSError:  # it is gone: its pages are made here
            self._going = False

    def pages(self) -> Answer | None:
        """The helper's answer once it has made its pages (None: it was not told to, or it failed)."""
        if not self._going:
            return None
        self._going = False
        answer = _receive(self._connection)
        return answer if isinstance(answer, list) and len(answer) == len(self.todo) else None

    def close(self) -> None:
        self.decide(False)  # (unless told already) it waits to be told
        self._connection.close()
        self._process.join(timeout=10 if self._told else 0)  # it has answered: it is leaving
        if self._process.is_alive():  # interrupted, or stuck: it must not outlive this build
            self._process.kill()
            self._process.join()


@dataclass(frozen=True)
class ElementPages:
    """How to make and judge the element pages of a rebuild with the helper: the page cache to key them with and
    to look them up in, what a page's diagram is made from (``identity``), where their files are, and the
    elements of this process's share whose pages are made (``here``)."""

    cache: PageCache
    identity: Identity
    out: Path
    ext: str
    helper: Helper
    here: list[Element]

    def make(self, content: SiteContent, keyed: KeyedPages, first: Callable[[], list[Page]]) -> list[Page]:
        """The pages ``first`` makes, then the page of each element of ``here`` and of the helper's, in order,
        keyed into ``keyed``; the helper makes its share meanwhile."""
        here = self.here
        pages = first()
        pages += [element_page(content, element) for element in here]
        _Judge(self.identity, self.out, self.ext)(pages[len(pages) - len(here):], keyed, self.cache)
        answer = self.helper.pages()
        if answer is None:  # the helper failed: its share made here
            return pages + [element_page(content, element) for element in self.helper.todo]
        for element, (path, title, kind, element_id, key, settled) in zip(self.helper.todo, answer, strict=True):
            keyed.keys[path] = key
            if settled:
                keyed.settled.add(path)
                pages.append(Page(path, title, kind, id=element_id))  # a stub: never rendered
            else:
                pages.append(element_page(content, element))
        self.cache.keep(key for _, _, _, _, key, _ in answer)
        keyed.helped = len(answer)
        return pages


def _split(elements: list[Element]) -> tuple[list[Element], list[Element]]:
    """The elements this process takes (:data:`HERE_SHARE` of each kind's) and the helper's, each in the order
    given: each gets the same mix of kinds, whose pages cost differently and are left as they are in different
    numbers (most pages a rebuild does not make are integrations')."""
    by_kind: dict[str, list[Element]] = {}
    for element in elements:
        by_kind.setdefault(element.kind, []).append(element)
    here: list[Element] = []
    share: list[Element] = []
    for of_kind in by_kind.values():
        split = int(len(of_kind) * HERE_SHARE)
        here += of_kind[:split]
        share += of_kind[split:]
    return here, share


def split_worthwhile(elements: int) -> bool:
    """Whether to fork a helper for ``elements`` pages: enough of them, more than one core allowed
    (``ARCHREPO_JOBS``), and a fork that is safe (no other thread in this process)."""
    from archrepo.model.loader import parallel_jobs

    return (elements >= SPLIT_FROM and hasattr(os, "fork") and threading.active_count() == 1
            and parallel_jobs() > 1)


def _serve(connection: Any, planner: Planner, content: SiteContent, share: list[Element], identity_of: IdentityOf,
           reopen: Callable[[], PageCache | None], out: Path, ext: str, inputs: PageInputs | None,
           parent: int) -> None:
    """In the forked helper: find the pages of the share that need not be made, plan the others' diagrams and
    report both; then make those pages while the build decides whether it wants them (it stops as soon as told
    not to), and send them if it does. It dies with the build, even one killed outright (parent-death signal)."""
    die_with_parent(parent)
    cache: PageCache | None = None
    try:
        cache = reopen()  # (its own connection: SQLite connections do not survive a fork)
        reuse = Reuse.find(inputs, cache, share, out, ext) if inputs is not None and cache is not None else Reuse()
        todo = reuse.unsettled(share)
        plans = planner.plan_all(todo)
        report: dict[str, tuple[Any, ...]] = {}
        for name, plan in plans.items():
            identity, graphviz = identity_of(name, plan)
            report[name] = (identity, plan.drawn, plan.note, graphviz)
        connection.send((report, reuse))
        told: list[bool] = []  # whether to make its pages, once the build has said

        def stopped() -> bool:  # its pages are made while the build decides (a rebuild: it will say go)
            if not told and connection.poll():
                told.append(bool(connection.recv()))
            return bool(told) and not told[0]

        answer = _make_pages(content, todo, plans, report, cache, out, ext, stopped) if cache is not None else None
        if not told:
            told.append(bool(connection.recv()))
        if told[0]:
            connection.send(answer)
    except (EOFError, OSError):  # the build is gone, or ended us
        pass
    except Exception:  # the build does this work itself
        connection.send(None)
    finally:
        connection.close()
        if cache is not None:
            cache.abandon()


def _make_pages(content: SiteContent, todo: list[Element], plans: dict[str, PlannedDiagram],
                report: dict[str, tuple[Any, ...]], cache: PageCache, out: Path, ext: str,
                stopped: Callable[[], bool]) -> Answer | None:
    """The pages of ``todo``, keyed with its diagrams' keys and judged; None as soon as ``stopped`` (the build
    needs them not)."""
    own = dataclasses.replace(content, diagrams={name: (plan.drawn, plan.note) for name, plan in plans.items()})
    pages = []
    for element in todo:
        if stopped():
            return None
        pages.append(element_page(own, element))
    if stopped():
        return None
    keyed = KeyedPages()
    identities = {name: found[0] for name, found in report.items()}  # its own diagrams' keys
    keys = _Judge(identities.get, out, ext)(pages, keyed, cache)
    return [(page.path, page.title, page.kind, page.id, key, page.path in keyed.settled)
            for page, key in zip(pages, keys, strict=True)]


def _receive(connection: Any) -> Any:
    try:
        return connection.recv()
    except (EOFError, OSError):  # the helper died before it answered
        return None
