"""The concepts of an exchange file being written: elements and relationships with unique XML identifiers."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from archrepo.interop.archimate.terms import ARCHREPO_JSON, encode_value

__all__ = ["Concept", "ConceptSet", "properties_of", "recorded_type"]

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

    def free(self, identifier: str) -> bool:
        """Whether ``identifier`` is not taken yet."""
        return identifier not in self._used

    def add_element(self, concept: Concept) -> str:
        """Add an element whose identifier came from :meth:`unique`."""
        self.elements.append(concept)
        return concept.identifier

    def add_relationship(self, concept: Concept) -> str:
        """Add a relationship whose identifier came from :meth:`unique` (an integration)."""
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


def properties_of(properties: Any, skip: tuple[str, ...] = ()) -> list[tuple[str, str, str]]:
    """(name, exchange datatype, value) for the entries of a ``properties:`` mapping (``skip``: keys the
    exporter turned into something else); values that are not text, numbers or booleans as JSON."""
    found: list[tuple[str, str, str]] = []
    for key, value in (properties.items() if isinstance(properties, dict) else ()):
        if key in skip:
            continue
        if isinstance(value, str | bool | int | float):
            datatype, text = encode_value(value)
            found.append((str(key), datatype, text))
        else:
            found.append((ARCHREPO_JSON + str(key), "string", json.dumps(value, ensure_ascii=False, sort_keys=True)))
    return found


def recorded_type(recorded: Any, key: str, allowed: tuple[str, ...]) -> str:
    """The relationship type an import recorded for ``key`` in an ``archimate_relationships`` mapping, if it is
    one of ``allowed``; else the usual one, the first of ``allowed``."""
    wanted = recorded.get(key) if isinstance(recorded, dict) else None
    return wanted if wanted in allowed else allowed[0]
