"""``archrepo fmt`` rewrites a lifecycle spelled the other kind's way into the contract's spelling.

An Application's top-level ``status:``/``since:``/``phase_out:``/``retire:`` move under ``lifecycle:`` (a flow
mapping, as the examples write it, or the block mapping already there); an Integration's ``lifecycle:``
mapping is flattened into ``status:``/``since:``/``until:``. Values keep their style; the comments on the moved
keys move with them (onto ``lifecycle:`` when the keys go into a flow mapping, where no comment can stand).
What the rewrite means is :func:`archrepo.model.lifecycle.contract_shape`, which the guard compares against.
"""

from __future__ import annotations

from dataclasses import replace

from ruamel.yaml.comments import CommentedMap

from archrepo.formatting.anchors import Anchor, Document, FormatError
from archrepo.model.lifecycle import CrossSpelling, cross_spelling

__all__ = ["reshape_lifecycle"]


def reshape_lifecycle(document: Document, file: str) -> None:
    """Rewrite the document's cross-spelled lifecycle in place (node and anchors); FormatError when it cannot
    be rewritten as it stands (a key given twice, a key with no equivalent)."""
    node = document.node
    spelling = cross_spelling(node) if isinstance(node, CommentedMap) else None
    if spelling is None:
        return
    top = {anchor.key: anchor for anchor in document.anchors if anchor.container is node}
    if spelling.problem is not None:
        line = top[spelling.written[0]].line + 1 if spelling.written[0] in top else 1
        raise FormatError(f"fmt cannot rewrite this {spelling.kind}'s lifecycle: {spelling.problem}", file=file,
                          line=line, hint="Resolve it by hand; `archrepo validate` shows the spelling to use.")
    if spelling.kind == "Application":
        _into_mapping(document, spelling, top)
    else:
        _flatten(document, spelling, top)
    document.anchors.sort(key=lambda a: (a.line, a.depth))


def _into_mapping(document: Document, spelling: CrossSpelling, top: dict[object, Anchor]) -> None:
    node = document.node
    moved = [top[key] for key in spelling.written]
    renamed = {written: key for written, key, _ in spelling.moves}
    existing = node.get("lifecycle")
    if existing is None:
        mapping = CommentedMap()
        mapping.fa.set_flow_style()
        for _, key, value in spelling.moves:
            mapping[key] = value
        position = list(node).index(spelling.written[0])
        for key in spelling.written:
            del node[key]
        node.insert(position, "lifecycle", mapping)
        first = moved[0]
        owner = Anchor(first.line, first.column, 0, node, "lifecycle", first.indent, first.shift, False, None)
        document.anchors.append(owner)
        _hand_over(moved, owner)
    else:
        owner = top["lifecycle"]
        for written in spelling.written:
            existing[renamed[written]] = node.pop(written)
        if existing.fa.flow_style():
            _hand_over(moved, owner)
        else:  # a block mapping: each key keeps its own comments, one level down
            for anchor in moved:
                _rehome(anchor, existing, renamed[anchor.key], owner.depth + 1, owner.indent + 2, owner)
            return
    document.anchors[:] = [anchor for anchor in document.anchors if anchor not in moved]


def _flatten(document: Document, spelling: CrossSpelling, top: dict[object, Anchor]) -> None:
    node = document.node
    owner = top["lifecycle"]
    nested = node["lifecycle"]
    inner = {anchor.key: anchor for anchor in document.anchors if anchor.container is nested}
    position = list(node).index("lifecycle")
    del node["lifecycle"]
    placed: list[Anchor] = []
    for offset, (written, key, value) in enumerate(spelling.moves):
        node.insert(position + offset, key, value)
        anchor = inner.get(written)
        if anchor is None:  # a flow mapping: the keys are new lines at the place of `lifecycle:`
            anchor = Anchor(owner.line, owner.column, owner.depth, node, key, owner.indent, owner.shift, False, None)
            document.anchors.append(anchor)
        else:
            _rehome(anchor, node, key, owner.depth, owner.indent, None)
        placed.append(anchor)
    document.anchors.remove(owner)
    if placed:  # `lifecycle:`'s own comments go to the first key that replaces it
        first = placed[0]
        first.pre = owner.pre + owner.closing + first.pre
        if owner.eol is not None and first.eol is None:
            first.eol = owner.eol
        elif owner.eol is not None:
            first.pre.append(owner.eol.text)


def _rehome(anchor: Anchor, container: CommentedMap, key: str, depth: int, indent: int,
            parent: Anchor | None) -> None:
    """The anchor of a key that moved to another mapping (and maybe another name): its end-of-line comment
    keeps its distance from the value."""
    renamed = len(key) - len(str(anchor.key))
    anchor.container, anchor.key, anchor.depth, anchor.parent = container, key, depth, parent
    anchor.indent, anchor.shift = indent, indent - anchor.column + renamed


def _hand_over(moved: list[Anchor], owner: Anchor) -> None:
    """The comments of keys that went into a flow mapping, onto the key of that mapping."""
    for anchor in moved:
        owner.pre += anchor.pre + anchor.closing
        if anchor.eol is not None and owner.eol is None:
            # its old column may now lie inside the longer line: written like a joined line's comment instead,
            # two spaces after the value
            owner.eol = replace(anchor.eol, line=-1)
        elif anchor.eol is not None:
            owner.pre.append(anchor.eol.text)
