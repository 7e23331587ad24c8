"""A large model file parsed in pieces: its bytes cut at lines that start a document (``---``), each piece parsed
by a worker of its own, and the pieces' parses joined into the file's, each document's line and index moved by
the lines and documents before its piece. A few files of thousands of elements then reach the store as soon as
their first pieces are parsed, not after a worker has read a whole file of megabytes (a model of 21 such files,
cut by hand into 140: its check 0.27 s faster).

A file is cut only where its documents and lines are sure to be those its ``---`` lines and line feeds say, as
PyYAML counts them: no carriage returns or other line breaks (NEL, the line and paragraph separators), no
directives (``%``) and no document end markers (``...``); a byte order mark is skipped only at the start, which
stays in the first piece. Every ``---`` at the start of a line, followed by a space, a tab or a line break,
starts a document then (a quoted or flow scalar running over one is an error, a block scalar ends before it);
a piece whose parse has anything to say (an error, a warning) has the whole file parsed instead, so what is
reported is always what the whole file gives. ``tests/test_pieces.py`` compares the two readings.

The cache keeps a file parsed in pieces as the pieces' own entries, joined (``cache_entry``): a payload and extras
marked ``PARTS``, which ``parts_payload`` and ``parts_extras`` take apart again."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from typing import Any

import orjson

from archrepo.model.framing import framed, unframed

__all__ = ["CUT_FROM", "PARTS", "Pieces", "cache_entry", "cut", "parts_extras", "parts_payload"]

CUT_FROM = 1_000_000  # files of fewer bytes are parsed whole
PIECE_BYTES = 256_000  # about the size of a piece
# what a compressed block of ours never starts with (the size of what it holds, 4 GiB): the parts of a file parsed
# in pieces follow, framed
PARTS = b"\xff\xff\xff\xff"

# what makes a text's documents or lines possibly other than its `---` lines and line feeds say: other line
# breaks (after their first byte, looked for alone as it is quick: a regular expression over megabytes took 30 ms
# a file, each of these 1.5 ms), directives and document end markers
_LINE_BREAKS = ((b"\xc2", (b"\xc2\x85",)), (b"\xe2", (b"\xe2\x80\xa8", b"\xe2\x80\xa9")), (b"%", (b"\n%",)))
_AFTER_MARKER = (b"", b" ", b"\t", b"\n")  # what follows `---` on a line that starts a document


def _markers(raw: bytes) -> list[int]:
    """Where each line that starts a document (``---``) begins, in order."""
    found = [0] if raw.startswith(b"---") and raw[3:4] in _AFTER_MARKER else []
    at = raw.find(b"\n---")
    while at != -1:
        if raw[at + 4:at + 5] in _AFTER_MARKER:
            found.append(at + 1)
        at = raw.find(b"\n---", at + 4)
    return found


def _whole(raw: bytes) -> bool:
    """Whether ``raw`` is parsed whole, whatever its size (see the module's docstring)."""
    if b"\r" in raw or raw.startswith((b"%", b"...")) or b"\n..." in raw:
        return True
    return any(lead in raw and any(odd in raw for odd in odds) for lead, odds in _LINE_BREAKS)


def _implicit(before: bytes) -> bool:
    """Whether PyYAML reads a document in what comes before a text's first ``---`` line: anything but comments
    and blank lines."""
    return any(line.strip(b" ") and not line.lstrip(b" ").startswith(b"#") for line in before.split(b"\n"))


def cut(raw: bytes, size: int | None = None) -> Pieces | None:
    """The pieces of ``raw``: the first from its start, the others each from a ``---`` line, about ``size`` bytes
    apart; None when it is parsed whole (smaller than two pieces, or a text that is not cut)."""
    size = PIECE_BYTES if size is None else size
    if len(raw) < 2 * size or _whole(raw):
        return None
    markers = _markers(raw)
    starts = [0]
    for marker in markers:
        if marker - starts[-1] >= size:
            starts.append(marker)
    return Pieces(raw, starts, markers) if len(starts) > 1 else None


class Pieces:
    """One file's pieces: where they are, the lines and documents before each, and their parses as they arrive."""

    def __init__(self, raw: bytes, starts: list[int], markers: list[int]) -> None:
        self._spans = list(zip(starts, [*starts[1:], len(raw)], strict=True))
        # (lines, documents) before each piece: a document per `---` line before it, and one for what comes
        # before the first `---` line if PyYAML reads one there
        implicit = int(_implicit(raw[:markers[0]] if markers else raw))
        self.offsets: list[tuple[int, int]] = []
        lines = 0
        for start, end in self._spans:
            self.offsets.append((lines, bisect_left(markers, start) + (implicit if start else 0)))
            lines += raw.count(b"\n", start, end)
        self._parses: list[tuple[bytes, bytes]] = []

    def texts(self, raw: bytes) -> Iterator[bytes]:
        """The bytes of each piece of ``raw`` (the file's bytes), in order."""
        for start, end in self._spans:
            yield raw[start:end]

    def add(self, parse: tuple[bytes, bytes]) -> bool:
        """Take the next piece's (payload, extras); True once every piece's is in."""
        self._parses.append(parse)
        return len(self._parses) == len(self._spans)

    def joined(self) -> tuple[dict[str, Any], tuple[bytes, bytes]] | None:
        """The file's parse (as the cache's payload decodes) and its (payload, extras) for the cache, of every
        piece's, which are not kept; None when a piece's parse has anything to say (the file is then parsed
        whole)."""
        from archrepo.model.cache import decode_payload

        parses, self._parses = self._parses, []
        data = [decode_payload(payload) for payload, _ in parses]
        if any(part["diagnostics"] for part in data):
            return None
        return _merged(self.offsets, data), cache_entry(self.offsets, parses)


def cache_entry(offsets: list[tuple[int, int]], parses: list[tuple[bytes, bytes]]) -> tuple[bytes, bytes]:
    """The (payload, extras) the cache keeps for a file of the pieces' ``parses``."""
    payload = PARTS + framed([orjson.dumps(offsets), *(payload for payload, _ in parses)])
    return payload, PARTS + framed([extras for _, extras in parses])


def parts_payload(payload: bytes) -> dict[str, Any]:
    """The parse of a file a ``cache_entry`` payload holds in pieces, as one (see ``cache.decode_payload``)."""
    from archrepo.model.cache import decode_payload

    parts = unframed(memoryview(payload)[len(PARTS):])
    return _merged(orjson.loads(parts[0]), [decode_payload(part) for part in parts[1:]])


def parts_extras(packed: bytes) -> list[bytes]:
    """The packed extras of each piece a ``cache_entry`` extras holds."""
    return unframed(memoryview(packed)[len(PARTS):])


def _merged(offsets: Sequence[Sequence[int]], data: list[dict[str, Any]]) -> dict[str, Any]:
    """The pieces' parses (as decoded) as the whole file's: documents moved by the lines and documents before
    their piece, the references of all. (None of them has a diagnostic: ``Pieces.joined`` makes no entry then.)"""
    whole = data[0]
    for (lines, documents), part in zip(offsets[1:], data[1:], strict=True):
        for document in part["documents"]:
            document[2] += lines
            document[3] += documents
        whole["documents"] += part["documents"]
        whole["references"].update(part["references"])
    return whole
