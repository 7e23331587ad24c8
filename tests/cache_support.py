"""The entries of a cache database (``archrepo.model.cache``) as a test that reads, forges or damages them sees
them: each batch's entries by key, and the batches written again without their MACs made anew (no forger has
the machine's key)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from archrepo.model.cache import _joined, _split

Entry = tuple[str, bytes, bytes]  # (key, payload, extras)


def entries(database: Path) -> dict[str, tuple[int, bytes, bytes]]:
    """key -> (batch, payload, extras) of every entry."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT id, entries FROM batches ORDER BY id").fetchall()
    return {key: (batch, payload, extras) for batch, blob in rows for key, (payload, extras) in _split(blob).items()}


def rewrite(database: Path, change: Callable[[Entry], Entry], batch: int | None = None) -> None:
    """Each entry (of ``batch``, or of every batch) replaced by what ``change`` makes of it, and the batch's list
    of keys with it; its MAC is left as it was."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT id, entries FROM batches").fetchall()
        for number, blob in rows:
            if batch is None or number == batch:
                changed = [change((key, payload, extras)) for key, (payload, extras) in _split(blob).items()]
                connection.execute("UPDATE batches SET keys = ?, entries = ? WHERE id = ?",
                                   ("\0".join(key for key, _, _ in changed).encode(), _joined(changed), number))


def relist(database: Path, batch: int, keys: list[str]) -> None:
    """The list of keys of ``batch`` made ``keys`` (what it holds left as it is)."""
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE batches SET keys = ? WHERE id = ?", ("\0".join(keys).encode(), batch))
