"""Model files read through the cache: their bytes, read only when needed, and their field lines, found
again by parsing those bytes when an error message asks for one (the cache keeps no lines)."""

from __future__ import annotations

from collections.abc import Mapping

from archrepo.errors import DiagnosticSink
from archrepo.model.yamlsource import DocumentLines, decode_source, field_lines

__all__ = ["DocumentLines", "FileSource", "SourceLines"]


class FileSource:
    """A model file's bytes and their digest: read in this run, or, when the file's stat is the one recorded
    with that digest by an earlier run, read only if needed (and then checked against the digest)."""

    __slots__ = ("digest", "path", "raw", "relative")  # (one per file, as are SourceLines: slots make them light)

    def __init__(self, path: str, relative: str, raw: bytes | None, digest: str) -> None:
        self.path, self.relative, self.raw, self.digest = path, relative, raw, digest

    def read(self) -> bytes | None:
        """The bytes the digest is of; None if the file changed or went away since this run began."""
        if self.raw is not None:
            return self.raw
        from archrepo.model.cache import file_digest
        from archrepo.model.reading import Unreadable, read_regular

        try:
            raw = read_regular(self.path)
        except Unreadable:
            return None
        return raw if file_digest(raw) == self.digest else None


class SourceLines:
    """The field lines of a cached file's documents, found by parsing its bytes again on first use (none,
    so every line is the document's, if the file changed while this run went on)."""

    __slots__ = ("_file", "_lines", "_source")

    def __init__(self, source: FileSource, file: str) -> None:
        self._source: FileSource | None = source
        self._file = file
        self._lines: dict[int, Mapping[str, int]] = {}

    def of(self, index: int) -> Mapping[str, int]:
        if self._source is not None:
            raw = self._source.read()
            self._source = None
            if raw is not None:
                # the cached parse has the file's diagnostics already
                text = decode_source(raw, self._file, DiagnosticSink())
                self._lines = field_lines(text) if text is not None else {}
        return self._lines.get(index, {})
