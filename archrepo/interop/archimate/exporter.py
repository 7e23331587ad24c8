"""`archrepo export --format archimate`: the model as an ArchiMate 3.1 Open Exchange Format file.

Application → ApplicationComponent, Organisation → BusinessActor, Capability → Capability, DataObject →
DataObject, Technology → Node, Device, SystemSoftware, TechnologyService or CommunicationNetwork (by its
``type``), Process → BusinessProcess with one BusinessProcess per step (a step with the process's own id and
name that stands alone is the process element itself), Integration → Flow from source to target (the
data direction). References become relationships: parent → composition, owner → association named
"owns" (assignment for a process), capabilities → realization, technologies and runs_on → serving from the
technology, master → write access, supported_by → serving, next → triggering. What an import recorded
under ``properties:`` (``archimate_id``, ``archimate_type``, ``archimate_relationships``, ``archimate_steps``)
restores the identifiers, element and relationship types of the original file; every other field travels
as an ``archrepo:…`` property and every other entry of ``properties:`` as a property of its own name, so that
``archrepo import archimate`` reads the same model back. One generated "Landscape" view shows the
applications and their integrations.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import PurePosixPath
from typing import Any

from archrepo.escaping import xml_tree
from archrepo.interop.archimate.concepts import Concept, ConceptSet, properties_of, recorded_type
from archrepo.interop.archimate.document import model_node
from archrepo.interop.archimate.steps_export import add_process_relationships, add_steps
from archrepo.interop.archimate.terms import (
    ARCHIMATE_ID,
    ARCHIMATE_RELATIONSHIPS,
    ARCHIMATE_STEPS,
    ARCHIMATE_TYPE,
    ARCHREPO_EMPTY,
    ARCHREPO_ID,
    EMPTY_FIELDS,
    FIELDS,
    RELIES_ON,
    element_type,
    encode_list,
)
from archrepo.interop.writer import KIND_DIRS
from archrepo.model.elements import Element, Model

__all__ = ["export_archimate", "relationship_type"]

_LAYERS = {"Capability": "Strategy", "Organisation": "Business", "Process": "Business",
           "Application": "Application", "DataObject": "Application", "Integration": "Relations",
           "Technology": "Technology"}
_ELEMENT_KINDS = ("Organisation", "Capability", "Application", "DataObject", "Process", "Technology")
_XML_ID = re.compile(r"[A-Za-z_][A-Za-z0-9._-]*")  # fullmatch: "$" would let a trailing newline through
_CONSUMED = (ARCHIMATE_TYPE, ARCHIMATE_RELATIONSHIPS, ARCHIMATE_STEPS)
_INTEGRATION_TYPES = ("Flow", "Serving", "Triggering")


def export_archimate(model: Model, *, name: str = "archrepo model") -> str:
    """The model as an exchange file (UTF-8 XML text) that validates against the ArchiMate 3.1 XSDs."""
    concepts = ConceptSet()
    ids: dict[str, str] = {}
    for kind in _ELEMENT_KINDS:
        for element in model.of_kind(kind):
            ids[element.id] = _add_element(concepts, element)
            if kind == "Process":
                add_steps(concepts, element, ids[element.id], _folder(element))
    for kind in ("Organisation", "Capability", "Application", "Technology", "DataObject", "Integration", "Process"):
        for element in model.of_kind(kind):
            _add_relationships(concepts, element, ids)
    root = model_node(concepts, name, f"Exported by archrepo: {len(model)} elements. Fields without an "
                                      "ArchiMate equivalent are properties named archrepo:…; "
                                      "`archrepo import archimate` reads them back.")
    xml_tree(root)  # model text may hold characters XML 1.0 cannot (ESC, BEL, …): never an ill-formed file
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _field_properties(element: Element, skip: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(property name, exchange datatype, value) for the id and every field ArchiMate has no place for."""
    found = [(ARCHREPO_ID, "string", element.id)]
    for spec in FIELDS.get(element.kind, ()):
        value: Any = element.data
        for part in spec.path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            continue
        if spec.encoding in ("list", "reflist"):
            text = encode_list(list(value))
        elif spec.encoding == "boolean":
            text = "true" if value else "false"
        else:
            text = str(value)
        found.append((spec.property_name, spec.datatype, text))
    empty = [name for name in EMPTY_FIELDS if element.data.get(name) == {}]
    if empty:
        found.append((ARCHREPO_EMPTY, "string", encode_list(empty)))
    return found + properties_of(element.data.get("properties"), skip)


def _folder(element: Element) -> tuple[str, ...]:
    """Layer folder, then the element's file path below its kind's directory (``Application/clinical/x``)."""
    parts = [p for p in PurePosixPath(element.location.file).with_suffix("").parts if p not in ("/", "", "..")]
    kind_dir = KIND_DIRS[element.kind]
    if kind_dir in parts:
        parts = parts[parts.index(kind_dir) + 1:]
    elif len(parts) > 1:
        parts = parts[1:]
    return (_LAYERS[element.kind], *parts)


def _identifier(concepts: ConceptSet, element: Element, preferred: str) -> tuple[str, bool]:
    """The element's identifier: its ``archimate_id`` when that is a valid one not yet taken (then True: the
    property need not be written), else one made from ``preferred``."""
    wanted = (element.data.get("properties") or {}).get(ARCHIMATE_ID)
    if isinstance(wanted, str) and _XML_ID.fullmatch(wanted) and concepts.free(wanted):
        return concepts.unique(wanted), True
    return concepts.unique(preferred), False


def _consumed(element: Element, used_identifier: bool) -> tuple[str, ...]:
    """The ``properties:`` keys the exporter turns into identifiers and types rather than properties."""
    data = element.data.get("properties") or {}
    consumed = [key for key in _CONSUMED if isinstance(data.get(key), dict if key != ARCHIMATE_TYPE else str)]
    if ARCHIMATE_TYPE in consumed and element.kind != "Integration" \
            and element_type(element.kind, element.data) != data[ARCHIMATE_TYPE]:
        consumed.remove(ARCHIMATE_TYPE)  # not a type this kind may take: kept as a property
    if element.kind == "Integration" and data.get(ARCHIMATE_TYPE) not in _INTEGRATION_TYPES \
            and ARCHIMATE_TYPE in consumed:
        consumed.remove(ARCHIMATE_TYPE)
    return (*consumed, ARCHIMATE_ID) if used_identifier else tuple(consumed)


def _add_element(concepts: ConceptSet, element: Element) -> str:
    identifier, used = _identifier(concepts, element, f"id-{element.id}")
    return concepts.add_element(Concept(identifier, element_type(element.kind, element.data), element.name,
                                        str(element.get("description") or ""),
                                        _field_properties(element, _consumed(element, used)), _folder(element)))


def relationship_type(data: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    """The relationship type behind the reference ``key`` of an element (``parent``, ``runs_on/lan``)."""
    return recorded_type((data.get("properties") or {}).get(ARCHIMATE_RELATIONSHIPS), key, allowed)


def _add_relationships(concepts: ConceptSet, element: Element, ids: dict[str, str]) -> None:
    data, own = element.data, ids.get(element.id, "")
    if element.kind in ("Organisation", "Capability") and data.get("parent") in ids:
        kind = relationship_type(data, "parent", ("Composition", "Aggregation"))
        concepts.relationship(kind, ids[data["parent"]], own)
    if element.kind in ("Application", "Technology") and data.get("owner") in ids:
        if relationship_type(data, "owner", ("Association", "Assignment")) == "Assignment":
            concepts.relationship("Assignment", ids[data["owner"]], own, relation="owner")
        else:
            concepts.relationship("Association", ids[data["owner"]], own, name="owns", relation="owner")
    if element.kind == "Application":
        for capability in data.get("capabilities") or []:
            if capability in ids:
                concepts.relationship("Realization", own, ids[capability])
    for field, allowed in (("technologies", ("Serving", "Realization", "Assignment")),
                           ("runs_on", ("Serving", "Realization", "Assignment", "Composition", "Aggregation",
                                        "Association"))):
        for other in data.get(field) or [] if element.kind in ("Application", "Technology") else []:
            if other in ids:
                kind = relationship_type(data, f"{field}/{other}", allowed)
                source, target = (ids[other], own) if RELIES_ON[kind] == "target" else (own, ids[other])
                concepts.relationship(kind, source, target)
    if element.kind == "DataObject" and data.get("master") in ids:
        concepts.relationship("Access", ids[data["master"]], own, name="master", relation="master",
                              access_type="Write")
    elif element.kind == "Integration" and data.get("source") in ids and data.get("target") in ids:
        _add_integration(concepts, element, ids)
    elif element.kind == "Process":
        add_process_relationships(concepts, element, ids)


def _add_integration(concepts: ConceptSet, element: Element, ids: dict[str, str]) -> None:
    data = element.data
    identifier, used = _identifier(concepts, element, f"id-{element.id}")
    recorded = (data.get("properties") or {}).get(ARCHIMATE_TYPE)
    kind = recorded if recorded in _INTEGRATION_TYPES else "Flow"
    concepts.add_relationship(Concept(identifier, kind, str(data.get("name") or ""),
                                      str(data.get("description") or ""),
                                      _field_properties(element, _consumed(element, used)), _folder(element),
                                      ids[data["source"]], ids[data["target"]]))
