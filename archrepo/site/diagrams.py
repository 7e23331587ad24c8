"""The diagram of each page: which view shows what, and rendering them all (SVG through Graphviz in
parallel threads, each a `dot` subprocess, rebuilt from an allow-list before a page inlines them; or Mermaid
text for Markdown)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

import networkx as nx

from archrepo.escaping import one_line, shorten
from archrepo.model.elements import Element, Model
from archrepo.site.links import KIND_DIRS, element_path
from archrepo.views import ViewEdge, ViewGraph, ViewOptions, build_view
from archrepo.views.render_dot import render_svg
from archrepo.views.render_mermaid import render_mermaid

__all__ = ["plan_diagrams", "render_diagrams"]

Marks = Mapping[str, tuple[str, tuple[str, ...]]]
Linker = Callable[[Element], str | None]


def _linker(prefix: str, ext: str) -> Linker:
    def link(element: Element) -> str | None:
        return f"{prefix}{element_path(element.kind, element.id)}{ext}" if element.kind in KIND_DIRS else None

    return link


def plan_diagrams(model: Model, dependencies: nx.DiGraph, *, as_of: dt.date, marks: Marks,
                  ext: str | None) -> dict[str, ViewGraph]:
    """The view of every page that has one, by page path. ``ext``: the page extension nodes link to
    (``.html``), or None for no links (Mermaid in Markdown, where link targets depend on the host)."""
    top = ViewOptions(as_of=as_of, violations=marks, link=_linker("", ext) if ext is not None else None)
    below = dataclasses.replace(top, link=_linker("../", ext) if ext is not None else None)
    views: dict[str, ViewGraph] = {"index": build_view("landscape", model, dependencies, top)}
    every = build_view("landscape", model, dependencies, dataclasses.replace(below, include_retired=True))
    for element in model.of_kind("Application"):
        views[element_path("Application", element.id)] = build_view(
            "context", model, dependencies, dataclasses.replace(below, focus=element.id, depth=1))
    for element in model.of_kind("Process"):
        views[element_path("Process", element.id)] = build_view(
            "process", model, dependencies, dataclasses.replace(below, focus=element.id))
    for element in model.of_kind("DataObject"):
        views[element_path("DataObject", element.id)] = build_view(
            "data", model, dependencies, dataclasses.replace(below, focus=element.id))
    for element in model.of_kind("Integration"):
        views[element_path("Integration", element.id)] = _integration_view(element, every, marks)
    for element in model.of_kind("Organisation"):
        view = build_view("landscape", model, dependencies, dataclasses.replace(below, owners=(element.id,)))
        if view.nodes:
            view.title = f"Applications of {element.name}"
            views[element_path("Organisation", element.id)] = view
    return views


def _integration_view(integration: Element, every: ViewGraph, marks: Marks) -> ViewGraph:
    """Source, via and target of one integration, with its own edges only."""
    graph = ViewGraph("integration", f"Integration: {integration.name}")
    source, target, via = integration.get("source"), integration.get("target"), integration.get("via")
    for end in (source, target, via):
        if end and end in every.nodes:
            node = every.nodes[end]
            graph.add_node(dataclasses.replace(node, focus=end in (source, target)))
            if node.cluster:
                graph.clusters[node.cluster] = every.clusters.get(node.cluster, node.cluster)
    category = "sync" if integration.get("mode") == "sync" else "integration"
    severity = marks[integration.id][0] if integration.id in marks else None
    label = str(integration.get("standard"))
    tooltip = f"{integration.id}: {', '.join(integration.get('data') or ()) or 'no data listed'}"
    hops = [(source, via), (via, target)] if via else [(source, target)]
    for start, end in hops:
        if start in graph.nodes and end in graph.nodes:
            graph.add_edge(ViewEdge(start, end, label, category, severity, tooltip))
    return graph


def render_diagrams(views: Mapping[str, ViewGraph], fmt: str, *, workers: int | None = None) -> dict[str, str]:
    """Every view rendered as inline SVG (``fmt="svg"``) or Mermaid text, by the same keys. The SVGs are
    rendered by Graphviz subprocesses from a thread pool; the result does not depend on the order they finish."""
    if fmt == "mermaid":
        return {key: render_mermaid(view) for key, view in sorted(views.items())}
    keys = sorted(views)
    count = workers or min(16, max(2, (os.cpu_count() or 2) + 1))
    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="archrepo-dot") as pool:
        images = list(pool.map(lambda key: render_svg(views[key], _svg_attributes(views[key])), keys))
    return dict(zip(keys, images, strict=True))


def _svg_attributes(view: ViewGraph) -> dict[str, str]:
    """What the inline SVG carries for the page: its CSS class and an accessible name (escaped when written)."""
    return {"class": "diagram", "role": "img", "aria-label": shorten(one_line(view.title), 300)}
