"""The view graph: what a diagram shows, independent of how it is drawn (Graphviz or Mermaid)."""

from __future__ import annotations

from dataclasses import dataclass, field

from archrepo.plainrepr import plain_repr

__all__ = ["ViewEdge", "ViewGraph", "ViewNode"]


@plain_repr
@dataclass(frozen=True)
class ViewNode:
    """A box on the diagram. ``category`` picks the shape, ``fill`` the colour; both mean the same in every view."""

    id: str
    label: str
    category: str  # application, core-system, integration-platform, national-component, external-channel,
    #               data-object, process-step, process
    fill: str  # planned, active, phase-out, retired, distance-1 … distance-4, step, data, focus
    cluster: str | None = None
    external: bool = False
    focus: bool = False
    severity: str | None = None  # error | warning: the worst violation of the element
    tooltip: str = ""
    link: str | None = None


@plain_repr
@dataclass(frozen=True)
class ViewEdge:
    source: str
    target: str
    label: str = ""
    category: str = "integration"  # integration, sync, support, next, master, depends
    severity: str | None = None
    tooltip: str = ""


@plain_repr
@dataclass
class ViewGraph:
    """Nodes, edges and clusters, kept sorted so renderers produce byte-identical output for the same model."""

    name: str
    title: str
    direction: str = "LR"
    nodes: dict[str, ViewNode] = field(default_factory=dict)
    edges: list[ViewEdge] = field(default_factory=list)
    clusters: dict[str, str] = field(default_factory=dict)  # id -> label

    def add_node(self, node: ViewNode) -> None:
        self.nodes.setdefault(node.id, node)

    def add_edge(self, edge: ViewEdge) -> None:
        self.edges.append(edge)

    def sorted_nodes(self) -> list[ViewNode]:
        return [self.nodes[key] for key in sorted(self.nodes)]

    def sorted_edges(self) -> list[ViewEdge]:
        return sorted(set(self.edges), key=lambda e: (e.source, e.target, e.category, e.label))

    def used(self) -> tuple[set[str], set[str], set[str], set[str | None]]:
        """Categories, fills, edge categories and severities in use, for the legend."""
        return ({n.category for n in self.nodes.values()}, {n.fill for n in self.nodes.values()},
                {e.category for e in self.edges}, {n.severity for n in self.nodes.values()}
                | {e.severity for e in self.edges})
