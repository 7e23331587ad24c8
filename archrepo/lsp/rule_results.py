"""The rule violations of an editor's model, evaluated in full once and then near each edit.

A rule with a ``reach`` (SPARQL or Python) is evaluated again after an edit only for the elements whose reach
paths lead to what changed (``archrepo.rules.incremental.candidates``), SPARQL rules on a graph of what their
paths reach when that is small, else on the whole graph kept in step with the model (``LiveGraph``); its other
violations are kept. Rules without ``reach`` and SHACL rules
need the whole model: they are evaluated on save (``run_deferred``) and their violations are kept in between.
A rule that fails keeps its previous violations, and the failure is reported against the rule's file.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from archrepo.api import Repository
from archrepo.rules.definitions import RuleDefinition
from archrepo.rules.engine import RulePlan, evaluate
from archrepo.rules.incremental import References, candidates, footprint, partial_repository
from archrepo.rules.violation import RuleFailure, Violation
from archrepo.rules.waivers import Waiver, WaiverFinding, apply_waivers

__all__ = ["RuleResults"]

_SCOPED = ("sparql", "python")  # engines that can evaluate a rule for some elements only
_LARGE_CHANGE = 0.25  # past this share of the model, a rule near a change is evaluated in full
_PARTIAL_LIMIT = 2_000  # elements a SPARQL rule near a change may reach and still run on a graph of them


@dataclass
class _Evaluation:
    """One rule's violations on some elements (``near``, None: all), or why it could not run."""

    rule: RuleDefinition
    near: set[str] | None
    violations: list[Violation]
    failure: RuleFailure | None


class RuleResults:
    """Violations by rule and element, with the waivers of the repository applied when read."""

    def __init__(self, rules: list[RuleDefinition], waivers: list[Waiver]) -> None:
        self.rules = rules
        self.by_id = {rule.id: rule for rule in rules}
        self.waivers: dict[tuple[str, str], list[Waiver]] = defaultdict(list)
        for waiver in waivers:
            self.waivers[waiver.rule, waiver.element].append(waiver)
        self.all_waivers = waivers
        self.violations: dict[str, dict[str, list[Violation]]] = {rule.id: {} for rule in rules}
        self.failures: dict[str, RuleFailure] = {}
        self.memos: dict[str, dict[str, Any]] = {rule.id: {} for rule in rules}
        self.as_of = dt.date.today()
        self.deferred_stale = False  # an edit happened since the rules without reach last ran
        self.partial: set[str] = set()  # rules evaluated for the open files' elements only (run_first)

    @staticmethod
    def incremental(rule: RuleDefinition) -> bool:
        return rule.reach is not None and rule.engine in _SCOPED

    def run_all(self, repository: Repository) -> set[str]:
        """Every rule on the whole model; returns the elements whose violations may have changed."""
        self.as_of = dt.date.today()
        self.partial = set()
        touched = {e for found in self.violations.values() for e in found}
        for evaluation in self._evaluate(repository, [(rule, None) for rule in self.rules]):
            touched |= self._apply(repository, evaluation)
        self.deferred_stale = False
        return touched

    def run_first(self, repository: Repository, elements: set[str], references: References) -> None:
        """Every rule, those with a ``reach`` for ``elements`` only (those of the files open in the editor,
        whose diagnostics are then complete and published first; SPARQL rules on a graph of what their paths
        reach from them when that is small, as near an edit); :meth:`complete` evaluates them on the rest."""
        self.as_of = dt.date.today()
        self.violations = {rule.id: {} for rule in self.rules}
        self.failures = {}
        plans = {rule.id: set(elements) if self.incremental(rule) else None for rule in self.rules}
        for evaluation in self._evaluate_planned(repository, plans, references).values():
            self._apply(repository, evaluation)
        self.deferred_stale = False
        self.partial = {rule.id for rule in self.rules if self.incremental(rule)}

    def complete(self, repository: Repository, count: int | None = None) -> set[str]:
        """``count`` (default: all) of the rules :meth:`run_first` evaluated for some elements only, on the whole
        model; the elements whose violations may have changed. Edits in between are fine: an edit evaluates
        these rules near it as usual, and their evaluation here on the whole model comes after."""
        rules = [rule for rule in self.rules if rule.id in self.partial][:count]
        self.partial -= {rule.id for rule in rules}
        touched: set[str] = set()
        for evaluation in self._evaluate(repository, [(rule, None) for rule in rules]):
            touched |= self._apply(repository, evaluation)
        return touched

    def run_deferred(self, repository: Repository) -> set[str]:
        """The rules that cannot be evaluated near a change (on save)."""
        touched: set[str] = set()
        for evaluation in self._evaluate(repository, [(rule, None) for rule in self.rules
                                                      if not self.incremental(rule)]):
            touched |= self._apply(repository, evaluation)
        self.deferred_stale = False
        return touched

    def run_near(self, repository: Repository, changed: set[str], references: References,
                 moved: set[str] | None = None) -> set[str]:
        """The rules with a ``reach``, for the elements near ``changed``; every rule's violations on the elements
        of ``moved`` (and ``changed``) re-stamped with their locations now, or dropped if they are gone."""
        if dt.date.today() != self.as_of:
            return self.run_all(repository)  # a new day: dates in rules mean something else now
        model = repository.model
        plans: dict[str, set[str] | None] = {}
        for rule in self.rules:
            if self.incremental(rule):
                near = {e for e in candidates(changed, rule.reach or (), references) if e in model.elements}
                plans[rule.id] = None if len(near) > _LARGE_CHANGE * len(model) else near
        evaluations = self._evaluate_planned(repository, plans, references)
        self.partial -= {rule_id for rule_id, near in plans.items() if near is None}  # evaluated in full now
        touched: set[str] = set()
        moved = (moved or set()) | changed
        for rule in self.rules:
            if rule.id in evaluations:
                touched |= self._apply(repository, evaluations[rule.id])
            else:
                self.deferred_stale = self.deferred_stale or bool(changed)
            touched |= self._restamp(repository, rule, moved)
        return touched

    def _evaluate_planned(self, repository: Repository, plans: dict[str, set[str] | None],
                          references: References) -> dict[str, _Evaluation]:
        """The rules ``plans`` names, each in full (``None``) or for the elements given. A query's cost can grow
        with the graph even for a few elements (AR005's anti-join): SPARQL rules whose paths reach little from
        their elements run on one small graph of what they reach, the others on the whole graph."""
        looked_at: set[str] = set()  # what the SPARQL rules with a small footprint look at
        on_partial: set[str] = set()
        for rule in self.rules:
            near = plans.get(rule.id)
            if near and rule.engine == "sparql" and rule.reach is not None:
                reached = footprint(near, rule.reach, references)
                if len(reached) <= _PARTIAL_LIMIT:
                    looked_at |= reached
                    on_partial.add(rule.id)
        partial = partial_repository(repository, looked_at) if looked_at else None
        planned = [(rule, plans[rule.id]) for rule in self.rules if rule.id in plans]
        return {evaluation.rule.id: evaluation for evaluation in [
            *self._evaluate(repository, [item for item in planned if item[0].id in on_partial], partial),
            *self._evaluate(repository, [item for item in planned if item[0].id not in on_partial])]}

    def _evaluate(self, repository: Repository, items: list[tuple[RuleDefinition, set[str] | None]],
                  graph: Repository | None = None) -> list[_Evaluation]:
        """Rules through the engine's one loop (time budget, failure policy, two at a time): each in full
        (``None``), or for the elements given (a SPARQL rule restricted to them, on ``graph``: a partial graph,
        or the repository's whole graph, which the editor's model keeps in step with every edit; a Python rule
        with them as its scope)."""
        running = [(rule, near) for rule, near in items if near is None or near]
        if not running:
            return [_Evaluation(rule, near, [], None) for rule, near in items]
        scopes = {rule.id: frozenset(near) for rule, near in running if near is not None}
        plan = RulePlan(scopes=scopes, graph=graph or repository,
                        memos={rule.id: self.memos[rule.id] for rule, _ in running})
        result = evaluate(repository, [rule for rule, _ in running], plan, self.as_of)
        failures = {failure.rule: failure for failure in result.failures}
        found: dict[str, list[Violation]] = defaultdict(list)
        for violation in result.violations:  # sorted, and so each rule's
            found[violation.rule].append(violation)
        return [_Evaluation(rule, near, found.get(rule.id, []), failures.get(rule.id)) for rule, near in items]

    def _apply(self, repository: Repository, evaluation: _Evaluation) -> set[str]:
        """Put an evaluation's violations in place of the ones it replaces; the elements touched."""
        rule = evaluation.rule
        if evaluation.failure is not None:
            self.failures[rule.id] = replace(evaluation.failure, location=rule.location)
            return set()
        self.failures.pop(rule.id, None)
        current = self.violations[rule.id]
        model = repository.model
        if evaluation.near is None:
            touched = set(current)
            current.clear()
        else:
            touched = set(evaluation.near)
            for element_id in evaluation.near:
                current.pop(element_id, None)
            for gone in [e for e in current if e not in model.elements]:
                current.pop(gone)
                touched.add(gone)
        for violation in evaluation.violations:
            current.setdefault(violation.element, []).append(violation)
            touched.add(violation.element)
        return touched

    def _restamp(self, repository: Repository, rule: RuleDefinition, changed: set[str]) -> set[str]:
        """A rule's violations on ``changed`` elements with their locations now (gone ones dropped)."""
        current = self.violations[rule.id]
        model = repository.model
        touched: set[str] = set()
        for element_id in [e for e in changed if e in current]:
            element = model.elements.get(element_id)
            if element is None:
                del current[element_id]
                touched.add(element_id)
            elif any(v.location != element.location for v in current[element_id]):
                current[element_id] = [replace(v, location=element.location) for v in current[element_id]]
                touched.add(element_id)
        return touched

    def of(self, element_id: str) -> list[Violation]:
        """The element's violations, sorted, waived ones marked."""
        found: list[Violation] = []
        for rule in self.rules:
            for violation in self.violations[rule.id].get(element_id, ()):
                for waiver in self.waivers.get((rule.id, element_id), ()):
                    if waiver.expires >= self.as_of and waiver.matches(violation):
                        violation = violation.with_waiver(waiver.ref())
                        break
                found.append(violation)
        return sorted(found)

    def waiver_findings(self) -> list[WaiverFinding]:
        """Expired waivers, and waivers that match no violation."""
        ran = {rule.id for rule in self.rules}
        current = [v for (rule_id, element_id) in self.waivers if rule_id in self.violations
                   for v in self.violations[rule_id].get(element_id, ())]
        return apply_waivers(current, [w for w in self.all_waivers if w.rule in ran], self.as_of)[1]
