"""The CI jobs of docs/ci.md, as far as archrepo's side goes: every `archrepo` command they run works on the
reference model (which passes the gate) and on a violating model (which fails it), and the files they
upload are what GitHub and GitLab expect."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
import yaml

from tests.conftest import FIXTURES, ROOT, copy_fixture, run_process

DOC = ROOT / "docs" / "ci.md"


def _jobs() -> dict[str, list[str]]:
    """The archrepo commands of each YAML block in docs/ci.md, in order."""
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    jobs = {}
    for block in blocks:
        data = yaml.safe_load(block)
        if "jobs" in data:  # GitHub Actions
            commands = [step["run"] for job in data["jobs"].values() for step in job["steps"] if "run" in step]
            jobs["github"] = commands
        else:  # GitLab CI
            commands = [line for job in data.values() if isinstance(job, dict) for line in job.get("script", [])]
            jobs["gitlab"] = commands
    return {name: [c for c in commands if c.startswith("archrepo ")] for name, commands in jobs.items()}


def test_docs_have_both_jobs() -> None:
    jobs = _jobs()
    assert set(jobs) == {"github", "gitlab"}
    assert any("--format sarif" in c for c in jobs["github"])
    assert any("--format junit" in c for c in jobs["gitlab"])


def _copy_reference(tmp_path: Path) -> Path:
    repo = tmp_path / "reference"
    for name in ("models", "archrepo.yaml", "waivers.yaml"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, repo / name if source.is_dir() else repo)
    for name in ("rules", "principles"):
        shutil.copytree(ROOT / name, repo / name)
    return repo


def _copy_violations(tmp_path: Path) -> Path:
    return copy_fixture("violations", tmp_path)


@pytest.mark.parametrize("job", ["github", "gitlab"])
def test_job_passes_on_the_reference_model(job: str, tmp_path: Path) -> None:
    repo = _copy_reference(tmp_path)
    for command in _jobs()[job]:
        outcome = run_process(shlex.split(command)[1:], repo)
        assert outcome.exit_code == 0, f"{command}\n{outcome.stderr}{outcome.stdout}"
    _check_artifacts(repo, job)


@pytest.mark.parametrize("job", ["github", "gitlab"])
def test_job_fails_the_gate_on_errors(job: str, tmp_path: Path) -> None:
    repo = _copy_violations(tmp_path)
    codes = [run_process(shlex.split(command)[1:], repo).exit_code for command in _jobs()[job]]
    gates = [c for c, command in zip(codes, _jobs()[job], strict=True) if "--fail-on error" in command]
    reports = [c for c, command in zip(codes, _jobs()[job], strict=True) if "--fail-on never" in command]
    assert gates == [1] and set(reports) == {0}
    assert codes[0] == 0  # validate: the model is valid, it just breaks rules
    _check_artifacts(repo, job)


def _check_artifacts(repo: Path, job: str) -> None:
    """Every file the job's commands write (`--output FILE`) is there, and is what its consumer expects."""
    written = {args[args.index("--output") + 1] for args in map(shlex.split, _jobs()[job]) if "--output" in args}
    expected = {"github": {"archrepo.sarif"}, "gitlab": {"archrepo.md", "archrepo-junit.xml"}}[job]
    assert written == expected, f"docs/ci.md's {job} job writes {sorted(written)}"
    for name in written:
        assert (repo / name).is_file(), f"the {job} job did not write {name}"
    if "archrepo.sarif" in written:
        schema = json.loads((FIXTURES / "schemas" / "sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8"))
        jsonschema.Draft4Validator(schema).validate(json.loads((repo / "archrepo.sarif").read_text(encoding="utf-8")))
    if "archrepo-junit.xml" in written:
        assert ET.parse(repo / "archrepo-junit.xml").getroot().tag == "testsuites"
    if "archrepo.md" in written:
        assert (repo / "archrepo.md").read_text(encoding="utf-8").startswith("## archrepo check:")
