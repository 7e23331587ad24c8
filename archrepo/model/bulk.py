"""Large acyclic structures (parsed files, the model): built without the garbage collector's pauses, and in
the command line never freed object by object.

CPython's collector starts a pass every few hundred new container objects and, every so often, walks all
of them: reading a model of 10,000 applications (millions of dicts, lists and tuples, none of them in a
cycle) spends a third of its time there. While a model is built the collector is paused; afterwards what
was built is moved out of its sight (``gc.freeze``), so later passes only look at objects made after it.

Freeing such a model costs a quarter of a second at 10,000 applications, for nothing when the process is
about to end. The command line (``archrepo.cli.run``) therefore keeps what ``keep_until_exit`` is given
and leaves with ``os._exit`` once its output is flushed; used as a library, nothing is kept.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

__all__ = ["bulk_allocation", "keep_until_exit", "run_then_leave"]

_kept: list[Any] | None = None  # a list only while run_then_leave runs a command


@contextmanager
def bulk_allocation(freeze: bool = True) -> Iterator[None]:
    """Pause the cyclic collector for the block; then (``freeze``) freeze what survives it, for a block that
    builds what lives as long as the command. Nests; restores the collector."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if freeze:
                gc.freeze()  # never traverse what the block built again
            gc.enable()


def keep_until_exit(*objects: Any) -> None:
    """Let ``objects`` live until the process ends, if it ends through ``run_then_leave``; else a no-op."""
    if _kept is not None:
        _kept.extend(objects)


def run_then_leave(command: Callable[[], Any]) -> NoReturn:
    """Run ``command`` (which ends with SystemExit, as click's does), flush the output, and leave without
    freeing what it built or running exit handlers (everything archrepo writes is closed by then)."""
    global _kept
    _kept = []
    code: Any = 0
    try:
        command()
    except SystemExit as exit_:
        code = exit_.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe or stream: nothing more to say on it
            stream.flush()
    os._exit(code or 0)
