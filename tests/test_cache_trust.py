"""A cache nobody can forge: whatever sits in ``.archrepo-cache/`` (committed to git, copied from another
machine, edited by hand, a hostile database, a file where the folder should be), the verdict is exactly the
one of a run without cache. And a cache made by other code is never found again (keyed on a digest of the
package, not its version number)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from archrepo.config import load_config
from archrepo.graph.rdf import ntriples_extra
from archrepo.model.cache import DATABASE, decode_payload
from archrepo.model.loader import ReadStats, read_model_files
from tests.cache_support import entries, relist, rewrite
from tests.conftest import copy_fixture, run_cli
from tests.test_hostile_files import AS_OF, run

CACHE = ".archrepo-cache"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_fixture("violations", tmp_path)


def report(repo: Path, *, cache: bool = True) -> tuple[int, dict]:
    """Exit code and JSON report of a check (a real process: a hostile cache must not hang the test run)."""
    result = run(["check", "--format", "json", "--as-of", AS_OF], repo, timeout=120,
                 env={} if cache else {"ARCHREPO_NO_CACHE": "1"})
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout)


def state_file(repo: Path) -> Path:
    found = sorted((repo / CACHE).glob("check-state*.json"))
    assert found, "no check state was written"
    return found[0]


def drop_findings(repo: Path) -> None:
    """What an attacker does to a state: keep whatever comes before the JSON (a MAC, if there is one) and edit
    the JSON so that no rule has findings."""
    path = state_file(repo)
    raw = path.read_bytes()
    start = raw.index(b"{")
    state = json.loads(raw[start:])
    for entry in state["rules"].values():
        entry["findings"] = []
    path.write_bytes(raw[:start] + json.dumps(state).encode())


def test_a_state_edited_to_drop_findings_changes_nothing(repo: Path) -> None:
    clean = report(repo, cache=False)
    assert clean[0] == 1 and report(repo) == clean
    drop_findings(repo)
    assert report(repo) == clean


def test_a_forged_cache_committed_to_git_gives_the_result_of_no_cache(repo: Path, tmp_path: Path) -> None:
    """The attack of the issue: ``git add -f .archrepo-cache`` with a state edited to drop findings; a fresh
    clone's check must fail exactly as a check without cache."""
    clean = report(repo, cache=False)
    report(repo)
    drop_findings(repo)
    for command in (["init", "-q"], ["add", "-A"], ["add", "-f", CACHE], ["commit", "-qm", "forged"]):
        subprocess.run(["git", "-c", "user.name=a", "-c", "user.email=a@b", *command], cwd=repo, check=True)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    assert (clone / CACHE).is_dir() and state_file(clone).is_file()
    assert report(clone) == clean


def _file_of(payload: bytes) -> str:
    return decode_payload(payload)["file"]


def test_a_parse_entry_listed_under_the_key_of_other_bytes_is_a_miss(repo: Path) -> None:
    """The parse of a clean data.yaml, with its own (valid) MAC, made to answer for the one that breaks DAT001:
    its batch listed as holding the other's key, then the entry inside renamed to it."""
    data = repo / "models" / "data.yaml"
    database = repo / CACHE / DATABASE
    dirty = data.read_text()
    expected = report(repo, cache=False)
    report(repo)
    dirty_key = next(key for key, entry in entries(database).items() if _file_of(entry[1]) == "models/data.yaml")
    data.write_text(dirty.replace("classification: internal\n", "classification: internal\nmaster: dips-arena\n"))
    report(repo)
    clean_key, (clean_batch, _, _) = next((key, entry) for key, entry in entries(database).items()
                                          if _file_of(entry[1]) == "models/data.yaml" and key != dirty_key)
    data.write_text(dirty)
    held = [key for key, entry in entries(database).items() if entry[0] == clean_batch]
    relist(database, clean_batch, [*held, dirty_key])  # the last batch to list a key is where it is looked for
    assert report(repo) == expected
    rewrite(database, lambda entry: (dirty_key, *entry[1:]) if entry[0] == clean_key else entry, clean_batch)
    assert report(repo) == expected


def _read(repo: Path) -> ReadStats:
    stats = ReadStats()
    config = load_config(repo / "archrepo.yaml")
    read_model_files(config, stats=stats, extra=ntriples_extra(config.base_iri), jobs=1)
    return stats


def test_a_cache_from_another_machine_is_not_trusted(repo: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "machine-a"))
    _read(repo)
    assert _read(repo).cached == 6  # this machine trusts its own cache
    other = tmp_path / "other"
    shutil.copytree(repo, other)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "machine-b"))
    stats = _read(other)
    assert (stats.parsed, stats.cached) == (6, 0)
    assert oct((tmp_path / "machine-b" / "archrepo" / "key").stat().st_mode & 0o777) == "0o600"


def test_the_caches_are_keyed_on_the_code_not_the_version(repo: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A copy of the package with one byte changed has another digest; a cache made by other code is not used."""
    from archrepo.model import cachekey

    package = tmp_path / "package"
    shutil.copytree(Path(cachekey.__file__).parents[1], package, ignore=shutil.ignore_patterns("__pycache__"))
    before = cachekey.package_digest(package)
    assert before == cachekey.code_digest()  # the copy is the installed package, byte for byte
    rdf = package / "graph" / "rdf.py"
    rdf.write_text(rdf.read_text().replace("arch:", "arch :", 1))
    assert cachekey.package_digest(package) != before
    rdf.write_text(rdf.read_text().replace("arch :", "arch:", 1))
    assert cachekey.package_digest(package) == before
    _read(repo)
    assert _read(repo).cached == 6
    monkeypatch.setattr(cachekey, "code_digest", lambda: "other code")
    assert _read(repo).cached == 0


def _warned_once(repo: Path, expected: tuple[int, dict], *words: str) -> None:
    result = run(["check", "--format", "json", "--as-of", AS_OF], repo, timeout=120)
    assert (result.exit_code, json.loads(result.stdout)) == expected, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: the cache is not used")]
    assert len(warnings) == 1, result.stderr
    assert all(word in warnings[0] for word in words), warnings
    assert "internal error" not in result.stderr


def test_a_file_where_the_cache_folder_should_be(repo: Path) -> None:
    expected = report(repo, cache=False)
    (repo / CACHE).write_text("not a folder\n")
    _warned_once(repo, expected, CACHE, "not a folder")
    assert (repo / CACHE).read_text() == "not a folder\n"


def test_a_cache_folder_linked_elsewhere_is_not_written(repo: Path, tmp_path: Path) -> None:
    expected = report(repo, cache=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo / CACHE).symlink_to(elsewhere, target_is_directory=True)
    _warned_once(repo, expected, "symbolic link")
    assert list(elsewhere.iterdir()) == []


def test_a_read_only_cache_folder(repo: Path) -> None:
    expected = report(repo, cache=False)
    (repo / CACHE).mkdir()
    (repo / CACHE).chmod(0o555)
    try:
        result = run(["check", "--format", "json", "--as-of", AS_OF], repo, unprivileged=True)
    finally:
        (repo / CACHE).chmod(0o755)
    assert (result.exit_code, json.loads(result.stdout)) == expected
    assert result.stderr.count("warning: the cache is not used") == 1, result.stderr


def test_a_folder_where_the_database_should_be(repo: Path) -> None:
    expected = report(repo, cache=False)
    (repo / CACHE / DATABASE).mkdir(parents=True)
    _warned_once(repo, expected, "parse-v4.sqlite")


def test_a_hostile_database_cannot_hang_the_run(repo: Path) -> None:
    """A committed database whose ``batches`` is a view over an endless recursive query."""
    expected = report(repo, cache=False)
    (repo / CACHE).mkdir()
    with sqlite3.connect(repo / CACHE / DATABASE) as connection:
        connection.execute("CREATE VIEW batches AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
                           "SELECT x AS id, printf('%d', x) AS keys, x'00' AS entries, '' AS mac FROM n")
    assert report(repo) == expected
    assert report(repo) == expected


def test_links_in_the_cache_folder_are_never_followed(repo: Path, tmp_path: Path) -> None:
    expected = report(repo, cache=False)
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    planted = tmp_path / "planted"  # a link to where nothing is yet: writing "through" it would create it
    (repo / CACHE).mkdir()
    for name in (f"{DATABASE}-wal", f"{DATABASE}-shm", f"{DATABASE}-journal"):
        (repo / CACHE / name).symlink_to(victim)
    (repo / CACHE / ".gitignore").symlink_to(planted)
    assert report(repo) == expected and report(repo) == expected
    assert victim.read_bytes() == b"precious" and not planted.exists()


def test_a_fifo_as_the_check_state_does_not_hang(repo: Path) -> None:
    expected = report(repo, cache=False)
    report(repo)
    state = state_file(repo)
    state.unlink()
    os.mkfifo(state)
    assert report(repo) == expected


@pytest.mark.parametrize("where", ["inside", "shared"])
def test_a_cache_key_anyone_could_choose_is_not_used(repo: Path, where: str) -> None:
    """The key inside the repository (a committed one would then be the attacker's), or readable by others."""
    expected = report(repo, cache=False)
    key_home = repo / ".cache" if where == "inside" else repo.parent / "xdg"
    if where == "shared":
        (key_home / "archrepo").mkdir(parents=True)
        (key_home / "archrepo" / "key").write_bytes(b"k" * 32)
        (key_home / "archrepo" / "key").chmod(0o644)
    result = run(["check", "--format", "json", "--as-of", AS_OF], repo, env={"XDG_CACHE_HOME": str(key_home)})
    assert (result.exit_code, json.loads(result.stdout)) == expected
    assert "warning: the cache is not used" in result.stderr and "key" in result.stderr
    assert not (repo / CACHE / DATABASE).exists()


def test_the_cache_warning_comes_once_per_command_in_process(repo: Path) -> None:
    (repo / CACHE).write_text("x")
    result = run_cli(["docs", "--out", str(repo.parent / "site"), "--format", "markdown"], repo)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("warning: the cache is not used") == 1, result.stderr


def test_a_stat_record_edited_to_vouch_for_changed_bytes_is_not_trusted(repo: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The stat record says which files need not be read again (their stat is the one recorded with their
    digest). Edited so that a changed file's new stat goes with its old digest, it would have the old parse
    answer for the new bytes: its MAC fails, nothing recorded is trusted, and every file is read."""
    from lz4.block import compress, decompress

    from archrepo.model import loader

    monkeypatch.setattr(loader, "_SETTLED_NS", 0)
    data = repo / "models" / "data.yaml"
    _read(repo)
    assert _read(repo).read == 0  # recorded: nothing read again
    database = repo / CACHE / DATABASE
    with sqlite3.connect(database) as connection:
        entries, mac = connection.execute("SELECT entries, mac FROM stats").fetchone()
    fields = decompress(entries).decode().split("\0")
    data.write_text(data.read_text().replace("classification: internal\n",
                                             "classification: internal\nmaster: dips-arena\n"))
    fields[fields.index("models/data.yaml") + 1] = loader._signature(data.stat())  # the stat it has now
    forged = compress("\0".join(fields).encode())
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE stats SET entries = ?", (forged,))
    stats = _read(repo)
    assert stats.read == 6 and stats.parsed == 1
    expected = report(repo, cache=False)
    with sqlite3.connect(database) as connection:  # forged again, for the check in its own process
        connection.execute("UPDATE stats SET entries = ?, mac = ?", (forged, mac))
    assert report(repo) == expected
