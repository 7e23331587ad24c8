"""Every view by name, and the one entry point that builds a view graph from the model."""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx

from archrepo.model.elements import Model
from archrepo.views.bounded import impact_view
from archrepo.views.build import ViewOptions, context, data, landscape, process
from archrepo.views.graph import ViewGraph
from archrepo.views.integrations import integrations_view

__all__ = ["VIEWS", "build_view"]

ViewBuilder = Callable[[Model, nx.DiGraph, ViewOptions], ViewGraph]
VIEWS: dict[str, ViewBuilder] = {"landscape": landscape, "context": context, "impact": impact_view,
                                 "process": process, "data": data, "integrations": integrations_view}


def build_view(name: str, model: Model, dependencies: nx.DiGraph, options: ViewOptions) -> ViewGraph:
    """The view graph of ``name`` (a key of VIEWS). The landscape here is the Graphviz graph with integration
    edges; the landscape *map* (nested boxes, no edges) is :func:`archrepo.views.landscape_map.build_map`."""
    return VIEWS[name](model, dependencies, options)
