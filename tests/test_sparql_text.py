"""The query tokens that find the WHERE group, the declared prefixes and the form (graph/sparql_text.py): the
same reading that decides what is refused decides where VALUES go, so a string or comment that says
"WHERE {" or "PREFIX x:" never misleads either."""

from __future__ import annotations

import re

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


def _lexed(text: str, pattern: re.Pattern[str]) -> list | str:
    from archrepo.graph.sparql_text import QueryText, _tokens

    try:
        return _tokens(text, pattern, QueryText(text, ()), None)
    except QueryError as error:
        return str(error)


def test_ascii_text_is_read_by_the_lexers_without_other_characters_as_by_the_full_ones() -> None:
    """Queries of ASCII characters only (almost all) are read with lexers whose classes hold only what ASCII text
    can: the same tokens and the same errors as the full lexers give, at a twentieth of their compile time."""
    import random
    from pathlib import Path

    import yaml

    from archrepo.graph.sparql_text import _lexers

    queries = [str(yaml.safe_load(path.read_text(encoding="utf-8")).get("sparql") or "")
               for path in sorted((Path(__file__).parents[1] / "rules").glob("*.yaml"))]
    corpus = [query for query in queries if query and query.isascii()]  # (the others are read with the full ones)
    assert len(corpus) > 10
    alphabet = "abzAZ_09:.-?$<>\"'#@%\\{}()[];,=!+*/^|~&` \t\n" + "uU\\u00e9ex2f"
    generator = random.Random(16)
    corpus += ["".join(generator.choice(alphabet) for _ in range(generator.randrange(1, 40))) for _ in range(3000)]
    corpus += [chr(code) + tail for code in range(128) for tail in ("", "a", ":b", "1", ".x", "-y")]
    for text in corpus:
        assert text.isascii()
        for ascii_lexer, full_lexer in zip(_lexers(True), _lexers(False), strict=True):
            assert _lexed(text, ascii_lexer) == _lexed(text, full_lexer), text
    _lexers.cache_clear()
    read_query("SELECT ?element WHERE { ?element a arch:Application }")
    assert _lexers.cache_info().misses == 1  # only the ASCII lexers were compiled ...
    _lexers(True)
    assert _lexers.cache_info().hits == 1  # ... as this finds
    assert read_query("SELECT ?é WHERE { ?é a arch:Application }").form == "SELECT"  # and other text reads too


def test_where_the_ascii_lexer_reads_other_text_whole_it_reads_it_as_the_full_one() -> None:
    """A query with characters beyond ASCII is read by the ASCII lexers when they read all of it (rule queries
    carry the odd such word in a message string): their tokens are then the full lexers' (only strings, IRIs and
    comments can hold such a character, with the same classes in both); where a name holds one, the full lexers
    read it."""
    import random
    from pathlib import Path

    import yaml

    from archrepo.graph.sparql_text import _lexers

    others = ["é", "·", "\u0300", "‿", "⁀", "中", "\U0001f600", "\u200c", "\u037e", "×", "\u2028", "\u00a0", "ø"]
    alphabet = list("abzAZ_09:.-?$<>\"'#@%\\{}()[];,=!+*/^|~& \t\n") + others * 3
    generator = random.Random(20)
    texts = ["".join(generator.choice(alphabet) for _ in range(generator.randrange(1, 30))) for _ in range(20000)]
    queries = [str(yaml.safe_load(path.read_text(encoding="utf-8")).get("sparql") or "")
               for path in sorted((Path(__file__).parents[1] / "rules").glob("*.yaml"))]
    for query in (q for q in queries if q):
        for _ in range(30):  # the rule queries with such a character put anywhere
            at = generator.randrange(len(query) + 1)
            texts.append(query[:at] + generator.choice(others) + query[at:])
    agreed = 0
    for text in texts:
        for ascii_lexer, full_lexer in zip(_lexers(True), _lexers(False), strict=True):
            read = _lexed(text, ascii_lexer)
            if not isinstance(read, str):  # the ASCII lexer read all of it
                assert read == _lexed(text, full_lexer), text
                agreed += not text.isascii()
    assert agreed > 1000  # (many texts with such characters in strings, IRIs and comments)
    _lexers.cache_clear()
    for query in (q for q in queries if q):
        read_query(query)
    assert _lexers.cache_info().misses == 1  # the standard rules need the ASCII lexers only
