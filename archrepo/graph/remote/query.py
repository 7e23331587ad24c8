"""A repository's graph in a remote store, queried like the embedded graph: queries checked by the same rules,
sent with the SPARQL protocol, answers read back as pyoxigraph results."""

from __future__ import annotations

import http.client
from typing import Any, Protocol
from urllib.parse import urlencode

import pyoxigraph as ox

from archrepo.errors import QueryError
from archrepo.graph.rdf import ElementIris, bind_variables
from archrepo.graph.remote.client import (
    QUERY_TIMEOUT,
    StoreClient,
    StoreError,
    credentials_from_environment,
    store_url,
)
from archrepo.graph.remote.naming import config_graph_iri
from archrepo.graph.sparql_text import check_query, read_query

__all__ = ["RemoteGraph", "SparqlGraph", "open_store", "with_prefixes"]

# XML first: Virtuoso's JSON writer prints stored xsd:boolean values as "1" and "0", its XML one as "true"/"false"
SPARQL_RESULTS = "application/sparql-results+xml, application/sparql-results+json;q=0.9"
RDF_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_RESULT_FORMATS = {"application/sparql-results+xml": ox.QueryResultsFormat.XML,
                   "application/sparql-results+json": ox.QueryResultsFormat.JSON,
                   "application/json": ox.QueryResultsFormat.JSON,
                   "text/tab-separated-values": ox.QueryResultsFormat.TSV}
_RDF_FORMATS = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
                "text/turtle": ox.RdfFormat.TURTLE, "application/x-turtle": ox.RdfFormat.TURTLE,
                "application/rdf+xml": ox.RdfFormat.RDF_XML}


class SparqlGraph(Protocol):
    """What SPARQL rules and `archrepo query` need of a graph: the embedded ModelGraph or a RemoteGraph."""

    base_iri: str

    @property
    def prefixes(self) -> dict[str, str]: ...

    def iri(self, element_id: str) -> str: ...

    def element_id(self, iri: str) -> str | None: ...

    def query(self, sparql: str, *, bindings: dict[str, ox.Literal | ox.NamedNode] | None = None) -> Any: ...



class RemoteGraph(ElementIris):
    """A repository's graph in a remote store, with the query interface of :class:`ModelGraph`.

    ``graph`` is the default graph of every query (None: the store's own default, on Virtuoso every graph) and
    ``named_graphs`` what ``GRAPH ?g`` ranges over. Queries are read locally first, as tokens (never evaluated):
    SERVICE, updates and what cannot be read are refused with the embedded graph's messages before anything is
    sent; the form (SELECT, ASK, CONSTRUCT, DESCRIBE) comes from the tokens too. The store parses the rest."""

    def __init__(self, endpoint: str, base_iri: str, client: StoreClient, *, graph: str | None = None,
                 named_graphs: tuple[str, ...] = ()) -> None:
        self.endpoint = store_url(endpoint, "--store")
        self.base_iri = base_iri
        self.client = client
        self.graph = graph
        self.named_graphs = named_graphs

    def query(self, sparql: str, *, bindings: dict[str, ox.Literal | ox.NamedNode] | None = None) -> Any:
        """Run a read-only query on the store: solutions, a boolean or triples, as pyoxigraph objects."""
        form = check_query(sparql, self.prefixes).form
        if bindings:
            sparql = bind_variables(sparql, bindings)
        accept = RDF_ACCEPT if form in ("CONSTRUCT", "DESCRIBE") else SPARQL_RESULTS
        params = [("query", with_prefixes(sparql, self.prefixes))]
        if self.graph is not None:
            params.append(("default-graph-uri", self.graph))
        params += [("named-graph-uri", name) for name in self.named_graphs]
        try:
            body, media_type, headers = self.client.send(
                "POST", self.endpoint, what="SPARQL query", data=urlencode(params).encode("utf-8"),
                headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
        except StoreError as error:
            if error.status == 400:  # the store's parser: the query is malformed, or of a SPARQL it does not speak
                raise QueryError(f"malformed SPARQL query, or one this store does not support: the store rejected "
                                 f"the query: {error.detail or error.message}",
                                 hint="The store's message says where; archrepo checks only the query's tokens "
                                      "before sending it (it never runs a query just to parse it).") from None
            raise
        _refuse_partial_results(headers)
        return _parse_answer(body, media_type)

    def published_digest(self) -> str | None:
        """The digest of the model last published into this graph (from its settings graph), if any."""
        if self.graph is None:
            return None
        sparql = f"SELECT ?digest WHERE {{ GRAPH <{config_graph_iri(self.graph)}> {{ ?s owl:versionInfo ?digest }} }}"
        for solution in self.query(sparql):
            term = solution["digest"]
            if isinstance(term, ox.Literal):
                return term.value
        return None

    def count_triples(self) -> int:
        """Triples in the default graph of the queries (the repository graph)."""
        solutions = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        for solution in solutions:
            term = solution["n"]
            return int(term.value) if isinstance(term, ox.Literal) else 0
        return 0


def open_store(store: str, base_iri: str, graph: str | None = None, *,
               timeout: float = QUERY_TIMEOUT) -> RemoteGraph:
    """The store at ``store`` (a SPARQL query endpoint), credentials from the environment. With ``graph``:
    that repository graph as the default graph and its settings graph as the only named one, as the
    embedded graph has them; without: the store's own default (on Virtuoso, every graph)."""
    url = store_url(store, "--store")
    client = StoreClient(credentials_from_environment(), (url,), timeout)
    named = (config_graph_iri(graph),) if graph is not None else ()
    return RemoteGraph(url, base_iri, client, graph=graph, named_graphs=named)


def with_prefixes(sparql: str, prefixes: dict[str, str]) -> str:
    """The query with PREFIX declarations for the predefined prefixes it does not declare itself."""
    declared = read_query(sparql).declared_prefixes
    # on the query's first line, so that the store's messages give the user's line numbers
    missing = "".join(f"PREFIX {name}: <{iri}> " for name, iri in prefixes.items() if name not in declared)
    return missing + sparql


def _refuse_partial_results(headers: http.client.HTTPMessage) -> None:
    """Virtuoso cuts results at its ResultSetMaxRows, saying so only in a header, and an "anytime" query answers
    with what it has by its time limit: a check on part of the results would pass silently, so both are errors
    (a query over MaxQueryExecutionTime is an HTTP error of its own)."""
    state = headers.get("X-SQL-State", "")
    if state == "S1TAT":
        raise StoreError("the store stopped the query at its time limit and answered with partial results",
                         hint="Raise MaxQueryExecutionTime in the [SPARQL] section of virtuoso.ini.")
    if headers.get("X-SPARQL-MaxRows"):
        raise StoreError(f"the store cut the results at {headers.get('X-SPARQL-MaxRows')} rows",
                         hint="Raise ResultSetMaxRows in the [SPARQL] section of virtuoso.ini.")


def _parse_answer(body: bytes, media_type: str) -> Any:
    try:
        if media_type in _RESULT_FORMATS:
            return ox.parse_query_results(body, _RESULT_FORMATS[media_type])
        if media_type in _RDF_FORMATS:
            triples = ox.Store()
            triples.load(body, format=_RDF_FORMATS[media_type], to_graph=ox.DefaultGraph())
            return triples.query("CONSTRUCT WHERE { ?s ?p ?o }")
    except (SyntaxError, ValueError, OSError) as error:
        raise StoreError(f"the store's answer is not valid {media_type}: {str(error).splitlines()[0][:160]}") \
            from None
    raise StoreError(f"the store answered with {media_type or 'no media type'}, not SPARQL results",
                     hint="Is --store the URL of a SPARQL endpoint (for Virtuoso: http://HOST:8890/sparql)?")

