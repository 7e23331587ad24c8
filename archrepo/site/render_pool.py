"""The site's Graphviz diagrams rendered on every core: worker processes (:mod:`archrepo.site.render_worker`)
that each run `dot` on batches of graphs and rebuild every SVG from the allow-list
(:func:`archrepo.views.svg.sanitise_svg`), Python work that threads could not share out. Each worker gets its
share of the batches up front, in a file, and leaves each result in a file: it never waits for the build,
which meanwhile makes pages (threads talking to the workers would wait for the interpreter lock, and the
workers for them).

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
import pickle
import select
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from archrepo.errors import RenderError
from archrepo.site.render_worker import Result, result_path
from archrepo.views.graph import ViewGraph

if TYPE_CHECKING:
    from archrepo.site.plan import PlannedDiagram

__all__ = ["DotJob", "default_workers", "rendering"]

# Graphs per `dot` run: large enough to pay its start-up (~25 ms) once per many diagrams (~4 ms each), small
# enough that the work is shared evenly and the progress bar moves (1,050 diagrams: 4.27 s of `dot` in runs of
# 48, 3.93 s in runs of 200, the same SVGs)
_BATCH = 200
_DRAWN_BATCH = 200  # diagrams archrepo draws itself, per result
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # where `archrepo` is importable from


@dataclass(frozen=True)
class DotJob:
    """One diagram to render: its key (the page path), its view (made DOT in the worker: the graphviz package
    takes about 3 ms a diagram to write it), the attributes of its ``<svg>``. With ``plan``, a diagram archrepo
    draws itself (a map, an integration's row, a lineage), in the worker too when a first build has thousands."""

    key: str
    view: ViewGraph | None
    attributes: tuple[tuple[str, str], ...]
    alone: bool = False  # rendered by a `dot` of its own (see :func:`_batches`)
    plan: PlannedDiagram | None = None


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
    drawn = [job for job in ordered if job.plan is not None]
    shared = [job for job in ordered if not job.alone and job.plan is None]
    largest_first = sorted((job for job in ordered if job.alone),
                           key=lambda job: (-len(job.view.nodes) if job.view else 0, job.key))
    # the large graphs first: the longest layouts start early, so the workers finish together
    return ([[job] for job in largest_first] + [shared[start:start + _BATCH] for start in range(0, len(shared), _BATCH)]
            + [drawn[start:start + _DRAWN_BATCH] for start in range(0, len(drawn), _DRAWN_BATCH)])


class _Worker:
    """One worker process, its share of the batches, and what it has said it finished."""

    def __init__(self, folder: Path, index: int, batches: list[list[DotJob]]) -> None:
        self.folder, self.index, self.count = folder, index, len(batches)
        (folder / f"jobs-{index}").write_bytes(pickle.dumps(batches, protocol=pickle.HIGHEST_PROTOCOL))
        self.errors: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115  # its stderr, read if it dies; closed by stop()
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [_PACKAGE_ROOT, *filter(None, [os.environ.get("PYTHONPATH")])])}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "archrepo.site.render_worker", str(os.getpid()), str(folder), str(index)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.errors, process_group=0, env=environment)
        self.said = b""
        self.finished = 0

    def read(self) -> list[Result]:
        """The results it has announced since the last call; RenderError if it stopped before its last."""
        assert self.process.stdout is not None
        chunk = os.read(self.process.stdout.fileno(), 65536)
        if not chunk and self.finished < self.count:
            self.process.wait()
            raise RenderError(f"a diagram worker stopped unexpectedly{self._why()}",
                              hint="Run again; if it happens again, report it with ARCHREPO_DEBUG=1.")
        self.said += chunk
        *lines, self.said = self.said.split(b"\n")
        results = []
        for line in lines:
            path = result_path(self.folder, self.index, int(line))
            results.append(pickle.loads(path.read_bytes()))
            path.unlink()
            self.finished += 1
        return results

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
        for stream in (self.process.stdout, self.errors):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()


def _shares(batches: list[list[DotJob]], count: int) -> list[list[list[DotJob]]]:
    """The batches dealt to ``count`` workers, the costliest first to the least loaded (their order kept within
    a share: the large graphs first), so that they finish at about the same time."""
    loads = [0] * count
    shares: list[list[list[DotJob]]] = [[] for _ in range(count)]
    for batch in sorted(batches, key=lambda b: -_cost(b)):
        least = loads.index(min(loads))
        shares[least].append(batch)
        loads[least] += _cost(batch)
    return [sorted(share, key=lambda b: -_cost(b)) for share in shares if share]


def _cost(batch: list[DotJob]) -> int:
    """About what a batch costs: `dot` starting once, and each graph by its size (a diagram drawn without
    Graphviz: about a tenth of a small graph's layout)."""
    if batch and batch[0].plan is not None:
        return sum(3 if job.view is not None else 30 for job in batch)
    return 40 + sum(len(job.view.nodes) + len(job.view.edges) for job in batch if job.view is not None)


@contextmanager
def rendering(jobs: Sequence[DotJob], *, workers: int | None = None) -> Iterator[Iterator[list[tuple[str, str]]]]:
    """Render ``jobs`` in worker processes; the value is an iterator over the batches as they finish, each a
    list of (key, sanitised ``<svg>``). Iterating raises RenderError when a diagram cannot be rendered.
    Leaving the block ends the workers (killed, if it is left before they are done)."""
    if not jobs:
        yield iter(())
        return
    shares = _shares(_batches(jobs), workers or default_workers())
    started: list[_Worker] = []
    with tempfile.TemporaryDirectory(prefix="archrepo-render-") as folder:
        try:
            for index, share in enumerate(shares):
                started.append(_Worker(Path(folder), index, share))
            yield _collect(started)
            for worker in started:
                worker.process.wait()
        finally:
            for worker in started:
                worker.stop()


def _collect(workers: list[_Worker]) -> Iterator[list[tuple[str, str]]]:
    """Each batch as its worker announces it (waiting on their stdout, not polling)."""
    open_ = {worker.process.stdout.fileno(): worker for worker in workers if worker.process.stdout is not None}
    while open_:
        readable, _, _ = select.select(list(open_), [], [])
        for descriptor in readable:
            worker = open_[descriptor]
            for rendered, message, hint in worker.read():
                if message is not None:
                    raise RenderError(message, hint=hint)
                yield rendered
            if worker.finished == worker.count:
                del open_[descriptor]
