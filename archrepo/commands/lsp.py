"""`archrepo lsp`: the language server, for editors (docs/editors.md)."""

from __future__ import annotations

import logging
from pathlib import Path

import click

_SETTLE_SECONDS = 1.0  # the longest the server's import waits for the early read to reach its parsing workers


@click.command("lsp")
@click.option("--stdio", is_flag=True, help="Talk LSP over stdin/stdout (the default and only transport; accepted "
                                             "because editors pass it).")
@click.option("--log-file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the server's log (every error with its traceback) to this file.")
@click.option("--trace", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Record every JSON-RPC message, one JSON object per line, in this file.")
def lsp(stdio: bool, log_file: Path | None, trace: Path | None) -> None:
    """Language server over stdio: diagnostics, completion, hover, definitions, references, rename, symbols
    and quick fixes for the model, rule, principle, waiver and config files of a repository."""
    import gc
    import sys

    from archrepo.lsp.early import EarlyStart
    from archrepo.model.loader import start_parsing_pool, stop_parsing_pool

    gc.enable()  # a long-running server: the console script's no-collector policy is for one-shot commands
    parsing = start_parsing_pool()  # while this process has one thread: its workers are forked now
    early = EarlyStart(sys.stdin.buffer, parsing)  # the repository the editor names is read at once
    early.settle(_SETTLE_SECONDS)  # the server's libraries are imported while the workers parse its files
    from archrepo.lsp import serve

    if early.workspace is not None:  # what evaluating the standard rules needs, made ready while the workers parse
        from archrepo.graph.sparql_text import compile_lexers
        from archrepo.rules import builtin

        compile_lexers()
        builtin.prepare()

    if log_file is not None:
        logging.basicConfig(filename=log_file, level=logging.INFO,
                            format="%(asctime)s %(name)s %(levelname)s %(message)s")
    else:  # stderr: editors show it in their server log
        logging.basicConfig(level=logging.WARNING, format="archrepo lsp: %(levelname)s %(message)s")
    try:
        serve(trace, early)
    finally:
        stop_parsing_pool()  # the command line leaves with os._exit, which runs no exit handler
