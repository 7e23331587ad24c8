"""The whole model's RDF graph, kept in step with the editor: an edit removes the triples of the elements it
changed and adds their new ones, so SPARQL rules near an edit run on the full graph, restricted to the
elements near the change, instead of on a graph built for each edit (at 10,000 applications an edit to an
integration of a large system reaches thousands of elements)."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from archrepo.api import Repository
from archrepo.graph.rdf import elements_ntriples
from archrepo.model.elements import Element

__all__ = ["LiveGraph"]


class LiveGraph:
    """The graph of one repository's valid elements (built once, by ``Repository.rdf``), changed in place."""

    def __init__(self, repository: Repository) -> None:
        self.graph = repository.rdf
        self.base_iri = repository.config.base_iri

    def apply(self, changes: Iterable[tuple[Element | None, Element | None]]) -> None:
        """Replace each (old, new) element: old's triples out, new's in (None: none)."""
        pairs = list(changes)
        old = [before for before, _ in pairs if before is not None]
        new = [after for _, after in pairs if after is not None]
        store = self.graph.store
        if old:  # the same text as they were loaded from: the same terms
            for quad in ox.parse(elements_ntriples(old, self.base_iri), format=ox.RdfFormat.N_TRIPLES,
                                 lenient=True):
                store.remove(quad)
        if new:
            store.load(elements_ntriples(new, self.base_iri), format=ox.RdfFormat.N_TRIPLES, lenient=True)

    def on(self, repository: Repository) -> Repository:
        """``repository`` answering ``rdf`` with this graph."""
        return repository.with_graph(self.graph)
