"""The language server's early start (archrepo.lsp.early): the editor's `initialize` is read before the LSP
libraries are imported, the root it names is read meanwhile, and pygls gets the bytes as they came. The
diagnostics are those of a server that read the repository when the file was opened, also when the editor holds
the file otherwise than on disk."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from archrepo.lsp.early import EarlyStart, Replay, root_of
from tests.lsp_support import (
    APPLICATIONS,
    CAPABILITIES,
    INTEGRATIONS,
    SERVER,
    diagnostics_until,
    open_file,
    small_repo,
    uri,
)


def _message(body: dict) -> bytes:
    data = json.dumps(body).encode()
    return b"Content-Length: %d\r\n\r\n" % len(data) + data


def _initialize(**params: object) -> dict:
    return {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}, **params}}


def test_the_root_is_what_the_editor_names(tmp_path: Path) -> None:
    folder = tmp_path / "my repo"
    folder.mkdir()
    as_uri = folder.as_uri()
    assert root_of(json.dumps(_initialize(rootUri=as_uri)).encode()) == folder
    assert root_of(json.dumps(_initialize(rootPath=str(folder))).encode()) == folder
    assert root_of(json.dumps(_initialize(workspaceFolders=[{"uri": as_uri, "name": "x"}])).encode()) == folder
    for body in (_initialize(), _initialize(rootUri="https://example.org/repo"),
                 _initialize(rootUri="file://elsewhere/repo"), _initialize(rootUri=(folder / "no").as_uri()),
                 _initialize(rootPath="relative/path"), _initialize(workspaceFolders="nonsense"),
                 {"jsonrpc": "2.0", "method": "initialized", "params": {"rootUri": as_uri}}):
        assert root_of(json.dumps(body).encode()) is None, body
    assert root_of(b"\xff not json") is None and root_of(b"[1, 2]") is None


@pytest.mark.parametrize("split", [0, 5, 19, 40, 10_000])
def test_pygls_reads_the_bytes_as_they_came(split: int) -> None:
    stream = _message(_initialize(rootUri="file:///nowhere")) + _message({"jsonrpc": "2.0", "method": "exit"})
    replay = Replay(io.BytesIO(stream[split:]), stream[:split])
    read = b""
    while True:
        line = replay.readline()
        if not line:
            break
        read += line
        if line == b"\r\n":
            length = int(read.split(b"Content-Length: ")[-1].split(b"\r\n")[0])
            read += replay.read(length)
    assert read == stream


def test_the_repository_named_is_read_before_the_server_asks(tmp_path: Path) -> None:
    root = small_repo(tmp_path / "repo")
    stream = _message(_initialize(rootUri=root.as_uri())) + b"rest"
    early = EarlyStart(io.BytesIO(stream))
    reader = early.reader()
    assert early.loaded.result(timeout=60) is None and early.root == root.resolve()
    assert early.workspace.results is not None and early.workspace.index.elements  # read, not evaluated
    assert reader.read(len(stream)) == stream
    nothing = EarlyStart(io.BytesIO(_message(_initialize(rootUri=tmp_path.as_uri()))))  # no archrepo.yaml
    nothing.reader()
    assert nothing.workspace is None and nothing.loaded.cancelled()


@pytest_lsp.fixture(config=SERVER)
async def bare(lsp_client: LanguageClient):
    """A real `archrepo lsp` over stdio, not initialised yet (the test names its root)."""
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
@pytest.mark.parametrize("held", [False, True])
async def test_the_repository_read_early_gives_the_diagnostics_of_one_read_later(bare: LanguageClient,
                                                                                 tmp_path: Path, held: bool) -> None:
    root = small_repo(tmp_path / "repo")
    await bare.initialize_session(types.InitializeParams(capabilities=CAPABILITIES, root_uri=uri(root)))
    path = root / "models/integrations.yaml"
    text = INTEGRATIONS.replace("target: dips-arena", "target: dips-arne") if held else None
    document = open_file(bare, path, text)  # held: the editor has a typo the file on disk has not
    found = await diagnostics_until(bare, document, lambda ds: True)
    assert any("dips-arne" in d.message for d in found) == held
    other = open_file(bare, root / "models/applications.yaml", APPLICATIONS)
    await diagnostics_until(bare, other, lambda ds: True)


def test_bytes_read_before_a_failure_still_reach_pygls() -> None:
    class Failing(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:  # the body cannot be read
            raise OSError("gone")

    head = b"Content-Length: 10\r\n\r\n"
    early = EarlyStart(Failing(head))
    reader = early.reader()
    assert reader.readline() == b"Content-Length: 10\r\n" and reader.readline() == b"\r\n"
    assert early.loaded.cancelled() and early.workspace is None


def test_the_server_is_imported_once_the_early_read_waits_for_its_workers(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """``settle`` returns when the files are with the parsing workers or the read is over, within its bound, and
    does not wait for a first message that has not come."""
    import threading
    import time

    from archrepo.lsp.workspace import RepositoryWorkspace

    root = small_repo(tmp_path / "repo")
    gate = threading.Event()

    def read(self: RepositoryWorkspace) -> None:  # a read that lasts until the test lets it end
        gate.wait(60)

    monkeypatch.setattr(RepositoryWorkspace, "read", read)
    stream = _message(_initialize(rootUri=root.as_uri()))

    parsing = threading.Event()
    parsing.set()  # the workers have the files
    early = EarlyStart(io.BytesIO(stream), parsing)
    start = time.monotonic()
    early.settle(30)
    assert time.monotonic() - start < 10 and not early.loaded.done()  # not waiting for the read itself
    gate.set()
    assert early.loaded.result(timeout=60) is None

    gate.clear()
    early = EarlyStart(io.BytesIO(stream), threading.Event())  # the workers never get files (all cached)
    start = time.monotonic()
    early.settle(0.3)
    assert 0.25 < time.monotonic() - start < 10 and not early.loaded.done()  # bounded
    threading.Timer(0.2, gate.set).start()
    early.settle(30)
    assert early.loaded.done()  # the read is over

    class Waiting(io.BytesIO):
        def readline(self, size: int | None = -1) -> bytes:
            time.sleep(2)  # an editor that sends nothing yet
            return b""

    early = EarlyStart(Waiting())
    start = time.monotonic()
    early.settle(30)
    assert time.monotonic() - start < 1.5
