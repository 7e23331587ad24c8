"""A diagram worker of the docs build: ``python -m archrepo.site.render_worker PARENT_PID``.

It reads batches of diagrams from stdin and writes each batch's SVGs to stdout (a length, then a pickle, both
ways; only the build that started it talks to it). It ignores Ctrl-C (the build handles it and ends the
workers), dies with the build (parent-death signal), and so do the `dot` processes it starts.
"""

from __future__ import annotations

import pickle
import signal
import sys
from typing import IO, TYPE_CHECKING

from archrepo.errors import RenderError
from archrepo.site.dot_batch import die_with_parent, render_batch

if TYPE_CHECKING:
    from archrepo.site.render_pool import DotJob

__all__ = ["main", "read_message", "render", "write_message"]

Result = tuple[list[tuple[str, str]], str | None, str | None]  # (key, svg) of each diagram; or an error, a hint


def read_message(stream: IO[bytes]) -> object:
    """One length-prefixed pickle; EOFError at the end of the stream."""
    header = stream.read(8)
    if len(header) < 8:
        raise EOFError
    size = int.from_bytes(header, "little")
    payload = stream.read(size)
    if len(payload) < size:
        raise EOFError
    return pickle.loads(payload)


def write_message(stream: IO[bytes], value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(8, "little") + data)
    stream.flush()


def render(jobs: list[DotJob]) -> Result:
    """A batch through one `dot` (or one `dot` per job marked ``alone``: they come in batches of one), each
    SVG rebuilt from the allow-list. A failure comes back as text, raised again in the build."""
    from archrepo.views.render_dot import render_dot
    from archrepo.views.svg import sanitise_svg

    try:
        documents = render_batch([render_dot(job.view) for job in jobs])
        return [(job.key, sanitise_svg(document, dict(job.attributes)))
                for job, document in zip(jobs, documents, strict=True)], None, None
    except RenderError as error:
        return [], error.message, error.hint


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(int(sys.argv[1]))
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            jobs = read_message(source)
        except EOFError:
            return
        assert isinstance(jobs, list)
        write_message(sink, render(jobs))


if __name__ == "__main__":
    main()
