"""The test suite itself: `pytest` alone collects it as `python -m pytest` does (no module left out)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_plain_pytest_collects_every_test_module() -> None:
    pytest_script = Path(sys.executable).parent / "pytest"
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    # a working directory that is not on sys.path by accident: `pytest` (unlike `python -m pytest`) adds none
    completed = subprocess.run([str(pytest_script), "--collect-only", "-q", "-p", "no:cacheprovider",
                                str(ROOT / "tests")], cwd=ROOT, capture_output=True, text=True, env=env,
                               timeout=300, check=False)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    modules = {line.split("::")[0] for line in completed.stdout.splitlines() if "::" in line}
    expected = {f"tests/{path.name}" for path in (ROOT / "tests").glob("test_*.py")}
    assert modules == expected
