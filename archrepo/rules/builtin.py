"""Graph-algorithm rules of the standard library, referenced from ``rules/*.yaml`` as ``python:``.

Patterns are SPARQL; only what needs a graph algorithm lives here (cycles, transitive lineage).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterator

import networkx as nx

from archrepo.rules.context import RuleContext
from archrepo.rules.violation import Finding

__all__ = ["data_lineage", "sync_cycles"]


def sync_cycles(context: RuleContext) -> Iterator[Finding]:
    """INT003: every cycle of synchronous integrations, reported once on its first integration."""
    graph = nx.DiGraph()
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for integration in context.model.of_kind("Integration"):
        data = integration.data
        if data.get("mode") != "sync" or data.get("status", "active") == "retired":
            continue
        graph.add_edge(data["source"], data["target"])
        edges[data["source"], data["target"]].append(integration.id)
    for component in nx.strongly_connected_components(graph):
        if len(component) < 2:
            continue
        members = sorted(component)
        involved = sorted(i for (s, t), ids in edges.items() if s in component and t in component for i in ids)
        first, others = involved[0], tuple(involved[1:])
        names = ", ".join(context.model.elements[m].name for m in members)
        yield Finding(first, f"Synchronous integrations form a cycle between {names} ({len(involved)} "
                      f"integrations): when one of them is slow or down, the others wait on each other.", others)


def data_lineage(context: RuleContext) -> Iterator[Finding]:
    """DAT003: an integration whose source sends a data object it neither masters nor receives from its master."""
    model = context.model
    carriers: dict[str, list[tuple[str, str, str]]] = defaultdict(list)  # data object -> (integration, src, tgt)
    for integration in model.of_kind("Integration"):
        data = integration.data
        if data.get("status", "active") == "retired":
            continue
        for data_object in data.get("data") or ():
            carriers[data_object].append((integration.id, data["source"], data["target"]))
    for data_object_id in sorted(carriers):
        data_object = model.elements[data_object_id]
        master = data_object.data.get("master")
        if not master:
            continue  # DAT001 reports the missing master
        flows = carriers[data_object_id]
        outgoing: dict[str, list[str]] = defaultdict(list)
        for _, source, target in flows:
            outgoing[source].append(target)
        reached = {master}
        queue = deque([master])
        while queue:
            for target in outgoing[queue.popleft()]:
                if target not in reached:
                    reached.add(target)
                    queue.append(target)
        for integration_id, source, _target in flows:
            if source in reached:
                continue
            source_name = model.elements[source].name
            yield Finding(integration_id,
                          f"{source_name} sends {data_object.name} ({data_object_id}) but neither masters it nor "
                          f"receives it from its master {model.elements[master].name}: the copy it sends is "
                          "registered outside the system of record.", (data_object_id,))
