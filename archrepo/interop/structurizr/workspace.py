"""The Structurizr workspace being mapped: its elements (with where each sits) and relationships, and the
archrepo documents made of them so far."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from archrepo.interop.report import ImportReport
from archrepo.interop.slug import IdAllocator, property_key
from archrepo.interop.writer import KIND_DIRS

__all__ = ["Node", "Workspace", "element_properties", "tags_of"]

_DEFAULT_TAGS = {"element", "software system", "container", "component", "person", "relationship",
                 "deployment node", "infrastructure node", "software system instance", "container instance"}


@dataclass
class Node:
    """An element of the workspace: its id, type, JSON object, and the system, container and deployment node
    it sits in (itself for a system or container)."""

    id: str
    type: str
    data: dict[str, Any]
    system: str | None
    container: str | None
    parent: str | None = None  # the deployment node it sits in


@dataclass
class Workspace:
    """The workspace being mapped: its elements and relationships, and what was made of them."""

    model: dict[str, Any]
    report: ImportReport
    allocator: IdAllocator
    containers: bool
    standards: tuple[str, ...]
    nodes: dict[str, Node] = field(default_factory=dict)
    relationships: list[dict[str, Any]] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)  # Structurizr id → archrepo id
    used: set[str] = field(default_factory=set)  # relationships deployment made something of
    documents: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, document: dict[str, Any]) -> None:
        self.documents[f"{KIND_DIRS[document['kind']]}.yaml"].append(document)

    def document(self, structurizr_id: str) -> dict[str, Any] | None:
        element_id = self.ids.get(structurizr_id)
        for documents in self.documents.values():
            for document in documents:
                if document["id"] == element_id:
                    return document
        return None


def tags_of(data: dict[str, Any]) -> list[str]:
    """The tags written on an element, without Structurizr's default ones."""
    written = data.get("tags")
    return [t.strip() for t in (written.split(",") if isinstance(written, str) else [])
            if t.strip() and t.strip().lower() not in _DEFAULT_TAGS]


def element_properties(node: Node) -> dict[str, Any]:
    """The Structurizr id, technology, url and group, and the element's own properties."""
    data = node.data
    properties: dict[str, Any] = {"structurizr_id": node.id}
    for key in ("technology", "url", "group", "environment"):
        if isinstance(data.get(key), str) and data[key].strip():
            properties[f"structurizr_{key}"] = data[key].strip()
    extra = data.get("properties")
    for key, value in (extra.items() if isinstance(extra, dict) else ()):
        properties.setdefault(property_key(str(key)), value if isinstance(value, str | int | float | bool)
                              else str(value))
    return properties
