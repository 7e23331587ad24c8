"""The exchange file as XML: the model node, its elements, relationships, folders (organizations), property
definitions and one generated "Landscape" view of the applications and their integrations."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from typing import Any

from archrepo.interop.archimate.concepts import Concept, ConceptSet
from archrepo.interop.archimate.terms import ARCHIMATE_NS, ARCHREPO_RELATION, XSI_NS

__all__ = ["model_node"]

_LAYER_ORDER = ("Strategy", "Business", "Application", "Technology", "Relations", "Views")
_SCHEMA_LOCATION = "http://www.opengroup.org/xsd/archimate/3.1/archimate3_Diagram.xsd"
_NODE_W, _NODE_H, _GAP_X, _GAP_Y, _MARGIN = 160, 60, 40, 40, 20


def model_node(concepts: ConceptSet, name: str, documentation: str) -> ET.Element:
    """The ``<model>`` element of an exchange file holding ``concepts``, with folders and the landscape view."""
    # Namespace declarations written as plain attributes: ElementTree cannot otherwise use a default
    # namespace together with unqualified attributes (identifier, source, …).
    root = ET.Element("model", {"xmlns": ARCHIMATE_NS, "xmlns:xsi": XSI_NS, "identifier": "archrepo-model",
                                "xsi:schemaLocation": f"{ARCHIMATE_NS} {_SCHEMA_LOCATION}"})
    ET.SubElement(root, _a("name")).text = name
    ET.SubElement(root, _a("documentation")).text = documentation
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
