"""Violation marks for diagrams: the worst counting violation of each element and the rules behind it."""

from __future__ import annotations

from collections import defaultdict

from archrepo.rules.check import CheckResult

__all__ = ["violation_marks"]


def violation_marks(result: CheckResult) -> dict[str, tuple[str, tuple[str, ...]]]:
    """element id -> (error|warning, rule ids); info and waived violations leave no mark."""
    worst: dict[str, int] = {}
    rules: dict[str, set[str]] = defaultdict(set)
    for violation in result.counting():
        if violation.severity.label == "info":
            continue
        rules[violation.element].add(violation.rule)
        worst[violation.element] = max(worst.get(violation.element, 0), int(violation.severity))
    return {element: ("error" if level == 3 else "warning", tuple(sorted(rules[element])))
            for element, level in worst.items()}
