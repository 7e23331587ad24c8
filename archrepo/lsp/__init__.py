"""`archrepo lsp`: a Language Server Protocol server for the files of architecture repositories."""

from __future__ import annotations

__all__ = ["serve"]


def serve() -> None:
    """Answer LSP requests on stdin/stdout until the editor says exit."""
    from archrepo.lsp.features import create_server

    create_server().start_io()
