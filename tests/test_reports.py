"""Reporters: every format renders the same violations; SARIF validates against the vendored 2.1.0 schema."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from archrepo.config import load_config
from archrepo.report import REPORTERS, ReportOptions, render
from archrepo.rules.check import CheckOptions, CheckResult, run_check
from archrepo.rules.definitions import Severity
from tests.conftest import FIXTURES, STD_CONFIG, copy_fixture, module_copy, run_cli

VIOLATIONS = module_copy("violations")
SARIF_SCHEMA = json.loads((FIXTURES / "schemas" / "sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8"))
AS_OF = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def result() -> CheckResult:
    return run_check(load_config(VIOLATIONS / "archrepo.yaml"), CheckOptions(as_of=AS_OF))


def test_the_contract_formats_are_registered_and_offered() -> None:
    """The contract's formats are in the registry, and `check --format` offers exactly what the registry has."""
    from archrepo.cli import main

    assert {"text", "json", "sarif", "junit", "markdown", "github"} <= set(REPORTERS)
    option = next(p for p in main.commands["check"].params if p.name == "fmt")
    assert list(option.type.choices) == list(REPORTERS)


def test_json_follows_the_contract(result: CheckResult) -> None:
    report = json.loads(render("json", result, ReportOptions()))
    assert report["version"] == 1 and report["as_of"] == "2026-11-26"
    assert {"elements", "rules", "error", "warning", "info", "waived"} <= set(report["summary"])
    assert report["summary"]["rules"] == 20 and report["summary"]["waived"] == 1
    assert report["errors"] == []
    keys = {"rule", "severity", "principle", "element", "kind", "related", "file", "line", "message",
            "fingerprint", "waived"}
    for violation in report["violations"]:
        assert keys <= set(violation)
        assert violation["severity"] in ("error", "warning", "info")
        assert isinstance(violation["line"], int) and violation["file"].startswith("models/")
    sec001 = next(v for v in report["violations"] if v["rule"] == "SEC001")
    assert sec001 == {**sec001, "element": "sftp-feed", "kind": "Integration", "principle": "DIGDIR-P7",
                      "related": ["epikrise"], "file": "models/integrations.yaml", "line": 25, "waived": True}
    counted = [v for v in report["violations"] if not v["waived"]]
    assert report["summary"]["error"] == sum(1 for v in counted if v["severity"] == "error")


def test_sarif_validates_against_the_schema(result: CheckResult) -> None:
    document = json.loads(render("sarif", result, ReportOptions(tool_version="1.2.3")))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(document)
    run = document["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rule_ids == sorted(rule_ids) and len(rule_ids) == 20
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["help"]["text"] and rule["fullDescription"]["text"]
    for item in run["results"]:
        assert rule_ids[item["ruleIndex"]] == item["ruleId"]
        region = item["locations"][0]["physicalLocation"]
        assert region["artifactLocation"]["uri"].startswith("models/")
        assert region["region"]["startLine"] >= 1
        assert len(item["partialFingerprints"]["archrepoFingerprint/v1"]) == 32
    waived = [r for r in run["results"] if r.get("suppressions")]
    assert len(waived) == 1 and waived[0]["suppressions"][0]["status"] == "accepted"


def test_sarif_fingerprints_are_stable_when_lines_move(tmp_path: Path, result: CheckResult) -> None:
    copy = copy_fixture("violations", tmp_path)
    data = copy / "models" / "integrations.yaml"
    data.write_text("# a comment that moves every line down\n\n" + data.read_text())
    moved = run_check(load_config(copy / "archrepo.yaml"), CheckOptions(as_of=AS_OF))
    assert {v.fingerprint for v in moved.violations} == {v.fingerprint for v in result.violations}
    assert {v.location.line for v in moved.violations} != {v.location.line for v in result.violations}


def test_junit_has_one_testcase_per_rule(result: CheckResult) -> None:
    root = ET.fromstring(render("junit", result, ReportOptions()))
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == 20
    failed = {c.get("name").split()[0] for c in cases if c.find("failure") is not None}
    assert failed == {"AR002", "DAT001", "INT001", "SEC002"}  # errors that count (SEC001 is waived)
    suite = root.find("testsuite")
    assert suite.get("tests") == "20" and suite.get("failures") == "4"
    ar002 = next(c for c in cases if c.get("name").startswith("AR002"))
    assert "models/integrations.yaml:25" in ar002.find("failure").text
    warnings = ET.fromstring(render("junit", result, ReportOptions(fail_on=Severity.WARNING)))
    assert len([c for c in warnings.iter("testcase") if c.find("failure") is not None]) == 8


def test_github_annotations(result: CheckResult) -> None:
    lines = render("github", result, ReportOptions()).splitlines()
    sec002 = next(line for line in lines if "SEC002" in line)
    assert sec002.startswith("::error file=models/integrations.yaml,line=25,title=SEC002 confidential-data-authenticated::")
    assert "%0AFix: " in sec002 and "\n" not in sec002
    assert any(line.startswith("::notice ") for line in lines)  # info
    assert any(line.startswith("::warning file=waivers.yaml") for line in lines)  # expired/stale waivers
    assert not any("SEC001" in line for line in lines)  # waived


def test_markdown_summary(result: CheckResult) -> None:
    text = render("markdown", result, ReportOptions())
    assert text.startswith("## archrepo check: ❌ failed")
    assert "| Principle | Errors | Warnings | Info |" in text
    assert "| **DIGDIR-P5** Del og gjenbruk løsninger | 2 | 1 | 0 |" in text
    assert "<details><summary>Violations (12)</summary>" in text
    capped = render("markdown", result, ReportOptions(max_rows=2))
    assert "… and 10 more" in capped


def test_text_groups_by_severity_and_principle(result: CheckResult) -> None:
    text = render("text", result, ReportOptions())
    assert "\x1b[" not in text
    assert text.index("ERROR (") < text.index("WARNING (") < text.index("INFO (")
    assert "principle DIGDIR-P5 Del og gjenbruk løsninger" in text
    assert "models/integrations.yaml:25: Active integration sftp-feed has a retired source" in text
    assert "fix: " in text and "WAIVED (1)" in text and "expired" in text and "stale" in text
    assert text.rstrip().endswith("FAILED: violations at or above 'error'")
    assert "\x1b[31" in render("text", result, ReportOptions(color=True))


def test_output_is_deterministic(result: CheckResult) -> None:
    again = run_check(load_config(VIOLATIONS / "archrepo.yaml"), CheckOptions(as_of=AS_OF))
    for fmt in REPORTERS:
        assert render(fmt, result, ReportOptions()) == render(fmt, again, ReportOptions())


@pytest.mark.parametrize("fmt", [name for name in REPORTERS if name != "text"])
def test_check_writes_every_format_to_a_file(fmt: str, tmp_path: Path) -> None:
    target = tmp_path / f"report.{fmt}"
    outcome = run_cli(["check", "--as-of", "2026-11-26", "--format", fmt, "--output", str(target)], VIOLATIONS)
    assert outcome.exit_code == 1
    assert outcome.stdout == "" and target.stat().st_size > 100


def test_invalid_model_gives_a_json_report_with_errors(make_repo) -> None:
    repo = make_repo({"models/a.yaml": "kind: Organisation\nid: a\nnam: A\n"},
                     config="models: [models]\n" + STD_CONFIG)
    outcome = run_cli(["check", "--format", "json"], repo)
    assert outcome.exit_code == 2
    report = json.loads(outcome.stdout)
    assert {(e["file"], e["line"]) for e in report["errors"]} == {("models/a.yaml", 1), ("models/a.yaml", 3)}
    assert report["violations"] == []
    assert "models/a.yaml:3: error:" in outcome.stderr
    sarif = json.loads(run_cli(["check", "--format", "sarif"], repo).stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    assert sarif["runs"][0]["invocations"][0]["executionSuccessful"] is False
