"""What archrepo reads, from a repository nobody vouches for: only regular files inside it.

Each attack is made on a copy of ``tests/fixtures/violations`` (links, FIFOs, devices and unreadable folders
in ``tmp_path``; configs from ``tests/fixtures/hostile/files/configs``). The promise under test: exit 2 with
a message naming the path, nothing outside the repository read or echoed, no hang, no traceback.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, Result, copy_fixture, run_cli

CONFIGS = sorted((FIXTURES / "hostile" / "files" / "configs").glob("*.yaml"))
SECRET = "TOPSECRET-0f4c2"  # what a file outside the repository holds; it must never be printed
AS_OF = "2026-11-26"


def run(args: list[str], cwd: Path, *, unprivileged: bool = False, timeout: float = 120,
        env: dict[str, str] | None = None) -> Result:
    """archrepo as a real process (a FIFO must not hang the test run: the timeout fails the test instead).
    ``unprivileged``: without the capabilities that let root ignore file permissions."""
    prefix: list[str] = []
    if unprivileged and os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: permission bits cannot be tested")
        drop = "-dac_override,-dac_read_search"
        prefix = ["setpriv", "--bounding-set", drop, "--inh-caps", drop]
    try:
        completed = subprocess.run([*prefix, sys.executable, "-m", "archrepo", *args], cwd=cwd, capture_output=True,
                                   text=True, timeout=timeout, check=False, env={**os.environ, **(env or {})})
    except subprocess.TimeoutExpired:
        pytest.fail(f"archrepo {' '.join(args)} did not finish within {timeout} s (it hangs on a special file)")
    return Result(completed.returncode, completed.stdout, completed.stderr)


def assert_refused(result: Result, *words: str) -> None:
    """Exit 2, a message for people (no traceback, no internal error), the words, no secret."""
    output = result.stdout + result.stderr
    assert result.exit_code == 2, output
    assert "Traceback" not in output and "internal error" not in output, output
    assert SECRET not in output and "root:x:0:0" not in output, output
    for word in words:
        assert word in output, f"{word!r} not in:\n{output}"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the violations fixture, and beside it (outside it) a folder with a secret model file."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(f"kind: Organisation\nid: secret\nname: {SECRET}\nnme: {SECRET}\n")
    (outside / "secret.txt").write_text(SECRET * 50)
    return copy_fixture("violations", tmp_path)


@pytest.mark.parametrize("config", CONFIGS, ids=[c.stem for c in CONFIGS])
def test_config_paths_outside_the_repository_are_refused_with_their_line(repo: Path, config: Path) -> None:
    text = config.read_text(encoding="utf-8")
    line, setting = re.match(r"# expect: (\d+) (\S+)", text).groups()  # type: ignore[union-attr]
    (repo / "archrepo.yaml").write_text(text, encoding="utf-8")
    for command in (["validate"], ["check", "--as-of", AS_OF]):
        result = run_cli(command, repo)
        assert_refused(result, f"archrepo.yaml:{line}: error: '{setting}'")


@pytest.mark.parametrize("target", ["/etc/passwd", "../../outside/secret.yaml", "../../outside/secret.txt"])
def test_a_model_file_linked_outside_is_refused_not_read(repo: Path, target: str) -> None:
    (repo / "models" / "x.yaml").symlink_to(target)
    for command in (["validate"], ["check", "--format", "json", "--as-of", AS_OF]):
        result = run_cli(command, repo)
        assert_refused(result, "models/x.yaml", "outside the repository")
    report = json.loads(run_cli(["check", "--format", "json", "--as-of", AS_OF], repo).stdout)
    assert [e["file"] for e in report["errors"]] == ["models/x.yaml"]


def _link_outside(repo: Path, spelling: str) -> None:
    outside = repo.parent / "outside"
    if spelling == "folder":
        (repo / "models" / "etc").symlink_to(outside, target_is_directory=True)
    elif spelling == "chain":  # a link to a link inside, that leads outside
        (repo / "models" / "hop.yaml").symlink_to("../elsewhere.yaml")
        (repo / "elsewhere.yaml").symlink_to(outside / "secret.yaml")
    elif spelling == "models-folder":
        shutil.rmtree(repo / "models")
        (repo / "models").symlink_to(outside, target_is_directory=True)
    elif spelling == "rule":
        (repo / "rules" / "ZZ.yaml").symlink_to(outside / "secret.yaml")
    elif spelling == "principles-folder":
        shutil.rmtree(repo / "principles")
        (repo / "principles").symlink_to(outside, target_is_directory=True)
    elif spelling == "waivers":  # found without being configured
        (repo / "waivers.yaml").unlink()
        (repo / "waivers.yaml").symlink_to("/etc/passwd")
    else:  # archrepo.yaml itself, found by walking up
        (outside / "archrepo.yaml").write_text((repo / "archrepo.yaml").read_text() + f"modles: [{SECRET}]\n")
        (repo / "archrepo.yaml").unlink()
        (repo / "archrepo.yaml").symlink_to(outside / "archrepo.yaml")


@pytest.mark.parametrize("spelling", ["folder", "chain", "models-folder", "rule", "principles-folder", "waivers",
                                      "config"])
def test_other_spellings_of_a_link_outside(repo: Path, spelling: str) -> None:
    _link_outside(repo, spelling)
    assert_refused(run_cli(["check", "--as-of", AS_OF], repo), "outside the repository")


@pytest.mark.parametrize("spelling", ["dangling", "fifo", "folder"])
def test_a_config_that_is_not_a_file_is_refused_not_skipped(repo: Path, spelling: str) -> None:
    """Walking up for archrepo.yaml stops at the first one, whatever it is: the repository must not make
    archrepo use the config of a folder above it instead of its own."""
    (repo.parent / "archrepo.yaml").write_text("models: [violations/models]\nprinciples: []\nrules: []\n")
    config = repo / "archrepo.yaml"
    config.unlink()
    if spelling == "dangling":
        config.symlink_to("nowhere.yaml")
    elif spelling == "fifo":
        os.mkfifo(config)
    else:
        config.mkdir()
    assert_refused(run(["check", "--as-of", AS_OF], repo, timeout=60), "archrepo.yaml")


def test_a_fifo_under_models_is_reported_without_hanging(repo: Path) -> None:
    os.mkfifo(repo / "models" / "pipe.yaml")
    assert_refused(run(["validate"], repo, timeout=60), "models/pipe.yaml", "FIFO")
    os.mkfifo(repo / "rules" / "pipe.yaml")
    assert_refused(run(["check", "--as-of", AS_OF], repo, timeout=60), "rules/pipe.yaml", "FIFO")


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can make device nodes; the link case covers others")
def test_a_device_under_models_is_reported_not_read(repo: Path) -> None:
    import stat

    os.mknod(repo / "models" / "zero.yaml", 0o644 | stat.S_IFCHR, os.makedev(1, 5))  # /dev/zero
    assert_refused(run(["validate"], repo, timeout=60), "models/zero.yaml", "character device")


def test_a_link_to_a_device_is_refused(repo: Path) -> None:
    (repo / "models" / "zero.yaml").symlink_to("/dev/zero")
    (repo / "models" / "random.yaml").symlink_to("/dev/urandom")
    assert_refused(run(["validate"], repo, timeout=60), "models/zero.yaml", "models/random.yaml")


@pytest.mark.parametrize("make", ["dangling", "loop", "folder-loop", "folder-gone"])
def test_links_that_lead_nowhere_are_errors(repo: Path, make: str) -> None:
    models = repo / "models"
    if make == "dangling":
        (models / "gone.yaml").symlink_to("nowhere.yaml")
    elif make == "loop":
        (models / "a.yaml").symlink_to("b.yaml")
        (models / "b.yaml").symlink_to("a.yaml")
    elif make == "folder-loop":
        (models / "sub").mkdir()
        (models / "sub" / "up").symlink_to("..", target_is_directory=True)
    else:  # a folder of models replaced by a link to a folder that is not there (e.g. not checked out)
        (models / "more").symlink_to("../not-checked-out", target_is_directory=True)
    name = {"dangling": "models/gone.yaml", "loop": "models/a.yaml", "folder-loop": "models/sub/up",
            "folder-gone": "models/more"}[make]
    for command in (["validate"], ["check", "--as-of", AS_OF]):
        assert_refused(run_cli(command, repo), name)


def test_an_unreadable_folder_is_an_error_not_a_smaller_model(repo: Path) -> None:
    """As root too: the process runs without the capabilities that ignore permissions."""
    hidden = repo / "models" / "more"
    hidden.mkdir()
    shutil.move(repo / "models" / "integrations.yaml", hidden / "integrations.yaml")
    hidden.chmod(0)
    try:
        result = run(["validate"], repo, unprivileged=True)
        assert_refused(result, "models/more", "cannot be listed")
        assert_refused(run(["check", "--as-of", AS_OF], repo, unprivileged=True), "models/more")
    finally:
        hidden.chmod(0o755)


def test_an_unreadable_file_is_an_error(repo: Path) -> None:
    secret = repo / "models" / "integrations.yaml"
    secret.chmod(0)
    try:
        assert_refused(run(["validate"], repo, unprivileged=True), "models/integrations.yaml", "permission denied")
        run(["validate"], repo, env={"ARCHREPO_NO_CACHE": "1"}, unprivileged=True)
        assert_refused(run(["validate"], repo, env={"ARCHREPO_NO_CACHE": "1"}, unprivileged=True),
                       "models/integrations.yaml")
    finally:
        secret.chmod(0o644)


def test_errors_quote_only_a_short_excerpt_of_a_value(repo: Path) -> None:
    long = "x" * 1400
    (repo / "models" / "bad.yaml").write_text(
        f"{long}\n---\nkind: {long}\nid: a\n---\nkind: Application\nid: b\nname: B\nlifecycle: {{status: {long}}}\n"
        f"---\nkind: Organisation\nid: c\nname: C\n{long}: 1\n")
    result = run_cli(["validate"], repo)
    assert result.exit_code == 2
    assert long[:200] not in result.stderr
    assert all(len(line) < 400 for line in result.stderr.splitlines()), max(result.stderr.splitlines(), key=len)
    assert "…" in result.stderr and "models/bad.yaml:1:" in result.stderr


@pytest.mark.parametrize("value", ["abc", "0", "-1", "99999", "2.5"])
def test_archrepo_jobs_must_be_a_sensible_number(repo: Path, value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHREPO_JOBS", value)
    assert_refused(run_cli(["validate"], repo), f"ARCHREPO_JOBS={value}", "from 1 to")
    monkeypatch.setenv("ARCHREPO_JOBS", "2")
    assert run_cli(["validate"], repo).exit_code == 0


def test_a_file_is_read_to_its_end_whatever_its_stat_said(tmp_path: Path) -> None:
    """The reader asks for the size the file's stat gave (and one byte more): a file that grew or shrank
    between its stat and the read is still read whole."""
    from archrepo.model.reading import Unreadable, _read_to_end, read_regular_stat

    path = tmp_path / "m.yaml"
    path.write_bytes(b"kind: Application\n" * 5000)
    raw, status = read_regular_stat(path)
    assert raw == path.read_bytes() and status.st_size == len(raw) and status.st_ino == path.stat().st_ino
    for stated in (0, 1, 17, len(raw) - 1, len(raw), len(raw) + 1, 3 * len(raw)):
        fd = os.open(path, os.O_RDONLY)
        try:
            assert _read_to_end(fd, stated) == raw, stated
        finally:
            os.close(fd)
    with pytest.raises(Unreadable, match="a directory, not a regular file"):
        read_regular_stat(tmp_path)
