"""The parse cache: a re-check parses only the changed file; concurrent runs and damaged caches are safe."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from archrepo.config import load_config
from archrepo.graph.rdf import ntriples_extra
from archrepo.model.cache import CACHE_DIR, DATABASE
from archrepo.model.loader import ReadStats, read_model_files
from tests.cache_support import entries, rewrite
from tests.conftest import ROOT, STD_CONFIG, add_standard_library, run_cli

CONFIG = "models: [models]\n" + STD_CONFIG


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the reference model."""
    import shutil

    target = tmp_path / "repo"
    shutil.copytree(ROOT / "models", target / "models")
    (target / "archrepo.yaml").write_text(CONFIG)
    return add_standard_library(target)


def read(repo: Path, **options) -> tuple[list, ReadStats]:
    stats = ReadStats()
    config = load_config(repo / "archrepo.yaml")
    files = read_model_files(config, stats=stats, extra=ntriples_extra(config.base_iri), jobs=2, **options)
    return files, stats


def test_second_read_parses_only_the_edited_file(repo: Path) -> None:
    first, stats = read(repo)
    assert stats.parsed == len(first) > 100 and stats.cached == 0
    again, stats = read(repo)
    assert (stats.parsed, stats.cached) == (0, len(first))
    assert [f.to_json() for f in again] == [f.to_json() for f in first]
    edited = repo / "models" / "applications" / "clinical" / "dips-arena.yaml"
    edited.write_text(edited.read_text().replace("name: DIPS Arena", "name: DIPS Arena (renamed)"))
    after, stats = read(repo)
    assert (stats.parsed, stats.cached) == (1, len(first) - 1)
    dips = next(f for f in after if f.file.endswith("dips-arena.yaml"))
    assert dips.documents[0][1].data["name"] == "DIPS Arena (renamed)"
    assert "DIPS Arena (renamed)" in dips.extras["ntriples"]
    assert (repo / CACHE_DIR / ".gitignore").is_file()


def test_cached_and_uncached_checks_agree(repo: Path) -> None:
    cold = run_cli(["check", "--format", "json", "--as-of", "2026-11-26"], repo)
    warm = run_cli(["check", "--format", "json", "--as-of", "2026-11-26"], repo)
    assert json.loads(cold.stdout) == json.loads(warm.stdout)
    files, _ = read(repo, use_cache=False)
    cached, _ = read(repo)
    assert [f.to_json() for f in files] == [f.to_json() for f in cached]


def test_a_read_through_the_cache_holds_one_text_per_reference_across_the_files(repo: Path) -> None:
    uncached = {f.file: f.references for f in read(repo, use_cache=False)[0]}
    for _ in range(2):  # parsed in this run, then taken from the cache
        files, _ = read(repo)
        assert {f.file: {element: [tuple(pair) for pair in found] for element, found in f.references.items()}
                for f in files} == uncached
        pairs = [pair for f in files for found in f.references.values() for pair in found]
        texts: dict[str, str] = {}
        assert len(pairs) > len({target for _, target in pairs})  # (ids referenced from more than one place)
        assert all(texts.setdefault(text, text) is text for pair in pairs for text in pair)


def test_errors_are_cached_with_their_lines(repo: Path) -> None:
    (repo / "models" / "bad.yaml").write_text("kind: Organisation\nid: x\nnme: X\n")
    first = run_cli(["validate"], repo)
    second = run_cli(["validate"], repo)
    assert first.exit_code == second.exit_code == 2
    assert first.stderr == second.stderr and "models/bad.yaml:3: error: unknown field 'nme'" in second.stderr


def test_field_lines_of_cached_files_are_found_again_for_errors(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache keeps no field lines: a file read from it is parsed again when an error needs one, so an
    error in an unchanged file (its reference broken by another file) names the same line as without cache."""
    assert run_cli(["validate"], repo).exit_code == 0  # every file cached
    dips = repo / "models" / "applications" / "clinical" / "dips-arena.yaml"
    dips.write_text(dips.read_text().replace("id: dips-arena\n", "id: dips-arena-renamed\n", 1))
    warm = run_cli(["validate"], repo)
    monkeypatch.setenv("ARCHREPO_NO_CACHE", "1")
    cold = run_cli(["validate"], repo)
    assert warm.exit_code == cold.exit_code == 2 and warm.stderr == cold.stderr
    iam = (repo / "models" / "integrations" / "platform" / "regional-iam.yaml").read_text().splitlines()
    line = iam.index("target: dips-arena") + 1
    assert f"models/integrations/platform/regional-iam.yaml:{line}: error: " in warm.stderr


def test_a_fresh_parse_keeps_no_bytes_and_reads_them_again_for_a_fields_line(repo: Path) -> None:
    """Files parsed in this run hold neither their bytes nor their encoded parse once decoded (77,000 small
    files: 37 and 46 MB); a field's line reads the file again, if its bytes are still those parsed."""
    files, stats = read(repo)
    assert stats.parsed == len(files) > 100
    dips = next(f for f in files if f.file.endswith("dips-arena.yaml"))
    _, document, _ = dips.documents[0]
    lines = (repo / dips.file).read_text().splitlines()
    assert document.line_of("owner") == lines.index(next(x for x in lines if x.startswith("owner:"))) + 1 > 1
    other = next(f for f in files if f.file.endswith("helsenorge.yaml"))
    (repo / other.file).write_text("kind: Application\n# changed since it was parsed\n" + (repo / other.file).read_text())
    _, changed, _ = other.documents[0]
    assert changed.line_of("owner") == changed.line  # no lines of other bytes: the document's own


def test_a_damaged_database_is_rebuilt(repo: Path) -> None:
    read(repo)
    database = repo / CACHE_DIR / DATABASE
    database.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    files, stats = read(repo)
    assert stats.parsed == len(files) and stats.cached == 0
    assert read(repo)[1].cached == len(files)  # rebuilt and usable again


def test_a_new_database_has_pages_of_64_kb_and_an_older_one_keeps_its_own(repo: Path) -> None:
    """Entries are blobs of megabytes: pages of 64 kB write them in half the time of SQLite's 4 kB."""
    read(repo)
    database = repo / CACHE_DIR / DATABASE
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA page_size").fetchone() == (65536,)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(database) as connection:  # a cache an older archrepo made, in pages of 4 kB
        connection.execute("PRAGMA page_size = 4096")
        connection.execute("PRAGMA journal_mode = WAL")
    files, stats = read(repo)
    assert stats.parsed == len(files)
    assert read(repo)[1].cached == len(files)  # used as it is
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA page_size").fetchone() == (4096,)


def test_a_tampered_entry_is_a_miss_not_an_answer(repo: Path) -> None:
    """One entry changed: its batch's MAC fails, and every entry of the batch is parsed again."""
    files, _ = read(repo)
    database = repo / CACHE_DIR / DATABASE
    key, (batch, _, _) = next(iter(entries(database).items()))
    rewrite(database, lambda entry: (key, b"x\x9c garbage", entry[2]) if entry[0] == key else entry, batch)
    held = sum(1 for entry in entries(database).values() if entry[0] == batch)
    again, stats = read(repo)
    assert stats.rejected == held and stats.parsed == held and stats.cached == len(files) - held
    assert [f.to_json() for f in again] == [f.to_json() for f in files]


def test_concurrent_runs_do_not_corrupt_the_cache(repo: Path) -> None:
    command = [sys.executable, "-m", "archrepo", "check", "--format", "json", "--as-of", "2026-11-26", "--fail-on",
               "never"]
    processes = [subprocess.Popen(command, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(4)]
    outputs = [p.communicate(timeout=300) for p in processes]
    assert all(p.returncode == 0 for p in processes), [o[1][-500:] for o in outputs]
    reports = [json.loads(out) for out, _ in outputs]
    assert all(r == reports[0] for r in reports)
    with sqlite3.connect(repo / CACHE_DIR / DATABASE) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert read(repo)[1].parsed == 0


def test_the_cache_can_be_switched_off(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHREPO_NO_CACHE", "1")
    run_cli(["validate"], repo)
    assert not (repo / CACHE_DIR).exists()


def test_unchanged_files_are_not_read_again_but_any_change_is_seen(repo: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Like git's index: a file whose stat (size, mtime, ctime, inode) is the one recorded with its digest is
    not read; a change of the same size with the mtime put back is still seen (its ctime moved)."""
    import os
    import time

    from archrepo.model import loader

    first, stats = read(repo)  # just copied: too recent to be recorded, as a later change could hide in the tick
    again, stats = read(repo)
    assert stats.read == len(first)
    monkeypatch.setattr(loader, "_SETTLED_NS", 0)
    read(repo)  # now recorded
    again, stats = read(repo)
    assert stats.read == 0 and [f.to_json() for f in again] == [f.to_json() for f in first]
    sectra = next(f for f in again if f.file == "models/integrations/radiology/sectra-ris.yaml")  # lines: read now
    text = (repo / sectra.file).read_text().splitlines()
    assert sectra.documents[0][1].line_of("target") == text.index("target: dips-arena") + 1
    edited = repo / "models" / "applications" / "clinical" / "dips-arena.yaml"
    before = edited.stat()
    time.sleep(0.05)  # past the coarse clock tick file times come from
    edited.write_text(edited.read_text().replace("name: DIPS Arena", "name: DIPS Arenb"))
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert edited.stat().st_size == before.st_size and edited.stat().st_mtime_ns == before.st_mtime_ns
    after, stats = read(repo)
    assert stats.read == 1 and stats.parsed == 1
    dips = next(f for f in after if f.file.endswith("dips-arena.yaml"))
    assert dips.documents[0][1].data["name"] == "DIPS Arenb"
    # the field lines of a file not read in this run come from reading it when an error needs them
    dips_lines = next(f for f in again if f.file.endswith("dips-arena.yaml")).documents[0][1]
    assert dips_lines.line_of("name") == dips_lines.line  # it changed since: no field lines, the element's


@pytest.mark.parametrize(("use_cache", "release"), [(False, False), (True, False), (True, True)])
def test_the_graph_loaded_while_parsing_is_the_graph_of_the_model(repo: Path, use_cache: bool, release: bool,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import pyoxigraph as ox

    from archrepo.api import Repository, read_files
    from archrepo.graph.loading import GraphLoader, build_graph
    from archrepo.model import loader as loader_module
    from archrepo.model.loader import validate_model

    monkeypatch.setattr(loader_module, "_PARALLEL_BYTES", 0)  # the worker processes, however small the model
    monkeypatch.setattr(loader_module, "_PARALLEL_BYTES_SPAWNED", 0)  # forked or not
    config = load_config(repo / "archrepo.yaml")
    expected = None
    for _ in range(2):  # parsed in this run (loaded as they arrive), then, with the cache, read from it
        loader = GraphLoader(config.base_iri, config.approved_standards, release=release)
        files = read_files(config, use_cache=use_cache, loader=loader)
        model, _ = validate_model(config, files)
        assert model is not None
        quads = set(Repository(config, model, files, loader).rdf.store.quads_for_pattern(None, None, None))
        assert all(("ntriples" in f.extras) is not release for f in files)  # released: once in the store
        expected = expected or set(build_graph(model, config.base_iri, config.approved_standards).store
                                   .quads_for_pattern(None, None, None))
        assert quads == expected
        assert any(q.graph_name == ox.DefaultGraph() for q in quads)


def test_a_view_reads_the_parses_a_check_cached_and_a_check_never_uses_a_views(repo: Path) -> None:
    """Views read the files without their triples: from a check's cache entries when there are some (not
    parsed again, triples not kept); the parses a view caches itself serve views only, so a check after it
    parses again and has every file's triples."""
    from archrepo.api import Repository, read_files
    from archrepo.graph.loading import build_graph
    from archrepo.model.loader import validate_model

    config = load_config(repo / "archrepo.yaml")
    checked, stats = read(repo)
    assert stats.parsed == len(checked)
    viewed, stats = ReadStats(), ReadStats()
    viewed_files = read_files(config, stats=viewed, triples=False)
    assert (viewed.parsed, viewed.cached) == (0, len(checked))
    assert [f.to_json()["documents"] for f in viewed_files] == [f.to_json()["documents"] for f in checked]
    assert all(len(f.extras) == 0 for f in viewed_files)
    model, _ = validate_model(config, viewed_files)
    assert model is not None  # a graph asked for all the same is built from the model: the same quads
    assert (set(Repository(config, model, viewed_files).rdf.store.quads_for_pattern(None, None, None))
            == set(build_graph(model, config.base_iri, config.approved_standards).store
                   .quads_for_pattern(None, None, None)))

    import shutil

    shutil.rmtree(repo / CACHE_DIR)
    read_files(config, stats=viewed, triples=False)
    assert viewed.parsed == len(checked)
    again = read_files(config, stats=stats, triples=False)
    assert (stats.parsed, stats.cached) == (0, len(checked))  # a view's parses serve the next view
    assert all(len(f.extras) == 0 for f in again)
    after, stats = read(repo)
    assert (stats.parsed, stats.cached) == (len(checked), 0)
    assert all("ntriples" in f.extras for f in after if f.documents)
    assert [f.extras["ntriples"] for f in after if f.documents] == [f.extras["ntriples"] for f in checked
                                                                   if f.documents]


READ_WHILE_A_THREAD_READS_STDIN = """
import sys, threading
from archrepo.config import load_config
from archrepo.model import loader
from archrepo.model.loader import read_model_files
threading.Thread(target=sys.stdin.read, daemon=True).start()  # as the language server's reader holds stdin
loader._PARALLEL_BYTES = loader._PARALLEL_BYTES_SPAWNED = 0  # the worker processes, however small the model
files = read_model_files(load_config(sys.argv[1]), use_cache=False, jobs=2)
print(len(files))
"""


def test_files_are_parsed_in_worker_processes_while_another_thread_reads_stdin(repo: Path, tmp_path: Path) -> None:
    # a forked worker used to wait for ever on stdin's lock, held by the reading thread at the fork
    output = tmp_path / "output"
    with output.open("w") as out:
        process = subprocess.Popen([sys.executable, "-c", READ_WHILE_A_THREAD_READS_STDIN,
                                    str(repo / "archrepo.yaml")], stdin=subprocess.PIPE, stdout=out, stderr=out,
                                   text=True, start_new_session=True)
        try:
            returncode = process.wait(timeout=60)  # stdin stays open: the thread reads all along
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the workers too
            process.wait()
            raise AssertionError("parsing in worker processes hung") from None
        finally:
            assert process.stdin is not None
            process.stdin.close()
    assert returncode == 0, output.read_text()
    assert int(output.read_text()) > 100


def test_a_stat_record_of_no_files_reads_back_as_none(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The files recorded all went (the record is rewritten without them): the next read finds an empty record,
    not a broken one."""
    import shutil

    from archrepo.model import loader

    monkeypatch.setattr(loader, "_SETTLED_NS", 0)
    read(repo)
    models = repo / "models"
    shutil.move(models, repo / "elsewhere")
    models.mkdir()
    assert read(repo)[0] == []
    assert read(repo)[0] == []  # the empty record read back
    shutil.rmtree(models)
    shutil.move(repo / "elsewhere", models)
    files, stats = read(repo)
    assert stats.read == len(files) > 100


def test_prune_drops_the_batches_less_than_half_live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the entries outnumber the live ones, a batch mostly of files gone (or written again since) is
    dropped, its few live entries with it (parsed again next time); a batch mostly live stays whole."""
    from archrepo.model.cache import open_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "machine"))
    (tmp_path / "repo").mkdir()

    def batch(name: str, count: int) -> list[tuple[str, tuple[bytes, bytes]]]:
        return [(f"{name}{n}", (f"payload of {name}{n}".encode(), b"")) for n in range(count)]

    mostly_gone, mostly_live, rewritten = batch("a", 200), batch("b", 100), batch("c", 10)
    cache = open_cache(tmp_path / "repo")
    for written in (mostly_gone, mostly_live, rewritten, rewritten):  # c written twice: its first batch is dead
        cache.put_many(written)
    cache.close()
    keep = {key for key, _ in mostly_gone[:5] + mostly_live[:60] + rewritten}
    cache = open_cache(tmp_path / "repo")
    cache.prune(keep)
    cache.close()
    cache = open_cache(tmp_path / "repo")
    found = cache.get_many(sorted(keep | {key for key, _ in mostly_gone + mostly_live}))
    assert found == dict(mostly_live + rewritten)  # b's dead entries stay with their batch, a's live ones went
    assert cache.rejected == 0
    with sqlite3.connect(cache.path) as connection:
        assert connection.execute("SELECT count(*) FROM batches").fetchone()[0] == 2
    cache.close()


def test_entries_another_run_kept_from_being_written_are_misses(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that finds the database locked by another run is skipped: what it would have written is not
    looked for later (a miss, not an entry found damaged)."""
    from archrepo.model.cache import open_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "machine"))
    (tmp_path / "repo").mkdir()
    cache = open_cache(tmp_path / "repo")
    assert cache._connection is not None
    cache._connection.execute("PRAGMA busy_timeout = 0")  # (not 30 s)
    with sqlite3.connect(cache.path, isolation_level=None) as other:
        other.execute("BEGIN IMMEDIATE")  # another run writing
        cache.put_many([("k", (b"payload", b""))])
        other.execute("ROLLBACK")
    assert cache.get_many(["k"]) == {} and (cache.misses, cache.rejected) == (1, 0)
    cache.close()


def test_framed_parts_come_apart_as_they_were_joined() -> None:
    from archrepo.model.framing import framed, unframed, unframed_views

    parts = [b"", b"key", b"\x00" * 9, bytes(range(256)), b""]
    assert list(unframed(framed(parts))) == parts
    assert list(unframed(framed([]))) == []
    joined = framed(parts)
    views = unframed_views(joined)
    assert [bytes(view) for view in views] == parts and all(view.obj is joined for view in views)  # no copies


def test_a_batchs_entries_come_apart_as_they_were_joined_and_anything_else_is_no_entries() -> None:
    from archrepo.model.cache import _joined, _split

    entries = [("k1", b"payload", b""), ("k\udcff", b"", b"\x00" * 9), ("k3", bytes(range(256)), b"x")]
    joined = _joined(entries)
    assert _split(joined) == {key: (payload, extras) for key, payload, extras in entries}
    assert _split(_joined([])) == {}
    for broken in (joined[:-1], joined + b"x", b"", joined[:7], (2).to_bytes(8, "little") + joined[8:],
                   (10**12).to_bytes(8, "little") + joined[8:]):
        assert _split(broken) == {}


def test_one_named_value_is_read_in_place_and_anything_else_is_not_taken_for_one() -> None:
    from archrepo.model.framing import framed, only_value

    joined = framed([b"ntriples", b"<a> <b> <c> .\n"])
    value = only_value(joined, b"ntriples")
    assert value is not None and bytes(value) == b"<a> <b> <c> .\n" and value.obj is joined
    empty = only_value(framed([b"ntriples", b""]), b"ntriples")
    assert empty is not None and bytes(empty) == b""
    assert only_value(joined, b"other") is None  # another name
    assert only_value(framed([b"ntriples", b"x", b"more", b"y"]), b"ntriples") is None  # two values
    assert only_value(joined[:-1], b"ntriples") is None  # cut short
    assert only_value(b"", b"ntriples") is None and only_value(framed([b"ntriples"]), b"ntriples") is None


def test_a_framed_pair_is_the_two_parts_framed() -> None:
    from archrepo.model.framing import framed, framed_pair, unframed

    for name, value in ((b"ntriples", "<a> <b> \"\u00c6\" .\n".encode()), (b"", b""), (b"n", b"x" * 70_000)):
        assert framed_pair(name, value) == framed([name, value])
        assert unframed(framed_pair(name, value)) == [name, value]


def test_a_packed_extra_reads_the_same_alone_or_among_others() -> None:
    from archrepo.model.fileresult import PackedExtras, pack_extras

    alone = {"ntriples": "<a> <b> \"Æ ✓\" .\n"}
    both = {**alone, "other": "x"}
    for extras in (alone, both, {"ntriples": ""}):
        packed = PackedExtras(pack_extras(extras), sorted(extras))
        assert dict(packed) == extras and {key: bytes(packed.encoded(key)) for key in packed} == {
            key: value.encode() for key, value in extras.items()}


def test_payloads_come_back_as_encoded_short_ones_kept_as_written() -> None:
    """A short payload (a file of one element) is kept as written, a long one compressed; either comes back
    the same, integers beyond 64 bits (the standard json module's path) included."""
    import orjson

    from archrepo.model.cache import _PLAIN, decode_payload, encode_payload

    short = {"file": "a.yaml", "documents": [["Application", {"id": "a", "name": "Æ ✓"}, 1, 0, True]]}
    wide = {**short, "documents": [["Application", {"id": "a", "n": 2**70, "m": -(2**65)}, 1, 0, True]]}
    long = {**short, "documents": [["Application", {"id": f"a{i}", "description": "text " * 20}, i, i, True]
                                    for i in range(40)]}
    long_wide = {**long, "extra": 2**80}
    for value in (short, wide, long, long_wide):
        payload = encode_payload(value)
        assert decode_payload(payload) == value
        assert payload.startswith(_PLAIN) == (value in (short, wide))
    assert len(encode_payload(long)) < len(orjson.dumps(long)) / 3  # long ones compress well
