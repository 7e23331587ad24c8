"""Read an ArchiMate 3.x Open Exchange Format file into plain records: elements, relationships, folders."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from archrepo.interop.archimate.terms import ARCHIMATE_NS, ARCHREPO_ID, XML_NS, XSI_NS
from archrepo.interop.sources import DEFAULT_MAX_BYTES, InteropError, read_xml

__all__ = ["ExchangeFile", "ExchangeItem", "Property", "read_exchange"]

_A = f"{{{ARCHIMATE_NS}}}"
_TYPE = f"{{{XSI_NS}}}type"
_LANG = f"{{{XML_NS}}}lang"
_ARCHIMATE2_NS = "http://www.opengroup.org/xsd/archimate"


@dataclass(frozen=True)
class Property:
    """A property instance with its definition resolved: name, exchange datatype, value text."""

    name: str
    datatype: str
    value: str


@dataclass
class ExchangeItem:
    """An element or a relationship of the exchange file (relationships have source and target)."""

    identifier: str
    type: str
    name: str
    documentation: str
    properties: list[Property]
    index: int
    source: str = ""
    target: str = ""
    access_type: str = ""
    folder: tuple[str, ...] = ()

    @property
    def display_name(self) -> str:
        """The name (trimmed, unless written by archrepo), or its type and identifier when it has none."""
        name = self.name if self.property(ARCHREPO_ID) is not None else self.name.strip()
        return name or f"{self.type} {self.identifier}"

    def property(self, name: str) -> str | None:
        for prop in self.properties:
            if prop.name == name:
                return prop.value
        return None


@dataclass
class ExchangeFile:
    name: str
    elements: dict[str, ExchangeItem] = field(default_factory=dict)
    relationships: list[ExchangeItem] = field(default_factory=list)
    has_folders: bool = False
    views: int = 0


def read_exchange(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> ExchangeFile:
    """Parse and check the root; raises InteropError for anything that is not a 3.x exchange file."""
    root = read_xml(path, max_bytes, prune=lambda node: node.tag == f"{_A}view")
    _check_root(root, path)
    definitions = {node.get("identifier", ""): (_text(node, "name"), node.get("type", "string"))
                   for node in root.iterfind(f"{_A}propertyDefinitions/{_A}propertyDefinition")}
    exchange = ExchangeFile(_text(root, "name"))
    for index, node in enumerate(root.iterfind(f"{_A}elements/{_A}element")):
        item = _item(node, index, definitions, path)
        if item.identifier in exchange.elements:
            raise InteropError(f"element identifier '{item.identifier}' is used twice", file=str(path),
                               hint="Identifiers are unique in an exchange file; the file is corrupt.")
        exchange.elements[item.identifier] = item
    for index, node in enumerate(root.iterfind(f"{_A}relationships/{_A}relationship")):
        item = _item(node, index, definitions, path)
        item.source, item.target = node.get("source", ""), node.get("target", "")
        item.access_type = node.get("accessType", "")
        exchange.relationships.append(item)
    exchange.views = sum(1 for _ in root.iterfind(f"{_A}views/{_A}diagrams/{_A}view"))
    folders = _folders(root)
    exchange.has_folders = bool(folders)
    for item in [*exchange.elements.values(), *exchange.relationships]:
        item.folder = folders.get(item.identifier, ())
    return exchange


def _check_root(root: ET.Element, path: Path) -> None:
    if root.tag == f"{_A}model":
        return
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if namespace == _ARCHIMATE2_NS:
        hint = "This is an ArchiMate 2.1 exchange file; export the model again in the ArchiMate 3.x format."
    elif "archimatetool" in namespace or (root.tag.endswith("}model") and "archimate" in namespace.lower()):
        hint = "This looks like Archi's own file format; in Archi use File → Export → Model to Open Exchange File."
    else:
        hint = f"Expected a <model> element in the namespace {ARCHIMATE_NS} (ArchiMate 3.x Open Exchange Format)."
    raise InteropError(f"not an ArchiMate 3.x Open Exchange file (root element {root.tag})", file=str(path),
                       line=1, hint=hint)


def _text(node: ET.Element, child: str) -> str:
    """The text of the first ``child`` (preferring English when several languages are given)."""
    found = node.findall(f"{_A}{child}")
    if not found:
        return ""
    chosen = next((n for n in found if (n.get(_LANG) or "").lower().startswith("en")), found[0])
    text = chosen.text or ""
    return text if text.strip() else ""  # as written: the exporter's text comes back unchanged


def _item(node: ET.Element, index: int, definitions: dict[str, tuple[str, str]], path: Path) -> ExchangeItem:
    identifier = node.get("identifier")
    kind = node.get(_TYPE, "")
    if not identifier:
        raise InteropError(f"an {node.tag.split('}')[-1]} without identifier (number {index + 1})", file=str(path),
                           hint="Every element and relationship of an exchange file has an identifier.")
    properties = []
    for prop in node.iterfind(f"{_A}properties/{_A}property"):
        name, datatype = definitions.get(prop.get("propertyDefinitionRef", ""), ("", "string"))
        properties.append(Property(name or prop.get("propertyDefinitionRef", "property"), datatype,
                                   _text(prop, "value")))
    return ExchangeItem(identifier, kind.split(":")[-1], _text(node, "name"), _text(node, "documentation"),
                        properties, index)


def _folders(root: ET.Element) -> dict[str, tuple[str, ...]]:
    """identifier → labels of the folders it sits in (first placement wins); walked without recursion."""
    placed: dict[str, tuple[str, ...]] = {}
    stack: list[tuple[ET.Element, tuple[str, ...]]] = [
        (item, ()) for organizations in reversed(root.findall(f"{_A}organizations"))
        for item in reversed(organizations.findall(f"{_A}item"))]
    while stack:
        item, path = stack.pop()
        reference = item.get("identifierRef")
        if reference is not None:
            placed.setdefault(reference, path)
            continue
        label = _text(item, "label")
        inner = (*path, label)
        stack.extend((child, inner) for child in reversed(item.findall(f"{_A}item")))
    return placed
