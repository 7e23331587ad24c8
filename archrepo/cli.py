"""The `archrepo` command: a thin click layer over the library API.

Heavy modules (rdflib, pyoxigraph, networkx, jsonschema) are imported inside the commands, so that
`archrepo --version` and `--help` start fast. Every ArchrepoError is turned into a clear message and
exit code 2 in one place, :meth:`ArchrepoGroup.invoke`.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from archrepo import __version__
from archrepo.commands.common import (
    EXIT_INVALID,
    ArchrepoGroup,
    config_option,
    config_path_of,
    emit,
    load_repository,
    parse_date,
    use_color,
)
from archrepo.interop.formats import exporter, exporters


def run() -> None:
    """The console script: the command, then leave without freeing the loaded model object by object."""
    from archrepo.model.bulk import run_then_leave

    run_then_leave(main)


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
        click.echo(json.dumps({"valid": not errors, "errors": [d.as_dict() for d in errors],
                               "warnings": [d.as_dict() for d in warnings]}, indent=2, ensure_ascii=False))
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


@main.command()
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


@main.command()
@config_option
@click.option("--format", "fmt", type=click.Choice(["turtle", "jsonld", "ntriples", *(e.name for e in exporters())]),
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


@main.command()
@config_option
@click.argument("sparql")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="table for people; csv and json are the SPARQL 1.1 result formats.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None)
@click.option("--store", metavar="URL", default=None,
              help="Query this SPARQL endpoint (where `archrepo publish` put repositories) instead of the model here.")
@click.option("--graph", "graph", metavar="IRI", default=None,
              help="With --store: only this repository's graph (default: the whole store, every repository).")
@click.pass_context
def query(ctx: click.Context, config_path: Path | None, sparql: str, fmt: str, output: Path | None,
          store: str | None, graph: str | None) -> None:
    """Run a SPARQL query (text, or @FILE) over the model, or over a store of published repositories.

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
    if store:
        from archrepo.commands.store import store_for_query

        graph_view = store_for_query(ctx, config_path, store, graph)
    elif graph:
        raise UsageError("--graph names a graph in a store: give --store URL too")
    else:
        graph_view = load_repository(ctx, config_path).rdf
    results = graph_view.query(sparql)
    emit(format_results(results, fmt, graph_view.prefixes), output)


@main.command()
@config_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "junit", "markdown", "github"]),
              default="text", show_default=True, help="Report format.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the report to this file (atomically) instead of stdout.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default="error",
              show_default=True, help="Exit 1 when a violation at or above this severity counts.")
@click.option("--baseline", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Count only violations not in this baseline (default: the config's baseline, if it exists).")
@click.option("--no-baseline", is_flag=True, help="Ignore the baseline named in archrepo.yaml.")
@click.option("--as-of", "as_of", metavar="DATE", default=None, help="Check as of this date (default: today).")
@click.option("--rule", "rule_ids", multiple=True, metavar="ID", help="Run only this rule (repeatable).")
@click.option("--new-since", metavar="REV", default=None,
              help="Count only violations that are not already there at this git revision (e.g. the merge base).")
@click.option("--color/--no-color", default=None, help="Colour the text report (default: on a terminal).")
@click.option("--store", metavar="URL", default=None,
              help="Run the SPARQL rules on the repository's graph in this SPARQL endpoint (see `archrepo publish`).")
@click.option("--graph", "graph", metavar="IRI", default=None,
              help="With --store: the repository's graph (default: <base_iri>_graph).")
@click.option("--rule-timeout", type=click.FloatRange(min=0, min_open=True, max=86400), default=None,
              metavar="SECONDS", help="Stop a rule after this long and report it as failed (default: rule_timeout "
                                      "in archrepo.yaml, else 60).")
@click.pass_context
def check(ctx: click.Context, config_path: Path | None, fmt: str, output: Path | None, fail_on: str,
          baseline: Path | None, no_baseline: bool, as_of: str | None, rule_ids: tuple[str, ...],
          new_since: str | None, color: bool | None, store: str | None, graph: str | None,
          rule_timeout: float | None) -> None:
    """Check the model against the architecture rules; exit 1 on violations at or above --fail-on."""
    from archrepo.config import load_config
    from archrepo.errors import UsageError
    from archrepo.report import ReportOptions, render
    from archrepo.rules.check import CheckOptions, run_check
    from archrepo.rules.definitions import Severity

    config = load_config(config_path_of(ctx, config_path))
    if new_since and baseline:
        raise UsageError("--new-since and --baseline both say which violations are known; give one of them")
    if graph and not store:
        raise UsageError("--graph names a graph in a store: give --store URL too")
    options = CheckOptions(as_of=parse_date(as_of, "--as-of"), rule_ids=rule_ids, baseline=baseline,
                           use_config_baseline=not no_baseline and not new_since, new_since=new_since,
                           store=store, graph=graph, rule_timeout=rule_timeout)
    result = run_check(config, options)
    for warning in result.warnings:
        click.echo(warning.format(), err=True)
    threshold = None if fail_on == "never" else Severity.parse(fail_on)
    report = render(fmt, result, ReportOptions(fail_on=threshold, color=use_color(color, output) and fmt == "text",
                                               tool_version=__version__))
    emit(report, output)
    if fmt != "text" and (result.errors or result.failures):
        for diagnostic in result.errors:
            click.echo(diagnostic.format(), err=True)
        for failure in result.failures:
            click.echo(f"{failure.location}: error: rule {failure.rule} failed to run: {failure.message}", err=True)
    ctx.exit(result.exit_code(threshold))


@main.command()
@config_option
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Baseline file to write (default: `baseline:` of archrepo.yaml, else .archrepo-baseline.json).")
@click.option("--as-of", "as_of", metavar="DATE", default=None)
@click.pass_context
def baseline(ctx: click.Context, config_path: Path | None, output: Path | None, as_of: str | None) -> None:
    """Record today's violations, so that `check` fails only on new ones."""
    from archrepo.config import load_config
    from archrepo.errors import Diagnostic, ModelError, RuleError
    from archrepo.output import write_atomic
    from archrepo.rules.baseline import baseline_document
    from archrepo.rules.check import CheckOptions, run_check

    config = load_config(config_path_of(ctx, config_path))
    day = parse_date(as_of, "--as-of")
    result = run_check(config, CheckOptions(as_of=day, use_config_baseline=False))
    if result.errors:
        raise ModelError.from_diagnostics(result.errors, "the model is invalid; no baseline written")
    if result.failures:
        raise RuleError("rules failed to run; no baseline written", diagnostics=[
            Diagnostic(f.location.file, f.location.line, f"rule {f.rule} failed to run: {f.message}")
            for f in result.failures])
    # not resolved: a link at the default path (from the repository) must not send the write elsewhere
    target = output or config.root / (config.baseline or ".archrepo-baseline.json")
    write_atomic(target, baseline_document(result.violations, day), in_place=output is not None)
    known = sum(1 for v in result.violations if not v.waived)
    click.echo(f"wrote {target}: {known} violation(s) recorded", err=True)


@main.command("rules")
@config_option
@click.option("--explain", metavar="ID", default=None, help="Print one rule in full: remediation and query.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--test", "test", is_flag=True,
              help="Run the rule cases in the rule-case folder (`rule_tests:`, default tests/rules): PASS or FAIL "
                   "per case; exit 1 when one fails.")
@click.option("--rule", "rule_ids", multiple=True, metavar="ID", help="With --test: only this rule's cases.")
@click.pass_context
def rules_command(ctx: click.Context, config_path: Path | None, explain: str | None, fmt: str, test: bool,
                  rule_ids: tuple[str, ...]) -> None:
    """List the rules: id, severity, principle, what each checks. --test runs the repository's rule cases."""
    from archrepo.config import load_config
    from archrepo.errors import UsageError
    from archrepo.model.schema import suggest
    from archrepo.rules.definitions import load_principles, load_rules
    from archrepo.rules.params import explain_params

    config = load_config(config_path_of(ctx, config_path))
    if rule_ids and not test:
        raise UsageError("--rule selects the cases of --test", hint="Add --test, or use `archrepo check --rule ID`.")
    if test:
        from archrepo.commands.rule_tests import run_rule_tests

        run_rule_tests(ctx, config, rule_ids)
        return
    principles = load_principles(config)
    rules = load_rules(config, principles)
    if explain:
        chosen = next((r for r in rules if r.id == explain.upper() or r.id == explain), None)
        if chosen is None:
            close = suggest(explain, [r.id for r in rules])
            raise UsageError(f"no enabled rule '{explain}'", hint=f"Did you mean {close}?" if close else
                             "`archrepo rules` lists them.")
        principle = principles.get(chosen.principle)
        text = [f"{chosen.id} {chosen.name}", "",
                f"severity:    {chosen.severity.label}"
                + (f" (default {chosen.default_severity.label})" if chosen.severity != chosen.default_severity else ""),
                f"principle:   {chosen.principle}" + (f" {principle.name}" if principle else ""),
                f"defined in:  {chosen.location}", f"engine:      {chosen.engine}", "",
                "what it checks:", f"  {chosen.description}", "", "how to fix:", f"  {chosen.remediation}", ""]
        if principle:
            text += ["principle:", f"  {principle.statement}", ""]
        if chosen.param_specs:
            text += ["parameters (set in archrepo.yaml: rules_config: {" + chosen.id + ": {params: {…}}}):",
                     *explain_params(chosen), ""]
        text += [f"{chosen.engine}:", *(f"  {line}" for line in chosen.body.rstrip().splitlines())]
        click.echo("\n".join(text))
        return
    if fmt == "json":
        click.echo(json.dumps([{"id": r.id, "name": r.name, "severity": r.severity.label, "principle": r.principle,
                                "engine": r.engine, "description": r.description, "file": r.location.file,
                                "params": r.param_values}
                               for r in rules], indent=2, ensure_ascii=False))
        return
    width = max((len(r.id) for r in rules), default=2)
    pwidth = max((len(r.principle) for r in rules), default=9)
    click.echo(f"{'ID'.ljust(width)}  {'SEVERITY':8}  {'PRINCIPLE'.ljust(pwidth)}  DESCRIPTION")
    for rule in rules:
        click.echo(f"{rule.id.ljust(width)}  {rule.severity.label:8}  {rule.principle.ljust(pwidth)}  "
                   f"{rule.description.splitlines()[0]}")


@main.command("principles")
@config_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def principles_command(ctx: click.Context, config_path: Path | None, fmt: str) -> None:
    """List the architecture principles and how many rules check each."""
    from archrepo.config import load_config
    from archrepo.rules.definitions import load_principles, load_rules

    config = load_config(config_path_of(ctx, config_path))
    principles = load_principles(config)
    rules = load_rules(config, principles)
    counts = {pid: [r.id for r in rules if r.principle == pid] for pid in principles}
    if fmt == "json":
        click.echo(json.dumps([{"id": p.id, "name": p.name, "statement": p.statement, "source": p.source,
                                "rules": counts[p.id], "file": p.location.file} for p in principles.values()],
                              indent=2, ensure_ascii=False))
        return
    width = max((len(pid) for pid in principles), default=2)
    click.echo(f"{'ID'.ljust(width)}  RULES  NAME")
    for principle in sorted(principles.values(), key=lambda p: p.id):
        click.echo(f"{principle.id.ljust(width)}  {len(counts[principle.id]):>5}  {principle.name}")
        click.echo(f"{''.ljust(width)}         {principle.statement}")


def _register() -> None:
    """Command groups that live in their own modules, added explicitly (no registration by import side effect)."""
    from archrepo.commands.fmt import fmt
    from archrepo.commands.git import diff, init
    from archrepo.commands.interop import import_group
    from archrepo.commands.schema import schema
    from archrepo.commands.site import docs
    from archrepo.commands.store import publish
    from archrepo.commands.views import diagram, impact

    main.add_command(diagram)
    main.add_command(impact)
    main.add_command(diff)
    main.add_command(init)
    main.add_command(docs)
    main.add_command(fmt)
    main.add_command(import_group)
    main.add_command(publish)
    main.add_command(schema)


_register()

if __name__ == "__main__":  # pragma: no cover
    main()
