"""`archrepo rules --test`: run the repository's rule cases (archrepo.testing), one line per case."""

from __future__ import annotations

import click

from archrepo.commands.common import EXIT_OK, EXIT_VIOLATIONS
from archrepo.config import Config
from archrepo.escaping import terminal_text

__all__ = ["run_rule_tests"]


def run_rule_tests(ctx: click.Context, config: Config, rule_ids: tuple[str, ...]) -> None:
    """PASS/FAIL per case on stdout with the difference of each failure; exit 1 when a case fails. A malformed
    case file raises CaseFormatError (exit 2, with file and line)."""
    from archrepo.testing import repository_cases, repository_settings, run_case

    cases = repository_cases(config, rule_ids)
    if not cases:
        click.echo(terminal_text(f"no rule cases in {config.rule_tests}/ (write <RULE-ID>.yaml files there: see the "
                                 "README, Testing your rules)"), err=True)
        ctx.exit(EXIT_OK)
    settings = repository_settings(config)
    width = max(len(case.rule) for case in cases)
    failed = 0
    for case in cases:
        result = run_case(case, settings)
        verdict = ("XFAIL" if case.xfail else "PASS") if result.passed else "FAIL"
        # case names, file names and rule messages come from the repository: shown, not obeyed
        click.echo(terminal_text(f"{verdict:5}  {case.rule.ljust(width)}  {case.outcome}: {case.name}"))
        if not result.passed:
            failed += 1
            click.echo(terminal_text(f"       {case.file}:{case.line}"))
            for line in result.differences():
                click.echo(terminal_text(f"       {line}"))
    passed = len(cases) - failed
    click.echo(f"{len(cases)} case{'s' if len(cases) != 1 else ''}: {passed} passed, {failed} failed", err=True)
    ctx.exit(EXIT_VIOLATIONS if failed else EXIT_OK)
