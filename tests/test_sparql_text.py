"""The query tokens that find the WHERE group, the declared prefixes and the form (graph/sparql_text.py): the
same reading that decides what is refused decides where VALUES go, so a string or comment that says
"WHERE {" or "PREFIX x:" never misleads either."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from archrepo.errors import QueryError
from archrepo.graph.rdf import bind_variables
from archrepo.graph.remote import with_prefixes
from archrepo.graph.sparql_text import MAX_NESTING, check_query, read_query


def test_values_go_into_the_where_group_not_into_a_string_or_comment() -> None:
    query = 'SELECT ?x # WHERE { in a comment\nWHERE { BIND("WHERE { in a string" AS ?s) BIND(?asOf AS ?x) }'
    bound = bind_variables(query, {"asOf": ox.Literal("2026-11-26")})
    assert bound.index("VALUES") > bound.index('?x # WHERE { in a comment\nWHERE {')
    assert bound.index("VALUES") < bound.index('BIND("WHERE')
    assert [s["x"].value for s in ox.Store().query(bound)] == ["2026-11-26"]


def test_declared_prefixes_are_read_from_tokens() -> None:
    query = '# PREFIX arch: <urn:commented>\nPREFIX rdf: <urn:mine#> SELECT ?s WHERE { ?s ?p "PREFIX xsd: <urn:x>" }'
    assert read_query(query).declared_prefixes == {"rdf": "urn:mine#"}
    prefixed = with_prefixes(query, {"arch": "urn:arch#", "rdf": "urn:rdf#", "xsd": "urn:xsd#"})
    assert prefixed.startswith("PREFIX arch: <urn:arch#> PREFIX xsd: <urn:xsd#> ")


@pytest.mark.parametrize(("query", "form"), [
    ("PREFIX a: <urn:a#> BASE <urn:b> select * { ?s ?p ?o }", "SELECT"),
    ("ASK {}", "ASK"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("DESCRIBE <urn:x>", "DESCRIBE"),
])
def test_the_form_comes_from_the_tokens(query: str, form: str) -> None:
    assert check_query(query).form == form


def test_nesting_is_counted_over_every_kind_of_bracket() -> None:
    allowed = "SELECT * WHERE { " + "{ (" * (MAX_NESTING // 2 - 1) + "1" + ") }" * (MAX_NESTING // 2 - 1) + " }"
    assert check_query(allowed).form == "SELECT"
    with pytest.raises(QueryError, match="nests brackets more than"):
        check_query("SELECT * WHERE { " + "[ " * MAX_NESTING + "] " * MAX_NESTING + "}")
