"""Every view and diagram format, by name: what `archrepo diagram` offers and what
:func:`archrepo.views.build_view` dispatches on. Light: nothing of the views is imported here."""

from __future__ import annotations

__all__ = ["DIAGRAM_FORMATS", "GRAPH_VIEWS", "MAP_VIEWS", "VIEW_NAMES", "format_of_extension"]

# views drawn as a graph (Graphviz or Mermaid): (model, dependencies, ViewOptions) -> ViewGraph
GRAPH_VIEWS: dict[str, str] = {
    "landscape": "archrepo.views.build:landscape",  # with --layout graph
    "context": "archrepo.views.build:context",
    "impact": "archrepo.views.bounded:impact_view",
    "process": "archrepo.views.build:process",
    "data": "archrepo.views.build:data",
    "integrations": "archrepo.views.integrations:integrations_view",
}
# views drawn as a map of nested boxes (archrepo's own layout, SVG written directly); the value: whether the
# map groups applications by the lifecycle state of their technology
MAP_VIEWS: dict[str, bool] = {"landscape": False, "technology": True}
VIEW_NAMES: tuple[str, ...] = tuple(dict.fromkeys([*GRAPH_VIEWS, *MAP_VIEWS]))

# format -> the file extensions that mean it (the first is the one to write)
DIAGRAM_FORMATS: dict[str, tuple[str, ...]] = {
    "svg": (".svg",),
    "png": (".png",),
    "dot": (".dot", ".gv"),
    "mermaid": (".mmd", ".mermaid"),
}


def format_of_extension(suffix: str) -> str | None:
    """The diagram format a file extension (``.png``) means, if any."""
    suffix = suffix.lower()
    return next((fmt for fmt, suffixes in DIAGRAM_FORMATS.items() if suffix in suffixes), None)
