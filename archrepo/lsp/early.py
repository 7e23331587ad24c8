"""An early start for the language server: the editor's first message (``initialize``) is read from stdin in a
thread, and the repository it names as its root is read at once (config, model, graph, rules:
:meth:`RepositoryWorkspace.read`; no rule is evaluated, since which files the editor opens is not known yet).
The server's libraries (pygls and lsprotocol take about 0.25 s of CPU) are imported once that read has handed
its files to the parsing workers (:meth:`EarlyStart.settle`), while it mostly waits for them. The bytes read
are handed to pygls as they came (``Replay``), so the server answers that message as any other; the workspace
read early is adopted by the server, which evaluates the rules on it when the editor opens one of its files,
instead of reading the repository again (unless the editor holds an open file otherwise than on disk).

Imports nothing of pygls or lsprotocol: this module runs before they are imported.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlparse

from archrepo.config import find_config

__all__ = ["EarlyStart", "Replay", "root_of"]

log = logging.getLogger("archrepo.lsp")
_MAX_FIRST = 16 * 1024 * 1024  # a first message larger than this is left to pygls, unread
_FIRST_WAIT = 0.05  # seconds settle waits for a first message (editors send it as they start the server)


class Replay:
    """stdin for pygls' reader (``readline`` for headers, ``read`` for a body): the bytes read early first, then
    the stream."""

    def __init__(self, stream: BinaryIO, already: bytes) -> None:
        self._stream = stream
        self._buffer = already

    def readline(self) -> bytes:
        if self._buffer:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line, self._buffer = self._buffer[:end + 1], self._buffer[end + 1:]
                return line
            line, self._buffer = self._buffer, b""
            return line + self._stream.readline()
        return self._stream.readline()

    def read(self, size: int) -> bytes:
        if self._buffer:
            part, self._buffer = self._buffer[:size], self._buffer[size:]
            if len(part) < size:
                part += self._stream.read(size - len(part))
            return part
        return self._stream.read(size)


def _read_first(stream: BinaryIO) -> tuple[bytes, bytes | None]:
    """The raw bytes of the first message (headers and body) and its body; None when it is not one. Every byte
    read is returned, whatever happens (pygls reads them next)."""
    raw = bytearray()
    try:
        body = _read_message(stream, raw)
    except OSError:
        body = None
    return bytes(raw), body


def _read_message(stream: BinaryIO, raw: bytearray) -> bytes | None:
    """The first message's body, every byte read added to ``raw``; None when it is not one."""
    length = None
    while True:
        line = stream.readline()
        raw += line
        if not line or len(raw) > 64 * 1024:
            return None
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii", errors="replace").partition(":")
        if name.strip().lower() == "content-length":
            try:
                length = int(value.strip())
            except ValueError:
                return None
    if length is None or not 0 <= length <= _MAX_FIRST:
        return None
    body = stream.read(length)
    raw += body
    return body if len(body) == length else None


def root_of(body: bytes) -> Path | None:
    """The folder an ``initialize`` request names as the editor's root (``rootUri``, ``rootPath`` or the first of
    ``workspaceFolders``); None for any other message or a root that is not a local folder."""
    try:
        message: Any = json.loads(body)
    except ValueError:
        return None
    params = message.get("params") if isinstance(message, dict) and message.get("method") == "initialize" else None
    if not isinstance(params, dict):
        return None
    folders = params.get("workspaceFolders")
    candidates = [params.get("rootUri"), params.get("rootPath")]
    if isinstance(folders, list) and folders and isinstance(folders[0], dict):
        candidates.append(folders[0].get("uri"))
    for candidate in candidates:
        if not isinstance(candidate, str) or not candidate:
            continue
        if candidate.startswith("file:"):
            parsed = urlparse(candidate)
            if parsed.netloc not in ("", "localhost"):
                continue
            candidate = unquote(parsed.path)
        elif "://" in candidate:
            continue
        path = Path(candidate)
        if path.is_absolute() and path.is_dir():
            return path
    return None


class EarlyStart:
    """Reads the first message in a thread and, when it names a repository, loads that repository there.
    ``parsing``: an event set when the parsing workers are given files (``start_parsing_pool``)."""

    def __init__(self, stream: BinaryIO, parsing: threading.Event | None = None) -> None:
        self._stream = stream
        self._raw = b""
        self._read = threading.Event()
        self._parsing = parsing
        self._over = threading.Event()  # nothing more is read early
        self.root: Path | None = None
        self.workspace: Any = None  # RepositoryWorkspace, imported in the thread
        self.loaded: Future[set[str] | None] = Future()  # what RepositoryWorkspace.read returns
        threading.Thread(target=self._run, name="archrepo-early-load", daemon=True).start()

    def _run(self) -> None:
        try:
            self._raw, body = _read_first(self._stream)
            folder = root_of(body) if body is not None else None
            config = find_config(folder) if folder is not None else None
            if config is not None and os.path.isfile(config):
                from archrepo.lsp.workspace import RepositoryWorkspace

                self.root = config.parent
                self.workspace = RepositoryWorkspace(self.root)
        except Exception as error:  # the server reads the message again and answers it
            log.warning("could not read the first message early: %s", error)
        finally:
            self._read.set()
        if self.workspace is None:
            self._over.set()
            self.loaded.cancel()
            return
        try:
            self.loaded.set_result(self.workspace.read())
        except BaseException as error:  # the server loads the repository itself, and reports it then
            self.loaded.set_exception(error)
        finally:
            self._over.set()

    def settle(self, timeout: float) -> None:
        """Wait (at most ``timeout`` seconds) until the early read needs little of this process: its files are
        with the parsing workers, or it is over (or there is none). Waits for no first message that has not come
        at once: an editor that sends it later gets its answer sooner from a server imported meanwhile."""
        deadline = time.monotonic() + timeout
        if not self._read.wait(_FIRST_WAIT):
            return
        while not self._over.is_set() and not (self._parsing is not None and self._parsing.is_set()):
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._over.wait(min(left, 0.005))  # (the parsing event is polled: a few wake-ups, each short)

    def reader(self) -> Replay:
        """stdin for the server, once the first message is read (its bytes come first)."""
        self._read.wait()
        return Replay(self._stream, self._raw)
