"""A record of the JSON-RPC messages between the editor and the server (``archrepo lsp --trace FILE``): one
JSON object per line, ``{"from": "client" | "server", "message": {...}}``, for debugging an editor's setup
and for the transcript in docs/lsp-transcript.md."""

from __future__ import annotations

import json
import threading
from typing import IO, Any, BinaryIO

__all__ = ["TraceLog", "TraceReader", "TraceWriter"]


class TraceLog:
    """The trace file, written from the reading thread and the server's loop alike."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def record(self, sender: str, body: bytes) -> None:
        try:
            message: Any = json.loads(body)
        except ValueError:
            message = body.decode("utf-8", errors="replace")
        with self._lock:
            self._stream.write(json.dumps({"from": sender, "message": message}, ensure_ascii=False) + "\n")
            self._stream.flush()


class TraceReader:
    """stdin for pygls' reader (``readline`` for headers, ``read`` for a body), recording each body read."""

    def __init__(self, stream: BinaryIO, log: TraceLog) -> None:
        self._stream, self._log = stream, log

    def readline(self) -> bytes:
        return self._stream.readline()

    def read(self, size: int) -> bytes:
        body = self._stream.read(size)
        if body:
            self._log.record("client", body)
        return body


class TraceWriter:
    """stdout for pygls' writer, recording each message written (headers, then the body)."""

    def __init__(self, stream: BinaryIO, log: TraceLog) -> None:
        self._stream, self._log = stream, log

    def write(self, data: bytes) -> int:
        written = self._stream.write(data)
        self._stream.flush()
        body = data.split(b"\r\n\r\n", 1)[-1]
        if body:
            self._log.record("server", body)
        return written

    def flush(self) -> None:
        self._stream.flush()

    def close(self) -> None:
        self._stream.close()
