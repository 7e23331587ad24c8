"""What ``archrepo fmt`` works on: where it hangs comments: the keys and list items of a document being formatted.

:mod:`archrepo.formatting.render` reads them from the text and writes the comments back on them after the keys
have moved; :mod:`archrepo.formatting.lifecycle` re-homes them when a key moves into or out of a mapping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from archrepo.errors import ArchrepoError
from archrepo.formatting.layout import SourceComment

__all__ = ["Anchor", "Document", "FormatError"]


class FormatError(ArchrepoError):
    """A file that ``archrepo fmt`` does not rewrite: it does not parse, or formatting would change it."""


@dataclass(eq=False)
class Anchor:
    """A key of a block mapping or an item of a block list: where comments can hang."""

    line: int
    column: int  # input column of the key, or of the item's dash
    depth: int
    container: Any
    key: Any
    indent: int  # output column of the key, or of the item's dash
    shift: int  # output column minus input column of what starts the line
    item: bool
    parent: Anchor | None
    pre: list[str] = field(default_factory=list)  # comment lines above it ('' for a blank line)
    closing: list[str] = field(default_factory=list)  # comment lines at the end of its value's block
    eol: SourceComment | None = None

    @property
    def value(self) -> Any:
        return self.container[self.key]


@dataclass(eq=False)
class Document:
    """One YAML document being formatted: its ruamel node, its anchors, and the comments around it."""

    node: Any
    segment: int
    anchors: list[Anchor] = field(default_factory=list)
    leading: list[str] = field(default_factory=list)
    trailing: list[str] = field(default_factory=list)
    separator_comment: str | None = None
