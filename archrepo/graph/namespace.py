"""The archrepo vocabulary as an rdflib namespace that rejects terms the ontology does not define."""

from __future__ import annotations

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

__all__ = ["ARCH", "ARCH_IRI", "CONFIG_GRAPH", "ONTOLOGY_GRAPH"]

from archrepo.graph.iris import ARCH_IRI, CONFIG_GRAPH, ONTOLOGY_GRAPH


class ARCH(DefinedNamespace):
    """Terms of ``archrepo/ontology.ttl``; ``ARCH.ownr`` raises instead of minting a typo."""

    _NS = Namespace(ARCH_IRI)
    _fail = True

    # classes
    Element: URIRef
    Organisation: URIRef
    Capability: URIRef
    Application: URIRef
    DataObject: URIRef
    Integration: URIRef
    Process: URIRef
    Technology: URIRef
    ProcessStep: URIRef
    PropertyValue: URIRef
    Configuration: URIRef
    # properties
    id: URIRef
    name: URIRef
    description: URIRef
    owner: URIRef
    parent: URIRef
    capability: URIRef
    since: URIRef
    organisationType: URIRef
    external: URIRef
    lifecycleStatus: URIRef
    phaseOut: URIRef
    retire: URIRef
    criticality: URIRef
    criticalityLevel: URIRef
    classification: URIRef
    classificationLevel: URIRef
    role: URIRef
    vendor: URIRef
    hosting: URIRef
    tag: URIRef
    property: URIRef
    key: URIRef
    value: URIRef
    master: URIRef
    source: URIRef
    target: URIRef
    standard: URIRef
    data: URIRef
    via: URIRef
    mode: URIRef
    status: URIRef
    until: URIRef
    encrypted: URIRef
    authentication: URIRef
    step: URIRef
    process: URIRef
    position: URIRef
    supportedBy: URIRef
    next: URIRef
    initiator: URIRef
    initiatedBy: URIRef
    technology: URIRef
    version: URIRef
    technologyType: URIRef
    endOfSupport: URIRef
    endOfLife: URIRef
    ring: URIRef
    ringSince: URIRef
    runsOn: URIRef
    approvedStandard: URIRef
