"""`archrepo fmt`: rewrite model files in canonical key order and style, keeping every comment."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from archrepo.commands.common import EXIT_INVALID, EXIT_OK, EXIT_VIOLATIONS, config_option, config_path_of
from archrepo.escaping import terminal_text

if TYPE_CHECKING:  # imported inside the functions at run time, so that `archrepo --help` starts fast
    from archrepo.config import Config
    from archrepo.formatting import FormatResult

__all__ = ["fmt"]


@click.command()
@config_option
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True,
              help="Write nothing; list the files that would change and exit 1 if there are any.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print a unified diff of what would change.")
@click.pass_context
def fmt(ctx: click.Context, config_path: Path | None, paths: tuple[Path, ...], check: bool, show_diff: bool) -> None:
    """Format model files: canonical key order, 2-space style, comments kept.

    PATHS are files or directories (default: every model file under the configured model paths).
    Files that do not parse, or that fmt cannot rewrite without losing something, are left alone and
    reported (exit 2); the others are still formatted.
    """
    from archrepo.formatting import format_files

    result = format_files(_config(ctx, config_path, paths), paths, check=check or show_diff)
    if show_diff:
        click.echo(_shown(result.diff()), nl=False)
    elif check:
        for changed in result.changed:
            click.echo(terminal_text(changed.file))  # a file name is repository text too
    for diagnostic in result.diagnostics:
        click.echo(diagnostic.format(), err=True)
    click.echo(_summary(result, dry=check or show_diff), err=True)
    if result.errors:
        ctx.exit(EXIT_INVALID)
    ctx.exit(EXIT_VIOLATIONS if check and result.changed else EXIT_OK)


def _shown(diff: str) -> str:
    """The diff with what a terminal could act on as visible escapes, line ends (LF or CRLF) kept as they are."""
    return "\n".join(terminal_text(line.removesuffix("\r")) + ("\r" if line.endswith("\r") else "")
                     for line in diff.split("\n"))


def _config(ctx: click.Context, config_path: Path | None, paths: tuple[Path, ...]) -> Config | None:
    """The repository's config; with PATHS named and no archrepo.yaml around, none is needed."""
    from archrepo.config import find_config, load_config

    explicit = config_path_of(ctx, config_path)
    if paths and explicit is None and find_config(Path.cwd()) is None:
        return None
    return load_config(explicit)


def _summary(result: FormatResult, *, dry: bool) -> str:
    changed, unchanged, failed = len(result.changed), len(result.unchanged), len(result.failed)
    verb = "would be reformatted" if dry else "reformatted"
    parts = [f"{changed} file{'s' if changed != 1 else ''} {verb}", f"{unchanged} unchanged"]
    if failed:
        parts.append(f"{failed} not formatted (see the errors above)")
    return ", ".join(parts)
