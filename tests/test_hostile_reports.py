"""Reports, exports and diffs of a hostile model: text and GitHub commands cannot act on a terminal or start a
command, XML is well-formed, SARIF valid with percent-encoded URIs, Markdown renders as text."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from archrepo.config import load_config
from archrepo.report import ReportOptions, render
from archrepo.rules.check import CheckOptions, CheckResult, run_check
from tests.hostile_output import ODD_FILE, PAYLOADS, TERMINAL_UNSAFE, write_hostile_repo
from tests.markdown_check import assert_markdown_is_text
from tests.test_interop_export import XSD, _Schema
from tests.test_reports import SARIF_SCHEMA

AS_OF = dt.date(2026, 11, 26)
_SGR = re.compile(r"\x1b\[[0-9;]*m")
_FAKE_SUMMARY = "0 errors, 0 warnings, 0 info: passed (--fail-on error)"


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return write_hostile_repo(tmp_path_factory.mktemp("hostile") / "repo")


@pytest.fixture(scope="module")
def result(repo: Path) -> CheckResult:
    return run_check(load_config(repo / "archrepo.yaml"), CheckOptions(as_of=AS_OF))


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "archrepo", *args], cwd=cwd, capture_output=True, timeout=300,
                          check=False)


def _terminal_safe(text: str) -> None:
    found = sorted({f"U+{ord(c):04X}" for c in TERMINAL_UNSAFE.findall(text)})
    assert not found, f"characters a terminal acts on: {found}"


def test_the_model_reaches_every_report(result: CheckResult) -> None:
    """The corpus does what it is for: rule messages and waivers quote every payload."""
    messages = " ".join(v.message for v in result.violations)
    assert all(text in messages for text in PAYLOADS.values())
    assert sum(1 for v in result.violations if v.waived) == len(PAYLOADS)


@pytest.mark.parametrize("color", [False, True])
def test_text_report_shows_control_characters_as_escapes(result: CheckResult, color: bool) -> None:
    text = render("text", result, ReportOptions(color=color))
    _terminal_safe(_SGR.sub("", text))  # archrepo's own colours only
    assert "\\x1b[31mred\\x1b[0m" in text and "\\x1b]0;pwned title\\x07" in text and "\\u202e" in text
    lines = text.splitlines()
    assert _FAKE_SUMMARY not in lines and not any(_SGR.sub("", line) == _FAKE_SUMMARY for line in lines)
    assert "HIDDEN overwrite" in text and "visible\\rHIDDEN" in text
    if color:
        assert all(match.group() in ("\x1b[0m", "\x1b[1m", "\x1b[2m", "\x1b[31m", "\x1b[33m", "\x1b[36m",
                                     "\x1b[31;1m", "\x1b[33;1m", "\x1b[36;1m", "\x1b[2;1m", "\x1b[32;1m")
                   for match in _SGR.finditer(text))


def test_check_and_validate_on_a_terminal_stream(repo: Path, tmp_path: Path) -> None:
    """The real command: stdout and stderr carry nothing a terminal would act on (click strips only CSI)."""
    outcome = _run(["check"], repo)
    assert outcome.returncode == 1
    _terminal_safe(outcome.stdout.decode("utf-8") + outcome.stderr.decode("utf-8"))
    bad = tmp_path / "bad"
    (bad / "models").mkdir(parents=True)
    (bad / "archrepo.yaml").write_text("models: [models]\n", encoding="utf-8")
    (bad / "models" / "a.yaml").write_text('kind: Organisation\nid: "x\\e]0;owned\\a"\nname: "\\e[2J"\n'
                                           'type: "\\e[31mbad"\n', encoding="utf-8")
    outcome = _run(["validate"], bad)
    stderr = outcome.stderr.decode("utf-8")
    assert outcome.returncode == 2 and "malformed id" in stderr and "\\x1b]0;owned\\x07" in stderr
    _terminal_safe(stderr)


def test_impact_text_is_terminal_safe(repo: Path) -> None:
    outcome = _run(["impact", "app-osc-title"], repo)
    assert outcome.returncode == 0
    _terminal_safe(outcome.stdout.decode("utf-8"))


def test_github_annotations_cannot_start_a_command(result: CheckResult) -> None:
    text = render("github", result, ReportOptions())
    _terminal_safe(text)
    lines = text.splitlines()
    assert lines[-1].startswith("archrepo: ")
    commands = re.compile(r"::(error|warning|notice) file=[^,:]*,line=\d+,title=[^,:]*::.*")
    assert all(commands.fullmatch(line) for line in lines[:-1])
    assert len(lines) - 1 == len(result.counting()) + len(result.waivers) + len(result.errors)
    fake = next(line for line in lines if "github-command" in line or "%250A::error::fake%2525" in line)
    assert "%0A::warning file=a,line=1::x" in fake  # the payload's own newline, encoded


def test_junit_is_well_formed(result: CheckResult) -> None:
    root = ET.fromstring(render("junit", result, ReportOptions()).encode("utf-8"))
    assert root.tag == "testsuites"
    assert any("pwned title" in (e.text or "") for e in root.iter("failure"))


def test_sarif_validates_and_uris_are_percent_encoded(result: CheckResult, repo: Path) -> None:
    document = json.loads(render("sarif", result, ReportOptions(tool_version="1.0")))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(document)
    uris = {location["physicalLocation"]["artifactLocation"]["uri"]
            for item in document["runs"][0]["results"] for location in item["locations"]}
    for uri in uris:
        assert re.fullmatch(r"[A-Za-z0-9\-._~/%]+", uri), uri  # an RFC 3986 relative reference
        assert (repo / unquote(uri)).is_file(), uri
    assert "models/odd%20name%20%23%2525%20%C3%A6.yaml" in uris
    assert unquote("models/odd%20name%20%23%2525%20%C3%A6.yaml") == ODD_FILE
    for rule in document["runs"][0]["tool"]["driver"]["rules"]:
        assert_markdown_is_text(rule["help"]["markdown"], allowed_tags={"code"}, links=False)


def test_markdown_report_renders_as_text(result: CheckResult) -> None:
    text = render("markdown", result, ReportOptions(fail_on=None))
    assert_markdown_is_text(text, allowed_tags={"details", "summary", "code"}, links=False)
    assert text.count("<details>") == 1


def test_archimate_export_is_well_formed_and_valid(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.xml"
    outcome = _run(["export", "--format", "archimate", "--output", str(out)], repo)
    assert outcome.returncode == 0, outcome.stderr
    ET.parse(out)
    schema = _Schema(str(XSD / "archimate3_Diagram.xsd"), allow="local",
                     locations={"http://www.w3.org/XML/1998/namespace": str(XSD / "xml.xsd")})
    schema.validate(str(out))


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_diff_of_a_hostile_change(tmp_path: Path) -> None:
    """A merge request that adds hostile elements and renames one: text, Markdown (with Mermaid) and JSON."""
    repo = write_hostile_repo(tmp_path / "repo", {"plain": "Plain", "other": "Other"}, long_name=False)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    write_hostile_repo(tmp_path / "repo", {"plain": PAYLOADS["mermaid-break"], **PAYLOADS}, long_name=True,
                       rules=False)
    text = _run(["diff", "HEAD"], repo)
    assert text.returncode == 0, text.stderr
    _terminal_safe(text.stdout.decode("utf-8"))
    markdown = _run(["diff", "HEAD", "--format", "markdown"], repo)
    assert markdown.returncode == 0
    assert_markdown_is_text(markdown.stdout.decode("utf-8"), allowed_tags={"code", "br"}, links=False)
    assert "```mermaid" in markdown.stdout.decode("utf-8")
    assert json.loads(_run(["diff", "HEAD", "--format", "json"], repo).stdout)["added"]
