"""A diagram worker of the docs build: ``python -m archrepo.site.render_worker PARENT_PID FOLDER INDEX``.

It reads its share of the batches from ``FOLDER/jobs-INDEX`` (a pickle the build wrote into a private temporary
folder), renders them one after the other, writes each batch's SVGs to ``FOLDER/INDEX-N.result`` (atomically)
and then says ``N`` on a line of stdout. It never waits for the build: no pipe it writes can fill up while the
build is busy making pages. It ignores Ctrl-C (the build handles it and ends the workers), dies with the build
(parent-death signal), and so do the `dot` processes it starts.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from archrepo.errors import RenderError
from archrepo.lifetime import die_with_parent
from archrepo.site.dot_batch import render_batch

if TYPE_CHECKING:
    from archrepo.site.render_pool import DotJob

__all__ = ["Result", "main", "render", "result_path"]

_NICER = 5  # below the build's priority (and so are the `dot` processes it starts)
Result = tuple[list[tuple[str, str]], str | None, str | None]  # (key, svg) of each diagram; or an error, a hint


def result_path(folder: Path, index: int, batch: int) -> Path:
    return folder / f"{index}-{batch}.result"


def render(jobs: list[DotJob]) -> Result:
    """A batch through one `dot` (or one `dot` per job marked ``alone``: they come in batches of one), each
    SVG rebuilt from the allow-list. A failure comes back as text, raised again in the build."""
    from archrepo.views.render_dot import render_dot
    from archrepo.views.svg import sanitise_svg

    if jobs and jobs[0].plan is not None:  # drawn by archrepo itself, as the build would draw it
        from archrepo.site.diagrams import draw_here

        return [(job.key, draw_here(job.plan, "svg")) for job in jobs if job.plan is not None], None, None
    try:
        documents = render_batch([render_dot(job.view) for job in jobs if job.view is not None])
        return [(job.key, sanitise_svg(document, dict(job.attributes)))
                for job, document in zip(jobs, documents, strict=True)], None, None
    except RenderError as error:
        return [], error.message, error.hint


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(_NICER)  # the build's process goes first: pages wait for it, and it has them to render
    die_with_parent(int(sys.argv[1]))
    folder, index = Path(sys.argv[2]), int(sys.argv[3])
    with (folder / f"jobs-{index}").open("rb") as handle:
        batches: list[list[DotJob]] = pickle.load(handle)
    for number, batch in enumerate(batches):
        target = result_path(folder, index, number)
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(pickle.dumps(render(batch), protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, target)
        sys.stdout.write(f"{number}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
