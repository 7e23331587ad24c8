"""`archrepo check` and `archrepo baseline`: the architecture rules as a CI gate."""

from __future__ import annotations

from pathlib import Path

import click

from archrepo import __version__
from archrepo.commands.common import (
    config_option,
    config_path_of,
    emit,
    parse_date,
    use_color,
)
from archrepo.commands.process import keep_until_exit
from archrepo.escaping import terminal_text
from archrepo.report.registry import REPORTERS

__all__ = ["baseline", "check"]


@click.command()
@config_option
@click.option("--format", "fmt", type=click.Choice(list(REPORTERS)),
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
    keep_until_exit(result)  # the command line never frees the checked model object by object
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
            click.echo(terminal_text(f"{failure.location}: error: rule {failure.rule} failed to run: "
                                     f"{failure.message}"), err=True)
    ctx.exit(result.exit_code(threshold))


@click.command()
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
