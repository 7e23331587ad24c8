"""How a repository's graphs are named in a store, and what is published into them (the model's triples, the
settings graph with the digest of the published model)."""

from __future__ import annotations

import hashlib

import pyoxigraph as ox

from archrepo.config import DEFAULT_BASE_IRI
from archrepo.errors import UsageError
from archrepo.graph.iris import ARCH_IRI
from archrepo.graph.rdf import RDF_TYPE, ModelGraph

__all__ = ["config_graph_iri", "graph_ntriples", "model_digest", "repository_graph_iri", "settings_ntriples"]

OWL_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"


def repository_graph_iri(base_iri: str, graph: str | None = None) -> str:
    """The named graph of a repository: ``graph`` if given, else ``<base_iri>_graph`` (``_`` starts no element
    id, so the graph never names an element). With the default base IRI every repository would share that
    graph and replace the others' on publishing: there, ``graph`` must be given."""
    if graph is not None:
        try:
            ox.NamedNode(graph)
        except ValueError:
            raise UsageError(f"--graph {graph}: not an absolute IRI", hint="For example urn:archrepo:hospital-a "
                             "or https://arch.example.org/graphs/hospital-a") from None
        return graph
    if base_iri == DEFAULT_BASE_IRI:
        raise UsageError("the repository has no graph name of its own: give --graph IRI, or set base_iri in "
                         "archrepo.yaml", hint=f"With the default base_iri ({DEFAULT_BASE_IRI}) every repository "
                         "would publish into the same graph and replace the others'.")
    return f"{base_iri}_graph"


def config_graph_iri(graph: str) -> str:
    """The companion graph of a repository graph: its settings and the digest of what was published."""
    return f"{graph}/config"


def model_digest(ntriples: bytes) -> str:
    """A digest of a model's triples, independent of their order: published with them, compared by `check`."""
    lines = sorted(line for line in ntriples.decode("utf-8").splitlines() if line.strip())
    return "sha256:" + hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def settings_ntriples(config_graph: str, approved_standards: tuple[str, ...], digest: str) -> bytes:
    """The settings graph: what rules read with ``GRAPH ?config { … }``, and which model the store holds."""
    node = f"<{config_graph}>"
    lines = [f"{node} <{RDF_TYPE}> <{ARCH_IRI}Configuration> .",
             f"{node} <{OWL_VERSION_INFO}> {ox.Literal(digest)} ."]
    lines += [f"{node} <{ARCH_IRI}approvedStandard> {ox.Literal(standard)} ." for standard in approved_standards]
    return ("\n".join(lines) + "\n").encode("utf-8")


def graph_ntriples(graph: ModelGraph) -> bytes:
    """The model's triples (the embedded graph's default graph) as N-Triples: what is published."""
    data = graph.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return data if isinstance(data, bytes) else b""

