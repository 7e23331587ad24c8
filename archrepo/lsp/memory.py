"""The language server's own memory policy (it owns its process, as the command line owns one-shot runs).

The server keeps a model of tens of thousands of elements for as long as it runs. While it builds or changes
that model, the cyclic collector is paused (a pass every few hundred new objects would walk millions of them);
after a full load, what was built is frozen (``gc.freeze``), so later passes look only at what edits make.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["server_allocation"]


@contextmanager
def server_allocation(freeze: bool = True) -> Iterator[None]:
    """Pause the collector for the block; then (``freeze``) freeze what survives it. Restores the collector."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if freeze:
                gc.freeze()
            gc.enable()
