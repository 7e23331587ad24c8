"""`archrepo validate`, `stats`, `export` and `query`: the model itself, checked, counted, exported and queried."""

from __future__ import annotations

import json
from pathlib import Path

import click

from archrepo.commands.common import (
    EXIT_INVALID,
    config_option,
    config_path_of,
    emit,
    load_repository,
)
from archrepo.escaping import json_text
from archrepo.graph.formats import QUERY_FORMATS, RDF_FORMATS
from archrepo.interop.formats import exporter, exporters

__all__ = ["export", "query", "stats", "validate"]


@click.command()
@config_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people (stderr), json for tools (stdout).")
@click.pass_context
def validate(ctx: click.Context, config_path: Path | None, fmt: str) -> None:
    """Schema and reference checks of the model, and of everything else `check` reads (principles, rules and
    their parameters, waivers, baseline); every problem with file:line and a fix hint."""
    from archrepo.config import load_config
    from archrepo.model.loader import validate_model
    from archrepo.rules.inputs import check_rule_inputs

    config = load_config(config_path_of(ctx, config_path))
    model, diagnostics = validate_model(config)
    diagnostics = sorted(diagnostics + check_rule_inputs(config))
    errors = [d for d in diagnostics if d.level.value == "error"]
    warnings = [d for d in diagnostics if d.level.value == "warning"]
    if fmt == "json":
        click.echo(json_text(json.dumps({"valid": not errors, "errors": [d.as_dict() for d in errors],
                                         "warnings": [d.as_dict() for d in warnings]}, indent=2, ensure_ascii=False)))
    else:
        for diagnostic in diagnostics:
            click.echo(diagnostic.format(), err=True)
    if model is None or errors:
        if fmt == "text":
            click.echo(f"invalid: {len(errors)} error{'s' if len(errors) != 1 else ''}, "
                       f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}", err=True)
        ctx.exit(EXIT_INVALID)
    if fmt == "text":
        click.echo(f"valid: {len(model)} elements in {len(model.files)} files"
                   + (f", {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" if warnings else ""),
                   err=True)


@click.command()
@config_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def stats(ctx: click.Context, config_path: Path | None, fmt: str) -> None:
    """Counts of elements per kind, files and RDF triples."""
    repository = load_repository(ctx, config_path)
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


@click.command()
@config_option
@click.option("--format", "fmt", type=click.Choice([*RDF_FORMATS, *(e.name for e in exporters())]),
              default="turtle", show_default=True,
              help="An RDF serialisation, or a format of another tool: "
                   + "; ".join(f"{e.name}: {e.summary}" for e in exporters()) + ".")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file (atomically) instead of stdout.")
@click.pass_context
def export(ctx: click.Context, config_path: Path | None, fmt: str, output: Path | None) -> None:
    """Export the model as RDF, or in the format of another tool (e.g. an ArchiMate exchange file)."""
    repository = load_repository(ctx, config_path)
    if fmt in {e.name for e in exporters()}:
        emit(exporter(fmt).export(repository.model), output)
        return
    from archrepo.graph.serialize import serialize_graph

    emit(serialize_graph(repository.rdf, fmt), output)


@click.command()
@config_option
@click.argument("sparql")
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS), default="table", show_default=True,
              help="table for people; csv and json are the SPARQL 1.1 result formats.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None)
@click.option("--store", metavar="URL", default=None,
              help="Query this SPARQL endpoint (where `archrepo publish` put repositories) instead of the model here.")
@click.option("--graph", "graph", metavar="IRI", default=None,
              help="With --store: only this repository's graph (default: the whole store, every repository).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True, max=86400), default=None, metavar="SECONDS",
              help="Stop the query after this long (exit 2) (default: rule_timeout in archrepo.yaml, else 60).")
@click.pass_context
def query(ctx: click.Context, config_path: Path | None, sparql: str, fmt: str, output: Path | None,
          store: str | None, graph: str | None, timeout: float | None) -> None:
    """Run a SPARQL query (text, or @FILE) over the model, or over a store of published repositories.

    Prefixes arch:, id:, rdf:, rdfs:, xsd: and owl: are predefined. Example:

    archrepo query 'SELECT ?i WHERE { ?i arch:data/arch:classification "sensitive" }'
    """
    from archrepo.errors import UsageError
    from archrepo.graph.results import answer_query

    if sparql.startswith("@"):
        path = Path(sparql[1:])
        try:
            sparql = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read query file {path}: {exc.strerror if isinstance(exc, OSError) else exc}",
                             hint="Give @ followed by the path of a UTF-8 text file with the query.") from None
    if store:
        from archrepo.commands.store import store_for_query

        graph_view, seconds = store_for_query(ctx, config_path, store, graph)
    elif graph:
        raise UsageError("--graph names a graph in a store: give --store URL too")
    else:
        repository = load_repository(ctx, config_path)
        graph_view, seconds = repository.rdf, repository.config.rule_timeout
    # like a rule's: bounded, and Ctrl-C ends it at once (exit 130)
    emit(answer_query(graph_view, sparql, fmt, timeout if timeout is not None else seconds), output)
