"""The `archrepo` command: a thin click layer over the library API.

Heavy modules (rdflib, pyoxigraph, networkx, jsonschema) are imported inside the commands, so that
`archrepo --version` and `--help` start fast. Every ArchrepoError is turned into a clear message and
exit code 2 in one place, :meth:`ArchrepoGroup.invoke`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from archrepo import __version__

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
                        help="archrepo.yaml to use (default: found by walking up from the working directory).")(function)


def _config_path(ctx: click.Context, config_path: Path | None) -> Path | None:
    if config_path is not None:
        return config_path
    group_value = ctx.find_root().params.get("config_path")
    return Path(group_value) if group_value else None


def _load(ctx: click.Context, config_path: Path | None) -> Any:
    from archrepo.api import load

    repository = load(_config_path(ctx, config_path))
    for warning in repository.model.warnings:
        click.echo(warning.format(), err=True)
    return repository


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from archrepo.output import write_atomic

    write_atomic(output, text)
    click.echo(f"wrote {output}", err=True)


@click.group(cls=ArchrepoGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="archrepo", message="%(prog)s %(version)s")
@config_option
@click.pass_context
def main(ctx: click.Context, config_path: Path | None) -> None:
    """archrepo: an architecture repository and model checker.

    Loads the YAML model files of an architecture repository, validates them, builds an RDF graph and
    checks it against the organisation's architecture principles.
    """
    ctx.ensure_object(dict)


@main.command()
@config_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people (stderr), json for tools (stdout).")
@click.pass_context
def validate(ctx: click.Context, config_path: Path | None, fmt: str) -> None:
    """Schema and reference checks only; every problem with file:line and a fix hint."""
    from archrepo.config import load_config
    from archrepo.model.loader import validate_model

    config = load_config(_config_path(ctx, config_path))
    model, diagnostics = validate_model(config)
    errors = [d for d in diagnostics if d.level.value == "error"]
    warnings = [d for d in diagnostics if d.level.value == "warning"]
    if fmt == "json":
        click.echo(json.dumps({"valid": model is not None, "errors": [d.as_dict() for d in errors],
                               "warnings": [d.as_dict() for d in warnings]}, indent=2, ensure_ascii=False))
    else:
        for diagnostic in diagnostics:
            click.echo(diagnostic.format(), err=True)
    if model is None:
        if fmt == "text":
            click.echo(f"invalid: {len(errors)} error{'s' if len(errors) != 1 else ''}, "
                       f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}", err=True)
        ctx.exit(EXIT_INVALID)
    if fmt == "text":
        click.echo(f"valid: {len(model)} elements in {len(model.files)} files"
                   + (f", {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" if warnings else ""),
                   err=True)


@main.command()
@config_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def stats(ctx: click.Context, config_path: Path | None, fmt: str) -> None:
    """Counts of elements per kind, files and RDF triples."""
    repository = _load(ctx, config_path)
    model = repository.model
    counts = model.counts()
    steps = sum(len(p.data.get("steps") or []) for p in model.of_kind("Process"))
    data = {"elements": len(model), "kinds": counts, "process_steps": steps, "files": len(model.files),
            "triples": len(repository.rdf)}
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    width = max(len(kind) for kind in counts)
    lines = [f"{kind.ljust(width)}  {count:>7}" for kind, count in counts.items()]
    lines += [f"{'elements'.ljust(width)}  {len(model):>7}", "",
              f"{'process steps'.ljust(width)}  {steps:>7}",
              f"{'model files'.ljust(width)}  {len(model.files):>7}",
              f"{'RDF triples'.ljust(width)}  {data['triples']:>7}"]
    click.echo("\n".join(lines))


@main.command()
@config_option
@click.option("--format", "fmt", type=click.Choice(["turtle", "jsonld", "ntriples"]), default="turtle",
              show_default=True, help="RDF serialisation.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file (atomically) instead of stdout.")
@click.pass_context
def export(ctx: click.Context, config_path: Path | None, fmt: str, output: Path | None) -> None:
    """Export the model as RDF."""
    from archrepo.graph.serialize import serialize_graph

    repository = _load(ctx, config_path)
    _emit(serialize_graph(repository.rdf, fmt), output)


@main.command()
@config_option
@click.argument("sparql")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="table for people; csv and json are the SPARQL 1.1 result formats.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None)
@click.pass_context
def query(ctx: click.Context, config_path: Path | None, sparql: str, fmt: str, output: Path | None) -> None:
    """Run a SPARQL query (text, or @FILE) over the model.

    Prefixes arch:, id:, rdf:, rdfs:, xsd: and owl: are predefined. Example:

    archrepo query 'SELECT ?i WHERE { ?i arch:data/arch:classification "sensitive" }'
    """
    from archrepo.errors import UsageError
    from archrepo.graph.results import format_results

    if sparql.startswith("@"):
        path = Path(sparql[1:])
        try:
            sparql = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read query file {path}: {exc.strerror if isinstance(exc, OSError) else exc}",
                             hint="Give @ followed by the path of a UTF-8 text file with the query.") from None
    repository = _load(ctx, config_path)
    results = repository.rdf.query(sparql)
    _emit(format_results(results, fmt, repository.rdf.prefixes), output)


if __name__ == "__main__":  # pragma: no cover
    main()
