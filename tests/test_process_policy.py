"""The process-lifetime policy (no collector, nothing freed object by object) belongs to the command line; the
library leaves the embedding program's collector as it found it."""

from __future__ import annotations

import datetime as dt
import gc
import subprocess
import sys
from pathlib import Path

import archrepo
from archrepo.config import load_config
from archrepo.rules.check import CheckOptions, run_check
from tests.conftest import copy_fixture


def test_the_library_leaves_the_collector_alone(tmp_path: Path) -> None:
    root = copy_fixture("violations", tmp_path)
    frozen = gc.get_freeze_count()
    interval = sys.getswitchinterval()
    assert gc.isenabled()
    repository = archrepo.load(root / "archrepo.yaml")
    result = run_check(load_config(root / "archrepo.yaml"), CheckOptions(as_of=dt.date(2026, 11, 26)))
    assert len(repository.model) > 0 and result.repository is not None
    assert gc.isenabled(), "a library call left the collector off"
    assert gc.get_freeze_count() == frozen, "a library call froze objects of the embedding program"
    assert sys.getswitchinterval() == interval, "a library call changed the embedding program's switch interval"


def test_the_console_script_runs_commands_without_the_collector(tmp_path: Path) -> None:
    """`python -m archrepo` is the console script: it turns the collector off for the command, and has its
    threads hand the interpreter lock on sooner."""
    probe = ("import gc, sys; import archrepo.commands.common as common; "
             "original = common.load_repository\n"
             "def spy(*args, **kwargs):\n"
             "    print('collector', gc.isenabled(), 'interval', sys.getswitchinterval(), file=sys.stderr)\n"
             "    return original(*args, **kwargs)\n"
             "common.load_repository = spy\n"
             "import archrepo.commands.model as model; model.load_repository = spy\n"
             "from archrepo.cli import run; run()")
    root = copy_fixture("small", tmp_path)
    done = subprocess.run([sys.executable, "-c", probe, "stats"], cwd=root, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "collector False interval 0.001" in done.stderr
