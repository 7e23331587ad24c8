"""`archrepo docs`: the static documentation site."""

from __future__ import annotations

import time
from pathlib import Path

import click

from archrepo.commands.common import config_option, load_repository, parse_date

__all__ = ["docs"]


@click.command()
@config_option
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Directory to write the site into (created if missing; files archrepo did not generate "
                   "are never overwritten or deleted).")
@click.option("--format", "fmt", type=click.Choice(["html", "markdown"]), default="html", show_default=True,
              help="html: pages with SVG diagrams and search, open from disk; markdown: pages with Mermaid "
                   "diagrams for MkDocs or a wiki.")
@click.option("--as-of", "as_of", metavar="DATE", default=None,
              help="Lifecycles and rules as of this date (default: today).")
@click.pass_context
def docs(ctx: click.Context, config_path: Path | None, out: Path, fmt: str, as_of: str | None) -> None:
    """Static documentation site: a page per element, principle and rule, with diagrams and violations."""
    from archrepo.site import build_site

    started = time.perf_counter()
    repository = load_repository(ctx, config_path)
    summary = build_site(repository, out, fmt=fmt, as_of=parse_date(as_of, "--as-of"))
    seconds = time.perf_counter() - started
    changed = f"{len(summary.written)} written, {len(summary.files) - len(summary.written)} unchanged"
    removed = f", {len(summary.removed)} stale page(s) removed" if summary.removed else ""
    click.echo(f"wrote {summary.pages} pages with {summary.diagrams} diagrams to {out} "
               f"({changed}{removed}) in {seconds:.1f} s; open {summary.entry}", err=True)
    failed = summary.violations.get("failed_rules", 0)
    if failed:
        click.echo(f"warning: {failed} rule(s) failed to run; the index page lists them", err=True)
