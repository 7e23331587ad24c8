"""Serialisations of the model graph: Turtle and JSON-LD through rdflib, N-Triples straight from Oxigraph."""

from __future__ import annotations

import pyoxigraph as ox

from archrepo.graph.rdf import ModelGraph

__all__ = ["RDF_FORMATS", "serialize_graph"]

RDF_FORMATS = ("turtle", "jsonld", "ntriples")


def serialize_graph(graph: ModelGraph, fmt: str) -> str:
    """The model (default graph only, not the ontology) as text; deterministic for the same model."""
    if fmt == "ntriples":
        data = graph.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        lines = sorted(set(data.decode("utf-8").splitlines()))
        return "\n".join(lines) + ("\n" if lines else "")
    if fmt == "turtle":
        text: str = graph.rdflib_graph.serialize(format="turtle")
        return text
    if fmt == "jsonld":
        context = dict(graph.prefixes)
        text = graph.rdflib_graph.serialize(format="json-ld", context=context, indent=2, sort_keys=True)
        return text if text.endswith("\n") else text + "\n"
    raise ValueError(f"unknown RDF format {fmt!r}")
