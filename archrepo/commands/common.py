"""What every command shares: the --config option, loading, writing output, and the error boundary."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_VIOLATIONS, EXIT_INVALID = 0, 1, 2


class ArchrepoGroup(click.Group):
    """Maps archrepo's errors to exit code 2 with a message for people, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from archrepo.errors import ArchrepoError

        try:
            return super().invoke(ctx)
        except ArchrepoError as error:
            click.echo(error.format(), err=True)
            ctx.exit(error.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            sys.stderr.close()
            ctx.exit(EXIT_OK)
        except Exception as error:  # a bug in archrepo: say so plainly, keep the traceback for ARCHREPO_DEBUG
            if os.environ.get("ARCHREPO_DEBUG"):
                raise
            click.echo(f"internal error: {type(error).__name__}: {error}\n"
                       "  hint: this is a bug in archrepo; run again with ARCHREPO_DEBUG=1 for details "
                       "and report it.", err=True)
            ctx.exit(EXIT_INVALID)


def config_option(function: F) -> F:
    """`--config PATH` on every command (also accepted before the command name)."""
    return click.option("--config", "config_path", type=click.Path(path_type=Path), default=None,
                        help="archrepo.yaml to use (default: found by walking up from the working directory)."
                        )(function)


def config_path_of(ctx: click.Context, config_path: Path | None) -> Path | None:
    if config_path is not None:
        return config_path
    group_value = ctx.find_root().params.get("config_path")
    return Path(group_value) if group_value else None


def load_repository(ctx: click.Context, config_path: Path | None) -> Any:
    from archrepo.api import load

    repository = load(config_path_of(ctx, config_path))
    for warning in repository.model.warnings:
        click.echo(warning.format(), err=True)
    return repository


def emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from archrepo.output import write_atomic

    write_atomic(output, text)
    click.echo(f"wrote {output}", err=True)


def parse_date(value: str | None, option: str) -> Any:
    import datetime as dt

    from archrepo.errors import UsageError

    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} {value}: not a date", hint="Write the date as YYYY-MM-DD.") from None


def use_color(flag: bool | None, output: Path | None) -> bool:
    if flag is not None:
        return flag
    return output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
