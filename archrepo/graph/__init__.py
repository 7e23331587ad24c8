"""Graph layer: the model as RDF (Oxigraph + rdflib API) and as a networkx dependency graph."""

from archrepo.graph.deps import build_dependency_graph, dependents
from archrepo.graph.namespace import ARCH, ARCH_IRI
from archrepo.graph.rdf import PREFIXES, ModelGraph, build_graph

__all__ = ["ARCH", "ARCH_IRI", "PREFIXES", "ModelGraph", "build_dependency_graph", "build_graph", "dependents"]
