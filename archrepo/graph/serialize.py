"""Serialisations of the model graph: Turtle and JSON-LD through rdflib, N-Triples straight from Oxigraph."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from archrepo.graph.formats import RDF_FORMATS
from archrepo.graph.rdf import ModelGraph

__all__ = ["RDF_FORMATS", "serialize_graph"]


def _plain_copy(graph: ModelGraph) -> Any:
    """An rdflib in-memory copy of the model graph, prefixes bound.

    oxrdflib hands rdflib simple literals as explicit ``xsd:string`` literals, which rdflib's Turtle writer
    then spells out on every value; a copy parsed from Oxigraph's N-Triples keeps them plain.
    """
    import rdflib

    copy = rdflib.Graph()
    copy.parse(data=graph.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()),
               format="nt")
    for prefix, namespace in graph.prefixes.items():
        copy.bind(prefix, rdflib.Namespace(namespace), override=True, replace=True)
    return copy



def _jsonld_with_any_integer(copy: Any, context: dict[str, str]) -> str:
    """The JSON-LD rdflib makes, written by the standard json module (the same text, and integers of any size)."""
    import json

    from rdflib.plugins.serializers.jsonld import from_rdf

    document = from_rdf(copy, context, None, True, False, auto_compact=False)
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)


def serialize_graph(graph: ModelGraph, fmt: str) -> str:
    """The model (default graph only, not the ontology) as text; deterministic for the same model."""
    if fmt == "ntriples":
        data = graph.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""
        lines = sorted(set(data.decode("utf-8").splitlines()))
        return "\n".join(lines) + ("\n" if lines else "")
    if fmt == "turtle":
        text: str = _plain_copy(graph).serialize(format="turtle")
        return text
    if fmt == "jsonld":
        context = dict(graph.prefixes)
        copy = _plain_copy(graph)
        try:
            text = copy.serialize(format="json-ld", context=context, indent=2, sort_keys=True)
        except TypeError:  # rdflib writes with orjson, which refuses integers beyond 64 bits (xsd:integer has none)
            text = _jsonld_with_any_integer(copy, context)
        return text if text.endswith("\n") else text + "\n"
    raise ValueError(f"unknown RDF format {fmt!r}")
