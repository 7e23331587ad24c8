"""Data-driven cases of the standard rule library: ``tests/fixtures/rules/<RULE-ID>.yaml``, in the format of
:mod:`archrepo.testing` (what ``archrepo rules --test`` runs in a user's repository), one test per case.

Each case runs only its own rule on a fresh repository that uses the product's ``principles/`` and ``rules/``.
A case marked ``xfail`` must fail (strictly).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from archrepo.testing import RuleCase, case_files, load_case_file, run_case

ROOT = Path(__file__).resolve().parents[1]
CASES_DIR = ROOT / "tests" / "fixtures" / "rules"
RULES_DIR = ROOT / "rules"
PRINCIPLES_DIR = ROOT / "principles"
SETTINGS = {"principles": [str(PRINCIPLES_DIR)], "rules": [str(RULES_DIR)]}


def collect_cases() -> list[Any]:
    params = []
    for path in case_files(CASES_DIR):
        for case in load_case_file(path):
            marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
            params.append(pytest.param(case, marks=marks, id=f"{case.rule}-{case.outcome}-{case.slug}"))
    return params


def _rule_ids_in_library() -> set[str]:
    ids = set()
    for path in sorted([*RULES_DIR.rglob("*.yaml"), *RULES_DIR.rglob("*.yml")]):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(document, dict) and document.get("kind") == "Rule":
                ids.add(document["id"])
    return ids


@pytest.mark.parametrize("case", collect_cases())
def test_rule_case(case: RuleCase) -> None:
    result = run_case(case, SETTINGS)
    assert result.matched, (f"{case.rule} {case.outcome} case '{case.name}' as of {case.as_of} "
                            f"({case.file}:{case.line}):\n  " + "\n  ".join(result.differences()))


def test_every_rule_has_cases() -> None:
    """Every rule of the library has a case file with fail and pass cases; every case file names a rule."""
    rules = _rule_ids_in_library()
    assert rules, f"no rules found under {RULES_DIR}"
    files = {path.stem: load_case_file(path) for path in case_files(CASES_DIR)}
    assert not set(files) - rules, f"case files for rules that do not exist: {sorted(set(files) - rules)}"
    missing = sorted(rules - set(files))
    assert not missing, f"rules without a case file under {CASES_DIR}: {missing}"
    thin = sorted(rule for rule, cases in files.items() if {c.outcome for c in cases} != {"fail", "pass"})
    assert not thin, f"case files without at least one fail and one pass case: {thin}"
