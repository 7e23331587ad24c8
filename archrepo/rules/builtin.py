"""Graph-algorithm rules of the standard library, referenced from ``rules/*.yaml`` as ``python:``.

Patterns are SPARQL; only what needs a graph algorithm lives here (cycles, transitive lineage).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict, deque
from collections.abc import Iterator

from archrepo.rules.context import RuleContext
from archrepo.rules.violation import Finding

__all__ = ["data_lineage", "prepare", "sync_cycles"]


MAX_CYCLES_PER_COMPONENT = 50  # elementary cycles can be exponential in number; report the first ones


def sync_cycles(context: RuleContext) -> Iterator[Finding]:
    """INT003: every elementary cycle of synchronous calls (initiator → other end), reported on its first
    integration (by id) with the others in ``related``. The cycles are kept in the rule's memo with a digest of
    the synchronous links they were found in: a re-check that changed none of those links finds them there."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)  # (caller, called) -> integrations
    for integration in context.model.of_kind("Integration"):
        data = integration.data
        if data.get("mode") != "sync" or data.get("status", "active") == "retired":
            continue
        if data["source"] != data["target"]:
            caller, called = data["source"], data["target"]
            if data.get("initiator") == "target":
                caller, called = called, caller
            edges[caller, called].append(integration.id)
    digest = hashlib.blake2b(repr(sorted(edges.items())).encode(), digest_size=16).hexdigest()
    if context.memo.get("links") == digest:
        cycles = context.memo["cycles"]
    else:
        cycles = _cycles(edges)
        context.memo.update(links=digest, cycles=cycles)
    for nodes in cycles:
        involved = sorted(i for a, b in zip(nodes, nodes[1:] + nodes[:1], strict=True) for i in edges[a, b])
        names = " → ".join(context.model.elements[n].name for n in [*nodes, nodes[0]])
        yield Finding(involved[0], f"Synchronous integrations form a cycle: {names}. When one of them is "
                      "slow or down, the others wait on each other.", tuple(involved[1:]))


def prepare() -> None:
    """Import what the cycle search needs (networkx, about 0.1 s), for a process with time to spare before its
    first evaluation (the language server, while its workers parse the repository)."""
    import networkx  # noqa: F401


def _cycles(edges: dict[tuple[str, str], list[str]]) -> list[list[str]]:
    """The elementary cycles (as application ids, each from its smallest) of each strongly connected part."""
    import networkx as nx  # ~0.1 s to import: only when the cycles are not in the memo

    graph = nx.DiGraph(list(edges))
    found: list[list[str]] = []
    for component in sorted(nx.strongly_connected_components(graph), key=min):
        if len(component) < 2:
            continue
        cycles = []
        for cycle in nx.simple_cycles(graph.subgraph(component)):
            cycles.append(cycle)
            if len(cycles) > MAX_CYCLES_PER_COMPONENT:
                break
        found += sorted(_rotate(c) for c in cycles[:MAX_CYCLES_PER_COMPONENT])
    return found


def _rotate(cycle: list[str]) -> list[str]:
    """The cycle starting at its smallest node, so the same cycle always reads the same."""
    start = cycle.index(min(cycle))
    return cycle[start:] + cycle[:start]


def data_lineage(context: RuleContext) -> Iterator[Finding]:
    """DAT003: an integration whose source sends a data object it neither masters nor receives from its master.
    Near a change (``context.scope``), only the data objects the integrations in scope carry are traced."""
    model = context.model
    wanted: set[str] | None = None
    if context.scope is not None:
        in_scope = (model.elements.get(element_id) for element_id in context.scope)
        wanted = {data_object for element in in_scope if element is not None and element.kind == "Integration"
                  for data_object in element.data.get("data") or ()}
    carriers: dict[str, list[tuple[str, str, str]]] = defaultdict(list)  # data object -> (integration, src, tgt)
    for integration in model.of_kind("Integration"):
        data = integration.data
        if data.get("status", "active") == "retired":
            continue
        for data_object in data.get("data") or ():
            if wanted is None or data_object in wanted:
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
