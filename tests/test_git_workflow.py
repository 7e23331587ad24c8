"""diff and --new-since on real git repositories (made in tmp dirs): commits, a branch, a merge, renamed,
deleted and moved files."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import STD_CONFIG, run_cli, run_process, write_repo

CONFIG = "models: [models]\n" + STD_CONFIG

ORGS = """
kind: Organisation
id: sykehuspartner
name: Sykehuspartner HF
type: it-provider
description: Shared IT provider.
"""
APPS = """
kind: Application
id: dips-arena
name: DIPS Arena
description: EPJ.
owner: sykehuspartner
lifecycle: {status: active, since: 2016-03-01}
criticality: critical
classification: sensitive
roles: [core-system]
---
kind: Application
id: lab
name: Lab system
description: Laboratory system.
owner: sykehuspartner
lifecycle: {status: active}
classification: sensitive
---
kind: Application
id: platform
name: Integration platform
description: Regional integration platform.
owner: sykehuspartner
lifecycle: {status: active}
roles: [integration-platform]
classification: sensitive
"""
DATA = """
kind: DataObject
id: lab-result
name: Lab result
description: Result of an analysis.
classification: sensitive
master: lab
"""
INTEGRATIONS = """
kind: Integration
id: lab-to-dips
name: Lab results to DIPS
description: Results.
source: lab
target: dips-arena
via: platform
standard: HL7v2
data: [lab-result]
security: {encrypted: true, authentication: mtls}
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_repo(tmp_path / "arch", {"models/organisations.yaml": ORGS, "models/applications.yaml": APPS,
                                          "models/data.yaml": DATA, "models/integrations.yaml": INTEGRATIONS},
                      config=CONFIG)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "architect@example.org")
    git(root, "config", "user.name", "Architect")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial model")
    return root


def test_diff_of_a_branch_with_renames_deletions_and_moves(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    models = repo / "models"
    # change a field, move the Lab application to its own file, rename the data file, delete nothing yet
    apps = (models / "applications.yaml").read_text()
    lab_start = apps.index("kind: Application\nid: lab\n")
    lab_end = apps.index("---\nkind: Application\nid: platform")
    lab = apps[lab_start:lab_end].replace("lifecycle: {status: active}", "lifecycle: {status: phase-out}")
    (models / "applications.yaml").write_text(apps[:lab_start] + apps[lab_end + 4:])
    (models / "lab.yaml").write_text(lab)
    git(repo, "mv", "models/data.yaml", "models/data-objects.yaml")
    # a new integration point-to-point into DIPS Arena (INT002) and unencrypted (SEC001)
    (models / "integrations.yaml").write_text(INTEGRATIONS + "---\nkind: Integration\nid: lab-direct\n"
                                              "name: Direct feed\ndescription: Shortcut.\nsource: lab\n"
                                              "target: dips-arena\nstandard: REST\ndata: [lab-result]\n"
                                              "security: {authentication: mtls}\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "feature")
    before = git(repo, "status", "--porcelain")
    outcome = run_cli(["diff", "main", "feature", "--format", "json", "--as-of", "2026-11-26"], repo)
    assert outcome.exit_code == 0, outcome.stderr
    report = json.loads(outcome.stdout)
    assert report["base"] == git(repo, "rev-parse", "main").strip()
    assert report["head"] == git(repo, "rev-parse", "feature").strip()
    assert report["added"] == ["lab-direct"]
    assert report["removed"] == []
    changed = {c["id"]: c for c in report["changed"]}
    assert set(changed) == {"lab"}  # moved to another file: unchanged but for the status
    assert changed["lab"]["fields"] == {"lifecycle.status": {"old": "active", "new": "phase-out"}}
    assert {m["id"]: (m["from"], m["to"]) for m in report["moved"]} == {
        "lab": ("models/applications.yaml", "models/lab.yaml"),
        "lab-result": ("models/data.yaml", "models/data-objects.yaml")}
    assert report["integrations"]["added"] == [{"id": "lab-direct", "source": "lab", "target": "dips-arena"}]
    introduced = {(v["rule"], v["element"]) for v in report["violations"]["introduced"]}
    assert {("INT002", "lab-direct"), ("SEC001", "lab-direct"), ("DAT002", "lab-result")} <= introduced
    assert report["violations"]["resolved"] == []
    assert git(repo, "status", "--porcelain") == before  # nothing in the work tree touched

    text = run_cli(["diff", "main", "feature"], repo).stdout
    assert "lifecycle.status: active → phase-out" in text and "ADDED (1)" in text
    markdown = run_cli(["diff", "main", "feature", "--format", "markdown"], repo).stdout
    assert "```mermaid" in markdown and "flowchart LR" in markdown and "| added | Integration | `lab-direct`" in markdown


def test_diff_against_the_work_tree_and_deletions(repo: Path) -> None:
    (repo / "models" / "integrations.yaml").unlink()
    report = json.loads(run_cli(["diff", "HEAD", "--format", "json"], repo).stdout)
    assert report["head"] == "worktree"
    assert report["removed"] == ["lab-to-dips"]
    assert report["integrations"]["removed"] == [{"id": "lab-to-dips", "source": "lab", "target": "dips-arena"}]
    assert report["violations"]["resolved"] == []  # the base model broke no rule
    introduced = {(v["rule"], v["element"]) for v in report["violations"]["introduced"]}
    assert ("AR005", "platform") in introduced  # the platform is an orphan now


def test_new_since_gates_only_on_what_the_change_introduces(repo: Path) -> None:
    # the base already has a violation (the platform has no criticality… INT001 via a non-approved standard)
    (repo / "models" / "integrations.yaml").write_text(INTEGRATIONS.replace("HL7v2", "FTP"))
    git(repo, "commit", "-q", "-am", "legacy FTP feed")
    git(repo, "checkout", "-q", "-b", "change")
    assert run_cli(["check", "--as-of", "2026-11-26"], repo).exit_code == 1  # INT001 error exists
    assert run_cli(["check", "--new-since", "main", "--as-of", "2026-11-26"], repo).exit_code == 0
    apps = (repo / "models" / "applications.yaml").read_text()
    (repo / "models" / "applications.yaml").write_text(apps.replace("owner: sykehuspartner\nlifecycle: {status: active}\n"
                                                                     "classification: sensitive\n---",
                                                                     "lifecycle: {status: active}\n"
                                                                     "classification: sensitive\n---", 1))
    outcome = run_cli(["check", "--new-since", "main", "--format", "json", "--as-of", "2026-11-26"], repo)
    assert outcome.exit_code == 1
    report = json.loads(outcome.stdout)
    counting = [(v["rule"], v["element"]) for v in report["violations"] if not v["baselined"] and not v["waived"]]
    assert counting == [("AR001", "lab")]
    assert report["baseline"]["file"].startswith("--new-since main (")


def test_new_since_with_a_merge_base(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "topic")
    (repo / "models" / "more.yaml").write_text("kind: Capability\nid: lab-cap\nname: Lab\n")  # QA001 info only
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "topic")
    git(repo, "checkout", "-q", "main")
    (repo / "models" / "main.yaml").write_text("kind: Capability\nid: main-cap\nname: Main\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "main moves on")
    git(repo, "checkout", "-q", "topic")
    base = git(repo, "merge-base", "main", "topic").strip()  # what a merge request of topic compares with
    outcome = run_process(["check", "--new-since", base, "--fail-on", "info", "--format", "json"], repo)
    assert outcome.exit_code == 1
    assert [v["element"] for v in json.loads(outcome.stdout)["violations"] if not v["baselined"]] == ["lab-cap"]
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-edit", "topic")
    merged = json.loads(run_cli(["check", "--new-since", "HEAD^1", "--format", "json"], repo).stdout)
    assert [v["element"] for v in merged["violations"] if not v["baselined"]] == ["lab-cap"]
    report = json.loads(run_cli(["diff", "HEAD^1", "HEAD", "--format", "json"], repo).stdout)
    assert report["added"] == ["lab-cap"] and report["removed"] == []
    assert run_cli(["check", "--new-since", "HEAD", "--fail-on", "info"], repo).exit_code == 0


@pytest.mark.parametrize(("args", "words"), [
    (["diff", "no-such-branch"], "'no-such-branch' is not a revision"),
    (["check", "--new-since", "nope"], "'nope' is not a revision"),
    (["diff", "HEAD", "--format", "json", "--as-of", "bad"], "YYYY-MM-DD"),
])
def test_bad_revisions_are_exit_2(repo: Path, args: list[str], words: str) -> None:
    outcome = run_cli(args, repo)
    assert outcome.exit_code == 2 and words in outcome.stderr


def test_invalid_model_at_a_revision_is_exit_2(repo: Path) -> None:
    (repo / "models" / "broken.yaml").write_text("kind: Organisation\nid: x\nnme: X\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "broken")
    (repo / "models" / "broken.yaml").unlink()
    outcome = run_cli(["diff", "HEAD"], repo)
    assert outcome.exit_code == 2
    assert "models/broken.yaml:3: error: unknown field 'nme'" in outcome.stderr
    assert "the model at base HEAD is invalid" in outcome.stderr


def test_not_a_git_repository(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "plain", {"models/o.yaml": ORGS}, config=CONFIG)
    outcome = run_cli(["diff", "HEAD"], root)
    assert outcome.exit_code == 2 and "git" in outcome.stderr


def test_config_in_a_subdirectory_of_the_git_repository(tmp_path: Path) -> None:
    top = tmp_path / "mono"
    root = write_repo(top / "architecture", {"models/o.yaml": ORGS, "models/a.yaml": APPS}, config=CONFIG)
    git(top, "init", "-q", "-b", "main")
    git(top, "-c", "user.email=a@b", "-c", "user.name=A", "add", "-A")
    git(top, "-c", "user.email=a@b", "-c", "user.name=A", "commit", "-q", "-m", "x")
    (root / "models" / "a.yaml").write_text(APPS.replace("name: Lab system", "name: LIS"))
    report = json.loads(run_cli(["diff", "HEAD", "--format", "json"], root).stdout)
    assert report["changed"][0]["fields"] == {"name": {"old": "Lab system", "new": "LIS"}}


def test_diff_introduces_only_what_the_base_did_not_have(repo: Path) -> None:
    """A violation already in the base is neither introduced nor resolved; only the new one is introduced."""
    (repo / "models" / "integrations.yaml").write_text(INTEGRATIONS.replace("HL7v2", "FTP"))
    git(repo, "commit", "-q", "-am", "legacy FTP feed")  # INT001 on lab-to-dips, in the base
    with (repo / "models" / "integrations.yaml").open("a") as handle:
        handle.write("---\nkind: Integration\nid: lab-copy\nname: Copy\ndescription: Copy of the results.\n"
                     "source: lab\ntarget: platform\nstandard: FTP\ndata: [lab-result]\n"
                     "security: {encrypted: true, authentication: mtls}\n")
    report = json.loads(run_cli(["diff", "HEAD", "--format", "json", "--as-of", "2026-11-26"], repo).stdout)
    introduced = [(v["rule"], v["element"]) for v in report["violations"]["introduced"]]
    assert introduced == [("INT001", "lab-copy")]
    assert report["violations"]["resolved"] == []
