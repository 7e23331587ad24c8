"""Validation that agrees with JSON Schema: no trailing newline slips past a pattern, huge numbers are values like
any other (no crash in validation, the parse cache, the RDF build or an export)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_repo

ORG = "kind: Organisation\nid: org\nname: Org\n"


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archrepo", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False)


@pytest.mark.parametrize(("document", "message"), [
    ('kind: Organisation\nid: "abc\\n"\nname: X\n', "malformed id 'abc\\n'"),
    ("kind: Organisation\nid: |\n  abc\nname: X\n", "malformed id 'abc\\n'"),
    ('kind: Organisation\nid: ok\nname: X\nparent: "org\\n"\n', "malformed id 'org\\n' in 'parent'"),
    ('kind: Application\nid: a\nname: A\nlifecycle: {status: active, since: "2024-01-01\\n"}\n',
     "is not a valid date"),
    ('kind: Process\nid: p\nname: P\nsteps: [{id: "s\\n", name: S}]\n', "malformed id 's\\n'"),
    ('kind: Application\nid: a\nname: A\nlifecycle: {status: active}\nproperties: {"key\\n": 1}\n', "key\\n"),
])
def test_a_trailing_newline_is_not_a_valid_value(tmp_path: Path, document: str, message: str) -> None:
    repo = write_repo(tmp_path / "repo", {"models/a.yaml": ORG + "---\n" + document})
    for _ in range(2):  # the second run reads the parse cache
        outcome = _run(["validate"], repo)
        assert outcome.returncode == 2, outcome.stderr
        assert message in outcome.stderr and "Traceback" not in outcome.stderr


def test_a_base_iri_with_a_trailing_newline_is_refused(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", {"models/a.yaml": ORG},
                      config='models: [models]\nbase_iri: "https://example.org/id/\\n"\n')
    outcome = _run(["validate"], repo)
    assert outcome.returncode == 2
    assert "archrepo.yaml:2: error: 'base_iri' does not have the expected form" in outcome.stderr


BIG = "123456789012345678901234567890"


def test_a_30_digit_name_is_a_clear_error(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", {"models/a.yaml": f"kind: Organisation\nid: org\nname: {BIG}\n"})
    for _ in range(2):
        outcome = _run(["validate"], repo)
        assert outcome.returncode == 2
        assert f"'name' must be a string, not a number ({BIG})" in outcome.stderr
        assert "internal error" not in outcome.stderr


def test_30_digit_numbers_in_properties_travel_everywhere(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", {"models/a.yaml": ORG + (
        f"---\nkind: Application\nid: big\nname: Big\nowner: org\nlifecycle: {{status: active}}\n"
        f"properties:\n  count: {BIG}\n  negative: -{BIG}\n  nested: [{BIG}, {{deep: {BIG}}}]\n"
        f"  huge: 1.5e+400\n")})
    assert _run(["validate"], repo).returncode == 0
    for _ in range(2):  # from here on every file comes from the parse cache
        triples = _run(["export", "--format", "ntriples"], repo)
        assert triples.returncode == 0 and f'"{BIG}"^^<http://www.w3.org/2001/XMLSchema#integer>' in triples.stdout
    report = _run(["check", "--format", "json", "--fail-on", "never"], repo)
    assert report.returncode == 0, report.stderr
    json.loads(report.stdout)
    for fmt in ("turtle", "jsonld", "archimate"):
        assert _run(["export", "--format", fmt], repo).returncode == 0
    site = _run(["docs", "--out", str(tmp_path / "site")], repo)
    assert site.returncode == 0, site.stderr
    assert BIG in (tmp_path / "site" / "applications" / "big.html").read_text(encoding="utf-8")
