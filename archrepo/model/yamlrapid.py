"""The documents of a YAML text read by rapidyaml, a C++ parser: the same values, start lines and indexes the
PyYAML node walk (``yamlsource``) gives, at about 60% of its cost, or ``None`` whenever that cannot be vouched for.

PyYAML stays the reference: it reads every text this path declines, reports every problem and finds the field
lines when a message needs them. This path only takes texts the walk reads without a word to say, and declines
rather than read a text otherwise:

* texts with anything the walk reports, records or refuses (tags, anchors, aliases, merge keys, duplicate keys,
  booleans written as YAML 1.1 words, a list item that may have run onto a ``- `` line), and texts rapidyaml
  fails on;
* texts where YAML 1.1 (PyYAML) and YAML 1.2 (rapidyaml) may differ, or where PyYAML refuses what rapidyaml
  takes: tabs, carriage returns, backslashes, characters PyYAML does not print or reads as line breaks, a token
  starting with an indicator (``&*!@`%?:,]}``), a block scalar header with more on its line, a flow collection
  that is not simple (on one line, not nested, no ``:`` in its items, nothing after it), directives, ``...``
  markers, content on a ``---`` line, a last line without a line break, keys longer than PyYAML's 1,024
  characters, documents that are a single value;
* a document rapidyaml counts or places otherwise than the text's ``---`` lines say.

rapidyaml writes the documents as JSON, which orjson reads; a walk then sees every value, and counts the nodes (a
mapping that lost a duplicate key to the decoder has fewer than rapidyaml's tree: declined). A plain scalar keeps
its text in the JSON but may read otherwise under YAML 1.1 (``NO``, ``~``, ``0x1F``, ``-.5`` written as ``-0.5``):
each such value is read again from its node in rapidyaml's tree, where quoting is known (``_Reading.settle``).
``tests/test_yamlrapid.py`` compares this path with the walk on every model file of the project, a generated model,
texts made to differ and texts mutated at random. rapidyaml prints its parse errors on standard error itself, so
only the parsing workers use this path, with their standard error closed around it (``quiet``).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson

from archrepo.model.yamltags import RESOLVING, TEXT, UNUSUAL, silent_value, tag_of

try:
    import ryml
    from ryml import _ryml
except ImportError:  # pragma: no cover - rapidyaml is a dependency; without it every text goes to PyYAML
    ryml = _ryml = None

__all__ = ["available", "parse_rapid", "quiet"]

_KEY_MAX = 1024  # PyYAML refuses a longer implicit key
# keys the JSON may not hold as written: the merge key, and what rapidyaml writes for `inf`, `-inf`, `nan` (and
# `.Inf`, `infinity` …); a value it writes so is read from the tree, but keys are not
_ODD_KEYS = frozenset({"<<", ".inf", "-.inf", "+.inf", ".nan"})
# the bytes this path takes: line feeds, printable ASCII but the backslash, and every byte of a multi-byte character
# (UTF-8 is valid: the text was decoded), whose few odd ones are looked for apart (_ODD)
_TAKEN_BYTES = bytes([10, *range(0x20, 0x5C), *range(0x5D, 0x7F), *range(0x80, 0x100)])
# each byte by its part in a token start: b (a space, a line break: what a token follows), i (an indicator PyYAML
# refuses, or rapidyaml reads otherwise, at a token's start: &*!@`%? and :]}), c (the comma, both: written as `ib`
# before the search, so that one search for `bi` finds every indicator or comma after a space, a line break or a
# comma), f (a flow collection's start), k (a block scalar's header), q (a quote), u (the first byte of a
# character that may be odd), . (any other)
_MARKS = bytes({**dict.fromkeys(range(0x100), ord(".")), **dict.fromkeys(b" \n", ord("b")),
                **dict.fromkeys(b"[{", ord("f")), **dict.fromkeys(b"&*!@`%?:]}", ord("i")), ord(","): ord("c"),
                **dict.fromkeys(b"|>", ord("k")), **dict.fromkeys(b"\"'", ord("q")),
                **dict.fromkeys(b"\xc2\xe2\xef", ord("u"))}.values())
# a quoted scalar with more than a comment, `:` or `,` after it on its line (rapidyaml reads `"a"  - "b"` as two
# list items); this also declines a quoted text that begins with a space, or prose ending a word with `'`
_AFTER_QUOTE = re.compile(rb"[\"'] +[^ :,\]}#\n]")
# a flow collection as this path takes it: on one line, not nested, of simple items (no `:` but a mapping's
# own), and nothing after it on its line but a comment; every `[` and `{` of a text must start one
_ITEM = rb"[ ]*(?:[\w.\-/+()\x80-\xff](?:[\w.\-/+() \x80-\xff]*[\w.\-/+()\x80-\xff])?|\"[^\"\n]*\"|'[^'\n]*')[ ]*"
_FLOW_END = rb"[ ]*(?:#[^\n]*)?(?:\n|$)"
# a `[` (_ODD_LIST) or a `{` (_ODD_MAP) that does not start such a collection: the first found by one search each
# (a search per bracket, each matched from Python, took 5% of a parsing worker's time on files of one element).
# Two searches, not one with both as branches: a pattern that starts with one literal byte is searched for that
# byte at C speed, and one of two branches tries the whole pattern at every position (4.6 against 1.7 µs a file)
_ODD_LIST = re.compile(rb"\[(?!(?:%s(?:,%s)*)?\]%s)" % (_ITEM, _ITEM, _FLOW_END))
_ODD_MAP = re.compile(rb"\{(?!(?:[ ]*[\w\-.]+:[ ]+%s(?:,[ ]*[\w\-.]+:[ ]+%s)*)?[ ]*\}%s)" % (_ITEM, _ITEM, _FLOW_END))
# a block scalar's header (`|`, `>-`, `|2` …) with anything after it on its line but a comment
_ODD_BLOCK = re.compile(rb"(?<=[ \n])[|>](?![-+]?[1-9]?[-+]?[ ]*(?:#[^\n]*)?\n)")
# characters PyYAML does not print or reads as a line break: the byte order mark, U+FFFE, U+FFFF, the line and
# paragraph separators; and (_C1) the control characters U+0080 to U+009F, NEL among them
_ODD = (b"\xef\xbb\xbf", b"\xef\xbf\xbe", b"\xef\xbf\xbf", b"\xe2\x80\xa8", b"\xe2\x80\xa9")
_C1 = re.compile(b"\xc2[\x80-\x9f]")


def available() -> bool:
    return ryml is not None


class _Decline(Exception):
    """The text goes to PyYAML."""


@contextmanager
def quiet() -> Iterator[bool]:
    """Standard error closed (pointed at the null device) for the block: rapidyaml prints every parse error
    there before it raises it. For a process of one thread (a parsing worker) only. The value: whether it is
    (without a null device to point it at, rapidyaml should not be used)."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        yield False
        return
    saved = os.dup(2)
    try:
        os.dup2(null, 2)
        yield True
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def parse_rapid(text: str, raw: bytes | None = None) -> list[tuple[Any, int, int]] | None:
    """(data, start line, index) of each non-empty document of ``text``, as the PyYAML walk reads them, or
    None when this path declines the text (see the module's docstring). ``raw``: ``text`` in UTF-8, if at hand."""
    if ryml is None:
        return None
    if raw is None:
        raw = text.encode("utf-8")
    if _declined(raw):
        return None
    this = _tree()
    try:
        _ryml.Tree_clear(this)
        _ryml.Tree_clear_arena(this)
        _ryml.parse_csubstr(raw, this)
        root = _ryml.Tree_root_id(this)
        stream = _ryml.Tree_is_stream(this, root)
        count = _ryml.Tree_num_children(this, root) if stream else 1
        starts = _starts(text, count)
        if starts is None:
            return None
        reading = _Reading()
        data = orjson.loads(_ryml.emit_json_malloc(this, root))
        documents = data if stream else [data]
        if len(documents) != count or reading.walk(data) != _ryml.Tree_size(this):
            return None  # (fewer nodes than the tree: a mapping lost a duplicate key, which the walk reports)
        if reading.found:
            reading.settle(this, root, data)
        found = []
        for index, (document, start) in enumerate(zip(documents, starts, strict=True)):
            if start is None:
                if document is not None:
                    return None
            elif document is not None:
                if not _placed(document, text, start[1]):
                    return None
                found.append((document, start[0], index))
        return found
    except (_Decline, ValueError, RecursionError):
        return None
    except Exception as exc:  # rapidyaml's own exceptions (a parse error; nesting too deep to write as JSON)
        if ryml is not None and isinstance(exc, ryml.ExceptionBasic):
            return None
        raise
    finally:
        if _ryml.Tree_capacity(this) > _TREE_KEPT:
            del _TREES.held  # (see _TREE_KEPT)


_TREES = threading.local()  # the tree each thread parses into, and its C++ object (see _tree)


# the most nodes a tree is kept for the next text with: clearing a tree takes time in proportion to the nodes it
# has room for, not to those the last text used (a tree grown to 4,096 nodes by one large file took 32 µs to
# clear for each small file after it, a new one 2.7 µs; one of 256 nodes 1.1 µs)
_TREE_KEPT = 256


def _tree() -> Any:
    """The C++ object of the one tree this thread parses into (cleared before each text). Its functions are
    called on that object directly: through ryml's Python classes, each call looks the object up by attribute
    and compares type names (SWIG's limited API), and a new tree per text is allocated and freed; 8.0 against
    5.3 µs a file of one element, 0.2 s of CPU for 77,000 files. (The thread holds the tree too: the object lives
    as long as it does.)"""
    held = getattr(_TREES, "held", None)
    if held is None:
        tree = ryml.Tree()
        held = _TREES.held = (tree, tree.this)
    return held[1]


def _declined(raw: bytes) -> bool:
    """Whether the text holds a character this path declines, or an indicator starting a token. (Bytes mapped
    by a table and searched: a regular expression over the text took a third of the path's time.)"""
    if raw.translate(None, _TAKEN_BYTES) or not raw.endswith(b"\n"):
        return True  # (a block scalar on the last line, with no line break after it: read otherwise)
    marks = raw.translate(_MARKS)
    if marks[:1] in (b"i", b"c") or b"bi" in marks.replace(b"c", b"ib"):
        return True
    if b"bk" in marks and _ODD_BLOCK.search(raw) is not None:
        return True
    if b"q" in marks and (b"\" " in raw or b"' " in raw) and _AFTER_QUOTE.search(raw) is not None:
        return True
    if b"f" in marks and _odd_flow(raw):
        return True
    return b"u" in marks and (any(odd in raw for odd in _ODD) or _C1.search(raw) is not None)


def _odd_flow(raw: bytes) -> bool:
    """Whether a `[` or `{` of the text does not start a flow collection this path takes."""
    return (b"[" in raw and _ODD_LIST.search(raw) is not None) or (b"{" in raw and _ODD_MAP.search(raw) is not None)


def _starts(text: str, count: int) -> list[tuple[int, int] | None] | None:
    """(line, offset) of the first token of each of the ``count`` documents by the text's ``---`` lines
    (None for a document of nothing), or None when the text's documents are not those ``count``."""
    if "\n..." in text or text.startswith("..."):
        return None
    markers = []
    at = 0 if text.startswith("---") else _marker(text, 0)
    while at != -1:
        end = text.find("\n", at)
        end = len(text) if end == -1 else end
        rest = text[at + 3:end]
        if rest[:1] not in ("", " ") or rest.strip(" ")[:1] not in ("", "#"):
            return None  # `---x` (a plain scalar, or worse), or content on the `---` line
        markers.append((at, end))
        at = _marker(text, end)
    # (where its content begins, where it ends, whether a `---` line opened it) of each part of the text
    parts = [(0, markers[0][0] if markers else len(text), False)] if not markers or markers[0][0] > 0 else []
    parts += [(end + 1, markers[k + 1][0] if k + 1 < len(markers) else len(text), True)
              for k, (_, end) in enumerate(markers)]
    starts: list[tuple[int, int] | None] = []
    line, counted = 1, 0
    for begin, end, opened in parts:
        offset = _first_content(text, begin, end)
        if offset is None:
            if opened:
                starts.append(None)  # a document of nothing; before the first `---`: no document
            continue
        line += text.count("\n", counted, offset)
        counted = offset
        starts.append((line, offset))
    return starts if len(starts) == count else None


def _marker(text: str, start: int) -> int:
    """The offset of the next line from ``start`` on that begins with ``---``, or -1."""
    found = text.find("\n---", start)
    return found if found == -1 else found + 1


def _first_content(text: str, begin: int, end: int) -> int | None:
    """The offset of the first character of the first line in [begin, end) that is neither blank nor a comment."""
    while begin < end:
        stop = text.find("\n", begin, end)
        stop = end if stop == -1 else stop
        line = text[begin:stop]
        stripped = line.lstrip(" ")
        if stripped and not stripped.startswith("#"):
            return begin + len(line) - len(stripped)
        begin = stop + 1
    return None


def _placed(data: Any, text: str, offset: int) -> bool:
    """Whether the document starts where the text's first token is: a mapping with its first key, a list with
    its first item. A document that is a single value is declined (the walk reports it with its own words)."""
    if data is None:
        return True
    if data.__class__ is dict:
        if not data:
            return text.startswith("{", offset)
        first = next(iter(data))
        return text.startswith(first, offset) or text.startswith(('"', "'", "{"), offset)
    if data.__class__ is list:
        return text.startswith(("-", "["), offset)
    return False


class _Reading:
    """What one text's documents hold that their JSON does not vouch for: the place (mapping and key, or list and
    position) of every text a plain scalar may have written otherwise under YAML 1.1 (``NO``, ``~``, ``0x1F``), of
    every number with a point or an exponent (rapidyaml may have written it otherwise than the text: `-.5` as
    `-0.5`), and of a list item run onto a `- ` line; ``settle`` reads them from the tree, where quoting is known."""

    def __init__(self) -> None:
        self.found: list[tuple[Any, Any]] = []

    def walk(self, data: Any) -> int:
        """Look at every value of ``data`` (the documents as orjson read them: the C decoder and a walk after it
        take half the time of the standard decoder calling hooks); return how many nodes it has, each container
        and each value, as the tree counts them. A key the JSON may not hold as written is declined."""
        if data.__class__ is not dict and data.__class__ is not list:
            return 1
        found = self.found
        stack = [data]
        count = 1
        while stack:
            container = stack.pop()
            count += len(container)
            if container.__class__ is dict:
                for key, value in container.items():
                    if len(key) > _KEY_MAX or key in _ODD_KEYS:
                        raise _Decline
                    kind = value.__class__
                    if kind is str:
                        if value[:1] in RESOLVING and tag_of(value) not in TEXT:
                            found.append((container, key))
                    elif kind is dict or kind is list:
                        stack.append(value)
                    elif kind is float:
                        found.append((container, key))
            else:
                for position, value in enumerate(container):
                    kind = value.__class__
                    if kind is str:
                        if "- " in value or (value[:1] in RESOLVING and tag_of(value) not in TEXT):
                            found.append((container, position))
                    elif kind is dict or kind is list:
                        stack.append(value)
                    elif kind is float:
                        found.append((container, position))
        return count

    def settle(self, this: Any, root: int, data: Any) -> None:
        """Each value found, read from its node in the tree (``this``, its C++ object), found by its path from the
        root. The containers are looked at only until the parent of each that holds a value found is known (a
        file's odd value is often near its end, which the walk's stack takes first)."""
        parents: dict[int, tuple[Any, Any]] = {}
        wanted = {id(container) for container, _ in self.found}
        wanted.discard(id(data))
        stack = [data]
        while wanted:
            container = stack.pop()
            for key, value in (container.items() if container.__class__ is dict else enumerate(container)):
                if value.__class__ is dict or value.__class__ is list:
                    parents[id(value)] = (container, key)
                    wanted.discard(id(value))
                    stack.append(value)
        nodes = {id(data): root}

        def node_of(container: Any) -> int:
            node = nodes.get(id(container))
            if node is None:
                parent, key = parents[id(container)]
                node = nodes[id(container)] = _child(this, node_of(parent), key)
            return node

        for container, key in self.found:
            container[key] = _scalar(this, _child(this, node_of(container), key), key.__class__ is int)


def _child(this: Any, node: int, key: str | int) -> int:
    child = _ryml.Tree_find_child(this, node, key) if key.__class__ is str else _ryml.Tree_child(this, node, key)
    if child == ryml.NONE:
        raise _Decline
    return child


def _scalar(this: Any, node: int, item: bool) -> Any:
    """The value of a scalar node as the walk reads it, quoting known; declines what the walk would not read
    silently (a boolean written as a YAML 1.1 word, a list item run onto a `- ` line, an unknown tag). The tree's
    functions are called on its C++ object (see ``_tree``)."""
    if (_ryml.Tree_has_val_tag(this, node) or _ryml.Tree_has_val_anchor(this, node) or _ryml.Tree_is_val_ref(this, node)
            or _ryml.Tree_is_container(this, node)):
        raise _Decline
    raw = _ryml.Tree_val(this, node)
    value = "" if raw is None else bytes(raw).decode("utf-8")
    if not _ryml.Tree_is_val_plain(this, node):
        return value
    if item and "- " in value:
        raise _Decline  # maybe an item run onto the line of the one above: the walk says
    result = silent_value(tag_of(value), value)
    if result is UNUSUAL:
        raise _Decline  # an unknown tag, or a boolean written as a YAML 1.1 word: the walk says
    return result

