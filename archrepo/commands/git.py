"""The git-native workflow: `archrepo diff` between revisions and `archrepo init` of a new repository."""

from __future__ import annotations

from pathlib import Path

import click

from archrepo.commands.common import config_option, config_path_of, emit, parse_date
from archrepo.report.registry import DIFF_RENDERERS

__all__ = ["diff", "init"]


@click.command()
@config_option
@click.argument("base", metavar="BASE")
@click.argument("head", metavar="[HEAD]", required=False)
@click.option("--format", "fmt", type=click.Choice(list(DIFF_RENDERERS)), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None)
@click.option("--as-of", "as_of", metavar="DATE", default=None)
@click.pass_context
def diff(ctx: click.Context, config_path: Path | None, base: str, head: str | None, fmt: str,
         output: Path | None, as_of: str | None) -> None:
    """Model and violation changes from BASE to HEAD (default: the work tree), read straight from git."""
    from archrepo.changes import diff_revisions
    from archrepo.config import load_config
    from archrepo.report.changes import render_diff

    config = load_config(config_path_of(ctx, config_path))
    result = diff_revisions(config, base, head, parse_date(as_of, "--as-of"))
    emit(render_diff(result, fmt), output)


@click.command("init")
@config_option
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
def init(config_path: Path | None, directory: Path, force: bool) -> None:
    """Create a new architecture repository in DIRECTORY: config, example model, standard principles and
    rules, waivers, .gitignore, pre-commit and CI templates. (--config is accepted like everywhere, and not
    needed: the new repository's archrepo.yaml is written in DIRECTORY.)"""
    from archrepo.scaffold import init_repository

    written = init_repository(directory, force=force)
    click.echo(f"created {len(written)} files in {directory}", err=True)
    click.echo(f"next: cd {directory} && git init && archrepo check", err=True)
