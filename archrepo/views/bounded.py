"""The impact diagram, bounded: a node budget, and what did not fit shown as summary nodes ("+23 more at
distance 3: see `archrepo impact … --depth 3`") instead of being drawn.

It is is drawn as distance rings (one cluster per distance), up to ``--depth`` (default 2);
the text and JSON of ``archrepo impact`` stay complete unless ``--depth`` is given.
"""

from __future__ import annotations

import networkx as nx

from archrepo.model.elements import Model
from archrepo.views.budget import choose_within_budget, summary_node
from archrepo.views.build import Builder, ViewOptions
from archrepo.views.graph import ViewEdge, ViewGraph, ViewNode
from archrepo.views.impact import analyse_impact

__all__ = ["DEFAULT_IMPACT_DEPTH", "impact_view"]

DEFAULT_IMPACT_DEPTH = 2


def _ring(graph: ViewGraph, distance: int) -> str:
    cluster = f"cluster~distance-{distance}"  # '~' is in no model id: no clash with a process's cluster
    graph.clusters[cluster] = "depends on it directly" if distance == 1 else f"{distance} hops away"
    return cluster


def impact_view(model: Model, dependencies: nx.DiGraph, options: ViewOptions) -> ViewGraph:
    """What depends on the focus, in rings by distance up to ``options.depth`` (default 2), at most about
    ``options.budget`` nodes: applications nearest first, then the process steps they support."""
    from archrepo.views.build import focus_of

    focus = focus_of(model, options, ("Application", "Technology"))
    depth = options.depth or DEFAULT_IMPACT_DEPTH
    builder = Builder(model, options)
    result = analyse_impact(model, dependencies, focus, options.as_of, depth)
    budget = max(options.budget, 2)
    reserve = min(len(result.process_steps), budget // 4)  # room for the steps, if there are any
    shown, left_out = choose_within_budget(((a.distance, a.id) for a in result.applications), budget - 1 - reserve)
    left_out.update(result.beyond)
    element = model.elements[focus]
    graph = ViewGraph("impact", f"Impact of {element.name}: what depends on it (up to {depth} hops)")
    if element.kind == "Application":
        graph.add_node(builder.app_node(element, fill="focus", focus=True))
    else:
        graph.add_node(ViewNode(focus, element.name, "technology", "focus", focus=True,
                                tooltip=f"{element.name} ({focus}): technology",
                                link=options.link(element) if options.link else None))
    by_id = {a.id: a for a in result.applications}
    for application_id in shown:
        impacted = by_id[application_id]
        node = builder.app_node(model.elements[application_id], fill=f"distance-{min(impacted.distance, 4)}")
        graph.add_node(_in_cluster(node, _ring(graph, impacted.distance)))
        graph.add_edge(ViewEdge(impacted.path[-2], application_id, "", "depends"))
    for distance, count in sorted(left_out.items()):
        text = f"+{count} more at distance {distance}: see `archrepo impact {focus} --depth {distance}`"
        graph.add_node(summary_node(f"distance-{distance}", text, _ring(graph, distance)))
    room = min(budget - len(graph.nodes), max(budget // 4, 1))  # steps: a sample, the text lists them all
    _process_steps(graph, model, options, {focus, *shown}, room, focus)
    return graph


def _in_cluster(node: ViewNode, cluster: str) -> ViewNode:
    from dataclasses import replace

    return replace(node, cluster=cluster)


def _process_steps(graph: ViewGraph, model: Model, options: ViewOptions, shown: set[str], room: int,
                   focus: str) -> None:
    """The steps the drawn applications support, as many as there is room for; a summary for the rest."""
    steps = [(process, step) for process in model.of_kind("Process") for step in process.data.get("steps") or ()
             if shown & set(step.get("supported_by") or ())]
    for process, step in steps[:max(room, 0)]:
        node_id = f"{process.id}/{step['id']}"
        cluster = f"cluster-{process.id}"
        graph.clusters[cluster] = process.name
        graph.add_node(ViewNode(node_id, str(step["name"]), "process-step", "step", cluster,
                                tooltip=f"{process.name}: step {step['id']}",
                                link=options.link(process) if options.link else None))
        for application_id in sorted(set(step.get("supported_by") or ()) & shown):
            graph.add_edge(ViewEdge(application_id, node_id, "", "support"))
    if len(steps) > max(room, 0):
        more = len(steps) - max(room, 0)
        graph.add_node(summary_node("steps", f"+{more} more process steps: see `archrepo impact {focus}`"))
