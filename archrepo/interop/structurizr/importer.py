"""`archrepo import structurizr`: a Structurizr workspace (JSON) → archrepo model files.

Software systems → Applications (owned by the workspace's enterprise, when it names one and the system is
``Internal``); with ``containers=True`` containers too, as Applications tagged ``container``. Relationships
between two different applications → Integrations: where the workspace has no relationship between two
systems but their containers or components talk, the first such relationship stands for them all. The
technology gives the standard when it names a known standard (``REST/HTTPS`` → REST), else ``unknown``;
the interaction style gives the mode. People are users, not organisations: they are omitted and counted.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archrepo.interop.formats import ImportOptions
from archrepo.interop.report import ImportReport
from archrepo.interop.slug import IdAllocator, property_key
from archrepo.interop.sources import InteropError, read_json
from archrepo.interop.writer import KIND_DIRS, ImportResult

__all__ = ["EXAMPLE_STANDARDS", "STRUCTURIZR_SIDECAR", "convert_structurizr", "match_standard"]

STRUCTURIZR_SIDECAR = ".structurizr-ids.yaml"
DEFAULT_STANDARD = "unknown"
# The approved standards of archrepo's default config, and the other examples of ARCHITECTURE.md.
EXAMPLE_STANDARDS = ("HL7v2", "FHIR-R4", "KITH-XML", "DICOM", "IHE-XDS", "ebXML", "REST", "SOAP", "SFTP", "file")
_DEFAULT_TAGS = {"element", "software system", "container", "component", "person", "relationship",
                 "deployment node", "infrastructure node", "software system instance", "container instance"}
_MODES = {"synchronous": "sync", "asynchronous": "async"}
_NESTED = (("containers", "Container"), ("components", "Component"), ("children", "DeploymentNode"),
           ("infrastructureNodes", "InfrastructureNode"), ("softwareSystemInstances", "SoftwareSystemInstance"),
           ("containerInstances", "ContainerInstance"))
_TOP = (("people", "Person"), ("softwareSystems", "SoftwareSystem"), ("deploymentNodes", "DeploymentNode"),
        ("customElements", "CustomElement"))


def match_standard(technology: str, standards: tuple[str, ...]) -> str | None:
    """The standard a technology string names: the whole string, or one of its words (``REST/HTTPS``)."""
    def norm(text: str) -> str:
        return re.sub(r"[^a-z0-9]", "", text.lower())

    words = {norm(word) for word in re.split(r"[\s/,;+()]+", technology) if word}
    for standard in standards:
        if norm(standard) == norm(technology):
            return standard
    return next((standard for standard in standards if norm(standard) in words), None)


@dataclass
class _Node:
    id: str
    type: str
    data: dict[str, Any]
    system: str | None  # the software system it belongs to (itself for a system)
    container: str | None


def convert_structurizr(path: Path | str, options: ImportOptions | None = None, *, max_bytes: int | None = None,
                        containers: bool = False, standards: tuple[str, ...] | None = None) -> ImportResult:
    """Map a workspace.json; nothing is written. ``standards``: names an integration standard may take
    (default: archrepo's approved standards and the examples of the model format)."""
    options = options or ImportOptions()
    containers = containers or "containers" in options.flags
    standards = standards or options.standards
    path = Path(path)
    workspace = read_json(path, max_bytes or options.max_bytes)
    model = workspace.get("model") if isinstance(workspace, dict) else None
    if not isinstance(model, dict):
        raise InteropError("not a Structurizr workspace (no \"model\" object)", file=str(path), line=1,
                           hint="Give the workspace.json that Structurizr exports (or `structurizr-cli export "
                                "-format json`).")
    report = ImportReport(path.name, "structurizr", "element types", "relationships (source → destination)")
    known = tuple(dict.fromkeys([*(standards or ()), *EXAMPLE_STANDARDS]))
    return _Mapper(workspace, model, report, containers, known, IdAllocator(existing=options.existing)).run()


class _Mapper:
    def __init__(self, workspace: dict[str, Any], model: dict[str, Any], report: ImportReport, containers: bool,
                 standards: tuple[str, ...], allocator: IdAllocator) -> None:
        self.workspace, self.model, self.report = workspace, model, report
        self.containers, self.standards = containers, standards
        self.nodes: dict[str, _Node] = {}
        self.relationships: list[dict[str, Any]] = []
        self.allocator = allocator
        self.ids: dict[str, str] = {}
        self.documents: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.sidecar: dict[str, str] = {}

    def run(self) -> ImportResult:
        self._walk()
        owner = self._enterprise()
        for node in self.nodes.values():
            mapped = node.type == "SoftwareSystem" or (node.type == "Container" and self.containers)
            self.report.element(node.type, mapped)
            if mapped:
                self._application(node, owner)
        people = sum(1 for node in self.nodes.values() if node.type == "Person")
        if people:
            self.report.note(f"{people} people omitted: Structurizr people are users and roles, not organisations")
        self._integrations()
        created = {kind: 0 for kind in KIND_DIRS}
        for documents in self.documents.values():
            for document in documents:
                created[document["kind"]] += 1
        self.report.created = created
        header = f"# Imported from {self.report.source} by `archrepo import structurizr`.\n"
        return ImportResult(dict(self.documents), self.report, header)

    def _walk(self) -> None:
        """Every element (nested ones too, without recursion) and every relationship, in file order."""
        stack: list[tuple[dict[str, Any], str, str | None, str | None]] = []
        for key, type_ in reversed(_TOP):
            stack.extend((item, type_, None, None) for item in reversed(_objects(self.model.get(key))))
        while stack:
            item, type_, system, container = stack.pop()
            identifier = str(item.get("id", ""))
            if not identifier or identifier in self.nodes:
                continue
            system = identifier if type_ == "SoftwareSystem" else system
            container = identifier if type_ == "Container" else container
            self.nodes[identifier] = _Node(identifier, type_, item, system, container)
            self.relationships.extend(_objects(item.get("relationships")))
            for key, nested in reversed(_NESTED):
                stack.extend((child, nested, system, container) for child in reversed(_objects(item.get(key))))

    def _enterprise(self) -> str | None:
        enterprise = self.model.get("enterprise")
        name = enterprise.get("name") if isinstance(enterprise, dict) else None
        if not isinstance(name, str) or not name.strip():
            return None
        element_id = self.allocator.allocate(name)
        self.documents[f"{KIND_DIRS['Organisation']}.yaml"].append(
            {"kind": "Organisation", "id": element_id, "name": name.strip(),
             "description": "The enterprise of the Structurizr workspace; owner of its internal software systems."})
        self.sidecar[element_id] = "enterprise"
        return element_id

    def _application(self, node: _Node, owner: str | None) -> None:
        data = node.data
        element_id = self.allocator.allocate(str(data.get("name") or node.type))
        self.ids[node.id] = element_id
        self.sidecar[element_id] = node.id
        document: dict[str, Any] = {"kind": "Application", "id": element_id,
                                    "name": str(data.get("name") or "").strip() or f"{node.type} {node.id}"}
        if isinstance(data.get("description"), str) and data["description"].strip():
            document["description"] = data["description"].strip()
        location = str(data.get("location", "")).lower()
        system_location = str(self.nodes[node.system].data.get("location", "")).lower() if node.system else ""
        if owner and (location == "internal" or (node.type == "Container" and system_location == "internal")):
            document["owner"] = owner
        document["lifecycle"] = {"status": "active"}
        self.report.default("Application lifecycle.status = active (Structurizr has no lifecycle)")
        written = data.get("tags")
        tags = [t.strip() for t in (written.split(",") if isinstance(written, str) else [])
                if t.strip() and t.strip().lower() not in _DEFAULT_TAGS]
        if location == "external":
            tags.append("external")
        if node.type == "Container":
            tags.insert(0, "container")
        if tags:
            document["tags"] = list(dict.fromkeys(tags))
        properties: dict[str, Any] = {"structurizr_id": node.id}
        for key in ("technology", "url", "group"):
            if isinstance(data.get(key), str) and data[key].strip():
                properties[f"structurizr_{key}"] = data[key].strip()
        if node.type == "Container" and node.system in self.ids:
            properties["part_of"] = self.ids[node.system]
        extra = data.get("properties")
        for key, value in (extra.items() if isinstance(extra, dict) else ()):
            properties.setdefault(property_key(str(key)), value if isinstance(value, str | int | float | bool)
                                  else str(value))
        document["properties"] = properties
        self.documents[f"{KIND_DIRS['Application']}.yaml"].append(document)

    def _represent(self, identifier: str) -> str | None:
        node = self.nodes.get(identifier)
        if node is None:
            return None
        if self.containers and node.container is not None and node.type in ("Container", "Component"):
            return node.container
        return node.system if node.type in ("SoftwareSystem", "Container", "Component") else None

    def _integrations(self) -> None:
        exact: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        lifted: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        unmapped: list[tuple[dict[str, Any], str]] = []
        for relationship in self.relationships:
            source, target = str(relationship.get("sourceId", "")), str(relationship.get("destinationId", ""))
            pair = (self._represent(source), self._represent(target))
            if pair[0] is None or pair[1] is None:
                unmapped.append((relationship, "an end is not an application"))
            elif pair[0] == pair[1]:
                unmapped.append((relationship, "inside one application"))
            elif pair == (source, target):
                exact[(pair[0], pair[1])].append(relationship)
            else:
                lifted[(pair[0], pair[1])].append(relationship)
        for pair in dict.fromkeys([*exact, *lifted]):
            chosen = exact.get(pair) or lifted[pair][:1]
            for relationship in [*exact.get(pair, []), *lifted.get(pair, [])]:
                self.report.relationship(self._type_of(relationship), relationship in chosen)
            for relationship in chosen:
                self._integration(relationship, pair)
            if len(lifted.get(pair, [])) > (0 if exact.get(pair) else 1):
                self.report.note(f"{self.ids[pair[0]]} → {self.ids[pair[1]]}: container/component relationships "
                                 "represented by one integration between the applications")
        reasons: dict[str, int] = defaultdict(int)
        for relationship, reason in unmapped:
            self.report.relationship(self._type_of(relationship), False)
            reasons[reason] += 1
        for reason, count in sorted(reasons.items()):
            self.report.note(f"{count} relationship(s) not mapped: {reason}")

    def _type_of(self, relationship: dict[str, Any]) -> str:
        def kind(identifier: Any) -> str:
            node = self.nodes.get(str(identifier))
            return node.type if node is not None else "(unknown)"
        return f"{kind(relationship.get('sourceId'))} → {kind(relationship.get('destinationId'))}"

    def _integration(self, relationship: dict[str, Any], pair: tuple[str, str]) -> None:
        source, target = self.ids[pair[0]], self.ids[pair[1]]
        element_id = self.allocator.allocate(f"{source}-to-{target}")
        self.sidecar[element_id] = str(relationship.get("id", ""))
        document: dict[str, Any] = {"kind": "Integration", "id": element_id}
        technology = str(relationship.get("technology") or "").strip()
        standard = match_standard(technology, self.standards) if technology else None
        description = str(relationship.get("description") or "").strip()
        if technology and standard != technology:
            description = f"{description} (technology: {technology})".strip()
        if description:
            document["description"] = description
        document["source"], document["target"] = source, target
        document["standard"] = standard or DEFAULT_STANDARD
        if standard is None:
            self.report.default(f"Integration standard = {DEFAULT_STANDARD} (technology names no known standard)")
        mode = _MODES.get(str(relationship.get("interactionStyle", "")).lower())
        if mode:
            document["mode"] = mode
        self.documents[f"{KIND_DIRS['Integration']}.yaml"].append(document)


def _objects(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
