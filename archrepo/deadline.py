"""Work that may never end (a user's SPARQL query), run so that the caller stops waiting when it should: at a
deadline, or at once on Ctrl-C.

Oxigraph cannot be cancelled from outside, and while it evaluates, the thread that called it runs no Python code,
so it would never see Ctrl-C. The work therefore runs in a worker thread and the caller waits for it (a wait that
Ctrl-C interrupts). Work past its deadline, or interrupted, is abandoned: it runs on in its (daemon) thread. The
command line leaves with ``os._exit`` (``archrepo.commands.process``), so an abandoned query never keeps it alive;
a long-lived caller should know that one keeps a core busy until it ends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

__all__ = ["DeadlinePassed", "run_with_deadline"]

T = TypeVar("T")


class DeadlinePassed(Exception):
    """The work did not finish within its time; it was abandoned."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"not finished within {seconds:g} s")
        self.seconds = seconds


def run_with_deadline(work: Callable[[], T], seconds: float, *, name: str = "archrepo-work") -> T:
    """What ``work()`` returns, or raises, if it ends within ``seconds``; else :class:`DeadlinePassed`.
    KeyboardInterrupt while waiting propagates at once."""
    done = threading.Event()
    returned: list[T] = []
    raised: list[BaseException] = []

    def run() -> None:
        try:
            returned.append(work())
        except BaseException as error:  # handed to the caller, whatever it is
            _forget_frames(error)
            raised.append(error)
        finally:
            done.set()

    threading.Thread(target=run, name=name, daemon=True).start()
    if not done.wait(min(seconds, threading.TIMEOUT_MAX)):
        raise DeadlinePassed(seconds)
    if raised:
        raise raised[0]
    return returned[0]


def _forget_frames(error: BaseException | None) -> None:
    """Drop an error's tracebacks (and those of the errors it came from) in the worker's own thread: their frames
    hold the work's query results, which pyoxigraph lets only the thread that made them free."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        error.__traceback__ = None
        error = error.__cause__ or error.__context__
