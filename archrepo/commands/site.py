"""`archrepo docs`: the static documentation site."""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

import click

from archrepo.commands.common import config_option, config_path_of, loaded, parse_date

__all__ = ["ProgressBar", "docs", "sigterm_unwinds"]


@click.command()
@config_option
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Directory to write the site into (created if missing; files archrepo did not generate "
                   "are never overwritten or deleted).")
@click.option("--format", "fmt", type=click.Choice(["html", "markdown"]), default="html", show_default=True,
              help="html: pages with SVG diagrams, search and an explorer, open from disk; markdown: pages with "
                   "Mermaid diagrams for MkDocs or a wiki.")
@click.option("--as-of", "as_of", metavar="DATE", default=None,
              help="Lifecycles and rules as of this date (default: today).")
@click.pass_context
def docs(ctx: click.Context, config_path: Path | None, out: Path, fmt: str, as_of: str | None) -> None:
    """Static documentation site: a page per element, principle and rule, with diagrams and violations.

    Diagrams are laid out on every core and kept in .archrepo-cache/, so a rebuild lays out only what changed.
    A progress bar shows on a terminal (not in CI logs)."""
    from archrepo.site import build_site

    started = time.perf_counter()
    day = parse_date(as_of, "--as-of")
    with sigterm_unwinds():
        # the check reads the model (through the parse cache) and the site is made of what it read: the files
        # are read once
        repository, result = _checked(ctx, config_path, day)
        bar = ProgressBar(sys.stderr) if ProgressBar.wanted(sys.stderr) else None
        try:
            # (the command line runs without the cyclic collector, archrepo.commands.process: pages leave
            # little cyclic garbage, and collecting it cost 2 s of a 5 s rebuild at 1,000 applications)
            summary = build_site(repository, out, fmt=fmt, as_of=day, result=result,
                                 progress=bar.show if bar else None)
        finally:
            if bar is not None:
                bar.close()
    seconds = time.perf_counter() - started
    changed = f"{len(summary.written)} written, {len(summary.files) - len(summary.written)} unchanged"
    if summary.reused:
        changed += f", {summary.reused} of them not even made again: what they show had not changed"
    removed = f", {len(summary.removed)} stale page(s) removed" if summary.removed else ""
    laid_out = f"; {summary.laid_out} laid out, {summary.cached} from the cache" if fmt == "html" else ""
    click.echo(f"wrote {summary.pages} pages with {summary.diagrams} diagrams{laid_out} to {out} "
               f"({changed}{removed}) in {seconds:.1f} s; open {summary.entry}", err=True)
    failed = summary.violations.get("failed_rules", 0)
    if failed:
        click.echo(f"warning: {failed} rule(s) failed to run; the index page lists them", err=True)


def _checked(ctx: click.Context, config_path: Path | None, day: Any) -> tuple[Any, Any]:
    """The repository as the check read it, and the check's result; ModelError when the model is invalid (as
    loading it would say), its warnings on stderr."""
    import datetime as dt

    from archrepo.config import load_config
    from archrepo.errors import ModelError
    from archrepo.rules.check import CheckOptions, run_check

    config = load_config(config_path_of(ctx, config_path))
    result = run_check(config, CheckOptions(as_of=day or dt.date.today()))
    if result.errors or result.repository is None:
        raise ModelError.from_diagnostics(result.errors, "the model is invalid")
    return loaded(result.repository), result


@contextmanager
def sigterm_unwinds() -> Iterator[None]:
    """While the block runs, SIGTERM raises :class:`archrepo.errors.Terminated` in the main thread: the build
    unwinds as on Ctrl-C (its diagram workers and their `dot` are ended) and the command exits with 143."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    from archrepo.errors import Terminated

    def terminate(number: int, frame: FrameType | None) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class ProgressBar:
    """One line on a terminal, redrawn at most ten times a second: ``[#####.....]  1,234 / 7,800``."""

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.last = 0.0
        self.drawn = False

    @staticmethod
    def wanted(stream: TextIO) -> bool:
        """Only on a terminal: a CI log (a pipe or a file) gets no bar."""
        try:
            return stream.isatty()
        except (AttributeError, ValueError):
            return False

    def show(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 and done < total:
            return
        self.last = now
        filled = self.WIDTH * done // total if total else self.WIDTH
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done:,} / {total:,} "
                          f"diagrams and pages ")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * (self.WIDTH + 50) + "\r")
            self.stream.flush()
