"""Structurizr deployment → Technology.

A deployment node or an infrastructure node becomes a Technology (tagged with its environment); a node
inside another runs on it (``runs_on``). A software system or container instance on a node makes the
application it stands for rely on that node (``technologies``); so does a relationship from an
infrastructure node (a load balancer, a DNS service) to an instance. Other relationships between nodes
(replication, routing between infrastructure) have no archrepo meaning and are listed as not mapped.
"""

from __future__ import annotations

from typing import Any

from archrepo.interop.structurizr.workspace import Node, Workspace, element_properties, tags_of

__all__ = ["link_deployment"]

_TYPES = {"DeploymentNode": "platform", "InfrastructureNode": "infrastructure-service"}
_INSTANCES = {"SoftwareSystemInstance": "softwareSystemId", "ContainerInstance": "containerId"}


def link_deployment(workspace: Workspace) -> None:
    """Technologies for the nodes, ``runs_on`` between them, ``technologies`` of the applications deployed."""
    for node in workspace.nodes.values():
        if node.type in _TYPES:
            _technology(workspace, node)
    for node in workspace.nodes.values():
        if node.type in _TYPES and node.parent in workspace.ids:
            document = workspace.document(node.id)
            assert document is not None
            document.setdefault("runs_on", []).append(workspace.ids[node.parent])
        elif node.type in _INSTANCES:
            _instance(workspace, node)
    for relationship in workspace.relationships:
        source = workspace.nodes.get(str(relationship.get("sourceId", "")))
        target = workspace.nodes.get(str(relationship.get("destinationId", "")))
        if source is not None and target is not None and source.type == "InfrastructureNode" \
                and target.type in _INSTANCES and _rely(workspace, target, source.id):
            workspace.used.add(str(relationship.get("id")))
            workspace.report.relationship(f"{source.type} → {target.type}", True)
            workspace.report.reading("infrastructure node → instance: the instance's application relies on it "
                                     "(technologies)")


def _technology(workspace: Workspace, node: Node) -> None:
    data = node.data
    name = str(data.get("name") or "").strip() or f"{node.type} {node.id}"
    environment = str(data.get("environment") or "").strip()
    element_id = workspace.allocator.allocate(f"{name} {environment}".strip())
    workspace.ids[node.id] = element_id
    document: dict[str, Any] = {"kind": "Technology", "id": element_id, "name": name}
    if isinstance(data.get("description"), str) and data["description"].strip():
        document["description"] = data["description"].strip()
    document["type"] = _TYPES[node.type]
    tags = [*tags_of(data), *([environment] if environment else [])]
    if tags:
        document["tags"] = list(dict.fromkeys(tags))
    document["properties"] = element_properties(node)
    instances = data.get("instances")
    if instances not in (None, 1, "1"):
        document["properties"]["structurizr_instances"] = instances
    workspace.add(document)
    workspace.report.element(node.type, True)


def _instance(workspace: Workspace, node: Node) -> None:
    """A system or container instance: its application relies on the node it is deployed on."""
    deployed = node.parent in workspace.ids and _rely(workspace, node, str(node.parent))
    workspace.report.element(node.type, deployed)
    if deployed:
        workspace.report.reading(f"{node.type} on a deployment node: the application relies on the node "
                                 "(technologies)")
    else:
        workspace.report.routine("instances whose application or node is not imported",
                                 f"{node.type} {node.id}: its application or deployment node is not imported",
                                 node.type)


def _rely(workspace: Workspace, instance: Node, technology: str) -> bool:
    """Add the technology ``technology`` (a Structurizr id) to the application ``instance`` stands for."""
    element = workspace.nodes.get(str(instance.data.get(_INSTANCES[instance.type], "")))
    if element is None:
        return False
    application = element.id if element.id in workspace.ids else element.system
    if application not in workspace.ids or workspace.ids.get(technology) is None:
        return False
    document = workspace.document(application)
    if document is None or document["kind"] != "Application":
        return False
    listed = document.setdefault("technologies", [])
    if workspace.ids[technology] not in listed:
        listed.append(workspace.ids[technology])
    return True
