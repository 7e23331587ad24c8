"""Parse YAML text into plain data plus a map of source lines, refusing what a model must not contain.

PyYAML's C composer builds the node tree (fast, and it keeps line marks); this module turns nodes into
plain Python values itself so that it can

* record the line of every field (``lifecycle.status``, ``steps[1].next[0]``) in a side table,
* reject duplicate keys (PyYAML silently keeps the last one),
* refuse anchors and aliases (an alias bomb must neither hang nor exhaust memory),
* keep dates as the ISO text the user wrote (``2026-02-30`` is then a clear schema error, not a crash).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import yaml

from archrepo.errors import DiagnosticSink, excerpt
from archrepo.model.yamlrapid import parse_rapid
from archrepo.model.yamltags import PLAIN_BOOLEANS as _PLAIN_BOOLEANS
from archrepo.model.yamltags import STR as _STR
from archrepo.model.yamltags import TEXT as _TEXT
from archrepo.model.yamltags import UNUSUAL, UnknownTag, plain_value, silent_value, tag_of

__all__ = ["DocumentLines", "ParsedDocument", "decode_source", "field_lines", "parse_documents"]

try:  # the C loader is ~7x faster; the pure-Python one is a fallback on unusual platforms
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader


class _Loader(_Base):
    """The safe loader with a leaner tag resolver: model files use no path resolvers, and resolving runs once
    per scalar (the largest Python cost of composing)."""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return tag_of(value) if implicit[0] else _STR  # a plain scalar's tag depends on its text alone
        return _SEQ if kind is yaml.SequenceNode else _MAP

_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
# an anchor (&name) or alias (*name): the mark at the start of a line or after a space or [{,:-, then a non-space
_ANCHOR_MARK = re.compile(r"[&*]\S")
_BEFORE_ANCHOR = re.compile(r"[\s\[{,:-]")


@dataclass(slots=True)
class ParsedDocument:
    """One YAML document of a file: its data, the line it starts on, and the line of each field. Read-only by
    convention, not frozen: one is made for every document in the parsing workers and again from the cache, and a
    frozen dataclass took 1.8 against 0.5 µs to make (0.2 s of CPU for 77,000 documents, made twice)."""

    data: Any
    line: int
    lines: Mapping[str, int]  # path -> line; parsed again on first use for a file read from the cache
    index: int
    # (path, line, text) of every boolean written as a YAML 1.1 word (yes, no, on, off, y, n): a `NO` may
    # have meant the country code; the loader judges where that is an error
    booleans: tuple[tuple[str, int, str], ...] = ()

    def line_of(self, path: str) -> int:
        """The line of ``path`` (``a.b``, ``a[0]``), else of its nearest recorded parent, else the document."""
        while path:
            found = self.lines.get(path)
            if found is not None:
                return found
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return self.line


class _Refused(Exception):
    """Raised inside the node walk when the document uses something a model may not."""

    def __init__(self, line: int, message: str, hint: str) -> None:
        super().__init__(message)
        self.line, self.message, self.hint = line, message, hint


def decode_source(raw: bytes, file: str, sink: DiagnosticSink) -> str | None:
    """Bytes of a model file as text, without a leading byte order mark; ``None`` (with a diagnostic) for binary
    or non-UTF-8 files. (The mark is cut here and the rest decoded as UTF-8: the ``utf-8-sig`` codec is written
    in Python, three times the cost for a small file, and counts a bad byte's offset from after the mark.)"""
    if b"\x00" in raw:
        sink.error(file, 1, "this is a binary file, not YAML text",
                   "Keep only YAML model files under the model paths, or move this file elsewhere.")
        return None
    body = _without_mark(raw)
    try:
        return str(body, "utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + len(raw) - len(body)
        line = raw.count(b"\n", 0, offset) + 1
        sink.error(file, line, f"the file is not valid UTF-8 (byte 0x{raw[offset]:02x} at offset {offset})",
                   "Save the file as UTF-8 (most editors: 'Save with encoding' → UTF-8).")
        return None


_BOM = b"\xef\xbb\xbf"


def _without_mark(raw: bytes) -> bytes:
    """``raw`` without a leading byte order mark: what ``decode_source`` decodes."""
    return raw[len(_BOM):] if raw.startswith(_BOM) else raw


def parse_documents(text: str, file: str, sink: DiagnosticSink, *, lines: bool = False,
                    rapid: bool = False, raw: bytes | None = None) -> list[ParsedDocument]:
    """Every non-empty document of ``text``; problems go to ``sink`` with file and line. The line of each field
    is found when first asked for, by parsing ``text`` again (only a message about a field needs one), or now
    with ``lines``. ``rapid``: read by rapidyaml when it can vouch for the same documents (``yamlrapid``; its
    caller has standard error closed). ``raw``: the bytes ``decode_source`` made ``text`` of, which rapidyaml
    then reads as they are instead of the text encoded again."""
    if rapid and not lines:
        found = parse_rapid(text, None if raw is None else _without_mark(raw))
        if found is not None:
            later = _TextLines(text)
            return [ParsedDocument(data, line, DocumentLines(later, index), index) for data, line, index in found]
    return _parse(text, file, sink, lazy=not lines)


def _parse(text: str, file: str, sink: DiagnosticSink, *, lazy: bool) -> list[ParsedDocument]:
    anchors = _may_hold_anchors(text)
    if anchors and _report_anchors(text, file, sink):
        return []
    documents: list[ParsedDocument] = []
    later: _TextLines | None = None
    try:
        for index, node in enumerate(_compose_all(text)):
            if node is None:
                continue
            lines: Mapping[str, int]
            booleans: list[tuple[str, int, str]] = []
            try:
                data = _plain(node) if lazy and not anchors else _UNUSUAL
                if data is _UNUSUAL:  # something to report or record on the way (with its path and line)
                    lines = {}
                    data = _convert(node, "", lines, set(), booleans)
                else:
                    later = later or _TextLines(text)
                    lines = DocumentLines(later, index)
            except _Refused as refused:
                sink.error(file, refused.line, refused.message, refused.hint)
                continue
            if data is None:
                continue
            documents.append(ParsedDocument(data, node.start_mark.line + 1, lines, index, tuple(booleans)))
    except yaml.MarkedYAMLError as exc:
        line, message, hint = _explain_yaml_error(exc, text)
        sink.error(file, line, message, hint)
    except yaml.YAMLError as exc:  # errors without a mark are rare (reader errors on odd characters)
        sink.error(file, 1, f"YAML error: {excerpt(str(exc), 160)}",
                   "Check the file for characters YAML does not accept.")
    return documents


def _may_hold_anchors(text: str) -> bool:
    """Whether ``text`` may use an anchor or alias (then the event stream says for sure). One regular expression
    with the context in front of the mark scanned every character of every file (a tenth of a parse); searching
    for the mark alone and looking at the character before it costs nothing on files without one."""
    if "&" not in text and "*" not in text:
        return False
    for found in _ANCHOR_MARK.finditer(text):
        start = found.start()
        if start == 0 or _BEFORE_ANCHOR.match(text, start - 1):
            return True
    return False


def _compose_all(text: str) -> Iterator[yaml.Node | None]:
    loader = _Loader(text)
    try:
        while loader.check_node():
            yield loader.get_node()
    finally:
        loader.dispose()


def _convert(node: yaml.Node, path: str, lines: dict[str, int], seen: set[int],
             booleans: list[tuple[str, int, str]]) -> Any:
    key = id(node)
    if key in seen:
        raise _Refused(node.start_mark.line + 1, "YAML aliases (*name) are not supported in model files",
                       "Write the value out in full where it is used; anchors and aliases hide what a "
                       "reviewer sees and can blow up into huge documents.")
    seen.add(key)
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP:
            raise _custom_tag(node)
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(key_node.start_mark.line + 1, "a mapping key must be a plain name",
                               "Use simple names as keys, for example `owner:`.")
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused(key_node.start_mark.line + 1, "YAML merge keys (<<) are not supported",
                               "Write the fields out in full.")
            name = key_node.value
            line = key_node.start_mark.line + 1
            if name in result:
                raise _Refused(line, f"duplicate key '{excerpt(name, 40)}' (first defined on line {first_line[name]})",
                               "YAML keeps only the last value of a repeated key; remove one of them.")
            first_line[name] = line
            child = f"{path}.{name}" if path else name
            lines[child] = line
            result[name] = _convert(value_node, child, lines, seen, booleans)
        return result
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            raise _custom_tag(node)
        items = []
        for position, item in enumerate(node.value):
            child = f"{path}[{position}]"
            lines[child] = item.start_mark.line + 1
            if item.__class__ is yaml.ScalarNode and item.end_mark.line != item.start_mark.line:
                refused = _over_indented_item(item)
                if refused is not None:
                    raise refused
            items.append(_convert(item, child, lines, seen, booleans))
        return items
    assert isinstance(node, yaml.ScalarNode)
    value = _scalar(node)
    if (value is True or value is False) and node.value not in _PLAIN_BOOLEANS:  # identity tests: the cheap part
        booleans.append((path, node.start_mark.line + 1, node.value))
    return value


_UNUSUAL: Any = UNUSUAL  # what _plain returns for a node _convert must walk (it reports or records something)


def _plain(node: yaml.Node) -> Any:
    """The value of a node tree that holds nothing to report or record: only plain keys, each once, standard
    tags, no boolean written as a YAML 1.1 word, no list item run onto a `- ` line, and (the caller checked
    the text) no alias. Anything else: ``_UNUSUAL``, and ``_convert`` walks the tree with paths and lines. No
    field lines are kept: only a message needs them, and they are found again then (``_TextLines``)."""
    cls = node.__class__
    if cls is yaml.ScalarNode:  # (the test for text first: it is most scalars, and needs no call)
        return node.value if node.tag in _TEXT else silent_value(node.tag, node.value)
    if cls is yaml.MappingNode:
        if node.tag != _MAP:
            return _UNUSUAL
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not yaml.ScalarNode or key_node.tag == "tag:yaml.org,2002:merge":
                return _UNUSUAL
            name = key_node.value
            if name in result:
                return _UNUSUAL
            value = _plain(value_node)
            if value is _UNUSUAL:
                return _UNUSUAL
            result[name] = value
        return result
    if cls is yaml.SequenceNode:
        if node.tag != _SEQ:
            return _UNUSUAL
        items = []
        for item in node.value:
            if item.__class__ is yaml.ScalarNode and item.end_mark.line != item.start_mark.line \
                    and _over_indented_item(item) is not None:
                return _UNUSUAL
            value = _plain(item)
            if value is _UNUSUAL:
                return _UNUSUAL
            items.append(value)
        return items
    return _UNUSUAL


class _TextLines:
    """The field lines of every document of a text, found by parsing it again, with lines, on first use."""

    def __init__(self, text: str) -> None:
        self._text: str | None = text
        self._lines: dict[int, Mapping[str, int]] = {}

    def of(self, index: int) -> Mapping[str, int]:
        if self._text is not None:
            self._lines, self._text = field_lines(self._text), None
        return self._lines.get(index, {})


def field_lines(text: str) -> dict[int, Mapping[str, int]]:
    """The line of every field of each document of ``text``, by the document's index (the text parsed again,
    its problems already known)."""
    return {document.index: document.lines for document in parse_documents(text, "", DiagnosticSink(), lines=True)}


class _Lines(Protocol):
    def of(self, index: int) -> Mapping[str, int]: ...


class DocumentLines(Mapping[str, int]):
    """One document's field lines (``ParsedDocument.lines``), found when first asked for: by parsing its text
    again, or the bytes of a file read from the cache (``archrepo.model.sources.SourceLines``)."""

    __slots__ = ("_index", "_source")  # one per document: 77,000 at 10,000 applications in small files

    def __init__(self, source: _Lines, index: int) -> None:
        self._source = source
        self._index = index

    def __getitem__(self, path: str) -> int:
        return self._source.of(self._index)[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._source.of(self._index))

    def __len__(self) -> int:
        return len(self._source.of(self._index))


def _scalar(node: yaml.ScalarNode) -> Any:
    try:
        return plain_value(node.tag, node.value)
    except UnknownTag:
        raise _custom_tag(node) from None


def _custom_tag(node: yaml.Node) -> _Refused:
    return _Refused(node.start_mark.line + 1, f"YAML tag '{node.tag}' is not supported in model files",
                    "Remove the `!tag`; model values are plain strings, numbers, booleans, lists and mappings.")


def _report_anchors(text: str, file: str, sink: DiagnosticSink) -> bool:
    """Find anchors and aliases from the event stream (cheap: nothing is expanded)."""
    found = False
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                what = f"YAML alias '*{event.anchor}'"
            elif getattr(event, "anchor", None):
                what = f"YAML anchor '&{getattr(event, 'anchor', '')}'"
            else:
                continue
            line = event.start_mark.line + 1 if event.start_mark else 1
            sink.error(file, line, f"{what} is not supported in model files",
                       "Write the value out in full where it is used; anchors and aliases hide what a "
                       "reviewer sees and can blow up into huge documents.")
            found = True
            break  # one is enough to refuse the file; a bomb has thousands
    except yaml.YAMLError:
        return False  # the normal parse reports the syntax error with its location
    return found


def _explain_yaml_error(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, str, str]:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    problem = exc.problem or "invalid YAML"
    if mark is not None and "\t" in (text.splitlines()[mark.line] if mark.line < len(text.splitlines()) else "") \
            and ("\\t" in problem or "tab" in problem or "cannot start any token" in problem):
        return line, "tab character used for indentation", "YAML indents with spaces only: replace tabs by spaces."
    context = f" {exc.context}" if exc.context else ""
    if context and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
        context += f" (line {exc.context_mark.line + 1})"
    message = f"YAML syntax error:{context}; {problem}" if context else f"YAML syntax error: {problem}"
    hint = "Check indentation and punctuation on this line and the one before it; quote values containing ': ' or '#'."
    misplaced = _misplaced_list_item(text.splitlines(), mark.line) if mark is not None else None
    if misplaced is not None:
        hint = misplaced
    elif "mapping values are not allowed" in problem:
        hint = "A value contains ': '. Quote the whole value, e.g. name: \"Lab: results\"."
    elif "found character '\\t'" in problem:
        hint = "YAML indents with spaces only: replace tabs by spaces."
    return line, message, hint


def _misplaced_list_item(lines: list[str], index: int) -> str | None:
    """The hint for a list item (``- ``) indented differently from the items above it (the line of a syntax
    error, or the line after it), or None when that is not what happened."""
    for number in (index, index + 1):
        if number >= len(lines) or not lines[number].lstrip().startswith("-"):
            continue
        column = len(lines[number]) - len(lines[number].lstrip())
        for above in range(number - 1, -1, -1):
            stripped = lines[above].lstrip()
            if stripped.startswith("- ") or stripped == "-":
                other = len(lines[above]) - len(stripped)
                if other != column:
                    return (f"The list item on line {number + 1} is indented {column} spaces, the one on line "
                            f"{above + 1} {other}: indent every `- ` of a list the same.")
                break
    return None


def _over_indented_item(item: yaml.ScalarNode) -> _Refused | None:
    """A plain list item that runs onto a line starting with `- `: an item indented further than the one above
    it, which YAML silently reads as the rest of that item's text."""
    if not item.style and "- " in item.value:  # plain (the C parser says "", the Python one None)
        return _Refused(item.start_mark.line + 2, f"this list item is indented further than the one above it, so "
                        f"YAML reads both as one text: '{item.value}'",
                        "Indent every `- ` of a list the same (or quote the text if it is meant to span lines).")
    return None
