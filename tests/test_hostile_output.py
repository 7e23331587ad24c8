"""What archrepo writes: a regular file is replaced atomically; anything else at the path (a device, a FIFO,
a link to the process's stdout) is written in place and never replaced; a path that cannot be written is a
clear error (exit 2); a tree of files (import, init) is written whole or not at all.

Devices are made in ``tmp_path`` (as root, ``mknod``) rather than used from ``/dev``: an implementation that
renamed over them would otherwise replace the machine's ``/dev/null``.
"""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, copy_fixture, run_cli
from tests.test_hostile_files import AS_OF, assert_refused, run

HOSPITAL = FIXTURES / "interop" / "archimate" / "hospital.xml"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_fixture("violations", tmp_path)


def device(tmp_path: Path, name: str, minor: int) -> Path:
    """A character device like /dev/null (minor 3) or /dev/full (minor 7): made here as root, else the real one
    (which a user other than root cannot replace anyway)."""
    if os.geteuid() != 0:
        return Path("/dev") / name
    path = tmp_path / name
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    return path


def test_output_to_a_null_device_writes_into_it_and_keeps_it(repo: Path, tmp_path: Path) -> None:
    null = device(tmp_path, "null", 3)
    result = run_cli(["check", "--as-of", AS_OF, "--format", "json", "--output", str(null)], repo)
    assert result.exit_code == 1, result.stderr
    assert stat.S_ISCHR(os.lstat(null).st_mode), "the device was replaced by a regular file"


def test_output_to_a_full_device_is_a_clear_error(repo: Path, tmp_path: Path) -> None:
    full = device(tmp_path, "full", 7)
    result = run_cli(["check", "--as-of", AS_OF, "--format", "json", "--output", str(full)], repo)
    assert_refused(result, f"cannot write {full}", "No space left on device")
    assert stat.S_ISCHR(os.lstat(full).st_mode)


def test_output_to_a_fifo_reaches_its_reader_and_the_fifo_stays(repo: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result = run(["check", "--as-of", AS_OF, "--format", "json", "--output", str(fifo)], repo, timeout=60)
    reader.join(timeout=30)
    assert result.exit_code == 1, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced by a regular file"
    assert received and json.loads(received[0])["summary"]["error"] > 0


def test_output_through_a_link_to_stdout(repo: Path, tmp_path: Path) -> None:
    """``--output /dev/stdout``, spelled with a link of our own (the real one must never be at risk)."""
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    result = run(["check", "--as-of", AS_OF, "--format", "json", "--output", str(link)], repo)
    assert result.exit_code == 1, result.stderr
    assert json.loads(result.stdout)["summary"]["error"] > 0
    assert link.is_symlink()


def test_output_into_a_read_only_folder_is_a_clear_error(repo: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = run(["check", "--as-of", AS_OF, "--format", "json", "--output", str(locked / "r.json")], repo,
                     unprivileged=True)
    finally:
        locked.chmod(0o755)
    assert_refused(result, f"cannot write {locked / 'r.json'}", "Permission denied")
    assert list(locked.iterdir()) == []


@pytest.mark.parametrize("where", ["file-as-folder", "proc"])
def test_output_where_no_file_can_be_is_a_clear_error(repo: Path, tmp_path: Path, where: str) -> None:
    """The same failure as a read-only folder, for root too: a file in the way of the folder, and a file
    system that takes no new files."""
    (tmp_path / "plain.txt").write_text("x")
    target = tmp_path / "plain.txt" / "r.json" if where == "file-as-folder" else Path("/proc/archrepo-report.json")
    result = run_cli(["check", "--as-of", AS_OF, "--format", "json", "--output", str(target)], repo)
    assert_refused(result, f"cannot write {target}")
    assert (tmp_path / "plain.txt").read_text() == "x"


def test_the_default_baseline_path_is_not_written_through_a_link(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text("keep")
    (repo / ".archrepo-baseline.json").symlink_to(outside)
    result = run_cli(["baseline", "--as-of", AS_OF], repo)
    assert_refused(result, ".archrepo-baseline.json", "symbolic link")
    assert outside.read_text() == "keep"


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_import_writes_nothing_when_a_file_blocks_a_folder(tmp_path: Path) -> None:
    out = tmp_path / "imported"
    out.mkdir()
    (out / "integrations").write_text("a file where the import needs a folder\n")
    before = _tree(out)
    result = run_cli(["import", "archimate", str(HOSPITAL), "--out", str(out)], tmp_path)
    assert_refused(result, str(out / "integrations"), "nothing was written")
    assert _tree(out) == before and not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    (out / "integrations").unlink()
    assert run_cli(["import", "archimate", str(HOSPITAL), "--out", str(out)], tmp_path).exit_code == 0
    assert (out / "integrations" / "lab-rontgen.yaml").is_file()


def test_import_into_a_read_only_folder_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "imported"
    (out / "applications").mkdir(parents=True)
    (out / "applications").chmod(0o555)
    try:
        result = run(["import", "archimate", str(HOSPITAL), "--out", str(out)], tmp_path, unprivileged=True)
    finally:
        (out / "applications").chmod(0o755)
    assert_refused(result, "Permission denied", "nothing")
    assert _tree(out) == {}


def test_init_writes_nothing_when_a_file_blocks_a_folder(tmp_path: Path) -> None:
    target = tmp_path / "new"
    target.mkdir()
    (target / "rules").write_text("not a folder\n")
    result = run_cli(["init", str(target)], tmp_path)
    assert_refused(result, str(target / "rules"), "nothing was written")
    assert _tree(target) == {"rules": b"not a folder\n"}


@pytest.mark.parametrize("encoding", ["x-unknown", "utf-32"])
def test_xml_with_an_encoding_expat_cannot_read_is_a_clear_error(tmp_path: Path, encoding: str) -> None:
    source = tmp_path / "model.xml"
    source.write_bytes(f'<?xml version="1.0" encoding="{encoding}"?>\n<model/>\n'.encode("ascii"))
    result = run_cli(["import", "archimate", str(source), "--out", str(tmp_path / "out")], tmp_path)
    assert_refused(result, str(source))
    assert not (tmp_path / "out").exists()
