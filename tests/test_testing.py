"""`archrepo rules --test` (archrepo.testing) in a user's repository: the example case `init` writes, failing
cases with their difference, malformed case files with file:line, xfail, --rule and a configured folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.conftest import run_cli, run_process

CASE = textwrap.dedent("""\
    rule: AR001
    fail:
      - name: no owner
        model: |
          kind: Application
          id: lab
          name: Lab
          lifecycle: {status: active}
        expect:
          - element: lab
    pass:
      - name: owned
        model: |
          kind: Organisation
          id: trust
          name: Trust
          ---
          kind: Application
          id: lab
          name: Lab
          owner: trust
          lifecycle: {status: active}
    """)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    target = tmp_path / "architecture"
    assert run_cli(["init", str(target)], tmp_path).exit_code == 0
    return target


def test_init_writes_an_example_case_that_passes(repo: Path) -> None:
    assert (repo / "tests" / "rules" / "AR001.yaml").is_file()
    outcome = run_process(["rules", "--test"], repo)
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stdout.splitlines() == ["PASS   AR001  fail: an application without an owner",
                                           "PASS   AR001  pass: an application with an owner"]
    assert outcome.stderr.strip().endswith("2 cases: 2 passed, 0 failed")


def test_a_failing_case_shows_the_difference_and_exits_1(repo: Path) -> None:
    (repo / "tests" / "rules" / "AR001.yaml").write_text(CASE.replace("- element: lab", "- element: labb\n"
                                                                      "        related: []"))
    outcome = run_cli(["rules", "--test"], repo)
    assert outcome.exit_code == 1
    assert outcome.stdout.splitlines() == [
        "FAIL   AR001  fail: no owner",
        "       tests/rules/AR001.yaml:3",
        "       missing: labb related=[]",
        "       unexpected: lab related=[]",
        "PASS   AR001  pass: owned"]
    assert "2 cases: 1 passed, 1 failed" in outcome.stderr


def test_a_pass_case_that_finds_a_violation_fails(repo: Path) -> None:
    (repo / "tests" / "rules" / "AR001.yaml").write_text(CASE.replace("      owner: trust\n", ""))
    outcome = run_cli(["rules", "--test"], repo)
    assert outcome.exit_code == 1
    assert "FAIL   AR001  pass: owned\n       tests/rules/AR001.yaml:12\n       unexpected: lab related=[]\n" \
        in outcome.stdout


@pytest.mark.parametrize(("text", "line", "words"), [
    (CASE.replace("    model: |\n", "    modl: |\n", 1), 4, "unknown key 'modl'"),
    (CASE.replace("rule: AR001", "rule: AR002"), 1, "`rule: AR002` does not match the file name AR001.yaml"),
    (CASE.replace("    expect:\n      - element: lab\n", ""), 3, "a fail case lists the violations"),
    (CASE.replace("      - element: lab\n", "      - element: lab\n        severity: fatal\n"), 11,
     "`severity` is error, warning or info"),
    ("rule: AR001\nfail: [\n", 3, "YAML syntax error"),
    (CASE.replace("rule: AR001\n", "rule: AR001\nas_of: 2026-13-01\n"), 2, "as_of '2026-13-01' is not a date"),
])
def test_a_malformed_case_file_is_exit_2_with_file_and_line(repo: Path, text: str, line: int, words: str) -> None:
    (repo / "tests" / "rules" / "AR001.yaml").write_text(text)
    outcome = run_cli(["rules", "--test"], repo)
    assert outcome.exit_code == 2, outcome.stdout
    assert f"tests/rules/AR001.yaml:{line}: error: " in outcome.stderr and words in outcome.stderr, outcome.stderr
    assert "Traceback" not in outcome.stderr


def test_xfail_cases_and_an_invalid_case_model(repo: Path) -> None:
    cases = repo / "tests" / "rules"
    (cases / "AR001.yaml").write_text(CASE.replace("    expect:\n", "    xfail: the rule is known to miss it\n"
                                                   "    expect:\n").replace("- element: lab", "- element: trust"))
    outcome = run_cli(["rules", "--test"], repo)
    assert outcome.exit_code == 0, outcome.stdout
    assert outcome.stdout.startswith("XFAIL  AR001  fail: no owner\n")
    (cases / "AR001.yaml").write_text(CASE.replace("    expect:\n", "    xfail: no longer true\n    expect:\n"))
    outcome = run_cli(["rules", "--test"], repo)
    assert outcome.exit_code == 1
    assert "the case is marked xfail (no longer true) but passes: remove `xfail`" in outcome.stdout
    (cases / "AR001.yaml").write_text(CASE.replace("      owner: trust\n", "      owner: trust\n      ownr: x\n"))
    outcome = run_cli(["rules", "--test"], repo)
    assert outcome.exit_code == 1
    assert "the case's model is invalid: models/model.yaml:9: unknown field 'ownr'" in outcome.stdout


def test_rule_selection_a_configured_folder_and_parameters(repo: Path) -> None:
    (repo / "tests" / "rules" / "AR001.yaml").unlink()
    (repo / "checks").mkdir()
    (repo / "checks" / "AR001.yaml").write_text(CASE)
    (repo / "checks" / "QA001.yaml").write_text(textwrap.dedent("""\
        rule: QA001
        fail:
          - name: a description that is too short for the repository's setting
            model: |
              kind: Capability
              id: lab
              name: Lab
              description: Lab work.
            expect:
              - element: lab
        pass:
          - name: long enough with the case's own setting
            config: {rules_config: {QA001: {params: {min_length: 5}}}}
            model: |
              kind: Capability
              id: lab
              name: Lab
              description: Lab work.
        """))
    config = (repo / "archrepo.yaml").read_text()
    config = config.replace("rule_tests: tests/rules", "rule_tests: checks")
    config = config.replace("rules_config: {}", "rules_config: {QA001: {params: {min_length: 20}}, AR001: {enabled: false}}")
    (repo / "archrepo.yaml").write_text(config)
    outcome = run_cli(["rules", "--test"], repo)
    assert outcome.exit_code == 0, outcome.stdout + outcome.stderr
    assert len(outcome.stdout.splitlines()) == 4  # AR001 is tested though the repository disables it
    only = run_cli(["rules", "--test", "--rule", "QA001"], repo)
    assert only.exit_code == 0 and {line.split()[1] for line in only.stdout.splitlines()} == {"QA001"}
    unknown = run_cli(["rules", "--test", "--rule", "QA01"], repo)
    assert unknown.exit_code == 2 and "Did you mean QA001?" in unknown.stderr
    assert run_cli(["rules", "--rule", "QA001"], repo).exit_code == 2  # --rule belongs to --test


def test_no_cases_is_said_plainly(repo: Path) -> None:
    (repo / "tests" / "rules" / "AR001.yaml").unlink()
    outcome = run_cli(["rules", "--test"], repo)
    assert outcome.exit_code == 0
    assert "no rule cases in tests/rules/" in outcome.stderr
