"""The one error boundary of the command line (ArchrepoGroup): a bug is exit 2 saying "internal error", never a
traceback; Ctrl-C is exit 130; a reader that closed stdout early is exit 0, silently, but a broken pipe of
anything else (a subprocess such as Graphviz) is not mistaken for one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from archrepo.commands.common import ArchrepoGroup
from tests.conftest import SMALL


@click.group(cls=ArchrepoGroup)
def boundary() -> None:
    """A command group with archrepo's error boundary, whose commands fail as asked."""


@boundary.command()
@click.argument("how", type=click.Choice(["bug", "interrupt", "pipe", "usage"]))
def fail(how: str) -> None:
    from archrepo.errors import UsageError

    if how == "bug":
        raise RuntimeError("a bug in archrepo")
    if how == "interrupt":
        raise KeyboardInterrupt
    if how == "pipe":  # as when writing to a subprocess that died: stdout itself is fine
        raise BrokenPipeError(32, "Broken pipe")
    raise UsageError("you asked for it")


@pytest.mark.parametrize(("how", "code", "words"), [
    ("bug", 2, "internal error: RuntimeError: a bug in archrepo"),
    ("interrupt", 130, "interrupted"),
    ("pipe", 2, "internal error: BrokenPipeError"),
    ("usage", 2, "error: you asked for it"),
])
def test_the_boundary_maps_failures_to_exit_codes(how: str, code: int, words: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARCHREPO_DEBUG", raising=False)
    result = CliRunner().invoke(boundary, ["fail", how])
    assert result.exit_code == code, result.output
    assert words in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_a_bug_shows_its_traceback_only_with_archrepo_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHREPO_DEBUG", "1")
    result = CliRunner().invoke(boundary, ["fail", "bug"])
    assert isinstance(result.exception, RuntimeError)


def test_a_reader_that_closes_stdout_early_is_not_an_error(tmp_path: Path) -> None:
    """`archrepo query … | head -1`: the pipe closes while archrepo writes; exit 0, nothing on stderr."""
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(SMALL, repo)
    process = subprocess.Popen([sys.executable, "-m", "archrepo", "query", "--format", "csv",
                                "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"], cwd=repo, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before archrepo writes anything
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0, stderr
    assert stderr == ""
