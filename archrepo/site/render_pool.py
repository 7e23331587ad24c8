"""The site's Graphviz diagrams rendered on every core: worker processes (:mod:`archrepo.site.render_worker`)
that each run `dot` on batches of graphs and rebuild every SVG from the allow-list
(:func:`archrepo.views.svg.sanitise_svg`), Python work that threads could not share out.

Workers are fresh interpreters started with the same Python (nothing of the loaded model is copied, no lock
held by one of archrepo's threads is inherited, and a script that calls the library needs no ``__main__``
guard). Each runs in its own process group (a Ctrl-C on the terminal reaches the build, not them) and dies with
the build (parent-death signal), and so do the `dot` processes it starts. When the build leaves the
:func:`rendering` block, normally or by an exception (an interrupt, SIGTERM, a failure), every worker is ended
and waited for: no worker and no `dot` outlives it.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from archrepo.errors import RenderError
from archrepo.site.render_worker import Result, read_message, write_message
from archrepo.views.graph import ViewGraph

__all__ = ["DotJob", "default_workers", "rendering"]

# Graphs per `dot` run: large enough to pay its start-up (~25 ms) once per many diagrams (~2 ms each), small
# enough that the work is shared evenly and the progress bar moves.
_BATCH = 48
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # where `archrepo` is importable from


@dataclass(frozen=True)
class DotJob:
    """One diagram to render: its key (the page path), its view (made DOT in the worker: the graphviz package
    takes about 3 ms a diagram to write it), the attributes of its ``<svg>``."""

    key: str
    view: ViewGraph
    attributes: tuple[tuple[str, str], ...]
    alone: bool = False  # rendered by a `dot` of its own (see :func:`_batches`)


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _batches(jobs: Sequence[DotJob]) -> list[list[DotJob]]:
    """Consecutive runs of jobs in key order, and the jobs marked ``alone`` one by one. Graphviz 2.43 orders a
    graph's clusters by the addresses of their names in memory, which the graphs its process read before have
    shuffled: a graph with clusters (and, rarely, a large one) can come out differently in a batch than alone.
    Such graphs get a `dot` of their own, so that a diagram is the same in every build."""
    ordered = sorted(jobs, key=lambda job: job.key)
    shared = [job for job in ordered if not job.alone]
    largest_first = sorted((job for job in ordered if job.alone), key=lambda job: (-len(job.view.nodes), job.key))
    # the large graphs first: the longest layouts start early, so the workers finish together
    return [[job] for job in largest_first] + [shared[start:start + _BATCH] for start in range(0, len(shared), _BATCH)]


class _Worker:
    """One worker process and the thread that feeds it batches and collects what it renders."""

    def __init__(self, todo: queue.SimpleQueue[list[DotJob]], done: queue.SimpleQueue[Result]) -> None:
        self.errors: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115  # its stderr, read if it dies; closed by stop()
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [_PACKAGE_ROOT, *filter(None, [os.environ.get("PYTHONPATH")])])}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "archrepo.site.render_worker", str(os.getpid())], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self.errors, process_group=0, env=environment)
        self.thread = threading.Thread(target=self._serve, args=(todo, done), daemon=True,
                                       name=f"archrepo-render-{self.process.pid}")
        self.thread.start()

    def _serve(self, todo: queue.SimpleQueue[list[DotJob]], done: queue.SimpleQueue[Result]) -> None:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        while True:
            try:
                batch = todo.get_nowait()
            except queue.Empty:
                break
            try:
                write_message(stdin, batch)
                result = read_message(stdout)
            except (OSError, EOFError, ValueError):
                done.put(([], f"a diagram worker stopped unexpectedly{self._why()}",
                          "Run again; if it happens again, report it with ARCHREPO_DEBUG=1."))
                return
            done.put(result)  # type: ignore[arg-type]  # what render_worker.render returns
        with contextlib.suppress(OSError):
            stdin.close()

    def _why(self) -> str:
        with contextlib.suppress(OSError):
            self.errors.seek(0)
            lines = [line for line in self.errors.read().decode("utf-8", "replace").splitlines() if line.strip()]
            if lines:
                return f": {lines[-1][:200]}"
        return ""

    def stop(self) -> None:
        """Kill it and its group if it still runs (its `dot` dies with it), and reap it."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            self.process.wait()
        self.thread.join(timeout=5)
        for stream in (self.process.stdin, self.process.stdout, self.errors):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()


@contextmanager
def rendering(jobs: Sequence[DotJob], *, workers: int | None = None) -> Iterator[Iterator[list[tuple[str, str]]]]:
    """Render ``jobs`` in worker processes; the value is an iterator over the batches as they finish, each a
    list of (key, sanitised ``<svg>``). Iterating raises RenderError when a diagram cannot be rendered.
    Leaving the block ends the workers (killed, if it is left before they are done)."""
    if not jobs:
        yield iter(())
        return
    batches = _batches(jobs)
    todo: queue.SimpleQueue[list[DotJob]] = queue.SimpleQueue()
    for batch in batches:
        todo.put(batch)
    done: queue.SimpleQueue[Result] = queue.SimpleQueue()
    started: list[_Worker] = []
    try:
        for _ in range(min(workers or default_workers(), len(batches))):
            started.append(_Worker(todo, done))
        yield _collect(done, len(batches))
        for worker in started:  # all batches are in: they end when their input closes
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.process.wait(timeout=10)
    finally:
        for worker in started:
            worker.stop()


def _collect(done: queue.SimpleQueue[Result], count: int) -> Iterator[list[tuple[str, str]]]:
    for _ in range(count):
        rendered, message, hint = done.get()
        if message is not None:
            raise RenderError(message, hint=hint)
        yield rendered
