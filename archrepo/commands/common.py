"""What every command shares: the --config option, loading, writing output, and the error boundary."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from archrepo.escaping import terminal_text

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_VIOLATIONS, EXIT_INVALID, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143


class ArchrepoGroup(click.Group):
    """The one error boundary: archrepo's errors are exit 2 with a message for people, never a traceback; a bug
    in archrepo is exit 2 saying so ("internal error"); Ctrl-C is exit 130; a reader that stopped reading
    stdout (``archrepo query … | head``) is exit 0, silently."""

    def invoke(self, ctx: click.Context) -> Any:
        from archrepo.errors import ArchrepoError

        try:
            with _warnings_to_stderr():
                return super().invoke(ctx)
        except ArchrepoError as error:
            click.echo(error.format(), err=True)
            ctx.exit(error.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt as interrupt:
            from archrepo.errors import Terminated

            terminated = isinstance(interrupt, Terminated)
            click.echo("terminated" if terminated else "interrupted", err=True)
            ctx.exit(EXIT_TERMINATED if terminated else EXIT_INTERRUPTED)
        except BrokenPipeError as error:
            if not _stdout_reader_gone():  # a pipe of something else (a subprocess) broke: a failure, not an end
                _internal_error(ctx, error)
            _discard_stdout()
            ctx.exit(EXIT_OK)
        except Exception as error:
            _internal_error(ctx, error)


def _internal_error(ctx: click.Context, error: Exception) -> NoReturn:
    """A bug in archrepo: say so plainly, exit 2; the traceback only with ARCHREPO_DEBUG."""
    if os.environ.get("ARCHREPO_DEBUG"):
        raise error
    click.echo(terminal_text(f"internal error: {type(error).__name__}: {error}") + "\n"
               "  hint: this is a bug in archrepo; run again with ARCHREPO_DEBUG=1 for details "
               "and report it.", err=True)
    ctx.exit(EXIT_INVALID)


def _stdout_reader_gone() -> bool:
    """Whether stdout is a pipe or socket whose reading end is closed (poll reports an error or hang-up on it)."""
    import select

    try:
        descriptor = sys.stdout.fileno()
        poller = select.poll()
        poller.register(descriptor, select.POLLOUT)
        events = poller.poll(0)
    except (AttributeError, OSError, ValueError):  # no file descriptor (a test runner's buffer): not a pipe
        return False
    return any(event & (select.POLLERR | select.POLLHUP) for _, event in events)


def _discard_stdout() -> None:
    """Send what is still buffered for stdout nowhere, so that the final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):
        pass


class _WarningsToStderr(logging.Handler):
    """The library's warnings (``logging.getLogger("archrepo")``, e.g. a cache it cannot use) for people, on
    stderr, each once per command."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message not in self.seen:
            self.seen.add(message)
            click.echo(terminal_text(f"warning: {message}"), err=True)  # it may quote a path or a value


@contextlib.contextmanager
def _warnings_to_stderr() -> Iterator[None]:
    logger = logging.getLogger("archrepo")
    if any(isinstance(h, _WarningsToStderr) for h in logger.handlers):  # a nested group: there already
        yield
        return
    handler = _WarningsToStderr()
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


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


def load_repository(ctx: click.Context, config_path: Path | None, graph: bool = True, triples: bool = True) -> Any:
    """The repository, loaded and validated; ``graph=False`` for a command that does not query the RDF graph
    (it is then built only if used); ``triples=False`` too when nothing after it reads the model with them (a
    check does: its parses are cached with their triples)."""
    from archrepo.api import load

    return loaded(load(config_path_of(ctx, config_path), graph=graph, triples=triples))


def loaded(repository: Any) -> Any:
    """A repository a command read: kept until the process ends (the command line never frees it object by
    object), the model's warnings said on stderr."""
    from archrepo.commands.process import keep_until_exit

    keep_until_exit(repository)
    for warning in repository.model.warnings:
        click.echo(warning.format(), err=True)
    return repository


def emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from archrepo.output import write_atomic

    write_atomic(output, text, in_place=True)  # named on the command line: /dev/stdout, a FIFO … are fine
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
