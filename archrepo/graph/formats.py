"""The formats the model graph is written in and query results are given in, by name: what `export` and `query`
offer and what :mod:`archrepo.graph.serialize` and :mod:`archrepo.graph.results` write. Light: nothing imported."""

from __future__ import annotations

__all__ = ["QUERY_FORMATS", "RDF_FORMATS"]

RDF_FORMATS: tuple[str, ...] = ("turtle", "jsonld", "ntriples")
QUERY_FORMATS: tuple[str, ...] = ("table", "csv", "json")  # table for people; csv and json: the SPARQL 1.1 formats
