"""The model graph in a remote SPARQL 1.1 store (Virtuoso, Fuseki, GraphDB): publish it, query it, check it.

A store holds one named graph per repository (the model's triples) and, beside it, ``<graph>/config`` with the
settings rules read (``arch:approvedStandard``) and the digest of the published model (``owl:versionInfo``).
Publishing replaces both, with the Graph Store HTTP Protocol (PUT) or SPARQL Update where that is what the
server offers. Queries use the SPARQL protocol and come back as pyoxigraph results, so everything after them
(rules, the result formats) works as on the embedded graph. Credentials come only from the environment.

As rdflib separates a store from its connector: ``client`` (HTTP, credentials, errors), ``query`` (the graph
to query), ``naming`` (graph names and what goes in them), ``publish`` (replacing graphs).
"""

from archrepo.graph.remote.client import (
    PASSWORD_VARIABLE,
    USER_VARIABLE,
    Credentials,
    StoreClient,
    StoreError,
    credentials_from_environment,
    store_url,
)
from archrepo.graph.remote.naming import (
    config_graph_iri,
    graph_ntriples,
    model_digest,
    repository_graph_iri,
    settings_ntriples,
)
from archrepo.graph.remote.publish import Publication, StoreEndpoints, publish_graphs, publish_model, store_endpoints
from archrepo.graph.remote.query import RemoteGraph, SparqlGraph, open_store, with_prefixes

__all__ = ["PASSWORD_VARIABLE", "USER_VARIABLE", "Credentials", "Publication", "RemoteGraph", "SparqlGraph",
           "StoreClient", "StoreEndpoints", "StoreError", "config_graph_iri", "credentials_from_environment",
           "graph_ntriples", "model_digest", "open_store", "publish_graphs", "publish_model", "repository_graph_iri",
           "settings_ntriples", "store_endpoints", "store_url", "with_prefixes"]
