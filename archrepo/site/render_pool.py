"""The site's Graphviz diagrams rendered on every core: worker processes that each run `dot` on a batch of
graphs and rebuild every SVG from the allow-list (:func:`archrepo.views.svg.sanitise_svg`), which is Python
work that threads could not share out.

Workers are fresh interpreters (``spawn``: nothing of the loaded model is copied, and no lock held by one of
archrepo's threads at a fork can be inherited). They ignore Ctrl-C, which the main process handles; they die
with it (parent-death signal), and so does every `dot` they started. When the main process is interrupted,
or a diagram fails, the pool is terminated before the exception goes on: no worker and no `dot` is left.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from archrepo.errors import RenderError

__all__ = ["DotJob", "default_workers", "render_jobs"]

# Graphs per `dot` run: large enough to pay its start-up once per many diagrams, small enough that the work is
# shared evenly and the progress bar moves.
_BATCH = 48


@dataclass(frozen=True)
class DotJob:
    """One diagram to render: its key (the page path), its DOT source, the attributes of its ``<svg>``."""

    key: str
    source: str
    attributes: tuple[tuple[str, str], ...]
    alone: bool = False  # rendered by a `dot` of its own (see :func:`_batches`)


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _worker_start(parent: int) -> None:
    from archrepo.site.dot_batch import die_with_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process hears Ctrl-C and ends the pool
    die_with_parent(parent)


_Result = tuple[list[tuple[str, str]], str | None, str | None]  # rendered (key, svg); or an error and its hint


def _render(jobs: list[DotJob]) -> _Result:
    """In a worker: a batch through one `dot`, each SVG sanitised. Errors come back as text (they are raised
    again in the main process, where the error boundary reports them)."""
    from archrepo.site.dot_batch import render_batch
    from archrepo.views.svg import sanitise_svg

    try:
        documents = render_batch([job.source for job in jobs])
        return [(job.key, sanitise_svg(document, dict(job.attributes)))
                for job, document in zip(jobs, documents, strict=True)], None, None
    except RenderError as error:
        return [], error.message, error.hint


def _batches(jobs: Sequence[DotJob]) -> list[list[DotJob]]:
    """Consecutive runs of jobs in key order, and the jobs marked ``alone`` one by one. Graphviz 2.43 orders a
    graph's clusters by the addresses of their names in memory, which the graphs its process read before have
    shuffled: a graph with clusters (and, rarely, a large one) can come out differently in a batch than alone.
    Such graphs get a `dot` of their own, so that a diagram is the same in every build."""
    ordered = sorted(jobs, key=lambda job: job.key)
    shared = [job for job in ordered if not job.alone]
    return ([shared[start:start + _BATCH] for start in range(0, len(shared), _BATCH)]
            + [[job] for job in ordered if job.alone])


def render_jobs(jobs: Sequence[DotJob], *, workers: int | None = None,
                progress: Callable[[int], None] | None = None) -> dict[str, str]:
    """The sanitised ``<svg>`` of every job, by key. ``progress`` is called in this process with the number
    of diagrams each finished batch rendered. RenderError when a diagram cannot be rendered."""
    if not jobs:
        return {}
    batches = _batches(jobs)
    context = multiprocessing.get_context("spawn")
    pool = context.Pool(min(workers or default_workers(), len(batches)), initializer=_worker_start,
                        initargs=(os.getpid(),))
    rendered: dict[str, str] = {}
    try:
        for done, message, hint in pool.imap_unordered(_render, batches):
            if message is not None:
                raise RenderError(message, hint=hint)
            rendered.update(done)
            if progress is not None:
                progress(len(done))
        pool.close()
        pool.join()
    finally:
        pool.terminate()  # an interrupt or a failure: the workers are killed, their `dot` dies with them
        pool.join()
    return rendered
