"""The checker end to end: exit codes, --fail-on, --rule, rules_config, baselines, waivers, broken and
untrusted rules, SHACL rules, and the rules/principles listings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import STD_CONFIG, copy_fixture, run_cli, run_process
from tests.test_validation_defects import BASE

STD = STD_CONFIG


def check(cwd: Path, *args: str):
    return run_cli(["check", "--as-of", "2026-11-26", *args], cwd)


@pytest.mark.parametrize(("fail_on", "code"), [("error", 1), ("warning", 1), ("info", 1), ("never", 0)])
def test_fail_on_thresholds_on_a_violating_model(fail_on: str, code: int, violations: Path) -> None:
    assert check(violations, "--fail-on", fail_on).exit_code == code


def test_clean_model_exits_0_and_warnings_gate_only_with_fail_on_warning(make_repo) -> None:
    repo = make_repo({**BASE}, config="models: [models]\n" + STD)
    assert check(repo).exit_code == 0  # only warnings and info (orphans, no descriptions)
    assert check(repo, "--fail-on", "warning").exit_code == 1
    assert check(repo, "--fail-on", "info").exit_code == 1
    assert check(repo, "--rule", "DAT001", "--fail-on", "info").exit_code == 0


def test_rule_filter_and_unknown_rule(violations: Path) -> None:
    report = json.loads(check(violations, "--rule", "AR002", "--rule", "DAT001", "--format", "json").stdout)
    assert {v["rule"] for v in report["violations"]} == {"AR002", "DAT001"}
    assert report["summary"]["rules"] == 2
    outcome = check(violations, "--rule", "AR02")
    assert outcome.exit_code == 2 and "AR02" in outcome.stderr and "Did you mean" in outcome.stderr


def test_bad_as_of_is_a_usage_error(violations: Path) -> None:
    outcome = check(violations, "--as-of", "26.11.2026")
    assert outcome.exit_code == 2 and "YYYY-MM-DD" in outcome.stderr


def test_rules_config_overrides_severity_and_disables(tmp_path: Path) -> None:
    repo = copy_fixture("violations", tmp_path)
    config = (repo / "archrepo.yaml").read_text()
    config += "rules_config:\n  AR002: {severity: info}\n  DAT001: {enabled: false}\n  SEC002: {severity: warning}\n" \
              "  INT001: {enabled: false}\n"
    (repo / "archrepo.yaml").write_text(config)
    report = json.loads(check(repo, "--format", "json").stdout)
    assert {v["severity"] for v in report["violations"] if v["rule"] == "AR002"} == {"info"}
    assert not [v for v in report["violations"] if v["rule"] in ("DAT001", "INT001")]
    assert report["summary"]["error"] == 0 and report["summary"]["rules"] == 18
    assert check(repo).exit_code == 0
    assert check(repo, "--fail-on", "warning").exit_code == 1
    listing = run_cli(["rules"], repo).stdout
    rows = [line.split()[:2] for line in listing.splitlines()]
    assert ["DAT001", "error"] not in rows and ["AR002", "info"] in rows


def test_rules_config_naming_an_unknown_rule_is_exit_2(make_repo) -> None:
    repo = make_repo({**BASE}, config="models: [models]\n" + STD + "rules_config:\n  AR999: {severity: info}\n")
    outcome = check(repo)
    assert outcome.exit_code == 2 and "archrepo.yaml:5: error: rules_config names rule 'AR999'" in outcome.stderr


def test_baseline_then_only_new_violations_fail(tmp_path: Path) -> None:
    repo = copy_fixture("violations", tmp_path)
    written = run_cli(["baseline", "--as-of", "2026-11-26", "--output", "known.json"], repo)
    assert written.exit_code == 0, written.stderr
    baseline = json.loads((repo / "known.json").read_text())
    assert baseline["version"] == 1 and all("line" not in e for e in baseline["violations"])
    assert check(repo, "--baseline", "known.json").exit_code == 0
    # a new violation: another integration without description and with an unapproved standard
    with (repo / "models" / "integrations.yaml").open("a") as handle:
        handle.write("---\nkind: Integration\nid: new-flow\nsource: dips-arena\ntarget: fastlege-epj\n"
                     "via: nhn-edi\nstandard: FTP\n")
    outcome = check(repo, "--baseline", "known.json", "--format", "json")
    assert outcome.exit_code == 1
    report = json.loads(outcome.stdout)
    new = [v for v in report["violations"] if not v["baselined"] and not v["waived"]]
    assert {(v["rule"], v["element"]) for v in new} == {("INT001", "new-flow"), ("QA001", "new-flow")}
    assert report["summary"]["error"] == 1
    # fix an old one: it is reported as fixed
    text = (repo / "models" / "data.yaml").read_text().replace("classification: internal\n",
                                                                 "classification: internal\nmaster: dips-arena\n")
    (repo / "models" / "data.yaml").write_text(text)
    report = json.loads(check(repo, "--baseline", "known.json", "--format", "json").stdout)
    assert [e["rule"] for e in report["baseline"]["fixed"]] == ["DAT001"]


def test_baseline_from_config_applies_when_present(tmp_path: Path) -> None:
    repo = copy_fixture("violations", tmp_path)
    config = (repo / "archrepo.yaml").read_text() + "baseline: .baseline.json\n"
    (repo / "archrepo.yaml").write_text(config)
    assert check(repo).exit_code == 1  # configured, but the file does not exist yet
    assert run_cli(["baseline", "--as-of", "2026-11-26"], repo).exit_code == 0
    assert (repo / ".baseline.json").is_file()
    assert check(repo).exit_code == 0
    assert check(repo, "--no-baseline").exit_code == 1


def test_corrupt_baseline_is_exit_2(tmp_path: Path, violations: Path) -> None:
    bad = tmp_path / "b.json"
    bad.write_text('{"version": 1, "violations": [')
    outcome = check(violations, "--baseline", str(bad))
    assert outcome.exit_code == 2 and "not valid JSON" in outcome.stderr
    bad.write_text('{"something": "else"}')
    assert "not an archrepo baseline" in check(violations, "--baseline", str(bad)).stderr
    assert "does not exist" in check(violations, "--baseline", str(tmp_path / "none.json")).stderr


@pytest.mark.parametrize(("waivers", "words"), [
    ("- rule: SEC001\n  element: sftp-feed\n  approved_by: X\n  expires: 2027-01-01\n", "missing required field 'reason'"),
    ("- rule: SEC001\n  element: sftp-feed\n  reason: r\n  approved_by: X\n", "missing required field 'expires'"),
    ("- rule: SEC001\n  element: sftp-feed\n  reason: r\n  approved_by: X\n  expires: 2027-02-30\n", "not a valid date"),
    ("- rule: SEC01\n  element: sftp-feed\n  reason: r\n  approved_by: X\n  expires: 2027-01-01\n", "Did you mean 'SEC001'"),
    ("rule: SEC001\n", "must be a list"),
])
def test_invalid_waivers_are_exit_2(tmp_path: Path, waivers: str, words: str) -> None:
    repo = copy_fixture("violations", tmp_path)
    (repo / "waivers.yaml").write_text(waivers)
    outcome = check(repo)
    assert outcome.exit_code == 2, outcome.stdout
    assert "waivers.yaml:" in outcome.stderr and words in outcome.stderr


def rule_repo(make_repo, rule: str, name: str = "X001-custom.yaml", extra_config: str = "",
              files: dict | None = None) -> Path:
    return make_repo({**BASE, f"myrules/{name}": rule, **(files or {})},
                     config="models: [models]\nprinciples: [principles]\nrules: [myrules]\n" + extra_config,
                     name=name.removesuffix(".yaml"))


CUSTOM = """
kind: Rule
id: X001
name: custom
principle: DIGDIR-P4
severity: error
description: Custom.
remediation: Fix it.
"""


def test_broken_sparql_rule_is_reported_while_others_run(make_repo) -> None:
    broken = CUSTOM + "sparql: |\n  SELECT ?element ?message WHERE { ?element a arch:Application\n"
    good = CUSTOM.replace("X001", "X002") + (
        "sparql: |\n  SELECT ?element ?message WHERE { ?element a arch:Application "
        "BIND('app' AS ?message) }\n")
    repo = make_repo({**BASE, "myrules/X001.yaml": broken, "myrules/X002.yaml": good},
                     config="models: [models]\nprinciples: [principles]\nrules: [myrules]\n")
    outcome = check(repo, "--format", "json")
    assert outcome.exit_code == 2
    report = json.loads(outcome.stdout)
    assert [f["rule"] for f in report["rule_failures"]] == ["X001"]
    assert "malformed SPARQL" in report["rule_failures"][0]["message"]
    assert [v["element"] for v in report["violations"]] == ["dips-arena"]
    assert "myrules/X001.yaml:1: error: rule X001 failed to run" in outcome.stderr


def test_sparql_rule_with_service_is_refused(make_repo) -> None:
    rule = CUSTOM + "sparql: |\n  SELECT ?element ?message WHERE { SERVICE <http://127.0.0.1:9/> { ?element ?p ?message } }\n"
    report = json.loads(check(rule_repo(make_repo, rule), "--format", "json").stdout)
    assert "SERVICE" in report["rule_failures"][0]["message"]


def test_sparql_rule_must_return_element_and_message(make_repo) -> None:
    rule = CUSTOM + "sparql: |\n  SELECT ?element WHERE { ?element a arch:Application }\n"
    report = json.loads(check(rule_repo(make_repo, rule), "--format", "json").stdout)
    assert "?element and ?message" in report["rule_failures"][0]["message"]


@pytest.mark.parametrize(("text", "words"), [
    (CUSTOM, "exactly one of 'sparql', 'shacl', 'python'"),
    (CUSTOM + "sparql: x\npython: a:b\n", "exactly one of"),
    (CUSTOM.replace("severity: error", "severity: fatal") + "sparql: x\n", "invalid value 'fatal'"),
    (CUSTOM.replace("DIGDIR-P4", "DIGDIR-P44") + "sparql: x\n", "principle 'DIGDIR-P44', which does not exist"),
    (CUSTOM + "sparql: x\nquery: y\n", "unknown field 'query'"),
])
def test_invalid_rule_files_are_exit_2(make_repo, text: str, words: str) -> None:
    outcome = check(rule_repo(make_repo, text))
    assert outcome.exit_code == 2
    assert "myrules/X001-custom.yaml:" in outcome.stderr and words in outcome.stderr


def test_python_rule_in_the_repository_is_not_imported_unless_allowed(make_repo, tmp_path: Path) -> None:
    marker = tmp_path / "imported"
    module = f"from pathlib import Path\nPath({str(marker)!r}).write_text('ran')\n" \
             "def check(model):\n    yield {'element': 'dips-arena', 'message': 'custom python finding'}\n"
    rule = CUSTOM + "python: evilrule:check\n"
    repo = rule_repo(make_repo, rule, files={"evilrule.py": module, "extra/evilrule2.py": module})
    for runner in (run_cli, run_process):
        outcome = runner(["check", "--format", "json"], repo)
        assert outcome.exit_code == 2
        assert "not an installed package" in json.loads(outcome.stdout)["rule_failures"][0]["message"]
    assert not marker.exists(), "a rule file made archrepo import code from the repository"
    allowed = rule_repo(make_repo, CUSTOM + "python: evilrule2:check\n", name="allowed.yaml",
                        extra_config="python_rules: [extra]\n", files={"extra/evilrule2.py": module})
    report = json.loads(run_cli(["check", "--format", "json"], allowed).stdout)
    assert report["rule_failures"] == []
    assert [v["message"] for v in report["violations"]] == ["custom python finding"]
    assert marker.exists()


def test_python_rule_from_an_installed_package_and_one_that_raises(make_repo) -> None:
    ok = CUSTOM + "python: archrepo.rules.builtin:sync_cycles\n"
    assert check(rule_repo(make_repo, ok, name="ok.yaml")).exit_code == 0
    raising = CUSTOM + "python: json:loads\n"
    report = json.loads(check(rule_repo(make_repo, raising, name="bad.yaml"), "--format", "json").stdout)
    assert "raised TypeError" in report["rule_failures"][0]["message"]


def test_shacl_rule(make_repo) -> None:
    shapes = CUSTOM + """shacl: |
  arch:OwnerShape a sh:NodeShape ;
    sh:targetClass arch:Application ;
    sh:property [ sh:path arch:criticality ; sh:minCount 1 ;
                  sh:message "Application has no criticality" ] .
"""
    report = json.loads(check(rule_repo(make_repo, shapes), "--format", "json").stdout)
    assert report["rule_failures"] == []
    assert [(v["element"], v["message"]) for v in report["violations"]] == [
        ("dips-arena", "Application has no criticality")]


def test_rules_and_principles_listings(violations: Path) -> None:
    listing = run_cli(["rules"], violations)
    assert listing.exit_code == 0
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["ID", "SEVERITY", "PRINCIPLE", "DESCRIPTION"]
    assert len(lines) == 21 and any(line.startswith("SEC001") and "error" in line for line in lines)
    explained = run_cli(["rules", "--explain", "SEC001"], violations).stdout
    for words in ("SEC001 sensitive-data-encrypted", "severity:    error", "principle:   DIGDIR-P7",
                  "how to fix:", "sparql:", "arch:encrypted false"):
        assert words in explained
    assert run_cli(["rules", "--explain", "SEC01"], violations).exit_code == 2
    data = json.loads(run_cli(["rules", "--format", "json"], violations).stdout)
    assert len(data) == 20
    principles = run_cli(["principles"], violations)
    assert principles.exit_code == 0 and "DIGDIR-P4" in principles.stdout
    listed = json.loads(run_cli(["principles", "--format", "json"], violations).stdout)
    assert next(p for p in listed if p["id"] == "DIGDIR-P4")["rules"] == ["DAT001", "DAT002"]


def test_every_standard_rule_is_tied_to_an_existing_principle_and_explains_itself(violations: Path) -> None:
    from archrepo.config import load_config
    from archrepo.rules.definitions import load_principles, load_rules

    config = load_config(violations / "archrepo.yaml")
    principles = load_principles(config)
    rules = load_rules(config, principles)
    assert {r.id for r in rules} == {"AR001", "AR002", "AR003", "AR004", "AR005", "SEC001", "SEC002", "SEC003",
                                     "SEC004", "INT001", "INT002", "INT003", "DAT001", "DAT002", "DAT003",
                                     "RES001", "QA001", "TEC001", "TEC002", "TEC003"}
    for rule in rules:
        assert rule.principle in principles
        assert len(rule.remediation) > 40, rule.id
    defaults = {"AR001": "error", "AR002": "error", "AR003": "warning", "AR004": "warning", "AR005": "warning",
                "SEC001": "error", "SEC002": "error", "SEC003": "warning", "SEC004": "error", "INT001": "error",
                "INT002": "warning", "INT003": "warning", "DAT001": "error", "DAT002": "warning",
                "DAT003": "warning", "RES001": "warning", "QA001": "info", "TEC001": "warning",
                "TEC002": "warning", "TEC003": "info"}
    assert {r.id: r.severity.label for r in rules} == defaults


def test_a_waiver_still_applies_on_its_expiry_date_and_expires_the_day_after(tmp_path: Path) -> None:
    repo = copy_fixture("violations", tmp_path)

    def sec001(as_of: str) -> tuple[bool, list[str]]:
        report = json.loads(run_cli(["check", "--as-of", as_of, "--format", "json"], repo).stdout)
        waived = {v["waived"] for v in report["violations"] if (v["rule"], v["element"]) == ("SEC001", "sftp-feed")}
        expired = [w["status"] for w in report["waivers"] if w["rule"] == "SEC001"]
        assert len(waived) == 1
        return waived.pop(), expired

    assert sec001("2027-06-30") == (True, [])  # `expires: 2027-06-30`: valid through that day
    assert sec001("2027-07-01") == (False, ["expired"])


def test_fingerprint_depends_on_related_but_not_on_its_order() -> None:
    from archrepo.rules.violation import fingerprint

    assert fingerprint("SEC001", "lab-feed", ["epikrise"]) != fingerprint("SEC001", "lab-feed", ["provesvar"])
    assert fingerprint("SEC001", "lab-feed", []) != fingerprint("SEC001", "lab-feed", ["epikrise"])
    assert fingerprint("INT003", "a", ["b", "c"]) == fingerprint("INT003", "a", ["c", "b"])


def test_baseline_does_not_hide_a_violation_with_other_related_elements(tmp_path: Path) -> None:
    """The same rule on the same element about other data is a new violation, not the known one."""
    repo = copy_fixture("violations", tmp_path)
    (repo / "waivers.yaml").unlink()  # SEC001 on sftp-feed counts, and goes into the baseline
    assert run_cli(["baseline", "--as-of", "2026-11-26", "--output", "known.json"], repo).exit_code == 0
    known = json.loads((repo / "known.json").read_text())["violations"]
    assert [(e["element"], e["related"]) for e in known if e["rule"] == "SEC001"] == [("sftp-feed", ["epikrise"])]
    with (repo / "models" / "data.yaml").open("a") as handle:
        handle.write("---\nkind: DataObject\nid: blodprove\nname: Blodprøve\ndescription: Prøvesvar.\n"
                     "classification: sensitive\nmaster: dips-arena\n")
    integrations = (repo / "models" / "integrations.yaml").read_text()
    (repo / "models" / "integrations.yaml").write_text(
        integrations.replace("standard: SFTP\ndata: [epikrise]", "standard: SFTP\ndata: [epikrise, blodprove]"))
    outcome = check(repo, "--baseline", "known.json", "--format", "json", "--rule", "SEC001")
    assert outcome.exit_code == 1, outcome.stderr
    new = [(v["element"], v["related"]) for v in json.loads(outcome.stdout)["violations"] if not v["baselined"]]
    assert new == [("sftp-feed", ["blodprove", "epikrise"])]


def test_check_on_an_invalid_model_says_the_model_is_invalid(make_repo) -> None:
    repo = make_repo({**BASE, "models/bad.yaml": "kind: Organisation\nid: a\nname: A\nownr: x\n"}, config=STD)
    outcome = check(repo)
    assert outcome.exit_code == 2
    lines = outcome.stdout.splitlines()
    assert lines[0].endswith(": the model is invalid (1 error); no rule ran")
    assert "models/bad.yaml:4: error: unknown field 'ownr'" in outcome.stdout
    assert lines[-1] == "1 error in the model files (see `archrepo validate`): FAILED: invalid model"
    assert "0 elements" not in outcome.stdout and "0 errors" not in outcome.stdout


PARAMETERISED = CUSTOM + """params:
  threshold:
    default: 2
    description: How many findings at most.
  label:
    default: default-label
    enum: [default-label, other-label]
    description: What the message says.
"""


def test_rule_parameters_reach_sparql_and_python_rules_and_rules_explain_lists_them(make_repo) -> None:
    sparql = PARAMETERISED + """sparql: |
  PREFIX arch: <https://archrepo.dev/ontology#>
  SELECT ?element ?message WHERE {
    ?element a arch:Application .
    BIND(CONCAT(?label, " ", STR(?threshold)) AS ?message)
  }
"""
    repo = rule_repo(make_repo, sparql, extra_config="rules_config: {X001: {params: {threshold: 7}}}\n")
    report = json.loads(check(repo, "--format", "json").stdout)
    assert [v["message"] for v in report["violations"]] == ["default-label 7"]
    explained = run_cli(["rules", "--explain", "X001"], repo)
    assert "  threshold = 7 (default 2)\n    How many findings at most.\n" in explained.stdout
    assert "  label = 'default-label' [one of 'default-label', 'other-label']\n" in explained.stdout
    listed = json.loads(run_cli(["rules", "--format", "json"], repo).stdout)
    assert listed[0]["params"] == {"threshold": 7, "label": "default-label"}

    module = "def check(model):\n    yield {'element': 'dips-arena', 'message': f\"{model.params['label']} " \
             "{model.params['threshold']}\"}\n"
    python = rule_repo(make_repo, PARAMETERISED + "python: paramrule:check\n", name="py.yaml",
                       extra_config="python_rules: [extra]\nrules_config: {X001: {params: {label: other-label}}}\n",
                       files={"extra/paramrule.py": module})
    report = json.loads(check(python, "--format", "json").stdout)
    assert report["rule_failures"] == []
    assert [v["message"] for v in report["violations"]] == ["other-label 2"]


@pytest.mark.parametrize(("params", "words"), [
    ("{threshhold: 3}", "rules_config sets parameter 'threshhold' of X001, which the rule does not declare"),
    ("{threshold: '3'}", "parameter 'threshold' of X001 is '3', not a whole number"),
    ("{label: third-label}", "parameter 'label' of X001 is 'third-label', not one of 'default-label', 'other-label'"),
])
def test_bad_rule_parameters_are_config_errors(make_repo, params: str, words: str) -> None:
    rule = PARAMETERISED + "sparql: |\n  SELECT ?element ?message WHERE { ?element ?p ?message } LIMIT 0\n"
    repo = rule_repo(make_repo, rule, extra_config=f"rules_config: {{X001: {{params: {params}}}}}\n")
    for command in (["check"], ["validate"]):
        outcome = run_cli(command, repo)
        assert outcome.exit_code == 2, outcome.stderr
        assert f"archrepo.yaml:4: error: {words}" in outcome.stderr
    if "threshhold" in params:
        assert "Did you mean 'threshold'?" in run_cli(["validate"], repo).stderr


def test_a_rule_default_outside_its_enum_is_an_error(make_repo) -> None:
    rule = PARAMETERISED.replace("default: default-label", "default: third") + "sparql: |\n  SELECT * {}\n"
    outcome = run_cli(["validate"], rule_repo(make_repo, rule))
    assert outcome.exit_code == 2
    assert "myrules/X001-custom.yaml:13: error: the default of parameter 'label' ('third') is not one of" \
        in outcome.stderr


def test_a_changed_rule_parameter_is_seen_by_the_next_check(make_repo) -> None:
    """The re-check state is per rule definition and parameters: a new threshold is not answered from it."""
    repo = make_repo({**BASE, "models/described.yaml": "kind: Capability\nid: lab\nname: Lab\n"
                                                          "description: Laboratoriefag.\n"}, config=STD)

    def qa001(min_length: int) -> list[str]:
        (repo / "archrepo.yaml").write_text(STD + f"rules_config: {{QA001: {{params: {{min_length: {min_length}}}}}}}\n")
        report = json.loads(check(repo, "--rule", "QA001", "--format", "json").stdout)
        return sorted(v["element"] for v in report["violations"])

    few = qa001(1)
    assert (repo / ".archrepo-cache").is_dir()
    assert "lab" not in few
    assert qa001(40) == sorted([*few, "lab"])
    assert qa001(1) == few
