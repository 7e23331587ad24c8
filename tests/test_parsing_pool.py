"""The parsing workers a process forks at its start (``start_parsing_pool``, the language server's): they parse
every read of the process while another thread reads stdin, give the parses a read in this process gives, are
replaced when one dies, and never outlive the process, even one killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest

from tests.lsp_support import reference_repo

POOLED_READS = """
import json, os, signal, sys, threading
from functools import partial
from archrepo.config import load_config
from archrepo.graph.rdf import file_ntriples, ntriples_extra
from archrepo.model import loader
from archrepo.model.loader import read_model_files, start_parsing_pool

def children():
    found = set()
    for task in os.listdir(f"/proc/{os.getpid()}/task"):
        with open(f"/proc/{os.getpid()}/task/{task}/children") as listing:
            found.update(int(pid) for pid in listing.read().split())
    return sorted(found)

def parsed_by(result, base_iri):  # what each parse gives, and which process parsed it (defined before the fork)
    return {**file_ntriples(result, base_iri=base_iri), "parsed by": str(os.getpid())}

working = start_parsing_pool()
workers = children()
threading.Thread(target=sys.stdin.read, daemon=True).start()  # as the language server's reader holds stdin
loader._PARALLEL_BYTES = loader._PARALLEL_BYTES_SPAWNED = 0  # the worker processes, however small the model
config = load_config(sys.argv[1])
triples = ntriples_extra(config.base_iri)
traced = (triples[0], partial(parsed_by, base_iri=config.base_iri))  # (spawned workers could not find parsed_by)

def read(extra=triples):
    files = read_model_files(config, use_cache=False, extra=extra)
    parsers.append({int(f.extras["parsed by"]) for f in files if "parsed by" in f.extras})
    return [[f.file, {**f.to_json(), "extras": sorted(set(f.extras) - {"parsed by"})},
             {k: v for k, v in f.extras.items() if k != "parsed by"}] for f in files]

parsers = []
before = working.is_set()
first = read(traced)
same = children() == workers and bool(parsers[0]) and parsers[0] <= set(workers)  # by the workers forked first
os.kill(workers[0], signal.SIGKILL)  # a worker dies (out of memory, say): the next read is whole all the same
second = read()
with_pool = loader._POOL is not None
loader._POOL = None  # no pool: fresh interpreters, as any process with threads
third = read()
print(json.dumps({"workers": workers, "working": [before, working.is_set()], "reused": same,
                  "pool after a death": with_pool, "same": first == second == third, "files": len(first)}))
"""


def _run(script: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, "ARCHREPO_JOBS": "2", **(env or {})})


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"  # a zombie has exited
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_workers_forked_at_start_parse_every_read_while_a_thread_reads_stdin(tmp_path: Path) -> None:
    repo = reference_repo(tmp_path / "repo")
    process = _run(POOLED_READS, str(repo / "archrepo.yaml"))
    try:
        output, errors = process.communicate(timeout=120)  # stdin closes once the script has read
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise AssertionError("parsing in the pool's workers hung") from None
    assert process.returncode == 0, errors
    found = json.loads(output)
    assert len(found["workers"]) == 2 and found["reused"]  # forked once, at the start, and used again
    assert found["working"] == [False, True]  # set when they were first given files
    assert not found["pool after a death"] and found["same"]  # the rest parsed anew, in full
    assert found["files"] > 20


KILLED_WITH_ITS_WORKERS = """
import os, sys, time
from archrepo.model.loader import start_parsing_pool

start_parsing_pool()
task = os.getpid()
with open(f"/proc/{task}/task/{task}/children") as listing:
    print(listing.read().strip(), flush=True)
time.sleep(120)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signals are Linux's")
def test_the_workers_die_with_the_process_even_of_sigkill() -> None:
    process = _run(KILLED_WITH_ITS_WORKERS)
    assert process.stdout is not None
    workers = [int(pid) for pid in process.stdout.readline().split()]
    assert len(workers) == 2 and not any(_gone(pid) for pid in workers)
    process.kill()  # no handler, no atexit: only the kernel can stop the workers now
    process.wait()
    deadline = time.monotonic() + 20
    while not all(_gone(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_gone(pid) for pid in workers)


def test_no_pool_for_one_job_or_a_process_with_threads() -> None:
    script = """
from archrepo.model import loader
print(loader.start_parsing_pool() is None and loader._POOL is None)
"""
    process = _run(script, env={"ARCHREPO_JOBS": "1"})
    output, errors = process.communicate(timeout=60)
    assert output.strip() == "True", errors
    threaded = """
import threading, time
from archrepo.model import loader
threading.Thread(target=time.sleep, args=(1,)).start()
print(loader.start_parsing_pool() is None and loader._POOL is None)
"""
    process = _run(threaded)
    output, errors = process.communicate(timeout=60)
    assert output.strip() == "True", errors


def test_a_pool_that_breaks_midway_leaves_the_rest_to_new_workers(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from archrepo.model import loader

    repo = reference_repo(tmp_path / "repo")
    items = [(path.read_bytes(), str(path.relative_to(repo))) for path in sorted((repo / "models").rglob("*.yaml"))]

    class Breaking:
        """A pool whose workers die after three chunks, while parsing the fourth: giving it a fifth fails."""

        stopped = False
        given = 0

        def submit(self, function, *arguments):
            Breaking.given += 1
            if Breaking.given > 4:
                raise BrokenProcessPool("a worker died")
            future: Future = Future()
            if Breaking.given <= 3:
                future.set_result(function(*arguments))
            return future  # (the fourth is never parsed)

        def shutdown(self, wait: bool, cancel_futures: bool) -> None:
            Breaking.stopped = True

    rapid: list[bool] = []  # how the new workers were told to read (PyYAML alone: rapidyaml may have done it)

    class NewWorkers:
        def __init__(self, **_: object) -> None:
            pass

        def submit(self, function, *arguments):
            rapid.append(arguments[-1])
            future: Future = Future()
            future.set_result(function(*arguments))
            return future

        def shutdown(self, wait: bool) -> None:
            pass

    monkeypatch.setattr(loader, "ProcessPoolExecutor", NewWorkers)
    monkeypatch.setattr(loader, "_PARALLEL_BYTES", 0)
    monkeypatch.setattr(loader, "_PARALLEL_BYTES_SPAWNED", 0)
    monkeypatch.setattr(loader, "_POOL", loader._Pool(Breaking(), 2, threading.Event()))  # type: ignore[arg-type]
    chunks = [items[start:start + 3] for start in range(0, len(items), 3)]
    parsed = dict(loader._parse_all(chunks, None, 2, encode=False))
    assert Breaking.stopped and loader._POOL is None and Breaking.given == 5
    assert rapid and not any(rapid)
    assert sorted(parsed) == list(range(len(items)))
    serial = [loader.parse_model_file(raw, relative) for raw, relative in items]
    assert [parsed[index].to_json() for index in range(len(items))] == [result.to_json() for result in serial]


def _send(stream, body: dict) -> None:
    data = json.dumps(body).encode()
    stream.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
    stream.flush()


def _receive(stream) -> dict:
    length = 0
    while (line := stream.readline()) not in (b"\r\n", b""):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(stream.read(length))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_language_server_leaves_no_parsing_worker_behind(tmp_path: Path) -> None:
    repo = reference_repo(tmp_path / "repo")
    server = subprocess.Popen([sys.executable, "-m", "archrepo", "lsp"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True,
                              env={**os.environ, "ARCHREPO_JOBS": "2"})
    assert server.stdin is not None and server.stdout is not None
    try:
        _send(server.stdin, {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                             "params": {"processId": None, "rootUri": repo.as_uri(), "capabilities": {}}})
        while _receive(server.stdout).get("id") != 1:
            pass
        with open(f"/proc/{server.pid}/task/{server.pid}/children") as listing:
            workers = [int(pid) for pid in listing.read().split()]
        assert len(workers) == 2
        _send(server.stdin, {"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        while _receive(server.stdout).get("id") != 2:
            pass
        _send(server.stdin, {"jsonrpc": "2.0", "method": "exit"})
        assert server.wait(timeout=60) == 0
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    deadline = time.monotonic() + 20
    while not all(_gone(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_gone(pid) for pid in workers)


def test_the_parsing_workers_run_below_the_callers_priority(monkeypatch: pytest.MonkeyPatch) -> None:
    """As the site's diagram workers do: the caller's loading of the store and its decoding go first."""
    from archrepo.model import loader

    monkeypatch.setattr(loader, "_PARALLEL_BYTES", 0)
    monkeypatch.setattr(loader, "_PARALLEL_BYTES_SPAWNED", 0)
    items = [(b"kind: Organisation\nid: o\nname: O\n", f"o{n}.yaml") for n in range(8)]
    parsed = dict(loader._parse_all([items[:4], items[4:]], _niceness, 2, encode=False))
    assert len(parsed) == 8
    assert {result.extras["nice"] for result in parsed.values()} == {str(os.nice(0) + loader._NICER)}


def _niceness(result: object) -> dict[str, str]:
    """The ``extra`` of a parse: the priority of the process that made it (a worker's)."""
    return {"nice": str(os.nice(0))}


def test_the_workers_parse_the_first_files_while_the_caller_reads_the_rest(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The chunks go to the workers as they are read: the second is read only once the first was parsed (a
    read that gave the workers nothing before its last file would wait here in vain)."""
    from archrepo.model import loader

    monkeypatch.setattr(loader, "_PARALLEL_BYTES", 0)
    monkeypatch.setattr(loader, "_PARALLEL_BYTES_SPAWNED", 0)
    items = [(b"kind: Organisation\nid: o%d\nname: O\n" % n, f"o{n}.yaml") for n in range(8)]
    marker = tmp_path / "parsed"
    waited: list[bool] = []

    def chunks():
        yield items[:4]
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        waited.append(marker.exists())
        yield items[4:]

    parsed = dict(loader._parse_all(chunks(), partial(_marking, str(marker)), 2, encode=False))
    assert waited == [True]
    assert [parsed[index].documents[0][1].data["id"] for index in range(8)] == [f"o{n}" for n in range(8)]


def _marking(path: str, result: object) -> dict[str, str]:
    """The ``extra`` of a parse: leaves a file at ``path`` saying that a worker parsed something."""
    Path(path).touch()
    return {}
