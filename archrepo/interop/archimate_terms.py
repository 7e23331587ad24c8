"""The vocabulary shared by the ArchiMate exporter and importer: namespaces, property names, field encodings.

Every archrepo field that ArchiMate has no place for travels as a property named ``archrepo:<field path>``
(``archrepo:lifecycle.status``, ``archrepo:security.encrypted``); the archrepo id travels as
``archrepo:id``. Lists are written ``a, b`` (or as a JSON array when an item holds a comma), so that the
importer reads back exactly what the exporter wrote.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ARCHIMATE_NS",
    "ARCHREPO_ID",
    "ARCHREPO_JSON",
    "ARCHREPO_RELATION",
    "FIELDS",
    "LAYER_FOLDERS",
    "PREFIX",
    "XML_NS",
    "XSI_NS",
    "FieldSpec",
    "decode_list",
    "encode_list",
    "encode_value",
]

ARCHIMATE_NS = "http://www.opengroup.org/xsd/archimate/3.0/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_NS = "http://www.w3.org/XML/1998/namespace"

PREFIX = "archrepo:"
ARCHREPO_ID = "archrepo:id"
ARCHREPO_RELATION = "archrepo:relation"  # on relationships: which archrepo field (owner, master) they carry
ARCHREPO_EMPTY = "archrepo:empty"  # fields written as an empty mapping (security: {}), which have no property
EMPTY_FIELDS = ("security", "properties")
ARCHREPO_JSON = "archrepo:json:"  # an Application property whose value is not a string, number or boolean

# Slugs of the top-level folders ArchiMate tools create per layer; the importer does not turn them into files.
LAYER_FOLDERS = frozenset({"strategy", "business", "application", "technology", "technology-physical",
                           "physical", "motivation", "implementation-migration", "other", "relations",
                           "views", "diagrams"})


@dataclass(frozen=True)
class FieldSpec:
    """One archrepo field carried as a property: its path in the document, how it is encoded, and the
    other property names (lower-case slugs) that a file written by another tool may use for it."""

    path: str
    encoding: str  # string | date | boolean | list | ref | reflist
    values: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    nonempty: bool = False

    @property
    def property_name(self) -> str:
        return PREFIX + self.path

    @property
    def datatype(self) -> str:
        """The exchange format's propertyDefinition type."""
        return {"date": "date", "boolean": "boolean"}.get(self.encoding, "string")


_STATUS = ("planned", "active", "phase-out", "retired")
_CLASSIFICATION = ("open", "internal", "confidential", "sensitive")
FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "Organisation": (
        FieldSpec("type", "string", ("health-trust", "it-provider", "municipality", "gp", "national-authority",
                                     "vendor", "department"), ("type", "organisation-type", "organization-type")),
        FieldSpec("external", "boolean", (), ("external",)),
    ),
    "Capability": (),
    "Application": (
        FieldSpec("lifecycle.status", "string", _STATUS, ("lifecycle", "lifecycle-status", "status")),
        FieldSpec("lifecycle.since", "date", (), ("since", "lifecycle-since", "in-service-since")),
        FieldSpec("lifecycle.phase_out", "date", (), ("phase-out", "phase-out-date", "lifecycle-phase-out")),
        FieldSpec("lifecycle.retire", "date", (), ("retire", "retirement", "retire-date", "lifecycle-retire")),
        FieldSpec("criticality", "string", ("low", "medium", "high", "critical"), ("criticality",)),
        FieldSpec("classification", "string", _CLASSIFICATION, ("classification", "security-classification")),
        FieldSpec("roles", "list", ("core-system", "integration-platform", "national-component", "external-channel"),
                  ("roles", "role")),
        FieldSpec("vendor", "string", (), ("vendor", "supplier", "leverandor")),
        FieldSpec("hosting", "string", (), ("hosting",)),
        FieldSpec("tags", "list", (), ("tags",)),
    ),
    "DataObject": (
        FieldSpec("classification", "string", _CLASSIFICATION, ("classification", "security-classification")),
    ),
    "Integration": (
        FieldSpec("standard", "string", (), ("standard", "protocol", "technology"), nonempty=True),
        FieldSpec("via", "ref", (), ("via",)),
        FieldSpec("data", "reflist", (), ("data",)),
        FieldSpec("mode", "string", ("sync", "async", "batch"), ("mode",)),
        FieldSpec("initiator", "string", ("source", "target"), ("initiator", "initiated-by")),
        FieldSpec("status", "string", ("planned", "active", "retired"), ("status",)),
        FieldSpec("since", "date", (), ("since",)),
        FieldSpec("until", "date", (), ("until",)),
        FieldSpec("security.encrypted", "boolean", (), ("encrypted",)),
        FieldSpec("security.authentication", "string", ("none", "basic", "api-key", "oauth2", "helseid", "mtls"),
                  ("authentication",)),
    ),
    "Process": (),
}

_LIST_SAFE = re.compile(r"^[^,;\[\s](?:[^,;]*[^,;\s])?$")


def encode_list(items: list[Any]) -> str:
    """``a, b`` when that reads back exactly, else a JSON array."""
    if all(isinstance(item, str) and _LIST_SAFE.match(item) for item in items) and items:
        return ", ".join(items)
    return json.dumps(items, ensure_ascii=False)


def decode_list(text: str) -> list[Any]:
    """Inverse of :func:`encode_list`; also reads lists other tools wrote (``a,b`` or ``a; b``)."""
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            value = json.loads(stripped)
        except ValueError:
            value = None
        if isinstance(value, list):
            return value
    separator = "," if "," in stripped or ";" not in stripped else ";"
    return [part.strip() for part in stripped.split(separator) if part.strip()]


def encode_value(value: Any) -> tuple[str, str]:
    """(exchange datatype, text) of an Application property value of a scalar type."""
    if isinstance(value, bool):
        return "boolean", "true" if value else "false"
    if isinstance(value, int | float):
        return "number", repr(value)
    return "string", str(value)
