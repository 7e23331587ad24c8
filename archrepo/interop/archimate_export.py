"""`archrepo export --format archimate`: the model as an ArchiMate 3.1 Open Exchange Format file.

Application → ApplicationComponent, Organisation → BusinessActor, Capability → Capability, DataObject →
DataObject, Process → BusinessProcess composing one BusinessProcess per step (triggering along ``next``),
Integration → Flow. References become relationships (owner: association named "owns" from the
organisation, or assignment to a process; parent: composition; capabilities: realization; master: write
access; supported_by: serving). Every other field travels as an ``archrepo:…`` property, so that
``archrepo import archimate`` reads the same model back. One generated "Landscape" view shows the
applications and their integrations.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from pathlib import PurePosixPath
from typing import Any

from archrepo.escaping import xml_tree
from archrepo.interop.archimate_concepts import Concept, ConceptSet
from archrepo.interop.archimate_terms import (
    ARCHIMATE_NS,
    ARCHREPO_EMPTY,
    ARCHREPO_ID,
    ARCHREPO_JSON,
    ARCHREPO_RELATION,
    EMPTY_FIELDS,
    FIELDS,
    XSI_NS,
    encode_list,
    encode_value,
)
from archrepo.interop.writer import KIND_DIRS
from archrepo.model.elements import Element, Model

__all__ = ["export_archimate"]

_ELEMENT_TYPES = {"Organisation": "BusinessActor", "Capability": "Capability", "Application": "ApplicationComponent",
                  "DataObject": "DataObject", "Process": "BusinessProcess"}
_LAYERS = {"Capability": "Strategy", "Organisation": "Business", "Process": "Business",
           "Application": "Application", "DataObject": "Application", "Integration": "Relations"}
_LAYER_ORDER = ("Strategy", "Business", "Application", "Relations", "Views")
_SCHEMA_LOCATION = "http://www.opengroup.org/xsd/archimate/3.1/archimate3_Diagram.xsd"
_XML_ID = re.compile(r"[A-Za-z_][A-Za-z0-9._-]*")  # fullmatch: "$" would let a trailing newline through
_NODE_W, _NODE_H, _GAP_X, _GAP_Y, _MARGIN = 160, 60, 40, 40, 20


def export_archimate(model: Model, *, name: str = "archrepo model") -> str:
    """The model as an exchange file (UTF-8 XML text) that validates against the ArchiMate 3.1 XSDs."""
    concepts = ConceptSet()
    element_ids: dict[str, str] = {}
    for kind in ("Organisation", "Capability", "Application", "DataObject", "Process"):
        for element in model.of_kind(kind):
            element_ids[element.id] = _add_element(concepts, element)
            if kind == "Process":
                _add_steps(concepts, element)
    for kind in ("Organisation", "Capability", "Application", "DataObject", "Integration", "Process"):
        for element in model.of_kind(kind):
            _add_relationships(concepts, element, element_ids)
    root = _model_node(concepts, name, model)
    xml_tree(root)  # model text may hold characters XML 1.0 cannot (ESC, BEL, …): never an ill-formed file
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _properties(element: Element) -> list[tuple[str, str, str]]:
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
    for key, value in (element.data.get("properties") or {}).items():
        if isinstance(value, str | bool | int | float):
            datatype, text = encode_value(value)
            found.append((str(key), datatype, text))
        else:
            found.append((ARCHREPO_JSON + str(key), "string", json.dumps(value, ensure_ascii=False, sort_keys=True)))
    return found


def _folder(element: Element) -> tuple[str, ...]:
    """Layer folder, then the element's file path below its kind's directory (``Application/clinical/x``)."""
    parts = [p for p in PurePosixPath(element.location.file).with_suffix("").parts if p not in ("/", "", "..")]
    kind_dir = KIND_DIRS[element.kind]
    if kind_dir in parts:
        parts = parts[parts.index(kind_dir) + 1:]
    elif len(parts) > 1:
        parts = parts[1:]
    return (_LAYERS[element.kind], *parts)


def _add_element(concepts: ConceptSet, element: Element) -> str:
    preferred = f"id-{element.id}"
    archimate_id = (element.data.get("properties") or {}).get("archimate_id")
    if element.kind == "Application" and isinstance(archimate_id, str) and _XML_ID.fullmatch(archimate_id):
        preferred = archimate_id
    return concepts.element(Concept(preferred, _ELEMENT_TYPES[element.kind], element.name,
                                    str(element.get("description") or ""), _properties(element), _folder(element)))


def _add_steps(concepts: ConceptSet, process: Element) -> None:
    for step in process.data.get("steps") or []:
        concepts.step_ids[(process.id, step["id"])] = concepts.element(Concept(
            f"id-{process.id}.{step['id']}", "BusinessProcess", str(step.get("name") or step["id"]), "",
            [(ARCHREPO_ID, "string", str(step["id"]))], _folder(process)))


def _add_relationships(concepts: ConceptSet, element: Element, ids: dict[str, str]) -> None:
    data, own = element.data, ids.get(element.id, "")
    if element.kind in ("Organisation", "Capability") and data.get("parent") in ids:
        concepts.relationship("Composition", ids[data["parent"]], own)
    elif element.kind == "Application":
        if data.get("owner") in ids:
            concepts.relationship("Association", ids[data["owner"]], own, name="owns", relation="owner")
        for capability in data.get("capabilities") or []:
            if capability in ids:
                concepts.relationship("Realization", own, ids[capability])
    elif element.kind == "DataObject" and data.get("master") in ids:
        concepts.relationship("Access", ids[data["master"]], own, name="master", relation="master",
                              access_type="Write")
    elif element.kind == "Integration" and data.get("source") in ids and data.get("target") in ids:
        concepts.integration(Concept(f"id-{element.id}", "Flow", str(data.get("name") or ""),
                                     str(data.get("description") or ""), _properties(element), _folder(element),
                                     ids[data["source"]], ids[data["target"]]))
    elif element.kind == "Process":
        _process_relationships(concepts, element, ids)


def _process_relationships(concepts: ConceptSet, process: Element, ids: dict[str, str]) -> None:
    data, own = process.data, ids[process.id]
    if data.get("owner") in ids:
        concepts.relationship("Assignment", ids[data["owner"]], own)
    if data.get("capability") in ids:
        concepts.relationship("Realization", own, ids[data["capability"]])
    steps = data.get("steps") or []
    for step in steps:
        concepts.relationship("Composition", own, concepts.step_ids[(process.id, step["id"])])
    for step in steps:
        for application in step.get("supported_by") or []:
            if application in ids:
                concepts.relationship("Serving", ids[application], concepts.step_ids[(process.id, step["id"])])
    for step in steps:
        for following in step.get("next") or []:
            if (process.id, following) in concepts.step_ids:
                concepts.relationship("Triggering", concepts.step_ids[(process.id, step["id"])],
                                      concepts.step_ids[(process.id, following)])


def _model_node(concepts: ConceptSet, name: str, model: Model) -> ET.Element:
    # Namespace declarations written as plain attributes: ElementTree cannot otherwise use a default
    # namespace together with unqualified attributes (identifier, source, …).
    root = ET.Element("model", {"xmlns": ARCHIMATE_NS, "xmlns:xsi": XSI_NS, "identifier": "archrepo-model",
                                "xsi:schemaLocation": f"{ARCHIMATE_NS} {_SCHEMA_LOCATION}"})
    ET.SubElement(root, _a("name")).text = name
    ET.SubElement(root, _a("documentation")).text = (
        f"Exported by archrepo: {len(model)} elements. Fields without an ArchiMate equivalent are properties "
        "named archrepo:…; `archrepo import archimate` reads them back.")
    definitions = concepts.property_definitions()
    if concepts.elements:
        elements = ET.SubElement(root, _a("elements"))
        for concept in concepts.elements:
            _concept_node(elements, "element", concept, definitions)
    if concepts.relationships:
        relationships = ET.SubElement(root, _a("relationships"))
        for concept in concepts.relationships:
            _concept_node(relationships, "relationship", concept, definitions)
    view_id, view_folder = concepts.unique("view.landscape"), ("Views",)
    _organizations(root, [*concepts.elements, *concepts.relationships], [(view_id, view_folder)])
    if definitions:
        node = ET.SubElement(root, _a("propertyDefinitions"))
        for (prop_name, datatype), identifier in definitions.items():
            definition = ET.SubElement(node, _a("propertyDefinition"), {"identifier": identifier, "type": datatype})
            ET.SubElement(definition, _a("name")).text = prop_name
    _landscape_view(root, view_id, concepts)
    return root


def _a(tag: str) -> str:
    """A tag of the exchange format (in the default namespace declared on the root)."""
    return tag


def _concept_node(parent: ET.Element, tag: str, concept: Concept, definitions: dict[tuple[str, str], str]) -> None:
    attributes = {"identifier": concept.identifier}
    if tag == "relationship":
        attributes.update(source=concept.source, target=concept.target)
        if concept.access_type:
            attributes["accessType"] = concept.access_type
    attributes["xsi:type"] = concept.type
    node = ET.SubElement(parent, _a(tag), attributes)
    if concept.name:
        ET.SubElement(node, _a("name")).text = concept.name
    if concept.documentation:
        ET.SubElement(node, _a("documentation")).text = concept.documentation
    properties = list(concept.properties)
    if concept.relation:
        properties.append((ARCHREPO_RELATION, "string", concept.relation))
    if properties:
        holder = ET.SubElement(node, _a("properties"))
        for prop_name, datatype, value in properties:
            prop = ET.SubElement(holder, _a("property"), {"propertyDefinitionRef": definitions[(prop_name, datatype)]})
            ET.SubElement(prop, _a("value")).text = value


def _organizations(root: ET.Element, concepts: list[Concept], extra: list[tuple[str, tuple[str, ...]]]) -> None:
    tree: dict[str, Any] = {}
    for identifier, folder in [(c.identifier, c.folder) for c in concepts] + extra:
        node = tree
        for label in folder:
            node = node.setdefault(label, {})
        node.setdefault("", []).append(identifier)
    if not tree:
        return
    organizations = ET.SubElement(root, _a("organizations"))
    for layer in sorted(tree, key=lambda label: (_LAYER_ORDER.index(label) if label in _LAYER_ORDER else 99, label)):
        _folder_node(organizations, layer, tree[layer])


def _folder_node(parent: ET.Element, label: str, content: dict[str, Any]) -> None:
    """One folder: its sub-folders (sorted), then the concepts in it (in model order); no recursion limit
    problem, as folders follow file paths."""
    item = ET.SubElement(parent, _a("item"))
    ET.SubElement(item, _a("label")).text = label
    for sub in sorted(key for key in content if key):
        _folder_node(item, sub, content[sub])
    for identifier in content.get("", []):
        ET.SubElement(item, _a("item"), {"identifierRef": identifier})


def _landscape_view(root: ET.Element, view_id: str, concepts: ConceptSet) -> None:
    """Applications in a grid, integrations as connections."""
    views = ET.SubElement(root, _a("views"))
    diagrams = ET.SubElement(views, _a("diagrams"))
    view = ET.SubElement(diagrams, _a("view"), {"identifier": view_id, "xsi:type": "Diagram"})
    ET.SubElement(view, _a("name")).text = "Landscape"
    ET.SubElement(view, _a("documentation")).text = "Applications and the integrations between them."
    applications = [c for c in concepts.elements if c.type == "ApplicationComponent"]
    columns = max(1, math.ceil(math.sqrt(len(applications))))
    nodes: dict[str, str] = {}
    for index, concept in enumerate(applications):
        row, column = divmod(index, columns)
        nodes[concept.identifier] = concepts.unique(f"node.{concept.identifier}")
        ET.SubElement(view, _a("node"), {
            "identifier": nodes[concept.identifier], "elementRef": concept.identifier, "xsi:type": "Element",
            "x": str(_MARGIN + column * (_NODE_W + _GAP_X)), "y": str(_MARGIN + row * (_NODE_H + _GAP_Y)),
            "w": str(_NODE_W), "h": str(_NODE_H)})
    for concept in concepts.relationships:
        if concept.type == "Flow" and concept.source in nodes and concept.target in nodes:
            ET.SubElement(view, _a("connection"), {
                "identifier": concepts.unique(f"conn.{concept.identifier}"), "relationshipRef": concept.identifier,
                "xsi:type": "Relationship", "source": nodes[concept.source],
                "target": nodes[concept.target]})
