"""Graph layer: the model as RDF (``archrepo.graph.rdf``: Oxigraph + rdflib API) and as a networkx dependency
graph (``archrepo.graph.deps``). Import the module you need; this package imports nothing heavy."""
