"""Where each page of the site lives, and the small value objects pages are made of (format-independent)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from archrepo.plainrepr import plain_repr

__all__ = [
    "KIND_DIRS",
    "KIND_LABELS",
    "KIND_ORDER",
    "Field",
    "Item",
    "Page",
    "Section",
    "element_path",
    "list_path",
    "principle_path",
    "rule_path",
]

# One directory per kind, so that every element page links to every other as ../kind/id.
KIND_DIRS: dict[str, str] = {
    "Application": "applications",
    "Process": "processes",
    "Integration": "integrations",
    "DataObject": "data",
    "Organisation": "organisations",
    "Capability": "capabilities",
    "Technology": "technologies",
    "Principle": "principles",
    "Rule": "rules",
}
KIND_LABELS: dict[str, tuple[str, str]] = {  # singular, plural
    "Application": ("Application", "Applications"),
    "Process": ("Process", "Processes"),
    "Integration": ("Integration", "Integrations"),
    "DataObject": ("Data object", "Data objects"),
    "Organisation": ("Organisation", "Organisations"),
    "Capability": ("Capability", "Capabilities"),
    "Technology": ("Technology", "Technologies"),
    "Principle": ("Principle", "Principles"),
    "Rule": ("Rule", "Rules"),
}
KIND_ORDER: tuple[str, ...] = tuple(KIND_DIRS)


# Ids have no length limit, file names do (255 bytes on most file systems, less once the extension and a
# temporary name for the atomic write are added): a longer id gets its first characters and a digest.
_NAME_LIMIT = 120
_KEPT = 100


def element_path(kind: str, element_id: str) -> str:
    """The page of an element, relative to the site root and without extension (``applications/dips-arena``).
    An element called ``index`` gets ``_index`` (no id starts with ``_``), so as not to replace the list page.
    An id over 120 characters gets its first 100, ``~`` and a digest of the whole id (no id holds ``~``, so it
    is never another element's name)."""
    name = f"_{element_id}" if element_id.lower() == "index" else element_id
    if len(name.encode("utf-8")) > _NAME_LIMIT:
        digest = hashlib.blake2b(element_id.encode("utf-8"), digest_size=8).hexdigest()
        name = f"{name[:_KEPT]}~{digest}"
    return f"{KIND_DIRS[kind]}/{name}"


def principle_path(principle_id: str) -> str:
    return element_path("Principle", principle_id)


def rule_path(rule_id: str) -> str:
    return element_path("Rule", rule_id)


def list_path(kind: str) -> str:
    return f"{KIND_DIRS[kind]}/index"


@plain_repr
@dataclass(frozen=True)
class Item:
    """One value on a page: text, optionally a link to another page (``path``, site-relative, no extension)
    with an ``anchor``, a ``badge`` (a CSS class suffix: ``error``, ``active``, …) and a quieter ``note``."""

    text: str
    path: str | None = None
    anchor: str = ""
    badge: str | None = None
    note: str = ""
    code: bool = False


@plain_repr
@dataclass(frozen=True)
class Field:
    """A row of an element's field table: a label and one or more values."""

    label: str
    items: tuple[Item, ...]


@plain_repr
@dataclass(frozen=True)
class Section:
    """A part of a page. ``kind`` says which of the other attributes it uses:
    ``table`` (columns, rows of cells, each cell a tuple of items), ``list`` (items), ``text`` (paragraphs),
    ``code`` (text, shown verbatim), ``diagram`` (a key into the rendered diagrams) or ``fields``."""

    title: str
    anchor: str
    kind: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[tuple[Item, ...], ...], ...] = ()
    items: tuple[Item, ...] = ()
    text: tuple[str, ...] = ()
    fields: tuple[Field, ...] = ()
    diagram: str | None = None
    language: str = ""
    empty: str = "None."
    note: str = ""
    counted: bool = True  # show the number of rows beside the title
    css: str = ""  # an extra class for the table


@plain_repr
@dataclass
class Page:
    """One page of the site, whichever format it is written in."""

    path: str  # site-relative, without extension: "index", "applications/dips-arena"
    title: str
    kind: str  # "index", "list", "Application", …, "Principle", "Rule", "violations"
    subtitle: str = ""
    summary: str = ""
    badges: tuple[Item, ...] = ()
    sections: list[Section] = field(default_factory=list)
    id: str = ""  # the id of the element, principle or rule the page is about (its file name may be shortened)

    @property
    def depth(self) -> int:
        return self.path.count("/")

    @property
    def root(self) -> str:
        """The relative way back to the site root from this page."""
        return "../" * self.depth
