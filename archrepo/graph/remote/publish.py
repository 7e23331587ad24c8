"""Publishing a repository's graphs into a store: the Graph Store HTTP Protocol (PUT) or SPARQL Update."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from archrepo.errors import UsageError
from archrepo.graph.rdf import ModelGraph
from archrepo.graph.remote.client import StoreClient, StoreError, store_url
from archrepo.graph.remote.naming import config_graph_iri, graph_ntriples, model_digest, settings_ntriples
from archrepo.graph.remote.query import RemoteGraph

__all__ = ["Publication", "StoreEndpoints", "publish_graphs", "publish_model", "store_endpoints"]

UPDATE_BATCH = 500  # triples per INSERT DATA: Virtuoso 7.2 fails on one of over ~1,500 (its SQL text is too long)


@dataclass(frozen=True)
class StoreEndpoints:
    """Where queries, Graph Store Protocol requests and updates go (None: the server has no such service)."""

    query: str
    graph_store: str | None
    update: str | None


def store_endpoints(endpoint: str, *, graph_store: str | None = None, update: str | None = None,
                    authenticated: bool = False) -> StoreEndpoints:
    """The endpoints of a store, from its SPARQL query endpoint and what was given explicitly.

    An endpoint whose path ends in ``/sparql`` is taken to be laid out like Virtuoso's: the Graph Store Protocol
    at ``/sparql-graph-crud-auth`` (``/sparql-graph-crud`` without credentials) and updates at ``/sparql-auth``
    (the endpoint itself without credentials). Other servers take updates at the endpoint itself unless
    ``update`` says otherwise, and have no graph store unless ``graph_store`` names it."""
    store_url(endpoint, "--endpoint")
    parts = urlsplit(endpoint)
    virtuoso_like = parts.path.rstrip("/").endswith("/sparql")

    def sibling(suffix: str) -> str:
        return urlunsplit(parts._replace(path=parts.path.rstrip("/") + suffix, query="", fragment=""))

    if graph_store is None and virtuoso_like:
        graph_store = sibling("-graph-crud-auth" if authenticated else "-graph-crud")
    if update is None:
        update = sibling("-auth") if virtuoso_like and authenticated else endpoint
    return StoreEndpoints(endpoint, store_url(graph_store, "--graph-store") if graph_store else None,
                          store_url(update, "--update"))


@dataclass(frozen=True)
class Publication:
    """What `publish` did: the graphs it replaced, how many triples the model graph holds, and how."""

    graph: str
    config_graph: str
    triples: int
    protocol: str


def publish_model(model: ModelGraph, approved_standards: tuple[str, ...], graph: str, endpoints: StoreEndpoints,
                  client: StoreClient, *, protocol: str = "auto") -> Publication:
    """Replace ``graph`` with the model's triples and ``<graph>/config`` with its settings, then make sure the
    store holds as many triples as the model has. The model goes first: should that fail, the settings graph
    keeps the digest of what was there before, and `check --store` says that the two differ."""
    ntriples = graph_ntriples(model)
    settings_graph = config_graph_iri(graph)
    settings = settings_ntriples(settings_graph, approved_standards, model_digest(ntriples))
    used = publish_graphs(client, endpoints, {graph: ntriples, settings_graph: settings}, protocol=protocol)
    held = RemoteGraph(endpoints.query, model.base_iri, client, graph=graph).count_triples()
    if held != len(model):
        raise StoreError(f"after publishing {len(model)} triples, the store holds {held} in <{graph}>",
                         hint="Another writer may have changed the graph meanwhile, or the store altered literals; "
                              "publish again.")
    return Publication(graph, settings_graph, held, used)


def publish_graphs(client: StoreClient, endpoints: StoreEndpoints, graphs: Mapping[str, bytes], *,
                   protocol: str = "auto") -> str:
    """Replace each named graph with the given N-Triples; the protocol used: ``graph-store`` or ``update``.

    ``auto`` uses the Graph Store Protocol where there is one, and SPARQL Update where the server has no graph
    store (it answers 404, 405 or 501)."""
    if protocol in ("auto", "graph-store") and endpoints.graph_store is not None:
        try:
            for graph, ntriples in graphs.items():
                _put_graph(client, endpoints.graph_store, graph, ntriples)
            return "graph-store"
        except StoreError as error:
            if protocol == "graph-store" or error.status not in (404, 405, 501):
                raise
    elif protocol == "graph-store":
        raise UsageError("--protocol graph-store needs --graph-store URL",
                         hint="Name the store's Graph Store Protocol endpoint.")
    if endpoints.update is None:
        raise UsageError("the store has no graph store and no update endpoint", hint="Give --update URL.")
    for graph, ntriples in graphs.items():
        _update_graph(client, endpoints.update, graph, ntriples)
    return "update"


def _put_graph(client: StoreClient, graph_store: str, graph: str, ntriples: bytes) -> None:
    separator = "&" if "?" in graph_store else "?"
    client.send("PUT", f"{graph_store}{separator}{urlencode({'graph': graph})}", what=f"replacing graph <{graph}>",
                data=ntriples, headers={"Content-Type": "application/n-triples; charset=utf-8"})


def _update_graph(client: StoreClient, update: str, graph: str, ntriples: bytes) -> None:
    """DROP then INSERT DATA in batches; the first batch goes with the DROP, in one request."""
    lines = [line for line in ntriples.decode("utf-8").splitlines() if line.strip()]
    batches = [lines[start:start + UPDATE_BATCH] for start in range(0, len(lines), UPDATE_BATCH)] or [[]]
    for index, batch in enumerate(batches):
        insert = f"INSERT DATA {{ GRAPH <{graph}> {{\n" + "\n".join(batch) + "\n} }" if batch else ""
        text = f"DROP SILENT GRAPH <{graph}>" + (f" ;\n{insert}" if insert else "") if index == 0 else insert
        client.send("POST", update, what=f"replacing graph <{graph}>", data=urlencode({"update": text}).encode(),
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
