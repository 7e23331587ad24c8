"""Dependency views: functions from the loaded model to a small view graph, rendered by separate renderers.

The names below are imported on first use (PEP 562): the command line imports ``archrepo.views.registry``
at start-up for its option choices, and that must not import networkx and every view with it."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archrepo.views.build import ViewOptions
    from archrepo.views.catalogue import VIEWS, build_view
    from archrepo.views.graph import ViewEdge, ViewGraph, ViewNode
    from archrepo.views.impact import ImpactResult, analyse_impact

__all__ = ["VIEWS", "ImpactResult", "ViewEdge", "ViewGraph", "ViewNode", "ViewOptions", "analyse_impact",
           "build_view"]

_HOMES = {"ViewOptions": "build", "VIEWS": "catalogue", "build_view": "catalogue", "ViewEdge": "graph",
          "ViewGraph": "graph", "ViewNode": "graph", "ImpactResult": "impact", "analyse_impact": "impact"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'archrepo.views' has no attribute '{name}'")
    value = getattr(importlib.import_module(f"archrepo.views.{home}"), name)
    globals()[name] = value  # once: the next use is a plain lookup
    return value
