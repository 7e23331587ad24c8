"""Shared fixtures: temporary architecture repositories and ways to run the CLI (in process and for real)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from archrepo.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = FIXTURES / "small"


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


def write_repo(root: Path, files: Mapping[str, str | bytes], config: str | None = "models: [models]\n") -> Path:
    """Create an architecture repository: archrepo.yaml plus the given files (text is dedented)."""
    root.mkdir(parents=True, exist_ok=True)
    if config is not None:
        (root / "archrepo.yaml").write_text(config, encoding="utf-8")
    (root / "models").mkdir(exist_ok=True)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    def factory(files: Mapping[str, str | bytes], config: str | None = "models: [models]\n", name: str = "repo") -> Path:
        return write_repo(tmp_path / name, files, config)
    return factory


def run_cli(args: list[str], cwd: Path) -> Result:
    """Run the CLI in process (click's runner), in ``cwd``, stdout and stderr kept apart."""
    runner = CliRunner()
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(old)
    return Result(result.exit_code, result.stdout, result.stderr)


def run_process(args: list[str], cwd: Path, stdin: str | None = None) -> Result:
    """Run the installed `archrepo` as a real subprocess."""
    completed = subprocess.run([sys.executable, "-m", "archrepo", *args], cwd=cwd, capture_output=True,
                               text=True, input=stdin, timeout=300, check=False)
    return Result(completed.returncode, completed.stdout, completed.stderr)


@pytest.fixture
def cli() -> Callable[[list[str], Path], Result]:
    return run_cli
