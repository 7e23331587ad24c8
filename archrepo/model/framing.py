"""Byte strings joined so that they can be taken apart again, each after its length: how the caches join the
parts of an entry (key, parse, extras) and the extras of a parse (name, value), without escaping them."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["framed", "unframed"]


def framed(parts: Iterable[bytes]) -> bytes:
    """``parts`` joined, each after its length (8 bytes, little-endian)."""
    return b"".join([piece for part in parts for piece in (len(part).to_bytes(8, "little"), part)])


def unframed(data: bytes | memoryview) -> list[bytes]:
    """The parts ``framed`` joined, in order."""
    view = memoryview(data)
    parts: list[bytes] = []
    position = 0
    while position < len(view):
        size = int.from_bytes(view[position:position + 8], "little")
        parts.append(bytes(view[position + 8:position + 8 + size]))
        position += 8 + size
    return parts
