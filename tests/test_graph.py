"""The RDF mapping (golden Turtle, isomorphism), the ontology, SPARQL on Oxigraph and the dependency graph."""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import OWL, RDF, RDFS

import archrepo
from archrepo.errors import QueryError
from archrepo.graph.namespace import ARCH, ARCH_IRI
from archrepo.graph.serialize import serialize_graph
from tests.conftest import FIXTURES, SMALL

GOLDEN = FIXTURES / "golden" / "small.ttl"
ONTOLOGY = Path(archrepo.__file__).parent / "ontology.ttl"


@pytest.fixture(scope="module")
def small() -> archrepo.Repository:
    return archrepo.load(SMALL / "archrepo.yaml")


def test_rdf_matches_the_golden_turtle(small: archrepo.Repository) -> None:
    """Refresh with ARCHREPO_UPDATE_GOLDEN=1 pytest tests/test_graph.py, then review the diff in git."""
    actual = rdflib.Graph().parse(data=serialize_graph(small.rdf, "turtle"), format="turtle")
    if os.environ.get("ARCHREPO_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(serialize_graph(small.rdf, "turtle"), encoding="utf-8")
    expected = rdflib.Graph().parse(GOLDEN, format="turtle")
    if not isomorphic(actual, expected):
        _, only_actual, only_expected = graph_diff(to_isomorphic(actual), to_isomorphic(expected))
        pytest.fail("RDF differs from the golden file\nonly produced:\n"
                    + only_actual.serialize(format="nt") + "\nonly expected:\n" + only_expected.serialize(format="nt"))


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld"])
def test_export_parses_back_to_the_same_triples(small: archrepo.Repository, fmt: str) -> None:
    text = serialize_graph(small.rdf, fmt)
    parsed = rdflib.Graph().parse(data=text, format={"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld"}[fmt])
    assert len(parsed) == len(small.rdf)


def test_ntriples_export_is_deterministic(small: archrepo.Repository) -> None:
    again = archrepo.load(SMALL / "archrepo.yaml")
    assert serialize_graph(small.rdf, "ntriples") == serialize_graph(again.rdf, "ntriples")


def test_a_graph_built_on_first_use_is_the_graph_loaded_while_parsing(small: archrepo.Repository) -> None:
    later = archrepo.load(SMALL / "archrepo.yaml", graph=False)  # what views load: no store filled while parsing
    assert later.loader is None and small.loader is not None
    assert serialize_graph(later.rdf, "ntriples") == serialize_graph(small.rdf, "ntriples")


def test_rdflib_graph_is_a_view_of_the_oxigraph_store(small: archrepo.Repository) -> None:
    graph = small.rdf.rdflib_graph
    assert len(graph) == len(small.rdf)
    dips = rdflib.URIRef(small.rdf.iri("dips-arena"))
    assert (dips, RDF.type, ARCH.Application) in graph
    assert graph.value(dips, ARCH.owner) == rdflib.URIRef(small.rdf.iri("sykehuspartner"))


def test_mapping_of_defaults_levels_steps_and_properties(small: archrepo.Repository) -> None:
    rows = list(small.rdf.query("""
        SELECT ?mode ?status ?enc ?auth WHERE {
          id:henvisning-to-dips arch:mode ?mode ; arch:status ?status ; arch:encrypted ?enc ; arch:authentication ?auth }"""))
    assert [(r["mode"].value, r["status"].value, r["enc"].value, r["auth"].value) for r in rows] == \
        [("async", "active", "true", "mtls")]
    level = next(iter(small.rdf.query("SELECT ?c WHERE { id:old-ris arch:criticalityLevel ?c }")))["c"]
    assert level.value == "0"  # missing criticality counts as the lowest
    steps = [(r["id"].value, r["pos"].value) for r in small.rdf.query(
        "SELECT ?id ?pos WHERE { id:henvisning-til-poliklinikk arch:step ?s . ?s arch:id ?id ; arch:position ?pos }"
        " ORDER BY ?pos")]
    assert steps == [("motta", "1"), ("vurdere", "2")]
    nxt = list(small.rdf.query("SELECT ?n WHERE { ?s arch:id 'motta' ; arch:next ?n }"))
    assert nxt[0]["n"].value.endswith("/henvisning-til-poliklinikk/steps/vurdere")
    props = {(r["k"].value, r["v"].value) for r in small.rdf.query(
        "SELECT ?k ?v WHERE { id:dips-arena arch:property ?p . ?p arch:key ?k ; arch:value ?v }")}
    assert props == {("hosting_country", "NO"), ("users", "80000")}


def test_sparql_runs_on_oxigraph_with_dates(small: archrepo.Repository) -> None:
    retired = [r["a"].value for r in small.rdf.query(
        "SELECT ?a WHERE { ?a arch:retire ?d FILTER(?d <= ?asOf) }",
        bindings={"asOf": ox.Literal("2026-11-26", datatype=ox.NamedNode(str(rdflib.XSD.date)))})]
    assert retired == [small.rdf.iri("old-ris")]
    earlier = list(small.rdf.query(
        "PREFIX x: <http://example.org/x#> SELECT ?a WHERE { ?a arch:retire ?d FILTER(?d <= ?asOf) } # {",
        bindings={"asOf": ox.Literal("2020-01-01", datatype=ox.NamedNode(str(rdflib.XSD.date)))}))
    assert earlier == []


def test_element_id_of_iris(small: archrepo.Repository) -> None:
    rdf = small.rdf
    assert rdf.element_id(rdf.iri("dips-arena")) == "dips-arena"
    assert rdf.element_id(rdf.iri("henvisning-til-poliklinikk") + "/steps/motta") == "henvisning-til-poliklinikk"
    assert rdf.element_id("http://example.org/x") is None


@pytest.mark.parametrize("query", [
    "SELECT ?s WHERE { ?s ?p ",
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "select * where { service <http://example.org/sparql> { ?s ?p ?o } }",
])
def test_malformed_or_federated_queries_are_refused(small: archrepo.Repository, query: str) -> None:
    with pytest.raises(QueryError):
        small.rdf.query(query)


def test_service_inside_a_string_is_not_refused(small: archrepo.Repository) -> None:
    assert list(small.rdf.query('SELECT ?s WHERE { ?s arch:name "SERVICE desk" }')) == []


def test_ontology_documents_every_class_and_property_used(small: archrepo.Repository) -> None:
    ontology = rdflib.Graph().parse(ONTOLOGY, format="turtle")
    model = rdflib.Graph().parse(data=serialize_graph(small.rdf, "ntriples"), format="nt")
    used = {p for p in model.predicates() if p != RDF.type} | set(model.objects(None, RDF.type))
    assert used, "the model produced no triples"
    for term in used:
        assert str(term).startswith(ARCH_IRI), term
        assert ontology.value(term, RDFS.label), f"{term} has no rdfs:label"
        assert ontology.value(term, RDFS.comment), f"{term} has no rdfs:comment"


def test_namespace_class_and_ontology_define_the_same_terms() -> None:
    ontology = rdflib.Graph().parse(ONTOLOGY, format="turtle")
    defined = {str(s)[len(ARCH_IRI):] for s in ontology.subjects(RDF.type, None)
               if str(s).startswith(ARCH_IRI) and (s, RDF.type, OWL.Ontology) not in ontology}
    declared = {name for name in ARCH.__annotations__}
    assert defined == declared
    for term in defined:
        assert ontology.value(rdflib.URIRef(ARCH_IRI + term), RDFS.comment), term
    with pytest.raises(AttributeError):
        _ = ARCH.ownr


def test_dependency_direction(small: archrepo.Repository) -> None:
    deps = small.dependencies
    # epikrise-to-gp: dips-arena → fastlege-epj (async): the GP system depends on DIPS Arena
    assert deps.has_edge("fastlege-epj", "dips-arena")
    assert deps.edges["fastlege-epj", "dips-arena"]["integrations"] == ["epikrise-to-gp"]
    assert deps.has_edge("dips-arena", "fastlege-epj")  # henvisning-to-dips, the other way
    assert set(deps.nodes) == {"dips-arena", "nhn-edi", "fastlege-epj", "old-ris"}


def test_sync_integration_makes_both_ends_depend(make_repo) -> None:
    from tests.test_validation_defects import BASE

    repo = make_repo({**BASE, "models/i.yaml": """
        kind: Application
        id: lab
        name: Lab
        lifecycle: {status: active}
        ---
        kind: Integration
        id: lab-sync
        source: lab
        target: dips-arena
        standard: REST
        mode: sync
        ---
        kind: Integration
        id: old
        source: dips-arena
        target: lab
        standard: REST
        status: retired
        """})
    deps = archrepo.load(repo / "archrepo.yaml").dependencies
    assert deps.has_edge("dips-arena", "lab") and deps.has_edge("lab", "dips-arena")
    assert deps.edges["lab", "dips-arena"]["integrations"] == ["lab-sync"]  # the retired one adds nothing


def test_the_ontology_graph_of_the_store_is_the_ontology(small: archrepo.Repository) -> None:
    """The store's named graph of the ontology (loaded from its text by the store) holds exactly its triples."""
    from archrepo.graph.iris import ONTOLOGY_GRAPH

    quads = small.rdf.store.quads_for_pattern(None, None, None, ox.NamedNode(ONTOLOGY_GRAPH))
    in_store = rdflib.Graph().parse(data="".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in quads),
                                    format="nt")
    assert len(in_store) > 200
    assert isomorphic(in_store, rdflib.Graph().parse(ONTOLOGY, format="turtle"))
