"""Run rules over a loaded repository: each rule isolated, findings stamped with id, severity, principle, place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from archrepo.api import Repository
from archrepo.rules.context import RuleContext
from archrepo.rules.definitions import RuleDefinition
from archrepo.rules.python import run_python_rule
from archrepo.rules.shacl import run_shacl_rule
from archrepo.rules.sparql import RuleRunError, run_sparql_rule
from archrepo.rules.violation import Finding, RuleFailure, Violation, fingerprint

__all__ = ["run_findings", "run_rules", "stamp"]

Adapter = Callable[[RuleDefinition, RuleContext], Iterator[Finding]]
ADAPTERS: dict[str, Adapter] = {"sparql": run_sparql_rule, "shacl": run_shacl_rule, "python": run_python_rule}


def run_rules(repository: Repository, rules: Iterable[RuleDefinition],
              as_of: dt.date) -> tuple[list[Violation], list[RuleFailure]]:
    """Every violation of every rule (sorted), and the rules that failed to run. A failing rule never stops
    the others."""
    violations: list[Violation] = []
    failures: list[RuleFailure] = []
    for rule in rules:
        findings, failure = run_findings(repository, rule, as_of)
        if failure is not None:
            failures.append(failure)
            continue
        try:
            violations.extend(stamp(rule, finding, repository) for finding in findings)
        except RuleRunError as error:
            failures.append(RuleFailure(rule.id, str(error), rule.location))
    return sorted(set(violations)), sorted(failures)


def run_findings(repository: Repository, rule: RuleDefinition, as_of: dt.date, scope: frozenset[str] | None = None,
                 memo: dict[str, Any] | None = None) -> tuple[list[Finding], RuleFailure | None]:
    """One rule's findings (on the elements of ``scope`` only, when given), or why it could not run (its own
    bug is reported against it, never raised). ``memo``: the rule's notes (``RuleContext.memo``), updated."""
    try:
        context = RuleContext(repository, as_of, scope, memo if memo is not None else {})
        findings = ADAPTERS[rule.engine](rule, context)
        if scope is not None:
            return [finding for finding in findings if finding.element in scope], None
        return list(findings), None
    except RuleRunError as error:
        return [], RuleFailure(rule.id, str(error), rule.location)
    except Exception as error:  # a rule's own bug: report it against the rule, run the rest
        return [], RuleFailure(rule.id, f"the rule raised {type(error).__name__}: {error}", rule.location)


def stamp(rule: RuleDefinition, finding: Finding, repository: Repository) -> Violation:
    """The violation a finding is: severity, principle and location added by the engine, not the rule."""
    element = repository.model.get(finding.element)
    if element is None:
        raise RuleRunError(f"the rule reported '{finding.element}', which is not an element of the model")
    related = tuple(sorted(set(finding.related) - {finding.element}))
    # a finding's own grade counts unless archrepo.yaml sets the rule's severity
    severity = finding.severity if finding.severity is not None and rule.severity == rule.default_severity \
        else rule.severity
    return Violation(rule=rule.id, severity=severity, principle=rule.principle, element=element.id,
                     kind=element.kind, related=related, location=element.location, message=finding.message,
                     fingerprint=fingerprint(rule.id, element.id, related))
