"""`archrepo publish`, and what `check --store` and `query --store` share: the remote SPARQL store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from archrepo.commands.common import config_option, config_path_of, load_repository

__all__ = ["publish", "store_for_query"]


@click.command()
@config_option
@click.option("--endpoint", required=True, metavar="URL",
              help="The store's SPARQL query endpoint, e.g. Virtuoso's http://HOST:8890/sparql.")
@click.option("--graph", "graph", metavar="IRI", default=None,
              help="The repository's named graph (default: <base_iri>_graph, when archrepo.yaml sets base_iri).")
@click.option("--graph-store", metavar="URL", default=None,
              help="Graph Store Protocol endpoint (default, for a URL ending in /sparql as Virtuoso's: "
                   "…/sparql-graph-crud-auth, or …/sparql-graph-crud without credentials).")
@click.option("--update", metavar="URL", default=None,
              help="SPARQL Update endpoint (default, for Virtuoso: …/sparql-auth with credentials; "
                   "else the endpoint itself).")
@click.option("--protocol", type=click.Choice(["auto", "graph-store", "update"]), default="auto",
              show_default=True, help="auto: the Graph Store Protocol where the store has one, else SPARQL Update.")
@click.option("--timeout", type=click.FloatRange(min=1), default=600, show_default=True, metavar="SECONDS",
              help="How long to wait for each answer of the store.")
@click.pass_context
def publish(ctx: click.Context, config_path: Path | None, endpoint: str, graph: str | None, graph_store: str | None,
            update: str | None, protocol: str, timeout: float) -> None:
    """Replace the repository's named graph in a SPARQL 1.1 store (Virtuoso, Fuseki, GraphDB).

    The model's triples go into the graph, its settings (approved standards, and a digest of the model that
    `check --store` compares) into <graph>/config. A login, where the store needs one, is read from the
    environment only: ARCHREPO_STORE_USER and ARCHREPO_STORE_PASSWORD (HTTP basic or digest).
    """
    from archrepo.graph.remote import (
        StoreClient,
        credentials_from_environment,
        publish_model,
        repository_graph_iri,
        store_endpoints,
    )

    credentials = credentials_from_environment()
    endpoints = store_endpoints(endpoint, graph_store=graph_store, update=update,
                                authenticated=credentials is not None)
    repository = load_repository(ctx, config_path)
    config = repository.config
    graph_iri = repository_graph_iri(config.base_iri, graph)
    urls = tuple(url for url in (endpoints.query, endpoints.graph_store, endpoints.update) if url)
    client = StoreClient(credentials, urls, timeout)
    done = publish_model(repository.rdf, config.approved_standards, graph_iri, endpoints, client, protocol=protocol)
    how = "Graph Store Protocol" if done.protocol == "graph-store" else "SPARQL Update"
    click.echo(f"published {done.triples} triples into <{done.graph}> and the settings into <{done.config_graph}> "
               f"at {endpoint} ({how})", err=True)


def store_for_query(ctx: click.Context, config_path: Path | None, store: str,
                    graph: str | None) -> tuple[Any, float]:
    """The store of `query --store`, and how long a query may take: the repository's config, if there is one,
    only gives the id: prefix and its rule_timeout."""
    from archrepo.config import DEFAULT_BASE_IRI, DEFAULT_RULE_TIMEOUT, find_config, load_config
    from archrepo.graph.remote import open_store, repository_graph_iri

    path = config_path_of(ctx, config_path)
    base_iri, seconds = DEFAULT_BASE_IRI, DEFAULT_RULE_TIMEOUT
    if path is not None or find_config(Path.cwd()) is not None:
        config = load_config(path)
        base_iri, seconds = config.base_iri, config.rule_timeout
    return open_store(store, base_iri, repository_graph_iri(base_iri, graph) if graph else None), seconds
