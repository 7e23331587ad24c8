"""`archrepo init`: the new repository passes `archrepo check` and `pre-commit run --all-files` in a fresh git
repository; nothing is overwritten without --force; the repository's own pre-commit hooks install and run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, run_cli, run_process


def _env() -> dict[str, str]:
    """PATH with this interpreter's scripts first, so `language: system` hooks find `archrepo`."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("PRE_COMMIT_HOME", str(Path.home() / ".cache" / "pre-commit"))
    return env


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=a@example.org", "-c", "user.name=A", *args], cwd=repo, check=True,
                   capture_output=True)


def test_init_creates_a_repository_that_passes_check(tmp_path: Path) -> None:
    target = tmp_path / "architecture"
    outcome = run_process(["init", str(target)], tmp_path)
    assert outcome.exit_code == 0, outcome.stderr
    for name in ("archrepo.yaml", "waivers.yaml", ".gitignore", ".pre-commit-config.yaml",
                 ".github/workflows/archrepo.yml", ".gitlab-ci.yml", "README.md", "models/applications.yaml"):
        assert (target / name).is_file(), name
    assert sorted(p.name for p in (target / "rules").iterdir()) == sorted(p.name for p in (ROOT / "rules").iterdir())
    assert len(list((target / "principles").iterdir())) == len(list((ROOT / "principles").iterdir()))
    assert ".archrepo-cache/" in (target / ".gitignore").read_text()
    assert run_process(["validate"], target).exit_code == 0
    checked = run_process(["check", "--fail-on", "info"], target)
    assert checked.exit_code == 0, checked.stdout


def test_ci_templates_gate_with_new_since(tmp_path: Path) -> None:
    target = tmp_path / "architecture"
    run_cli(["init", str(target)], tmp_path)
    github = yaml.safe_load((target / ".github/workflows/archrepo.yml").read_text())
    steps = " ".join(str(step.get("run", "")) for step in github["jobs"]["check"]["steps"])
    assert "--new-since" in steps and "--format sarif" in steps
    assert any("upload-sarif" in str(step.get("uses", "")) for step in github["jobs"]["check"]["steps"])
    gitlab = yaml.safe_load((target / ".gitlab-ci.yml").read_text())
    job = gitlab["architecture"]
    assert "--new-since" in " ".join(job["script"]) and job["artifacts"]["reports"]["junit"] == "archrepo-junit.xml"


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "architecture"
    target.mkdir()
    (target / "archrepo.yaml").write_text("models: [mine]\n")
    outcome = run_cli(["init", str(target)], tmp_path)
    assert outcome.exit_code == 2 and "already exist" in outcome.stderr and "--force" in outcome.stderr
    assert (target / "archrepo.yaml").read_text() == "models: [mine]\n"
    assert not (target / "models").exists()  # nothing written at all
    assert run_cli(["init", str(target), "--force"], tmp_path).exit_code == 0
    assert (target / "archrepo.yaml").read_text().startswith("# archrepo configuration")


@pytest.mark.skipif(shutil.which("pre-commit", path=str(Path(sys.executable).parent)) is None,
                    reason="pre-commit is not installed in the test environment (pip install -e '.[test]')")
def test_pre_commit_run_all_files_in_a_fresh_git_repository(tmp_path: Path) -> None:
    target = tmp_path / "architecture"
    run_cli(["init", str(target)], tmp_path)
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    pre_commit = str(Path(sys.executable).parent / "pre-commit")
    ran = subprocess.run([pre_commit, "run", "--all-files"], cwd=target, env=_env(), capture_output=True, text=True,
                         timeout=600, check=False)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "archrepo validate" in ran.stdout and "archrepo check" in ran.stdout and "Passed" in ran.stdout
    # a commit that breaks a rule is stopped by the hook
    (target / "models" / "applications.yaml").write_text(
        (target / "models" / "applications.yaml").read_text().replace("owner: example-it\n", "", 1))
    _git(target, "add", "-A")
    failed = subprocess.run([pre_commit, "run", "--all-files"], cwd=target, env=_env(), capture_output=True,
                            text=True, timeout=600, check=False)
    assert failed.returncode == 1 and "AR001" in failed.stdout


@pytest.mark.skipif(shutil.which("pre-commit", path=str(Path(sys.executable).parent)) is None,
                    reason="pre-commit is not installed in the test environment (pip install -e '.[test]')")
def test_published_hooks_install_archrepo_and_run(tmp_path: Path) -> None:
    """`.pre-commit-hooks.yaml` of this repository: pre-commit installs archrepo from it and runs the hook."""
    if subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, check=False).returncode != 0:
        pytest.skip("the archrepo checkout has no commit for pre-commit to install from")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} >= {"archrepo-validate", "archrepo-check"}
    target = tmp_path / "architecture"
    run_cli(["init", str(target)], tmp_path)
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    pre_commit = str(Path(sys.executable).parent / "pre-commit")
    ran = subprocess.run([pre_commit, "try-repo", str(ROOT), "archrepo-validate", "--all-files"], cwd=target,
                         env=_env(), capture_output=True, text=True, timeout=900, check=False)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    assert "archrepo validate" in ran.stdout and "Passed" in ran.stdout


def test_init_example_passes_fmt_check(tmp_path: Path) -> None:
    """The published `archrepo-fmt` hook must pass on a fresh repository."""
    target = tmp_path / "architecture"
    assert run_process(["init", str(target)], tmp_path).exit_code == 0
    formatted = run_process(["fmt", "--check"], target)
    assert formatted.exit_code == 0, formatted.stdout + formatted.stderr
    assert "0 files would be reformatted" in formatted.stderr
