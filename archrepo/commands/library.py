"""`archrepo rules` and `archrepo principles`: the rule library and the principles it checks."""

from __future__ import annotations

import json
from pathlib import Path

import click

from archrepo.commands.common import (
    config_option,
    config_path_of,
)
from archrepo.escaping import json_text, terminal_lines

__all__ = ["principles_command", "rules_command"]


@click.command("rules")
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
        click.echo(terminal_lines(text), nl=False)  # titles, prose and queries of rule files: shown, not obeyed
        return
    if fmt == "json":
        click.echo(json_text(json.dumps([{"id": r.id, "name": r.name, "severity": r.severity.label,
                                          "principle": r.principle, "engine": r.engine, "description": r.description,
                                          "file": r.location.file, "params": r.param_values}
                                         for r in rules], indent=2, ensure_ascii=False)))
        return
    width = max((len(r.id) for r in rules), default=2)
    pwidth = max((len(r.principle) for r in rules), default=9)
    lines = [f"{'ID'.ljust(width)}  {'SEVERITY':8}  {'PRINCIPLE'.ljust(pwidth)}  DESCRIPTION"]
    lines += [f"{rule.id.ljust(width)}  {rule.severity.label:8}  {rule.principle.ljust(pwidth)}  "
              f"{(rule.description.splitlines() or [''])[0]}" for rule in rules]
    click.echo(terminal_lines(lines), nl=False)


@click.command("principles")
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
        click.echo(json_text(json.dumps([{"id": p.id, "name": p.name, "statement": p.statement, "source": p.source,
                                          "rules": counts[p.id], "file": p.location.file}
                                         for p in principles.values()], indent=2, ensure_ascii=False)))
        return
    width = max((len(pid) for pid in principles), default=2)
    lines = [f"{'ID'.ljust(width)}  RULES  NAME"]
    for principle in sorted(principles.values(), key=lambda p: p.id):
        lines += [f"{principle.id.ljust(width)}  {len(counts[principle.id]):>5}  {principle.name}",
                  f"{''.ljust(width)}         {principle.statement}"]
    click.echo(terminal_lines(lines), nl=False)
