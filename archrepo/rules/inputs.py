"""Everything besides the model that `check` reads, and would refuse: principles, rules (with their parameters
in archrepo.yaml), the waivers file and the baseline. `validate` reports all of it, so that a model that
validates does not fail `check` for a reason `validate` kept quiet about."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from archrepo.config import Config
from archrepo.errors import ArchrepoError, Diagnostic
from archrepo.rules.baseline import read_baseline
from archrepo.rules.definitions import load_principles, load_rules
from archrepo.rules.waivers import load_waivers

__all__ = ["check_rule_inputs"]

T = TypeVar("T")


def check_rule_inputs(config: Config) -> list[Diagnostic]:
    """Every problem in the principles, rules, waivers and baseline of ``config`` (empty when `check` would
    accept them all)."""
    found: list[Diagnostic] = []
    principles = _collect(found, lambda: load_principles(config)) or {}
    rules = _collect(found, lambda: load_rules(config, principles, include_disabled=True))
    # without valid rules the waivers' rule ids cannot be checked; everything else about them can
    rule_ids = {rule.id for rule in rules} if rules is not None else None
    _collect(found, lambda: load_waivers(config, rule_ids))
    if config.baseline and config.path(config.baseline).is_file():
        _collect(found, lambda: read_baseline(config.path(config.baseline or ""), config.baseline or ""))
    return sorted(found)


def _collect(found: list[Diagnostic], load: Callable[[], T]) -> T | None:
    """What ``load`` returns, or None with its error's diagnostics added to ``found``."""
    try:
        return load()
    except ArchrepoError as error:
        found += error.diagnostics or [Diagnostic(error.file or "archrepo.yaml", error.line, error.message,
                                                  error.hint)]
        return None
