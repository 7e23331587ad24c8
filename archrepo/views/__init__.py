"""Dependency views: functions from the loaded model to a small view graph, rendered by separate renderers."""

from archrepo.views.build import ViewOptions
from archrepo.views.catalogue import VIEWS, build_view
from archrepo.views.graph import ViewEdge, ViewGraph, ViewNode
from archrepo.views.impact import ImpactResult, analyse_impact

__all__ = ["VIEWS", "ImpactResult", "ViewEdge", "ViewGraph", "ViewNode", "ViewOptions", "analyse_impact",
           "build_view"]
