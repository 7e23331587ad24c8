"""The order rules are evaluated in (rules/schedule.py): the costliest first, by the measured table of the standard
rules; a rule the table does not describe is ranked in the middle; the order never changes a report."""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import replace
from pathlib import Path

import pytest

import archrepo
from archrepo.config import load_config
from archrepo.rules.definitions import RuleDefinition, load_principles, load_rules
from archrepo.rules.schedule import body_digest, expected_cost, measured_costs, scheduled
from tests.conftest import copy_fixture

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "archrepo" / "standard" / "rule-costs.json"


def standard_rules(tmp_path: Path) -> list[RuleDefinition]:
    repo = copy_fixture("violations", tmp_path)  # its rules are the standard ones (linked)
    config = load_config(repo / "archrepo.yaml")
    return load_rules(config, load_principles(config))


def test_every_standard_rule_has_a_measured_cost_of_its_query_as_it_is(tmp_path: Path) -> None:
    table = json.loads(TABLE.read_text(encoding="utf-8"))["rules"]
    rules = standard_rules(tmp_path)
    stale = [rule.id for rule in rules if table.get(rule.id, {}).get("body") != body_digest(rule)]
    assert not stale, f"rule-costs.json does not describe {stale} as they are now: run python bench/rule_costs.py"
    assert sorted(table) == sorted(rule.id for rule in rules)  # nothing measured that is not a rule any more
    assert measured_costs() == {rule_id: (entry["body"], entry["seconds"]) for rule_id, entry in table.items()}


def test_the_costliest_rules_are_taken_first(tmp_path: Path) -> None:
    rules = standard_rules(tmp_path)
    order = [rules[index].id for index in scheduled(rules)]
    seconds = [expected_cost(rules[index]) for index in scheduled(rules)]
    assert seconds == sorted(seconds, reverse=True)
    assert seconds[0] > 5 * seconds[-1]  # the table ranks them: not all alike
    assert sorted(order) == sorted(rule.id for rule in rules)


def test_a_rule_the_table_does_not_describe_is_ranked_in_the_middle(tmp_path: Path) -> None:
    rules = standard_rules(tmp_path)
    known = sorted(seconds for _, seconds in measured_costs().values())
    middle = known[len(known) // 2]
    costliest = max(rules, key=expected_cost)
    edited = replace(costliest, body=costliest.body + "\n# edited")  # the same id, another query
    own = replace(rules[0], id="ORG001")  # one of the organisation's own rules
    assert expected_cost(costliest) == known[-1] > middle
    assert expected_cost(edited) == middle
    assert expected_cost(own) == middle
    mixed = [rules[0], edited, costliest]
    assert mixed[scheduled(mixed)[0]] is costliest
    # ties keep the order given
    assert scheduled([own, edited]) == [0, 1]
    assert scheduled([edited, own]) == [0, 1]


def test_the_loop_and_the_queries_begun_ahead_take_the_costliest_first(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The queries begun ahead (one thread, while the model is validated) start with the costliest, and the loop
    takes its rules costliest first; the report is the one of a check that takes them in the order of their
    ids."""
    import archrepo.rules.check as checking
    import archrepo.rules.engine as engine
    import archrepo.rules.sparql as sparql
    from archrepo.rules.check import CheckOptions, run_check

    repo = copy_fixture("violations", tmp_path)
    ahead: list[str] = []
    loop: list[list[str]] = []
    queried = threading.Event()
    real_solutions, real_run_all, validate = engine.solutions, engine._run_all, checking.validate_model

    def traced(rule, graph, as_of):  # type: ignore[no-untyped-def]
        if threading.current_thread().name == "archrepo-query-ahead":
            ahead.append(rule.id)
        queried.set()
        return real_solutions(rule, graph, as_of)

    def validating(*args, **kwargs):  # type: ignore[no-untyped-def]
        """Validation as long as a larger model's: until the first query has begun ahead."""
        queried.wait(timeout=30)
        return validate(*args, **kwargs)

    def running(works, budget, settle):  # type: ignore[no-untyped-def]
        loop.append([names[index] for index, _ in works])
        return real_run_all(works, budget, settle)

    names = [rule.id for rule in load_rules(load_config(repo / "archrepo.yaml"),
                                            load_principles(load_config(repo / "archrepo.yaml")))]
    monkeypatch.setattr(engine, "solutions", traced)
    monkeypatch.setattr(sparql, "solutions", traced)
    monkeypatch.setattr(checking, "validate_model", validating)
    monkeypatch.setattr(engine, "_run_all", running)
    options = CheckOptions(as_of=dt.date(2026, 11, 26), use_cache=False)
    costly = run_check(load_config(repo / "archrepo.yaml"), options)
    rules = costly.rules
    assert [rule.id for rule in rules] == names
    order = [rules[index].id for index in scheduled(rules)]
    assert loop == [order]
    assert ahead and ahead == [rule_id for rule_id in order if rules[names.index(rule_id)].engine == "sparql"
                               ][:len(ahead)]

    monkeypatch.setattr(engine, "scheduled", lambda given: list(range(len(given))))
    monkeypatch.setattr(checking, "_begin", lambda *args: None)
    by_id = run_check(load_config(repo / "archrepo.yaml"), options)
    assert loop[-1] == names
    assert costly.as_dict() == by_id.as_dict()
    assert costly.violations


def test_evaluate_gives_the_same_violations_in_any_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import archrepo.rules.engine as engine
    from archrepo.rules.engine import RulePlan, evaluate

    repo = copy_fixture("violations", tmp_path)
    repository = archrepo.load(repo / "archrepo.yaml", use_cache=False)
    rules = load_rules(repository.config, load_principles(repository.config))
    costly = evaluate(repository, rules, RulePlan(), dt.date(2026, 11, 26), budget=60)
    monkeypatch.setattr(engine, "scheduled", lambda given: list(reversed(range(len(given)))))
    reversed_order = evaluate(repository, rules, RulePlan(), dt.date(2026, 11, 26), budget=60)
    assert costly.violations and costly.violations == reversed_order.violations
    assert costly.findings == reversed_order.findings and costly.failures == reversed_order.failures
    # a rule given twice (the library allows it) still yields each violation once, in the report's order
    twice = evaluate(repository, [*rules, *rules[:3]], RulePlan(), dt.date(2026, 11, 26), budget=60)
    assert twice.violations == costly.violations
