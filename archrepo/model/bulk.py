"""Building large acyclic structures (parsed files, the model) without the cyclic garbage collector's pauses.

CPython's collector starts a pass every few hundred new container objects and, every so often, walks all
of them: reading a model of 10,000 applications (millions of dicts, lists and tuples, none of them in a
cycle) spends a third of its time there. While a model is built the collector is paused; afterwards what
was built is moved out of its sight (``gc.freeze``), so later passes only look at objects made after it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["bulk_allocation"]


@contextmanager
def bulk_allocation() -> Iterator[None]:
    """Pause the cyclic collector for the block; freeze what survives it. Nests; restores the collector."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()  # what the block built lives as long as the command: never traverse it again
            gc.enable()
