"""The dependency graph of applications (networkx), following the contract's dependency direction.

An edge ``A → B`` means *A depends on B*. For an Integration the target depends on its source (it
receives the data); in ``sync`` mode the source calls the target and depends on it too. Retired
integrations carry no dependency.
"""

from __future__ import annotations

import networkx as nx

from archrepo.model.elements import Model

__all__ = ["build_dependency_graph", "dependents"]


def build_dependency_graph(model: Model) -> nx.DiGraph:
    """Applications as nodes; an edge dependent → dependency with the ids of the integrations behind it."""
    graph = nx.DiGraph()
    for application in model.of_kind("Application"):
        graph.add_node(application.id, kind="Application", name=application.name)
    for integration in model.of_kind("Integration"):
        data = integration.data
        if data.get("status", "active") == "retired":
            continue
        source, target = data["source"], data["target"]
        _add(graph, target, source, integration.id)
        if data.get("mode") == "sync":
            _add(graph, source, target, integration.id)
    return graph


def _add(graph: nx.DiGraph, dependent: str, dependency: str, integration: str) -> None:
    if dependent == dependency:
        return
    if graph.has_edge(dependent, dependency):
        graph.edges[dependent, dependency]["integrations"].append(integration)
    else:
        graph.add_edge(dependent, dependency, integrations=[integration])


def dependents(graph: nx.DiGraph, application: str) -> set[str]:
    """Every application that transitively depends on ``application``."""
    if application not in graph:
        return set()
    return set(nx.ancestors(graph, application))
