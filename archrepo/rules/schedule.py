"""The order rules are evaluated in: the costliest first, so that two cores finish together.

A check runs its rules two at a time (``engine.RULES_AT_ONCE``); whichever rule is taken up last sets the tail of
the run. Taken in the order of their ids, the three costliest standard rules (TEC001, SEC003, QA001, 0.25–0.3 s
each at 10,000 applications) came last, and one core waited while the other finished them. Taken costliest first
(longest processing time first, as a scheduler fills two machines) the short ones fill the gaps at the end.

The cost of the standard rules is measured, not guessed: ``standard/rule-costs.json`` holds each one's CPU time on
the benchmark model (``python bench/rule_costs.py`` writes it) with a digest of the rule's body, so a rule whose
query was edited since is not ranked by a figure that no longer describes it. A rule the table does not know (one
of the organisation's own, or an edited standard rule) is ranked as a standard rule of middling cost. The order
changes when work is done, never what it finds: violations and failures are sorted before anyone sees them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from functools import cache
from importlib import resources

from archrepo.rules.definitions import RuleDefinition

__all__ = ["COSTS", "body_digest", "expected_cost", "measured_costs", "scheduled"]

COSTS = "rule-costs.json"  # in archrepo/standard/


def body_digest(rule: RuleDefinition) -> str:
    """What the measured cost of a rule holds for: its engine and body (the query, or the Python function)."""
    return hashlib.blake2b(f"{rule.engine}\0{rule.body}".encode(), digest_size=12).hexdigest()


@cache
def measured_costs() -> dict[str, tuple[str, float]]:
    """rule id -> (body digest, seconds) of the standard rules, as measured; empty when the table is missing or
    unreadable (the order is then the given one: nothing depends on it but the time a check takes)."""
    try:
        text = resources.files("archrepo").joinpath("standard", COSTS).read_text(encoding="utf-8")
        table = json.loads(text)["rules"]
        return {rule_id: (str(entry["body"]), float(entry["seconds"])) for rule_id, entry in table.items()}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def expected_cost(rule: RuleDefinition) -> float:
    """The seconds the rule is expected to take, relative to the others (see the module's doc)."""
    known = measured_costs().get(rule.id)
    if known is not None and known[0] == body_digest(rule):
        return known[1]
    return _middling()


@cache
def _middling() -> float:
    """The median of the measured costs (0 when there are none)."""
    ordered = sorted(seconds for _, seconds in measured_costs().values())
    return ordered[len(ordered) // 2] if ordered else 0.0


def scheduled(rules: Sequence[RuleDefinition]) -> list[int]:
    """The positions of ``rules`` in the order to evaluate them: the costliest first (ties in the given order)."""
    costs = [expected_cost(rule) for rule in rules]
    return sorted(range(len(rules)), key=lambda index: -costs[index])
