"""Graphviz's `dot` on many diagrams at once, never outliving archrepo.

Starting `dot` costs about 25 ms (it loads its plugins), laying out a page's diagram about 2 ms: one `dot`
process reads a batch of graphs and writes one SVG document per graph, in order.

A `dot` runs in its own process group (a Ctrl-C on the terminal reaches archrepo, which kills it, rather than
every process at once) and, on Linux, with a parent-death signal: when the process that started it dies, even of
SIGKILL (which no handler sees), the kernel kills `dot` too, so no layout keeps a core busy for nobody.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
from collections.abc import Callable, Sequence

from archrepo.errors import RenderError
from archrepo.escaping import one_line, shorten
from archrepo.lifetime import die_with_parent

__all__ = ["render_batch"]

_PROLOGUE = b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
# After the first graph of a run, Graphviz 2.43 prefixes the ids of each graph's groups with "page0,1_" ("graph0"
# becomes "page0,1_graph0"); the same diagram must come out the same whatever its place in a batch. (Model text
# cannot match: Graphviz writes a quote inside an attribute value as &quot;.)
_PAGE_ID = re.compile(rb' id="(a_)?page[0-9]+,[0-9]+_')
_CLUSTER = re.compile(rb'<g id="clust([0-9]+)" class="cluster">')


def _child_setup(parent: int) -> Callable[[], None]:
    # Runs in the child between fork and exec: only the already-loaded prctl and two system calls. Callers
    # start `dot` from a process with no other thread (a render worker), where that is safe.
    return lambda: die_with_parent(parent)


def render_batch(sources: Sequence[str]) -> list[bytes]:
    """The SVG document of each DOT source, in order. RenderError naming the first diagram that fails (a
    failing batch is rendered again one graph at a time to find it)."""
    if not sources:
        return []
    documents = _run(sources)
    if documents is not None and len(documents) == len(sources):
        return documents
    results = []
    for source in sources:
        single = _run([source], strict=True)
        assert single is not None and len(single) == 1
        results.append(single[0])
    return results


def _run(sources: Sequence[str], *, strict: bool = False) -> list[bytes] | None:
    """One `dot -Tsvg` over every source. None when it failed (``strict``: RenderError saying why)."""
    text = "\n".join(sources).encode("utf-8")
    try:
        process = subprocess.Popen(["dot", "-Tsvg"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, process_group=0, preexec_fn=_child_setup(os.getpid()))
    except FileNotFoundError:
        raise RenderError("Graphviz's `dot` was not found, so the diagrams cannot be rendered",
                          hint="Install Graphviz (Debian/Ubuntu: apt-get install graphviz).") from None
    except OSError as error:
        raise RenderError(f"Graphviz's `dot` could not be run: {error.strerror or error}") from None
    try:
        # communicate() writes while it reads both pipes: no deadlock on a large batch, and a `dot` that
        # stopped reading (it failed early) leaves a broken pipe that communicate() absorbs.
        stdout, stderr = process.communicate(text)
    finally:
        _stop(process)
    if process.returncode != 0:
        if strict:
            raise RenderError(_failure(process.returncode, stderr),
                              hint="Check that Graphviz works (`dot -V`).")
        return None
    documents = [_canonical(_PROLOGUE + part) for part in stdout.split(_PROLOGUE)[1:]]
    if strict and len(documents) != len(sources):
        raise RenderError(f"Graphviz failed to render the diagram: `dot` wrote {len(documents)} SVG documents "
                          f"for {len(sources)} graphs")
    return documents


def _canonical(document: bytes) -> bytes:
    """The SVG as a `dot` run of this graph alone writes it. In a run of several graphs, Graphviz 2.43 prefixes
    the graph's ids with "page0,1_", and draws clusters in the order of their names' addresses in memory, which
    the graphs before have shuffled (the drawing is the same). Clusters go back in the order they were declared
    (their ``clustN`` number). Model text cannot match any of this: Graphviz escapes ``<`` and ``"`` in it."""
    lines = _PAGE_ID.sub(rb' id="\1', document).split(b"\n")
    out: list[bytes] = []
    run: list[tuple[int, list[bytes]]] = []  # consecutive cluster groups, by number
    index = 0
    while index < len(lines):
        found = _CLUSTER.match(lines[index])
        if found is None:
            if not (lines[index].startswith(b"<!--") and index + 1 < len(lines) and _CLUSTER.match(lines[index + 1])):
                out += [line for _, block in sorted(run) for line in block]
                run = []
                out.append(lines[index])
                index += 1
                continue
            found = _CLUSTER.match(lines[index + 1])
            assert found is not None
        start, depth = index, 0
        while True:  # to the end of the cluster's group (comment line first, if any)
            line = lines[index]
            depth += line.count(b"<g ") + line.count(b"<g>") - line.count(b"</g>")
            index += 1
            if (depth <= 0 and index > start + 1) or index == len(lines):
                break
        run.append((int(found.group(1)), lines[start:index]))
    out += [line for _, block in sorted(run) for line in block]
    return b"\n".join(out)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Kill `dot` and its group if it is still running (we were interrupted), and reap it."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            process.kill()
    with contextlib.suppress(OSError):
        process.wait()


def _failure(returncode: int, stderr: bytes) -> str:
    first = next((line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()), "")
    why = f"killed by signal {-returncode}" if returncode < 0 else f"exit status {returncode}"
    said = f": {shorten(one_line(first), 200)}" if first else ""
    return f"Graphviz failed to render a diagram ({why}){said}"
