"""The concepts of an exchange file being written: elements and relationships with unique XML identifiers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Concept", "ConceptSet"]

_NOT_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Concept:
    """An element or relationship of the exchange file (``source``/``target`` only for relationships)."""

    identifier: str
    type: str
    name: str
    documentation: str = ""
    properties: list[tuple[str, str, str]] = field(default_factory=list)  # (name, datatype, value)
    folder: tuple[str, ...] = ("Relations",)
    source: str = ""
    target: str = ""
    access_type: str = ""
    relation: str = ""  # archrepo:relation marker (owner, master)


@dataclass
class ConceptSet:
    """Collects concepts in a deterministic order and keeps every identifier unique (they are xs:ID values)."""

    elements: list[Concept] = field(default_factory=list)
    relationships: list[Concept] = field(default_factory=list)
    step_ids: dict[tuple[str, str], str] = field(default_factory=dict)
    _used: set[str] = field(default_factory=set)

    def unique(self, preferred: str) -> str:
        base = _NOT_NAME.sub("_", preferred)
        if not re.match(r"[A-Za-z_]", base):
            base = f"id-{base}"
        candidate, number = base, 1
        while candidate in self._used:
            number += 1
            candidate = f"{base}.{number}"
        self._used.add(candidate)
        return candidate

    def element(self, concept: Concept) -> str:
        concept.identifier = self.unique(concept.identifier)
        self.elements.append(concept)
        return concept.identifier

    def integration(self, concept: Concept) -> str:
        concept.identifier = self.unique(concept.identifier)
        self.relationships.append(concept)
        return concept.identifier

    def relationship(self, type_: str, source: str, target: str, *, name: str = "", relation: str = "",
                     access_type: str = "") -> str:
        identifier = self.unique(f"{type_.lower()}.{source}.{target}")
        self.relationships.append(Concept(identifier, type_, name, source=source, target=target,
                                          access_type=access_type, relation=relation))
        return identifier

    def property_definitions(self) -> dict[tuple[str, str], str]:
        """(name, datatype) → identifier of its propertyDefinition, sorted by name."""
        pairs = {(name, datatype) for concept in [*self.elements, *self.relationships]
                 for name, datatype, _ in concept.properties}
        pairs |= {("archrepo:relation", "string") for c in self.relationships if c.relation}
        definitions: dict[tuple[str, str], str] = {}
        for name, datatype in sorted(pairs):
            definitions[(name, datatype)] = self.unique(f"propdef.{name.replace(':', '.')}.{datatype}")
        return definitions
