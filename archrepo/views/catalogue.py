"""Every graph view by name (from :mod:`archrepo.views.registry`), and the one entry point that builds a view
graph from the model."""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx

from archrepo.model.elements import Model
from archrepo.registry import resolve
from archrepo.views.build import ViewOptions
from archrepo.views.graph import ViewGraph
from archrepo.views.registry import GRAPH_VIEWS

__all__ = ["VIEWS", "build_view"]

ViewBuilder = Callable[[Model, nx.DiGraph, ViewOptions], ViewGraph]
VIEWS: dict[str, ViewBuilder] = {name: resolve(reference) for name, reference in GRAPH_VIEWS.items()}


def build_view(name: str, model: Model, dependencies: nx.DiGraph, options: ViewOptions) -> ViewGraph:
    """The view graph of ``name`` (a key of VIEWS). The landscape here is the Graphviz graph with integration
    edges; the landscape *map* (nested boxes, no edges) is :func:`archrepo.views.landscape_map.build_map`."""
    return VIEWS[name](model, dependencies, options)
