"""Rewrite one YAML text in canonical order and style with ruamel.yaml, carrying every comment along.

ruamel.yaml keeps comments, but hangs a comment line on whatever token came before it (often the last
scalar of the previous key's nested value), so they would travel with the wrong key when keys move.
Instead, this module removes ruamel's comments, reads where each comment is from the text itself
(:mod:`archrepo.formatting.layout`) and hangs it on the key or list item it belongs to:

* an end-of-line comment belongs to the innermost key or item on its line (on a continuation line of a
  multi-line value: to the key or item that value belongs to);
* a comment line (and a blank line) belongs to the next key or item below it, in the same document,
  and moves with it; at the top of a document, what lies above the last blank line is the document's
  header and stays on top; comment lines after the last key stay at the end of the document;
* a comment on a ``---`` line stays on that line; one after a block scalar's ``|`` or ``>`` stays there.

Then the keys are reordered (:mod:`archrepo.formatting.order`) and each document is dumped with
2-space indentation, list items indented under their key, the user's quoting and flow style, and every
plain scalar that is not a string (numbers, booleans, nulls, dates) written exactly as the user wrote it.
"""

from __future__ import annotations

import io
import sys
from bisect import bisect_right
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import Comment, CommentedMap, CommentedSeq, comment_attrib
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from archrepo.formatting.anchors import Anchor, Document, FormatError
from archrepo.formatting.layout import SourceComment, SourceLayout, scan_layout
from archrepo.formatting.lifecycle import reshape_lifecycle
from archrepo.formatting.order import reorder_document

__all__ = ["FormatError", "render"]

_RAW_TAGS = ("bool", "int", "float", "null", "timestamp")


class _RawScalar:
    """A plain non-string scalar kept as the text the user wrote (``2016-03-01``, ``0755``, ``~``, ``yes``)."""

    __slots__ = ("tag", "text")

    def __init__(self, tag: Any, text: str) -> None:
        self.tag, self.text = tag, text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _RawScalar) and (str(self.tag), self.text) == (str(other.tag), other.text)

    def __hash__(self) -> int:
        return hash((str(self.tag), self.text))


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that never interprets plain scalars: no invalid date can crash it."""


class _Representer(RoundTripRepresenter):
    """Round-trip representer that writes :class:`_RawScalar` back as it was read."""


def _construct_raw(constructor: Any, node: Any) -> _RawScalar:
    return _RawScalar(node.tag, node.value)


def _represent_raw(representer: Any, data: _RawScalar) -> Any:
    return representer.represent_scalar(str(data.tag), data.text)


for _name in _RAW_TAGS:  # on the subclasses only: ruamel's own classes stay untouched
    _Constructor.add_constructor(f"tag:yaml.org,2002:{_name}", _construct_raw)
_Representer.add_representer(_RawScalar, _represent_raw)


def _new_yaml() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.Constructor = _Constructor
    yaml.Representer = _Representer
    yaml.preserve_quotes = True
    yaml.width = sys.maxsize  # never wrap a line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def render(text: str, file: str) -> str:
    """``text`` (newlines ``\\n``, already accepted by the loader) in canonical order and style."""
    try:
        layout = scan_layout(text)
        nodes = list(_new_yaml().load_all(text))
    except (YAMLError, ValueError) as exc:
        raise FormatError(f"fmt's YAML round-trip reader (ruamel.yaml) cannot read this file: {exc}", file=file,
                          line=getattr(getattr(exc, "problem_mark", None), "line", 0) + 1,
                          hint="The file is left as it is; simplify the construct named here.") from None
    if layout.has_directives:
        raise FormatError("YAML directives (%YAML, %TAG) are not supported by fmt", file=file, line=1,
                          hint="Remove the directive; model files are plain YAML.")
    documents = _documents(nodes, layout, file)
    if not documents:
        return text
    _place_comments(documents, layout, file)
    for document in documents:
        reshape_lifecycle(document, file)
        reorder_document(document.node)
        _settle_first_children(document)
        _apply_comments(document)
    return _assemble(documents, file)


def _documents(nodes: list[Any], layout: SourceLayout, file: str) -> list[Document]:
    documents: dict[int, Document] = {}
    for node in nodes:
        if node is None or (isinstance(node, _RawScalar) and str(node.tag).endswith(":null")):
            continue  # an empty document
        if not isinstance(node, CommentedMap | CommentedSeq) or node.fa.flow_style():
            raise FormatError("fmt formats documents that are block mappings (elements) or block lists; "
                              "this document is not", file=file, line=_line(node),
                              hint="Write the element as `key: value` lines.")
        segment = bisect_right(layout.separators, node.lc.line)
        if segment in documents:
            raise FormatError("two documents without a `---` line between them", file=file, line=node.lc.line + 1,
                              hint="Separate documents with a line `---`.")
        document = Document(node, segment)
        _clear_comments(node)
        _collect_anchors(node, 0, 2 if isinstance(node, CommentedSeq) else 0, None, document.anchors)
        document.anchors.sort(key=lambda a: (a.line, a.depth))
        documents[segment] = document
    return [documents[s] for s in sorted(documents)]


def _line(node: Any) -> int:
    lc = getattr(node, "lc", None)
    return (lc.line + 1) if lc is not None and lc.line is not None else 1


def _clear_comments(node: Any) -> None:
    if isinstance(node, CommentedMap | CommentedSeq):
        setattr(node, comment_attrib, Comment())
        for value in node.values() if isinstance(node, CommentedMap) else node:
            _clear_comments(value)


def _is_block(node: Any) -> bool:
    return isinstance(node, CommentedMap | CommentedSeq) and not node.fa.flow_style() and len(node) > 0


def _collect_anchors(node: Any, depth: int, column: int, parent: Anchor | None, anchors: list[Anchor]) -> None:
    """Anchors of a block collection whose keys (or dashes) go to output ``column``."""
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            line, input_column = node.lc.key(key)
            anchor = Anchor(line, input_column, depth, node, key, column, column - input_column, False, parent)
            anchors.append(anchor)
            if _is_block(value):
                _collect_anchors(value, depth + 1, column + 2, anchor, anchors)
    else:
        for index, value in enumerate(node):
            line, input_column = node.lc.item(index)  # where the item's value starts, after "- "
            anchor = Anchor(line, input_column - 2, depth, node, index, column, column + 2 - input_column, True,
                             parent)
            anchors.append(anchor)
            if _is_block(value):
                _collect_anchors(value, depth + 1, column + 2, anchor, anchors)


def _place_comments(documents: list[Document], layout: SourceLayout, file: str) -> None:
    by_segment = {document.segment: document for document in documents}
    entries: list[tuple[int, SourceComment | None]] = [(c.line, c) for c in layout.comments]
    entries += [(line, None) for line in layout.blank_lines]
    orphans: list[tuple[int, str]] = []
    blank: tuple[Document, int] | None = None  # a blank line waiting to go where the next comment line goes
    for line, comment in sorted(entries, key=lambda entry: entry[0]):
        segment = bisect_right(layout.separators, line)
        document = by_segment.get(segment)
        if blank is not None and (blank[0] is not document or _anchor_between(blank[0], blank[1], line)
                                  or (comment is not None and comment.end_of_line)):
            _destination(*blank, 0).append("")
            blank = None
        if document is None:
            orphans.append((segment, comment.text if comment is not None else ""))
        elif comment is None:
            blank = blank or (document, line)
        elif comment.end_of_line and segment > 0 and layout.separators[segment - 1] == line:
            document.separator_comment = comment.text
        elif comment.end_of_line:
            _place_end_of_line(document, comment, file)
        else:
            target = _destination(document, line, comment.column)
            if blank is not None:
                target.append("")
                blank = None
            target.append(comment.text)
    if blank is not None:
        _destination(*blank, 0).append("")
    for segment, text in orphans:  # comments of empty documents: to the next document, else the previous one
        following = [d for d in documents if d.segment > segment]
        if following:
            following[0].leading.append(text)
        else:
            documents[-1].trailing.append(text)
    for document in documents:
        if document.separator_comment and document is documents[0]:
            document.leading.append(document.separator_comment)
            document.separator_comment = None
        first = document.anchors[0]
        if "" in first.pre:  # above the last blank line: the document's header
            cut = len(first.pre) - first.pre[::-1].index("")
            document.leading += first.pre[:cut]
            first.pre = first.pre[cut:]


def _anchor_between(document: Document, first: int, last: int) -> bool:
    return any(first < anchor.line < last for anchor in document.anchors)


def _destination(document: Document, line: int, column: int) -> list[str]:
    """Where a comment line belongs: above the next key or item, or at the end of the block it is indented into."""
    following = next((a for a in document.anchors if a.line > line), None)
    previous = [a for a in document.anchors if a.line < line]
    sibling = previous[-1] if previous else None
    while sibling is not None and sibling.column > column:  # the innermost block the comment is indented into
        sibling = sibling.parent
    if sibling is not None and sibling.parent is not None and (following is None
                                                               or sibling.column > following.column):
        return sibling.parent.closing
    if following is not None:
        return following.pre  # anchors are sorted by (line, depth): the outermost one of the next line
    return document.trailing


def _place_end_of_line(document: Document, comment: SourceComment, file: str) -> None:
    before = [a for a in document.anchors if a.line <= comment.line]
    if not before:
        raise FormatError("fmt cannot keep this comment in place", file=file, line=comment.line + 1,
                          hint="Move the comment onto a line of its own.")
    on_line = [a for a in before if a.line == comment.line]
    anchor = max(on_line, key=lambda a: a.depth) if on_line else before[-1]
    if anchor.eol is not None:
        raise FormatError("fmt cannot keep a comment inside a value that spans several lines", file=file,
                          line=comment.line + 1, hint="Move the comment onto a line of its own, above the key.")
    anchor.eol = comment


def _settle_first_children(document: Document) -> None:
    """Comments above what is now the first key or item: to the document's top, or before the list dash."""
    for anchor in sorted(document.anchors, key=lambda a: -a.depth):
        first = next(iter(anchor.container)) if isinstance(anchor.container, CommentedMap) else 0
        if anchor.key != first or not anchor.pre:
            continue
        if anchor.parent is None:
            document.leading += anchor.pre
        elif anchor.parent.item and not anchor.item:
            anchor.parent.pre += anchor.pre
        else:
            anchor.pre = _collapse(anchor.pre, strip_start=True)
            continue
        anchor.pre = []


def _collapse(lines: list[str], *, strip_start: bool = False, strip_end: bool = False) -> list[str]:
    """No two blank lines in a row; none at the start or end when asked."""
    result: list[str] = []
    for line in lines:
        if not line and ((not result and strip_start) or (result and not result[-1])):
            continue
        result.append(line)
    while strip_end and result and not result[-1]:
        result.pop()
    return result


def _apply_comments(document: Document) -> None:
    anchors = {(id(a.container), a.key): a for a in document.anchors}
    after: dict[int, list[str]] = {}  # id(anchor) -> lines after it: inner blocks' closing lines first
    for anchor in sorted(document.anchors, key=lambda a: -a.depth):
        if anchor.closing:
            leaf = _last_leaf(anchor, anchors)
            indent = " " * (anchor.indent + 2)
            after.setdefault(id(leaf), []).extend(f"{indent}{text}" if text else "" for text in
                                                  _collapse(anchor.closing, strip_end=True))
    for anchor in document.anchors:
        pre = _collapse(anchor.pre)
        if not pre and anchor.eol is None and id(anchor) not in after:
            continue
        pre_tokens = [CommentToken(f"{text}\n", CommentMark(anchor.indent)) for text in pre] or None
        eol_token = _end_of_line_token(anchor, after.get(id(anchor), []))
        if anchor.item:
            anchor.container.ca.items[anchor.key] = [eol_token, pre_tokens]
        else:  # a block scalar keeps the comment after its `|` or `>` here
            header = getattr(anchor.value, "comment", None)
            anchor.container.ca.items[anchor.key] = [None, pre_tokens, eol_token, [header] if header else None]


def _last_leaf(anchor: Anchor, anchors: dict[tuple[int, Any], Anchor]) -> Anchor:
    """The anchor written last inside ``anchor``'s value (after reordering), or ``anchor`` itself."""
    while _is_block(anchor.value):
        value = anchor.value
        anchor = anchors[(id(value), next(reversed(value)) if isinstance(value, CommentedMap) else len(value) - 1)]
    return anchor


def _end_of_line_token(anchor: Anchor, lines_after: list[str]) -> CommentToken | None:
    """ruamel's comment after a value: the end-of-line comment, then whole lines that follow it."""
    if anchor.eol is None and not lines_after:
        return None
    text, column = "", 0
    if anchor.eol is not None and anchor.eol.line == anchor.line:
        text, column = anchor.eol.text, anchor.eol.column + anchor.shift
    elif anchor.eol is not None:  # from a continuation line, now joined: two spaces after the value
        text = f" {anchor.eol.text}"
    value = "".join([text, *(f"\n{line}" for line in lines_after), "\n"])
    if isinstance(anchor.value, LiteralScalarString | FoldedScalarString) and not text:
        value = value[1:]  # a block scalar has already ended its last line
    return CommentToken(value, CommentMark(column))


def _assemble(documents: list[Document], file: str) -> str:
    parts: list[str] = []
    for index, document in enumerate(documents):
        if index:
            parts.append(f"--- {document.separator_comment}\n" if document.separator_comment else "---\n")
        leading = _collapse([line.strip() for line in document.leading], strip_start=True)
        parts += [f"{line}\n" for line in leading]
        parts.append(_dump(document.node, file))
        parts += [f"{line}\n" for line in _collapse(document.trailing, strip_end=True)]
    return "".join(parts)


def _dump(node: Any, file: str) -> str:
    stream = io.StringIO()
    try:
        _new_yaml().dump(node, stream)
    except Exception as exc:  # ruamel refuses a combination of comments it cannot write: leave the file alone
        raise FormatError(f"fmt cannot write this file back ({type(exc).__name__}: {exc})", file=file, line=1,
                          hint="The file is left as it is. Please report this as a bug in `archrepo fmt`.") from None
    body = stream.getvalue()
    if isinstance(node, CommentedMap):
        return body
    # ruamel indents a top-level list like a nested one; bring its dashes back to column 0
    return "".join(line[2:] if line.startswith("  ") else line for line in body.splitlines(keepends=True))
