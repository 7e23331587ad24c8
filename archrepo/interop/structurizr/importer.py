"""`archrepo import structurizr`: a Structurizr workspace (JSON) → archrepo model files.

Software systems → Applications (owned by the workspace's enterprise, when it names one and the system is
``Internal``); with ``containers=True`` containers too, as Applications tagged ``container``. Relationships:
:mod:`.relationships`; deployment and infrastructure nodes: :mod:`.deployment`. People are users, not
organisations: they are omitted and counted. Views, documentation and decisions (ADRs) are not imported;
the report says how many there were. The DSL is not read: the report says how to export JSON from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archrepo.interop.formats import ImportOptions
from archrepo.interop.report import ImportReport
from archrepo.interop.slug import IdAllocator
from archrepo.interop.sources import InteropError, read_json
from archrepo.interop.structurizr.deployment import link_deployment
from archrepo.interop.structurizr.relationships import EXAMPLE_STANDARDS, link_relationships, match_standard
from archrepo.interop.structurizr.workspace import Node, Workspace, element_properties, tags_of
from archrepo.interop.writer import KIND_DIRS, ImportResult

__all__ = ["EXAMPLE_STANDARDS", "convert_structurizr", "match_standard"]

_NESTED = (("containers", "Container"), ("components", "Component"), ("children", "DeploymentNode"),
           ("infrastructureNodes", "InfrastructureNode"), ("softwareSystemInstances", "SoftwareSystemInstance"),
           ("containerInstances", "ContainerInstance"))
_TOP = (("people", "Person"), ("softwareSystems", "SoftwareSystem"), ("deploymentNodes", "DeploymentNode"),
        ("customElements", "CustomElement"))
_DSL = ("the Structurizr DSL is not read; export the workspace as JSON with `structurizr-cli export -workspace "
        "workspace.dsl -format json` and import that workspace.json")
_DSL_HINT = "Structurizr Lite keeps a workspace.json next to the workspace.dsl it reads; that file can be imported."


def convert_structurizr(path: Path | str, options: ImportOptions | None = None, *, max_bytes: int | None = None,
                        containers: bool = False, standards: tuple[str, ...] | None = None) -> ImportResult:
    """Map a workspace.json; nothing is written. ``standards``: names an integration standard may take
    (default: archrepo's approved standards and the examples of the model format)."""
    options = options or ImportOptions()
    path = Path(path)
    workspace_json = _read(path, max_bytes or options.max_bytes)
    model = workspace_json.get("model") if isinstance(workspace_json, dict) else None
    if not isinstance(model, dict):
        raise InteropError("not a Structurizr workspace (no \"model\" object)", file=str(path), line=1,
                           hint="Give the workspace.json that Structurizr exports (or `structurizr-cli export "
                                "-format json`).")
    report = ImportReport(path.name, "structurizr", "element types", "relationships (source → destination)")
    known = tuple(dict.fromkeys([*(standards or options.standards or ()), *EXAMPLE_STANDARDS]))
    workspace = Workspace(model, report, IdAllocator(existing=options.existing),
                          containers or "containers" in options.flags, known)
    _walk(workspace)
    owner = _enterprise(workspace)
    for node in workspace.nodes.values():
        if node.type == "SoftwareSystem" or (node.type == "Container" and workspace.containers):
            _application(workspace, node, owner)
    link_deployment(workspace)
    link_relationships(workspace)
    _count_others(workspace)
    _not_imported(workspace_json, report)
    workspace.allocator.note_renamed(report)
    report.created = {kind: sum(1 for docs in workspace.documents.values() for d in docs if d["kind"] == kind)
                      for kind in KIND_DIRS}
    header = f"# Imported from {report.source} by `archrepo import structurizr`.\n"
    return ImportResult(dict(workspace.documents), report, header)


def _read(path: Path, max_bytes: int) -> Any:
    """The workspace JSON; the DSL is recognised (by its name or its first word) and refused with a hint."""
    if path.suffix.lower() == ".dsl":
        raise InteropError(_DSL, file=str(path), line=1, hint=_DSL_HINT)
    try:
        return read_json(path, max_bytes)
    except InteropError as error:
        if not error.message.startswith("not valid JSON"):
            raise
        with path.open("rb") as handle:
            start = handle.read(4096).decode("utf-8", "replace")
        words = [line.strip() for line in start.splitlines() if line.strip() and not line.strip().startswith(
            ("#", "//", "/*", "*"))]
        if words and words[0].split()[0] in ("workspace", "!include", "!identifiers", "model"):
            raise InteropError(_DSL, file=str(path), line=1, hint=_DSL_HINT) from None
        raise


def _walk(workspace: Workspace) -> None:
    """Every element (nested ones too, without recursion) and every relationship, in file order."""
    stack: list[tuple[dict[str, Any], str, str | None, str | None, str | None]] = []
    for key, type_ in reversed(_TOP):
        stack.extend((item, type_, None, None, None) for item in reversed(_objects(workspace.model.get(key))))
    while stack:
        item, type_, system, container, parent = stack.pop()
        identifier = str(item.get("id", ""))
        if not identifier or identifier in workspace.nodes:
            continue
        system = identifier if type_ == "SoftwareSystem" else system
        container = identifier if type_ == "Container" else container
        workspace.nodes[identifier] = Node(identifier, type_, item, system, container, parent)
        workspace.relationships.extend(_objects(item.get("relationships")))
        inner_parent = identifier if type_ == "DeploymentNode" else parent
        for key, nested in reversed(_NESTED):
            stack.extend((child, nested, system, container, inner_parent)
                         for child in reversed(_objects(item.get(key))))


def _enterprise(workspace: Workspace) -> str | None:
    enterprise = workspace.model.get("enterprise")
    name = enterprise.get("name") if isinstance(enterprise, dict) else None
    if not isinstance(name, str) or not name.strip():
        return None
    element_id = workspace.allocator.allocate(name)
    workspace.add({"kind": "Organisation", "id": element_id, "name": name.strip(),
                   "description": "The enterprise of the Structurizr workspace; owner of its internal software "
                                  "systems.", "properties": {"structurizr_id": "enterprise"}})
    return element_id


def _application(workspace: Workspace, node: Node, owner: str | None) -> None:
    data = node.data
    element_id = workspace.allocator.allocate(str(data.get("name") or node.type))
    workspace.ids[node.id] = element_id
    document: dict[str, Any] = {"kind": "Application", "id": element_id,
                                "name": str(data.get("name") or "").strip() or f"{node.type} {node.id}"}
    if isinstance(data.get("description"), str) and data["description"].strip():
        document["description"] = data["description"].strip()
    location = str(data.get("location", "")).lower()
    system_location = str(workspace.nodes[node.system].data.get("location", "")).lower() if node.system else ""
    if owner and (location == "internal" or (node.type == "Container" and system_location == "internal")):
        document["owner"] = owner
    document["lifecycle"] = {"status": "active"}
    workspace.report.default("Application lifecycle.status = active (Structurizr has no lifecycle)")
    tags = tags_of(data)
    if location == "external":
        tags.append("external")
    if node.type == "Container":
        tags.insert(0, "container")
    if tags:
        document["tags"] = list(dict.fromkeys(tags))
    document["properties"] = element_properties(node)
    if node.type == "Container" and node.system in workspace.ids:
        document["properties"]["part_of"] = workspace.ids[node.system]
    workspace.add(document)


def _count_others(workspace: Workspace) -> None:
    """Count every element that did not become an Application (deployment counts its own)."""
    report = workspace.report
    for node in workspace.nodes.values():
        if node.type in ("DeploymentNode", "InfrastructureNode", "SoftwareSystemInstance", "ContainerInstance"):
            continue
        mapped = node.id in workspace.ids
        report.element(node.type, mapped)
        if not mapped:
            why = ("a user or role, not an organisation" if node.type == "Person" else
                   "containers are imported with --containers" if node.type == "Container" else
                   "no archrepo kind (its relationships count for its application)")
            report.routine("elements not imported", f"{node.type} '{node.data.get('name', node.id)}': {why}",
                           node.type)


def _not_imported(workspace_json: dict[str, Any], report: ImportReport) -> None:
    """Views, documentation and decisions (ADRs): archrepo has no place for them; say how many there were."""
    views = workspace_json.get("views")
    views = views if isinstance(views, dict) else {}
    counted = {key: len(value) for key, value in views.items() if isinstance(value, list) and value}
    if counted:
        listed = ", ".join(f"{count} {key}" for key, count in sorted(counted.items()))
        report.note(f"{sum(counted.values())} view(s) not imported ({listed}): archrepo draws its own diagrams")
    documentation = [workspace_json.get("documentation")]
    for node_documentation in _nested_documentation(workspace_json.get("model")):
        documentation.append(node_documentation)
    sections = sum(len(d.get("sections") or []) for d in documentation if isinstance(d, dict))
    decisions = sum(len(d.get("decisions") or []) for d in documentation if isinstance(d, dict))
    if sections or decisions:
        report.note(f"documentation not imported: {sections} section(s) and {decisions} decision(s) (ADRs); "
                    "keep them as Markdown in the repository (archrepo has no document kind)")


def _nested_documentation(model: Any) -> list[Any]:
    systems = model.get("softwareSystems") if isinstance(model, dict) else None
    found = []
    for system in _objects(systems):
        found.append(system.get("documentation"))
        for container in _objects(system.get("containers")):
            found.append(container.get("documentation"))
    return found


def _objects(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
