"""`archrepo lsp`: a Language Server Protocol server for the files of architecture repositories."""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["serve"]


def serve(trace: Path | None = None) -> None:
    """Answer LSP requests on stdin/stdout until the editor says exit; ``trace``: record every message."""
    from archrepo.lsp.features import create_server

    server = create_server()
    if trace is None:
        server.start_io()
        return
    from archrepo.lsp.trace import TraceLog, TraceReader, TraceWriter

    with trace.open("w", encoding="utf-8") as stream:
        log = TraceLog(stream)
        server.start_io(TraceReader(sys.stdin.buffer, log), TraceWriter(sys.stdout.buffer, log))  # type: ignore[arg-type]
