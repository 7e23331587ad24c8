"""Test cases for rules, as data: ``<RULE-ID>.yaml`` files in a repository's rule-case folder (``rule_tests:`` in
archrepo.yaml, default ``tests/rules``), run by ``archrepo rules --test`` (and by archrepo's own test suite on
its standard library).

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

Optional keys of a case: ``config`` (archrepo.yaml settings merged over the repository's, e.g.
``{rules_config: {RES001: {params: {level: high}}}}``), ``as_of`` (overrides the file's date) and
``xfail: "reason"`` (the rule is known to get this case wrong: the case is expected to fail, and passing it
is reported).

Each case runs only its own rule, through ``run_check``, on a fresh repository (a temporary directory) that
uses the principles, rules and settings given by the caller: copies of them, inside that repository, as a
repository may read nothing outside itself (links in them stay links, and are refused as they would be in
the repository).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from archrepo.config import Config
from archrepo.errors import ArchrepoError, DiagnosticSink, UsageError, excerpt
from archrepo.model.schema import suggest
from archrepo.model.yamlsource import ParsedDocument, decode_source, parse_documents

__all__ = ["DEFAULT_AS_OF", "CaseFormatError", "CaseResult", "RuleCase", "case_files", "load_case_file",
           "repository_cases", "repository_settings", "run_case"]

DEFAULT_AS_OF = dt.date(2026, 11, 26)
FILE_KEYS = ("rule", "as_of", "fail", "pass")
CASE_KEYS = ("name", "model", "expect", "config", "as_of", "xfail")
EXPECT_KEYS = ("element", "related", "severity")


class CaseFormatError(ArchrepoError):
    """A case file that does not follow the format (exit 2, with file and line)."""


@dataclass(frozen=True)
class RuleCase:
    """One case: a model, the rule, and the violations it must find (none for a ``pass`` case)."""

    rule: str
    outcome: str  # "fail" | "pass"
    name: str
    model: str
    as_of: dt.date
    file: str
    line: int
    expect: tuple[Mapping[str, Any], ...] = ()
    config: Mapping[str, Any] = field(default_factory=dict)
    xfail: str | None = None

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


Key = tuple[str, tuple[str, ...]]


@dataclass
class CaseResult:
    """What running a case found, and how it differs from what the case expects."""

    case: RuleCase
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # an invalid model, a rule that failed, a wrong severity

    @property
    def matched(self) -> bool:
        """The rule found exactly what the case expects."""
        return not (self.missing or self.unexpected or self.problems)

    @property
    def passed(self) -> bool:
        """As the case wants it: matched, or (an ``xfail`` case) not matched."""
        return self.matched != bool(self.case.xfail)

    def differences(self) -> list[str]:
        """The difference, one line each: what was expected and not found, and the other way round."""
        lines = [f"missing: {item}" for item in self.missing] + [f"unexpected: {item}" for item in self.unexpected]
        lines += self.problems
        if self.case.xfail and self.matched:
            lines.append(f"the case is marked xfail ({self.case.xfail}) but passes: remove `xfail`")
        return lines


def case_files(folder: Path) -> list[Path]:
    """The case files in ``folder`` (sorted), none when it does not exist."""
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]) if folder.is_dir() else []


def load_case_file(path: Path, display: str | None = None) -> list[RuleCase]:
    """Every case of one file; :class:`CaseFormatError` (with file and line) when it breaks the format."""
    from archrepo.model.reading import Unreadable, read_regular

    display = display or path.name
    try:
        raw = read_regular(path)
    except Unreadable as error:
        raise CaseFormatError(f"the rule case file cannot be read: {error.reason}", file=display) from None
    sink = DiagnosticSink()
    text = decode_source(raw, display, sink)
    documents = parse_documents(text, display, sink) if text is not None else []
    if sink.errors:
        raise CaseFormatError("the rule case file is invalid", diagnostics=sink.errors)
    if len(documents) != 1 or not isinstance(documents[0].data, dict):
        raise CaseFormatError("a case file is one mapping with `rule:`, `fail:` and `pass:`", file=display,
                              line=documents[1].line if len(documents) > 1 else 1, hint=_FORMAT_HINT)
    document = documents[0]
    data = document.data
    _known_keys(data, FILE_KEYS, "", document, display)
    if data.get("rule") != path.stem:
        raise CaseFormatError(f"`rule: {data.get('rule')}` does not match the file name {path.name}", file=display,
                              line=document.line_of("rule"), hint=f"Name the file after the rule: {data.get('rule')}"
                              f"{path.suffix}, or fix `rule:`.")
    file_as_of = _date(data["as_of"], "as_of", document, display) if "as_of" in data else DEFAULT_AS_OF
    cases: list[RuleCase] = []
    seen: dict[str, str] = {}
    for outcome in ("fail", "pass"):
        items = data.get(outcome) or []
        if not isinstance(items, list):
            raise _error(f"`{outcome}` is a list of cases", outcome, document, display)
        for index, item in enumerate(items):
            case = _case(data["rule"], outcome, item, f"{outcome}[{index}]", file_as_of, document, display)
            if case.slug in seen:
                raise _error(f"two cases are named '{case.name}' (also {seen[case.slug]})", f"{outcome}[{index}].name",
                             document, display)
            seen[case.slug] = f"{outcome}[{index}]"
            cases.append(case)
    return cases


_FORMAT_HINT = "See `archrepo rules --test --help` and the README (Testing your rules) for the format."


def _error(message: str, path: str, document: ParsedDocument, display: str) -> CaseFormatError:
    return CaseFormatError(message, file=display, line=document.line_of(path), hint=_FORMAT_HINT)


def _known_keys(data: Mapping[str, Any], allowed: tuple[str, ...], path: str, document: ParsedDocument,
                display: str) -> None:
    for key in data:
        if key not in allowed:
            where = f"{path}.{key}" if path else str(key)
            raise _error(f"unknown key '{key}' (allowed: {', '.join(allowed)})", where, document, display)


def _date(value: Any, path: str, document: ParsedDocument, display: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _error(f"as_of {value!r} is not a date (YYYY-MM-DD)", path, document, display) from None


def _case(rule: str, outcome: str, item: Any, path: str, file_as_of: dt.date, document: ParsedDocument,
          display: str) -> RuleCase:
    if not isinstance(item, dict):
        raise _error("a case is a mapping with `name:` and `model:`", path, document, display)
    _known_keys(item, CASE_KEYS, path, document, display)
    if not isinstance(item.get("name"), str) or not item["name"].strip():
        raise _error("`name` is required (a text)", path, document, display)
    if not isinstance(item.get("model"), str) or not item["model"].strip():
        raise _error("`model` (the model's YAML, as a `|` block) is required", path, document, display)
    if not isinstance(item.get("config", {}), dict):
        raise _error("`config` is a mapping of archrepo.yaml settings", f"{path}.config", document, display)
    if "xfail" in item and (not isinstance(item["xfail"], str) or not item["xfail"].strip()):
        raise _error("`xfail` gives the reason, as a text", f"{path}.xfail", document, display)
    expect = item.get("expect")
    if outcome == "pass" and expect:
        raise _error("a pass case expects no violation; remove `expect`", f"{path}.expect", document, display)
    if outcome == "fail":
        if not isinstance(expect, list) or not expect:
            raise _error("a fail case lists the violations it expects under `expect`", path, document, display)
        for index, entry in enumerate(expect):
            _expectation(entry, f"{path}.expect[{index}]", document, display)
    as_of = _date(item["as_of"], f"{path}.as_of", document, display) if "as_of" in item else file_as_of
    return RuleCase(rule, outcome, item["name"].strip(), item["model"], as_of, display, document.line_of(path),
                    tuple(expect or ()), dict(item.get("config") or {}), item.get("xfail"))


def _expectation(entry: Any, path: str, document: ParsedDocument, display: str) -> None:
    if not isinstance(entry, dict) or not isinstance(entry.get("element"), str):
        raise _error("each expected violation is {element: id, related: [ids], severity: …}", path, document,
                     display)
    _known_keys(entry, EXPECT_KEYS, path, document, display)
    if "related" in entry and not isinstance(entry["related"], list):
        raise _error("`related` is a list of ids", f"{path}.related", document, display)
    if "severity" in entry and entry["severity"] not in ("error", "warning", "info"):
        raise _error("`severity` is error, warning or info", f"{path}.severity", document, display)


def repository_settings(config: Config) -> dict[str, Any]:
    """The archrepo.yaml settings a repository's cases run with: its principles, rules, standards, Python rule
    paths and rules_config (severities and parameters; a rule it disables is still tested)."""
    overrides = {rule_id: {**({"severity": o.severity} if o.severity else {}),
                           **({"params": dict(o.params)} if o.params else {})}
                 for rule_id, o in config.rules_config.items()}
    return {"principles": [str(config.path(p)) for p in config.principles],
            "rules": [str(config.path(p)) for p in config.rules],
            "approved_standards": list(config.approved_standards),
            "python_rules": [str(config.path(p)) for p in config.python_rules],
            "base_iri": config.base_iri,
            "rules_config": {key: value for key, value in overrides.items() if value}}


def repository_cases(config: Config, rule_ids: tuple[str, ...] = ()) -> list[RuleCase]:
    """The cases in the repository's rule-case folder (only those of ``rule_ids``, when given); CaseFormatError
    for a malformed file, UsageError for a rule id that has no case file."""
    files = case_files(config.path(config.rule_tests))
    wanted = set(rule_ids)
    if wanted:  # a file is named after its rule: only those files are read
        stems = {path.stem for path in files}
        for rule_id in sorted(wanted - stems):
            close = suggest(rule_id, stems)
            raise UsageError(f"--rule {rule_id}: no cases for this rule in {config.rule_tests}/",
                             hint=(f"Did you mean {close}? " if close else "") + f"Cases for {rule_id} go in "
                             f"{config.rule_tests}/{rule_id}.yaml (see the README, Testing your rules).")
        files = [path for path in files if path.stem in wanted]
    for path in files:
        if not path.resolve().is_relative_to(config.root):
            raise CaseFormatError("the rule case file leads outside the repository (a symbolic link); it was not "
                                  "read", file=_display(path, config.root), hint="Keep case files in the repository.")
    return [case for path in files for case in load_case_file(path, _display(path, config.root))]


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def run_case(case: RuleCase, settings: Mapping[str, Any]) -> CaseResult:
    """Run ``case`` on a fresh repository with these archrepo.yaml ``settings`` (principles and rules as absolute
    paths) and the case's own ``config`` merged over them."""
    from archrepo.config import load_config
    from archrepo.rules.check import CheckOptions, run_check

    result = CaseResult(case)
    with tempfile.TemporaryDirectory(prefix="archrepo-case-") as directory:
        root = Path(directory)
        (root / "models").mkdir()
        (root / "models" / "model.yaml").write_text(case.model, encoding="utf-8")
        merged = {**_copied_in(settings, root), "models": ["models"], **case.config}
        (root / "archrepo.yaml").write_text(yaml.safe_dump(merged, sort_keys=False), encoding="utf-8")
        try:
            checked = run_check(load_config(root / "archrepo.yaml"),
                                CheckOptions(as_of=case.as_of, rule_ids=(case.rule,), use_cache=False,
                                             use_config_baseline=False))
        except ArchrepoError as error:  # the case's config or the rules it runs with are invalid
            result.problems.append(f"cannot run: {error.format()}")
            return result
    result.problems += [f"the case's model is invalid: {d.file}:{d.line}: {d.message}" for d in checked.errors]
    result.problems += [f"the rule failed to run: {f.message}" for f in checked.failures]
    found = [v for v in checked.violations if v.rule == case.rule]
    missing, unexpected = _match(list(case.expect), [(v.element, v.related) for v in found])
    result.missing = [_show(key) for key in missing]
    result.unexpected = [_show(key) for key in unexpected]
    for item in case.expect:
        if "severity" in item:
            graded = sorted({v.severity.label for v in found if v.element == item["element"]
                             and ("related" not in item or v.related == tuple(sorted(item["related"])))})
            if graded and graded != [item["severity"]]:
                result.problems.append(f"severity of {item['element']}: expected {item['severity']}, "
                                       f"found {', '.join(graded)}")
    return result


_LIBRARY_SETTINGS = ("principles", "rules", "python_rules")


def _copied_in(settings: Mapping[str, Any], root: Path) -> dict[str, Any]:
    """``settings`` with its library paths (principles, rules, Python rule folders; absolute, from the caller)
    replaced by copies under ``root/library``: links are copied as links, never followed."""
    copied = dict(settings)
    for key in _LIBRARY_SETTINGS:
        paths = []
        for index, path in enumerate(settings.get(key) or ()):
            if not os.path.isabs(path):
                paths.append(path)
                continue
            target = Path("library", f"{key}-{index}", Path(path).name)
            if Path(path).is_dir():
                shutil.copytree(path, root / target, symlinks=True,
                                ignore=shutil.ignore_patterns("__pycache__", ".*"))
            elif Path(path).exists():
                (root / target).parent.mkdir(parents=True)
                shutil.copy2(path, root / target, follow_symlinks=False)
            else:
                raise UsageError(f"{key}: {excerpt(path)} does not exist")
            paths.append(target.as_posix())
        if key in settings:
            copied[key] = paths
    return copied


def _show(key: tuple[str, Any]) -> str:
    element, related = key
    return f"{element} related={list(related)}" if isinstance(related, tuple) else f"{element}"


def _match(expected: list[Mapping[str, Any]], actual: list[Key]) -> tuple[list[tuple[str, Any]], list[Key]]:
    """Pair expected with actual violations (related compared only where given); what is left on each side."""
    left: Counter[Key] = Counter(actual)
    missing: list[tuple[str, Any]] = []
    for item in [e for e in expected if "related" in e]:
        key: Key = (item["element"], tuple(sorted(item["related"])))
        if left[key] > 0:
            left[key] -= 1
        else:
            missing.append(key)
    for item in [e for e in expected if "related" not in e]:
        found = next((k for k in sorted(left) if k[0] == item["element"] and left[k] > 0), None)
        if found is None:
            missing.append((item["element"], None))
        else:
            left[found] -= 1
    return missing, sorted(left.elements())
