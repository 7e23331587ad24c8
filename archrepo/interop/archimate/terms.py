"""The vocabulary shared by the ArchiMate exporter and importer: namespaces, property names, field encodings,
and which ArchiMate element and relationship types stand for which archrepo kinds and references.

Every archrepo field that ArchiMate has no place for travels as a property named ``archrepo:<field path>``
(``archrepo:lifecycle.status``, ``archrepo:security.encrypted``); the archrepo id travels as
``archrepo:id``. Lists are written ``a, b`` (or as a JSON array when an item holds a comma), so that the
importer reads back exactly what the exporter wrote.

What a file from another tool holds beyond the archrepo fields is kept under the element's ``properties:``
in keys the exporter reads back (and does not write as properties): ``archimate_id`` (the element's
identifier), ``archimate_type`` (its element type, when not the usual one for the archrepo kind),
``archimate_relationships`` (the relationship type behind a reference, when not the usual one: ``parent:
Aggregation``, ``runs_on/lan: Association``) and, on a Process, ``archimate_steps`` (per step: identifier,
description, properties, how it is part of the process).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ARCHIMATE_ID",
    "ARCHIMATE_NS",
    "ARCHIMATE_RELATIONSHIPS",
    "ARCHIMATE_STEPS",
    "ARCHIMATE_TYPE",
    "ARCHREPO_ID",
    "ARCHREPO_JSON",
    "ARCHREPO_RELATION",
    "ELEMENT_KINDS",
    "FIELDS",
    "LAYER_FOLDERS",
    "PREFIX",
    "REFERENCE_DEFAULTS",
    "RELIES_ON",
    "TECHNOLOGY_TYPES",
    "XML_NS",
    "XSI_NS",
    "FieldSpec",
    "decode_list",
    "element_type",
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
ARCHREPO_JSON = "archrepo:json:"  # a property whose value is not a string, number or boolean

# Keys under `properties:` that carry what the exchange file held beyond the archrepo fields (module docstring).
ARCHIMATE_ID = "archimate_id"
ARCHIMATE_TYPE = "archimate_type"
ARCHIMATE_RELATIONSHIPS = "archimate_relationships"
ARCHIMATE_STEPS = "archimate_steps"

# ArchiMate element type → archrepo kind (BusinessProcess: a Process or one of its steps).
ELEMENT_KINDS: dict[str, str] = {
    "ApplicationComponent": "Application", "BusinessActor": "Organisation", "Capability": "Capability",
    "DataObject": "DataObject", "BusinessProcess": "Process",
    "Node": "Technology", "Device": "Technology", "SystemSoftware": "Technology", "TechnologyService": "Technology",
    "CommunicationNetwork": "Technology", "Artifact": "Technology"}
# The Technology `type` a technology element gets unless a property says otherwise (Artifact: none).
TECHNOLOGY_TYPES: dict[str, str | None] = {
    "Node": "platform", "Device": "device", "SystemSoftware": "software-product",
    "TechnologyService": "infrastructure-service", "CommunicationNetwork": "network", "Artifact": None}
_SYSTEM_SOFTWARE = {"database", "operating-system", "middleware", "runtime", "software-product"}

# A reference and the relationship type that stands for it unless `archimate_relationships` names another.
REFERENCE_DEFAULTS: dict[str, str] = {"parent": "Composition", "owner": "Association", "technologies": "Serving",
                                      "runs_on": "Serving", "supported_by": "Serving", "part_of": "Composition"}
# "X relies on Y" (technologies, runs_on): the end that relies, per relationship type. Serving, realization and
# assignment point from what is relied on to what relies on it; composition and aggregation from the whole
# (which relies on its parts) to the part; an association with a network is read as the other end using it.
RELIES_ON: dict[str, str] = {"Serving": "target", "Realization": "target", "Assignment": "target",
                             "Composition": "source", "Aggregation": "source", "Association": "source"}


def element_type(kind: str, document: dict[str, Any]) -> str:
    """The ArchiMate element type of an archrepo element: its ``archimate_type`` when the importer reads that
    type back as this kind (an Artifact for a Technology), else the usual one (a Technology by its ``type``)."""
    wanted = (document.get("properties") or {}).get(ARCHIMATE_TYPE)
    if isinstance(wanted, str) and ELEMENT_KINDS.get(wanted) == kind:
        return wanted
    if kind == "Technology":
        technology_type = document.get("type")
        if technology_type in _SYSTEM_SOFTWARE:
            return "SystemSoftware"
        usual = {value: key for key, value in TECHNOLOGY_TYPES.items() if value}
        return usual.get(str(technology_type), "Node")
    return {"Organisation": "BusinessActor", "Capability": "Capability", "Application": "ApplicationComponent",
            "DataObject": "DataObject", "Process": "BusinessProcess"}[kind]

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
_TAGS = FieldSpec("tags", "list", (), ("tags",))
_CLASSIFICATION = ("open", "internal", "confidential", "sensitive")
FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "Organisation": (
        FieldSpec("type", "string", ("health-trust", "it-provider", "municipality", "gp", "national-authority",
                                     "vendor", "department"), ("type", "organisation-type", "organization-type")),
        FieldSpec("external", "boolean", (), ("external",)),
        _TAGS,
    ),
    "Capability": (_TAGS,),
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
        _TAGS,
    ),
    "DataObject": (
        FieldSpec("classification", "string", _CLASSIFICATION, ("classification", "security-classification")),
        _TAGS,
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
        _TAGS,
    ),
    "Process": (_TAGS,),
    "Technology": (
        FieldSpec("vendor", "string", (), ("vendor", "supplier", "leverandor", "manufacturer", "manufacture")),
        FieldSpec("version", "string", (), ("version", "release")),
        FieldSpec("type", "string", ("database", "operating-system", "middleware", "runtime", "platform",
                                     "infrastructure-service", "network", "device", "software-product"),
                  ("type", "technology-type")),
        FieldSpec("end_of_support", "date", (), ("end-of-support", "end-of-support-date", "eos", "support-end",
                                                 "end-of-standard-support", "end-of-mainstream-support")),
        FieldSpec("end_of_life", "date", (), ("end-of-life", "end-of-life-date", "eol", "end-of-extended-support")),
        FieldSpec("ring", "string", ("adopt", "trial", "assess", "hold"), ("ring", "radar-ring", "tech-radar")),
        FieldSpec("ring_since", "date", (), ("ring-since",)),
        _TAGS,
    ),
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
