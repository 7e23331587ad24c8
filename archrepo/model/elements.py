"""The loaded model: elements by id, and a side table of where each one (and each field) was written."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from archrepo.errors import Diagnostic
from archrepo.model.yamlsource import ParsedDocument

__all__ = [
    "CLASSIFICATION_ORDER",
    "CRITICALITY_ORDER",
    "KINDS",
    "Element",
    "Location",
    "Model",
    "SourceMap",
    "effective_status",
]

KINDS: tuple[str, ...] = ("Organisation", "Capability", "Application", "DataObject", "Integration", "Process",
                          "Technology")
CLASSIFICATION_ORDER: dict[str, int] = {"open": 0, "internal": 1, "confidential": 2, "sensitive": 3}
CRITICALITY_ORDER: dict[str, int] = {"low": 0, "medium": 1, "high": 2, "critical": 3}


class Location(NamedTuple):
    """A place in a model file: path relative to the repository root (POSIX separators), 1-based line.
    (Named tuples, like ``Element``: immutable, and several times cheaper to make than frozen dataclasses,
    which counts for the tens of thousands of elements a model is loaded into on every run.)"""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class Element(NamedTuple):
    """One model element. ``data`` is the document as written (minus nothing), dates as ISO text."""

    kind: str
    id: str
    data: dict[str, Any]
    location: Location

    @property
    def name(self) -> str:
        return str(self.data.get("name") or self.id)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


@dataclass
class SourceMap:
    """Where every element and field was written; model data stays free of position keys."""

    _documents: dict[str, tuple[str, ParsedDocument]] = field(default_factory=dict)

    def add(self, element_id: str, file: str, document: ParsedDocument) -> None:
        self._documents[element_id] = (file, document)

    def discard(self, element_id: str) -> None:
        """Forget an element (an editor's model loses the elements of a file as it is edited)."""
        self._documents.pop(element_id, None)

    def location(self, element_id: str, path: str = "") -> Location | None:
        """The location of ``element_id``, or of one of its fields (``lifecycle.status``, ``steps[2].next[0]``)."""
        entry = self._documents.get(element_id)
        if entry is None:
            return None
        file, document = entry
        return Location(file, document.line_of(path) if path else document.line)

    def document(self, element_id: str) -> ParsedDocument | None:
        entry = self._documents.get(element_id)
        return entry[1] if entry else None


@dataclass
class Model:
    """A valid model: every id unique, every reference resolved to an element of the right kind."""

    root: Path
    elements: dict[str, Element]
    source_map: SourceMap
    files: list[str]
    warnings: list[Diagnostic] = field(default_factory=list)
    # element id -> (field, referenced id) of its references, as found while validating
    references: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.elements)

    def __iter__(self) -> Iterator[Element]:
        return iter(self.elements.values())

    def __contains__(self, element_id: object) -> bool:
        return element_id in self.elements

    def get(self, element_id: str) -> Element | None:
        return self.elements.get(element_id)

    @cached_property
    def _by_kind(self) -> dict[str, list[Element]]:
        grouped: dict[str, list[Element]] = {kind: [] for kind in KINDS}
        for element in sorted(self.elements.values(), key=lambda e: e.id):
            grouped[element.kind].append(element)
        return grouped

    def of_kind(self, kind: str) -> list[Element]:
        """Elements of one kind, sorted by id."""
        return self._by_kind.get(kind, [])

    def counts(self) -> dict[str, int]:
        return {kind: len(self.of_kind(kind)) for kind in KINDS}


def effective_status(application: Element, as_of: _dt.date) -> str:
    """An application's lifecycle status as of a date: one whose ``retire`` date has passed is retired."""
    lifecycle = application.data.get("lifecycle") or {}
    status = str(lifecycle.get("status", "active"))
    retire = lifecycle.get("retire")
    if retire and status != "retired" and _dt.date.fromisoformat(retire) <= as_of:
        return "retired"
    return status
