"""The IRIs archrepo's graphs use, as plain strings (no rdflib import: the check path stays light)."""

__all__ = ["ARCH_IRI", "CONFIG_GRAPH", "ONTOLOGY_GRAPH"]

ARCH_IRI = "https://archrepo.dev/ontology#"
ONTOLOGY_GRAPH = "https://archrepo.dev/ontology"
CONFIG_GRAPH = "https://archrepo.dev/config"
