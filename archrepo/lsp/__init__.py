"""`archrepo lsp`: a Language Server Protocol server for the files of architecture repositories."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archrepo.lsp.early import EarlyStart

__all__ = ["serve"]


def serve(trace: Path | None = None, early: EarlyStart | None = None) -> None:
    """Answer LSP requests on stdin/stdout until the editor says exit; ``trace``: record every message;
    ``early``: the first message read, and its repository being read, while the server was imported."""
    from archrepo.lsp.features import create_server

    server = create_server()
    stdin = sys.stdin.buffer if early is None else early.reader()
    if early is not None:
        server.adopt(early)
    if trace is None:
        server.start_io(stdin)  # type: ignore[arg-type]
        return
    from archrepo.lsp.trace import TraceLog, TraceReader, TraceWriter

    with trace.open("w", encoding="utf-8") as stream:
        log = TraceLog(stream)
        server.start_io(TraceReader(stdin, log), TraceWriter(sys.stdout.buffer, log))  # type: ignore[arg-type]
