"""Columns for what the loader knows by line: the span of an id or key on a line, the word under the cursor,
the document and fields of a line. Computed from the text when asked (the loader records lines only, and
stays as fast as it is)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from lsprotocol import types

from archrepo.model.yamlsource import ParsedDocument

__all__ = ["document_at", "fields_on_line", "find_token", "line_range", "token_range", "word_at"]

_WORD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")


def _lines(text: str | None) -> list[str]:
    return text.splitlines() if text else []


def line_range(lines: Sequence[str], line: int) -> types.Range:
    """The written part of a 0-based line (no indentation, no trailing spaces)."""
    content = lines[line] if 0 <= line < len(lines) else ""
    start = len(content) - len(content.lstrip())
    return types.Range(types.Position(line, start), types.Position(line, max(start, len(content.rstrip()))))


def find_token(lines: Sequence[str], line: int, token: str) -> types.Range | None:
    """The span of ``token`` as a whole word on a 0-based line (its value rather than a key of the same
    name), or None."""
    content = lines[line] if 0 <= line < len(lines) else ""
    found = list(re.finditer(rf"(?<![\w-]){re.escape(token)}(?![\w-])", content))
    if not found:
        return None
    match = found[-1] if len(found) > 1 and content.lstrip().startswith(f"{token}:") else found[0]
    return types.Range(types.Position(line, match.start()), types.Position(line, match.end()))


def token_range(lines: Sequence[str], line: int, token: str | None) -> types.Range:
    """``find_token``, else the line's written part."""
    found = find_token(lines, line, token) if token else None
    return found if found is not None else line_range(lines, line)


def word_at(lines: Sequence[str], position: types.Position) -> tuple[str, types.Range] | None:
    """The id-like word under the cursor and its range."""
    if not 0 <= position.line < len(lines):
        return None
    content = lines[position.line]
    for match in _WORD.finditer(content):
        if match.start() <= position.character <= match.end():
            return match.group(), types.Range(types.Position(position.line, match.start()),
                                              types.Position(position.line, match.end()))
    return None


def document_at(documents: Sequence[ParsedDocument], line: int) -> ParsedDocument | None:
    """The document a 1-based line belongs to (the last one starting at or before it)."""
    found = None
    for document in sorted(documents, key=lambda d: d.line):
        if document.line <= line:
            found = document
    return found


def fields_on_line(document: ParsedDocument, line: int) -> list[str]:
    """The field paths written on a 1-based line (``data``, ``data[0]``, ``steps[1].next[0]``)."""
    return [path for path, found in document.lines.items() if found == line]
