"""What one model file holds once parsed (its element documents and its own problems), as the parse cache
stores it and gives it back."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lz4.block import compress, decompress

from archrepo.errors import Diagnostic, Level
from archrepo.model.framing import framed, framed_pair, only_value, unframed_views
from archrepo.model.pieces import PARTS, parts_extras
from archrepo.model.sources import DocumentLines, FileSource, SourceLines
from archrepo.model.yamlsource import ParsedDocument

__all__ = ["FileResult", "PackedExtras", "extra_bytes", "pack_extras"]


@dataclass(slots=True)
class FileResult:
    """What one model file holds: its element documents and the problems found in it alone."""

    file: str
    documents: list[tuple[str, ParsedDocument, bool]] = field(default_factory=list)  # (kind, document, valid)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # derived from this file alone (its RDF), cached with it; kept packed until someone needs it
    extras: Mapping[str, str] = field(default_factory=dict)
    # element id -> its references (field, id), found where the file is parsed (and so cached with it)
    references: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The parse, without the extras (``pack_extras`` stores those apart: they are large and often unused)
        and without the line of every field: a quarter of the parse, and only an error message needs one, so a
        cached file is parsed again for its lines when one is asked for (``from_cache``). References as lists,
        as JSON gives them back (``payload`` is what the cache stores)."""
        return {**self.payload(), "references": {key: [[name, target] for name, target in found]
                                                 for key, found in self.references.items()}}

    def payload(self) -> dict[str, Any]:
        """``to_json`` as the cache encodes it: the references as they are (orjson writes a pair as a list, and
        copying each into one took 1 µs a file of one element)."""
        return {"file": self.file,
                "documents": [[kind, d.data, d.line, d.index, valid] for kind, d, valid in self.documents],
                "diagnostics": [[d.file, d.line, d.message, d.hint, d.level.value, d.element]
                                for d in self.diagnostics],
                "extras": sorted(self.extras),
                "references": self.references}

    @classmethod
    def from_cache(cls, payload: bytes, packed_extras: bytes, source: FileSource,
                   shared: dict[str, str] | None = None) -> FileResult:
        """The file's parse as ``to_json`` stored it; its bytes are parsed again for the line of a field only
        if one is asked for. ``shared``: see ``from_data``."""
        from archrepo.model.cache import decode_payload

        return cls.from_data(decode_payload(payload), packed_extras, source, shared)

    @classmethod
    def from_data(cls, data: dict[str, Any], packed_extras: bytes, source: FileSource,
                  shared: dict[str, str] | None = None) -> FileResult:
        """``from_cache`` of the payload already decoded. ``shared``: one text for each field name and id that
        references name, kept across the files of a read (each file's JSON gives its own copy of every one)."""
        lines = SourceLines(source, data["file"])
        references = data.get("references", {})  # [field, id] pairs, as JSON has them: unpacked alike
        if shared is not None:
            references = _shared_references(references, shared)
        return cls(data["file"],
                   [(kind, ParsedDocument(body, line, DocumentLines(lines, index), index), valid)
                    for kind, body, line, index, valid in data["documents"]],
                   [Diagnostic(file, line, message, hint, Level(level), element)
                    for file, line, message, hint, level, element in data["diagnostics"]],
                   PackedExtras(packed_extras, data.get("extras", ())),
                   references)


def _shared_references(references: dict[str, list[list[str]]], shared: dict[str, str]
                       ) -> dict[str, list[list[str]]]:
    """A file's references, each [field, id] pair's texts made those of ``shared`` (in place: new pairs cost
    twice the time). On a model of one element per file the references are a third of what the parses hold:
    277,000 pairs in 77,000 small files, each of two texts of its own, most of them field names and ids that
    many other pairs hold too (a cold check's peak 960 → 909 MiB, medians of 6)."""
    share = shared.setdefault
    for found in references.values():
        for pair in found:
            pair[0] = share(pair[0], pair[0])
            pair[1] = share(pair[1], pair[1])
    return references


class PackedExtras(Mapping[str, str]):
    """Extras as the cache stores them (``pack_extras``), unpacked on each use and not kept: a re-check that
    needs no full graph never pays for decoding every file's triples, and a full one holds them only while
    loading them."""

    __slots__ = ("_keys", "_packed")

    def __init__(self, packed: bytes, keys: Iterable[str]) -> None:
        self._packed = packed
        self._keys = tuple(keys) if packed else ()  # none packed: a parse reused without its extras

    def __getitem__(self, key: str) -> str:
        return str(self.encoded(key), "utf-8", "surrogatepass")

    def encoded(self, key: str) -> bytes | memoryview:
        """The value of ``key`` as UTF-8, as stored (what a store loads without decoding it first): a view into
        the bytes unpacked, not a copy of it (the store copies it into its next batch)."""
        if key not in self._keys:
            raise KeyError(key)
        if len(self._keys) == 1 and not self._packed.startswith(PARTS):
            value = only_value(decompress(self._packed), key.encode("utf-8", "surrogatepass"))
            if value is not None:
                return value
        return _unpack(self._packed)[key]

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def extra_bytes(extras: Mapping[str, str], key: str) -> bytes | memoryview:
    """One extra as UTF-8: as packed, when it comes from the cache."""
    if isinstance(extras, PackedExtras):
        return extras.encoded(key)
    return extras[key].encode("utf-8", "surrogatepass")


def pack_extras(extras: Mapping[str, str]) -> bytes:
    """Each value's UTF-8 after its key, framed and compressed: the values are large text (a file's triples) that
    a JSON encoding would only have to escape and unescape again."""
    if not extras:
        return b""
    if len(extras) == 1:
        ((key, value),) = extras.items()
        return compress(framed_pair(key.encode("utf-8", "surrogatepass"), value.encode("utf-8", "surrogatepass")))
    return compress(framed(part for key, value in extras.items()
                           for part in (key.encode("utf-8", "surrogatepass"), value.encode("utf-8", "surrogatepass"))))


def _unpack(packed: bytes) -> dict[str, bytes | memoryview]:
    if packed.startswith(PARTS):  # a file parsed in pieces: each piece's extras, joined
        pieces = [_unpack(part) for part in parts_extras(packed)]
        return {key: b"".join(piece[key] for piece in pieces) for key in pieces[0]}
    parts = unframed_views(decompress(packed))
    return {str(name, "utf-8", "surrogatepass"): value for name, value in zip(parts[0::2], parts[1::2], strict=True)}
