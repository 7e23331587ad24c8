"""The command line's process-lifetime policy: no collector passes, nothing freed object by object.

A command builds large acyclic structures (parsed files, the model, its graph) and then ends. CPython's
cyclic collector starts a pass every few hundred new container objects and, every so often, walks all of them:
reading a model of 10,000 applications (millions of dicts, lists and tuples, none of them in a cycle) would spend
a third of its time there. Freeing such a model costs a quarter of a second at 10,000 applications, for nothing
when the process is about to end. So the console script (``archrepo.cli.run``) runs a command with the collector
off, keeps what the commands hand to ``keep_until_exit``, and leaves with ``os._exit`` once its output is
flushed (as mypy does). Worker processes forked while it runs inherit the policy.

Its threads hand the interpreter lock on after 1 ms instead of Python's 5 ms: a check's threads (the store's
loading, the rules' queries, the one that completes the store) do a little Python between long calls that release
the lock, and each such step waited up to a switch interval behind the busy main thread (a check of 10,000
applications: 4.54 → 4.46 s, medians of 8 interleaved runs, the CPU time the same).

This is the command line's business only: the library (``archrepo.load``, ``run_check`` …) never touches the
collector or the process, so a program that embeds it keeps its own policy. A long-running command (the
language server) turns the collector back on itself.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn

__all__ = ["keep_until_exit", "run_then_leave"]

_kept: list[Any] | None = None  # a list only while run_then_leave runs a command
_SWITCH_INTERVAL = 0.001  # seconds a thread holds the interpreter lock before another may take it


def keep_until_exit(*objects: Any) -> None:
    """Let ``objects`` live until the process ends, if it ends through ``run_then_leave``; else a no-op."""
    if _kept is not None:
        _kept.extend(objects)


def run_then_leave(command: Callable[[], Any]) -> NoReturn:
    """Run ``command`` (which ends with SystemExit, as click's does) with the collector off and a short switch
    interval, flush the output, and leave without freeing what it built or running exit handlers (everything
    archrepo writes is closed by then)."""
    global _kept
    _kept = []
    gc.disable()
    sys.setswitchinterval(_SWITCH_INTERVAL)
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
