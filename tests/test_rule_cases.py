"""Data-driven cases of the standard rule library: ``tests/fixtures/rules/<RULE-ID>.yaml``.

A case file::

    rule: AR001
    as_of: 2026-11-26            # optional, default 2026-11-26
    fail:                        # models that violate the rule
      - name: application without owner
        model: |                 # a complete, valid, multi-document model
          kind: Application
          ...
        expect:                  # the exact violations of THIS rule (a multiset)
          - element: orphan-app
            related: []          # optional; when given, compared exactly (sorted)
            severity: error      # optional; when given, the violation's severity
    pass:                        # models on which the rule finds nothing
      - name: application with an owner
        model: |
          ...

Optional keys of a case: ``config`` (extra archrepo.yaml settings merged in, e.g.
``{approved_standards: [HL7v2]}``), ``as_of`` (overrides the file's date for this case) and
``xfail: "reason"`` (the rule deviates from the contract; the case is expected to fail, strictly).

Each case runs only its own rule, through the library (``run_check``), on a fresh repository that uses
the product's ``principles/`` and ``rules/``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from archrepo.config import load_config
from archrepo.rules.check import CheckOptions, run_check

ROOT = Path(__file__).resolve().parents[1]
CASES_DIR = ROOT / "tests" / "fixtures" / "rules"
RULES_DIR = ROOT / "rules"
PRINCIPLES_DIR = ROOT / "principles"
DEFAULT_AS_OF = dt.date(2026, 11, 26)

FILE_KEYS = {"rule", "as_of", "fail", "pass"}
CASE_KEYS = {"name", "model", "expect", "config", "as_of", "xfail"}
EXPECT_KEYS = {"element", "related", "severity"}


class CaseFormatError(Exception):
    """A case file that does not follow the format above (reported at collection, never skipped)."""


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CaseFormatError(f"{where}: as_of {value!r} is not an ISO date") from None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _check_case(case: Any, outcome: str, where: str) -> None:
    if not isinstance(case, dict):
        raise CaseFormatError(f"{where}: a case is a mapping")
    unknown = set(case) - CASE_KEYS
    if unknown:
        raise CaseFormatError(f"{where}: unknown keys {sorted(unknown)}")
    if not isinstance(case.get("name"), str) or not case["name"].strip():
        raise CaseFormatError(f"{where}: `name` is required")
    if not isinstance(case.get("model"), str) or not case["model"].strip():
        raise CaseFormatError(f"{where}: `model` (a YAML text) is required")
    if not isinstance(case.get("config", {}), dict):
        raise CaseFormatError(f"{where}: `config` is a mapping of archrepo.yaml settings")
    if "xfail" in case and (not isinstance(case["xfail"], str) or not case["xfail"].strip()):
        raise CaseFormatError(f"{where}: `xfail` gives the reason as text")
    expect = case.get("expect")
    if outcome == "pass":
        if expect:
            raise CaseFormatError(f"{where}: a pass case expects no violation; remove `expect`")
        return
    if not isinstance(expect, list) or not expect:
        raise CaseFormatError(f"{where}: a fail case lists the violations it expects under `expect`")
    for item in expect:
        if not isinstance(item, dict) or not isinstance(item.get("element"), str) or set(item) - EXPECT_KEYS:
            raise CaseFormatError(f"{where}: each expected violation is {{element: id, related: [ids]}}")
        if "related" in item and not isinstance(item["related"], list):
            raise CaseFormatError(f"{where}: `related` is a list of ids")
        if "severity" in item and item["severity"] not in ("error", "warning", "info"):
            raise CaseFormatError(f"{where}: `severity` is error, warning or info")


def load_case_file(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    where = path.name
    if not isinstance(data, dict):
        raise CaseFormatError(f"{where}: a case file is a mapping")
    unknown = set(data) - FILE_KEYS
    if unknown:
        raise CaseFormatError(f"{where}: unknown keys {sorted(unknown)}")
    if data.get("rule") != path.stem:
        raise CaseFormatError(f"{where}: `rule: {data.get('rule')}` does not match the file name")
    seen: set[str] = set()
    for outcome in ("fail", "pass"):
        cases = data.get(outcome) or []
        if not isinstance(cases, list):
            raise CaseFormatError(f"{where}: `{outcome}` is a list of cases")
        for index, case in enumerate(cases):
            _check_case(case, outcome, f"{where} {outcome}[{index}]")
            slug = _slug(case["name"])
            if slug in seen:
                raise CaseFormatError(f"{where}: two cases are named '{slug}'")
            seen.add(slug)
    return data


def case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.yaml"))


def collect_cases() -> list[Any]:
    params = []
    for path in case_files():
        data = load_case_file(path)
        rule = data["rule"]
        file_as_of = _date(data["as_of"], path.name) if "as_of" in data else DEFAULT_AS_OF
        for outcome in ("fail", "pass"):
            for case in data.get(outcome) or []:
                as_of = _date(case["as_of"], path.name) if "as_of" in case else file_as_of
                marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if "xfail" in case else []
                params.append(pytest.param(rule, outcome, case, as_of, marks=marks,
                                           id=f"{rule}-{outcome}-{_slug(case['name'])}"))
    return params


def _rule_ids_in_library() -> set[str]:
    ids = set()
    for path in sorted([*RULES_DIR.rglob("*.yaml"), *RULES_DIR.rglob("*.yml")]):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(document, dict) and document.get("kind") == "Rule":
                ids.add(document["id"])
    return ids


Key = tuple[str, tuple[str, ...]]


def _match(expected: list[dict[str, Any]], actual: list[Key]) -> tuple[list[object], list[Key]]:
    """Pair expected with actual violations (related compared only where given); what is left on each side."""
    left: Counter[Key] = Counter(actual)
    missing: list[object] = []
    exact = [e for e in expected if "related" in e]
    loose = [e for e in expected if "related" not in e]
    for item in exact:
        key: Key = (item["element"], tuple(sorted(item["related"])))
        if left[key] > 0:
            left[key] -= 1
        else:
            missing.append(key)
    for item in loose:
        found = next((k for k in sorted(left) if k[0] == item["element"] and left[k] > 0), None)
        if found is None:
            missing.append((item["element"], "…"))
        else:
            left[found] -= 1
    return missing, sorted(left.elements())


@pytest.mark.parametrize(("rule", "outcome", "case", "as_of"), collect_cases())
def test_rule_case(rule: str, outcome: str, case: dict[str, Any], as_of: dt.date, tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "model.yaml").write_text(case["model"], encoding="utf-8")
    settings: dict[str, Any] = {"models": ["models"], "principles": [str(PRINCIPLES_DIR)], "rules": [str(RULES_DIR)]}
    settings.update(case.get("config") or {})
    (tmp_path / "archrepo.yaml").write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")

    result = run_check(load_config(tmp_path / "archrepo.yaml"), CheckOptions(as_of=as_of, rule_ids=(rule,)))

    assert result.errors == [], "the case's model is invalid:\n" + "\n".join(
        f"  {d.file}:{d.line}: {d.message}" for d in result.errors)
    assert result.failures == [], f"rule {rule} failed to run: {result.failures}"
    found = [v for v in result.violations if v.rule == rule]
    actual = [(v.element, v.related) for v in found]
    missing, unexpected = _match(case.get("expect") or [], actual)
    for item in case.get("expect") or []:
        if "severity" in item:
            graded = {v.severity.label for v in found if v.element == item["element"]
                      and ("related" not in item or v.related == tuple(sorted(item["related"])))}
            assert graded == {item["severity"]}, f"{item}: found severities {sorted(graded)}"
    report = "\n".join(f"  {v.element} related={list(v.related)}: {v.message}" for v in found) or "  (none)"
    assert not missing and not unexpected, (
        f"{rule} {outcome} case '{case['name']}' as of {as_of}:\n missing {missing}\n unexpected {unexpected}\n"
        f" all violations of {rule}:\n{report}")


def test_every_rule_has_cases() -> None:
    """Every rule of the library has a case file with fail and pass cases; every case file names a rule."""
    rules = _rule_ids_in_library()
    assert rules, f"no rules found under {RULES_DIR}"
    files = {path.stem: load_case_file(path) for path in case_files()}
    assert not set(files) - rules, f"case files for rules that do not exist: {sorted(set(files) - rules)}"
    missing = sorted(rules - set(files))
    assert not missing, f"rules without a case file under {CASES_DIR}: {missing}"
    thin = sorted(rule for rule, data in files.items() if not data.get("fail") or not data.get("pass"))
    assert not thin, f"case files without at least one fail and one pass case: {thin}"
