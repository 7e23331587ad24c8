"""The dependency graph of applications (networkx), following the contract's dependency direction.

An edge ``A → B`` means *A depends on B*. For an Integration (``source`` sends the data, ``target`` receives
it, ``initiator`` opens the call):

* the target depends on the source: it needs the data;
* in ``sync`` mode the initiator also depends on the other end: it waits on it (for a lookup, initiated by
  the target, that is the same edge; for a synchronous push the source depends on the target too);
* both ends depend on the ``via`` platform: it carries the integration.

Retired integrations carry no dependency. Each edge keeps the ids of the integrations behind it and why
(``data``, ``call``, ``via``), so an impact path can be explained.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import networkx as nx

from archrepo.model.elements import Model

__all__ = ["build_dependency_graph", "dependents", "integration_dependencies"]


def integration_dependencies(data: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(dependent, dependency, reason) of one integration's fields; nothing for a retired integration."""
    if data.get("status", "active") == "retired":
        return
    source, target, via = data["source"], data["target"], data.get("via")
    yield target, source, "data"
    if data.get("mode") == "sync":
        if data.get("initiator", "source") == "target":
            yield target, source, "call"
        else:
            yield source, target, "call"
    if via:
        yield source, via, "via"
        yield target, via, "via"


def build_dependency_graph(model: Model) -> nx.DiGraph:
    """Applications as nodes; an edge dependent → dependency with the integrations behind it and the reasons."""
    graph = nx.DiGraph()
    for application in model.of_kind("Application"):
        graph.add_node(application.id, kind="Application", name=application.name)
    for integration in model.of_kind("Integration"):
        for dependent, dependency, reason in integration_dependencies(integration.data):
            _add(graph, dependent, dependency, integration.id, reason)
    return graph


def _add(graph: nx.DiGraph, dependent: str, dependency: str, integration: str, reason: str) -> None:
    if dependent == dependency:
        return
    if graph.has_edge(dependent, dependency):
        edge = graph.edges[dependent, dependency]
        if integration not in edge["integrations"]:
            edge["integrations"].append(integration)
        if reason not in edge["reasons"]:
            edge["reasons"].append(reason)
    else:
        graph.add_edge(dependent, dependency, integrations=[integration], reasons=[reason])


def dependents(graph: nx.DiGraph, application: str) -> set[str]:
    """Every application that transitively depends on ``application``."""
    if application not in graph:
        return set()
    return set(nx.ancestors(graph, application))
