"""SHACL rules: Turtle shapes run with pySHACL over a private copy of the model graph; each validation result
is a finding.

Read-only towards the other rules. SHACL-AF rules (``sh:rule``) add triples to the graph they validate: on
the shared graph, a rule marking every integration retired would hide every other rule's violations. So each
SHACL rule validates its own copy of the store (an Oxigraph copy: about 1.5 s at 600,000 triples, little
beside pySHACL's own time), which is dropped afterwards.

No SERVICE, whatever the shapes say. Every SPARQL text pySHACL runs goes through the copy's store, whose
``query`` checks the whole text as it is about to run (the shapes' ``sh:select``, ``sh:ask``,
``sh:construct`` with pySHACL's ``PREFIX`` lines from ``sh:prefixes`` already prepended, and its own
queries) with :func:`check_query`, refuses already parsed queries and updates, and never lets rdflib's own
SPARQL evaluator (which answers SERVICE and loads ``FROM`` IRIs over HTTP) take over. A refusal fails the
rule even if pySHACL swallowed the exception. Before that, every ``sh:select``/``sh:ask``/``sh:construct``
literal of the shapes is checked as written, for a message that names the rule's query even when no focus
node ever reaches it; ``sh:update`` is refused outright.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox

from archrepo.errors import QueryError
from archrepo.graph.sparql_text import check_query
from archrepo.rules.context import RuleContext
from archrepo.rules.definitions import RuleDefinition
from archrepo.rules.violation import Finding, RuleRunError

__all__ = ["run_shacl_rule"]

_QUERY_PREDICATES = ("select", "ask", "construct")


def run_shacl_rule(rule: RuleDefinition, context: RuleContext) -> Iterator[Finding]:
    import pyshacl
    import rdflib
    from rdflib.namespace import SH

    shapes = _shapes(rule, context)
    _check_shape_queries(shapes)
    data, store = _private_graph(context)
    _conforms, results, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                                 inplace=True, allow_warnings=True)
    if store.refused is not None:
        raise RuleRunError(f"a query of the shapes was refused: {store.refused.message}")
    merged: dict[tuple[str, str], set[str]] = {}
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        element = context.rdf.element_id(str(focus)) if focus is not None else None
        if element is None or element not in context.model:
            continue
        message = results.value(result, SH.resultMessage)
        path = results.value(result, SH.resultPath)
        text = str(message) if message is not None else (
            f"{element}: constraint on {path.n3(shapes.namespace_manager) if path is not None else 'the element'} "
            "not met")
        related = merged.setdefault((element, text), set())
        value = results.value(result, SH.value)
        if isinstance(value, rdflib.URIRef):
            related_id = context.rdf.element_id(str(value))
            if related_id and related_id != element:
                related.add(related_id)
    for (element, text), related in sorted(merged.items()):
        yield Finding(element, text, tuple(sorted(related)))


def _shapes(rule: RuleDefinition, context: RuleContext) -> Any:
    import rdflib
    from rdflib.namespace import SH

    from archrepo.graph.rdf import PREFIXES

    shapes = rdflib.Graph()
    prelude = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in {**PREFIXES, "sh": str(SH),
                                                               "id": context.rdf.base_iri}.items())
    try:
        shapes.parse(data=prelude + rule.body, format="turtle")
    except Exception as error:  # rdflib raises many types for bad Turtle
        raise RuleRunError(f"the SHACL shapes are not valid Turtle: {str(error).splitlines()[0]}") from None
    if (None, rdflib.RDF.type, SH.NodeShape) not in shapes and (None, rdflib.RDF.type, SH.PropertyShape) not in shapes:
        raise RuleRunError("the shacl: text defines no sh:NodeShape or sh:PropertyShape")
    return shapes


def _check_shape_queries(shapes: Any) -> None:
    """Every SPARQL text of the shapes, as written: refused as a query would be (prefixes come from
    ``sh:prefixes``, so undeclared ones are left to the engine)."""
    from rdflib.namespace import SH

    if any(True for _ in shapes.subject_objects(SH.update)):
        raise RuleRunError("the shapes hold an sh:update: SHACL rules only read the model")
    for name in _QUERY_PREDICATES:
        for _subject, text in shapes.subject_objects(SH[name]):
            try:
                check_query(str(text))
            except QueryError as error:
                raise RuleRunError(f"the sh:{name} query of the shapes is refused: {error.message}") from None


def _private_graph(context: RuleContext) -> tuple[Any, Any]:
    """An rdflib graph over a copy of the model's store, whose store checks every query it is asked to run."""
    import rdflib
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    shared: ox.Store = context.rdf.store
    copy = ox.Store()
    copy.bulk_load(shared.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    store = _checked_store_class()(store=copy)
    graph = rdflib.Graph(store=store, identifier=DATASET_DEFAULT_GRAPH_ID)
    for prefix, namespace in context.rdf.prefixes.items():
        graph.bind(prefix, rdflib.Namespace(namespace), override=True, replace=True)
    return graph, store


@functools.cache
def _checked_store_class() -> Any:
    """oxrdflib's store, with every query checked first and nothing handed to rdflib's evaluator."""
    from oxrdflib import OxigraphStore

    class CheckedStore(OxigraphStore):
        refused: QueryError | None = None

        def _refuse(self, error: QueryError) -> QueryError:
            self.refused = self.refused or error
            return error

        def query(self, query: Any, initNs: Any, initBindings: Any, queryGraph: Any,
                  **kwargs: Any) -> Any:
            if not isinstance(query, str):
                raise self._refuse(QueryError("a SHACL engine passed an already parsed query; only query text "
                                              "is run, after it is checked"))
            try:
                check_query(query)
            except QueryError as error:
                raise self._refuse(error) from None
            try:
                return super().query(query, initNs, initBindings, queryGraph, **kwargs)
            except NotImplementedError as error:  # rdflib would fall back to its own evaluator: never
                raise self._refuse(QueryError(f"the query cannot run on Oxigraph: {error}")) from None

        def update(self, *args: Any, **kwargs: Any) -> None:
            raise self._refuse(QueryError("SPARQL updates are refused: SHACL rules only read the model"))

    return CheckedStore
