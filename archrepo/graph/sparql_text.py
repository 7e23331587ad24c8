"""SPARQL query text read as tokens: what must never reach an engine is refused before one sees it.

A query is refused unless archrepo can show, from its tokens, that it holds no ``SERVICE`` (a federated
query reaches the network), no update, no bracket nesting deep enough to overflow a parser's stack, and
nothing else that cannot be placed. The lexer follows the terminals of the SPARQL 1.1 grammar (§19.8:
IRIREF, PNAME_NS/PNAME_LN with PN_LOCAL_ESC and percent escapes, the four string forms with ECHAR, numbers,
VAR1/VAR2, BLANK_NODE_LABEL, LANGTAG, comments, punctuation) plus SPARQL 1.2's triple-term brackets; any
character it cannot place refuses the query, saying where. Fail closed, three ways:

* **Two readings.** SPARQL (§19.2) decodes ``\\uXXXX`` and ``\\UXXXXXXXX`` in the whole query before parsing;
  Oxigraph as pyoxigraph ships it decodes them only inside strings and IRIs, and a remote store may do
  either. The query is read both ways; both readings must tokenise and agree token for token, so whichever
  way an engine reads it, it reads the tokens checked here. A codepoint escape of no character (a
  surrogate, beyond U+10FFFF) is refused.
* **Keywords as Oxigraph matches them.** Oxigraph's parser takes a keyword as the first letters of a longer
  word: ``SERVICE:x`` and ``SERVICEsilent:x`` (with ``:`` declared) run SERVICE. Any word or prefixed name
  that begins with ``SERVICE``, in any case, is refused; so is a bare word that is no SPARQL keyword (there
  are none in the grammar), which also keeps store extensions such as Virtuoso's ``DEFINE`` out.
* **Store built-ins.** IRIs in the ``bif:`` and ``sql:`` schemes (Virtuoso's SQL functions, some of which
  reach the network) are refused, as are prefixes not declared in the query or predefined.

The same tokens find the WHERE group (to insert ``VALUES``), the PREFIX declarations and the query form, so
nothing here evaluates a query to learn about it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import NamedTuple

from archrepo.errors import QueryError

__all__ = ["MAX_NESTING", "QueryText", "Token", "check_query", "compile_lexers", "into_where_group", "read_query"]

MAX_NESTING = 256  # Oxigraph's recursive parser overflows its stack somewhere past 2,000 (exit 139)
FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATES = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})
KEYWORDS = frozenset({  # Oxigraph's: SPARQL 1.1 and the SPARQL 1.2 draft it implements
    "BASE", "PREFIX", "VERSION", "SELECT", "DISTINCT", "REDUCED", "AS", "CONSTRUCT", "WHERE", "DESCRIBE", "ASK",
    "FROM", "NAMED", "GROUP", "BY", "HAVING", "ORDER", "ASC", "DESC", "LIMIT", "OFFSET", "VALUES", "LOAD", "SILENT",
    "INTO", "CLEAR", "DROP", "CREATE", "ADD", "TO", "MOVE", "COPY", "INSERT", "DATA", "DELETE", "WITH", "USING",
    "DEFAULT", "GRAPH", "ALL", "OPTIONAL", "SERVICE", "BIND", "UNDEF", "MINUS", "UNION", "FILTER", "LATERAL", "IN",
    "NOT", "EXISTS", "TRUE", "FALSE", "STR", "LANG", "LANGMATCHES", "LANGDIR", "DATATYPE", "BOUND", "IRI", "URI",
    "BNODE", "RAND", "ABS", "CEIL", "FLOOR", "ROUND", "CONCAT", "STRLEN", "UCASE", "LCASE", "ENCODE_FOR_URI",
    "CONTAINS", "STRSTARTS", "STRENDS", "STRBEFORE", "STRAFTER", "YEAR", "MONTH", "DAY", "HOURS", "MINUTES",
    "SECONDS", "TIMEZONE", "TZ", "NOW", "UUID", "STRUUID", "MD5", "SHA1", "SHA256", "SHA384", "SHA512", "COALESCE",
    "IF", "STRLANG", "STRLANGDIR", "STRDT", "SAMETERM", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL", "ISNUMERIC",
    "ISTRIPLE", "HASLANG", "HASLANGDIR", "TRIPLE", "SUBJECT", "PREDICATE", "OBJECT", "ADJUST", "REGEX", "SUBSTR",
    "REPLACE", "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT", "SEPARATOR"
})
_OPEN = frozenset({"{", "(", "[", "<<", "<<(", "{|"})
_CLOSE = frozenset({"}", ")", "]", ">>", ")>>", "|}"})
_STORE_SCHEMES = ("bif:", "sql:")

_HEX = "[0-9A-Fa-f]"
_UCHAR = rf"\\u{_HEX}{{4}}|\\U{_HEX}{{8}}"
_ECHAR = r"""\\[tbnrf"'\\]"""
_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\u218f"
         "\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_BASE_ASCII = "A-Za-z"  # _BASE's characters that ASCII text can hold
_NAME_MARKS = r"\u00b7\u0300-\u036f\u203f-\u2040"  # PN_CHARS beyond PN_CHARS_U, digits and "-": none in ASCII
_PLX = rf"%{_HEX}{_HEX}|\\[_~.\-!$&'()*+,;=/?#@%]"


def _string(quote: str, escapes: str) -> str:
    long_form = f"{quote * 3}(?:(?:{quote}{quote}|{quote})?(?:[^{quote}\\\\]|{escapes}))*{quote * 3}"
    return f"{long_form}|{quote}(?:[^{quote}\\\\\\r\\n]|{escapes})*{quote}"


def _lexer(escapes: str, ascii: bool) -> re.Pattern[str]:
    """The token pattern; ``escapes``: what may follow a backslash inside strings and IRIs. ``ascii``: every
    class of names without the characters beyond ASCII (see :func:`_lexed` for when that reads the same), twenty
    times cheaper to compile (a class of tens of thousands of characters takes milliseconds, and the full lexers
    a twentieth of a second of every process that reads a query)."""
    base = _BASE_ASCII if ascii else _BASE
    chars_u = base + "_"
    marks = "" if ascii else _NAME_MARKS
    chars = chars_u + r"\-0-9" + marks
    prefix = f"[{base}](?:[{chars}.]*[{chars}])?"
    local = f"(?:[{chars_u}:0-9]|{_PLX})(?:(?:[{chars}.:]|{_PLX})*(?:[{chars}:]|{_PLX}))?"
    iri_escape = f"|{_UCHAR}" if "u" in escapes else ""
    return re.compile("|".join([
        r"(?P<WS>[ \t\r\n]+)",
        r"(?P<COMMENT>#[^\r\n]*)",
        f"(?P<STRING>{_string(chr(34), escapes)}|{_string(chr(39), escapes)})",
        f"(?P<IRI><(?:[^<>\"{{}}|^`\\\\\\x00-\\x20]{iri_escape})*>)",
        f"(?P<BNODE>_:[{chars_u}0-9](?:[{chars}.]*[{chars}])?)",
        f"(?P<PNAME>(?:{prefix})?:(?:{local})?)",
        f"(?P<VAR>[?$][{chars_u}0-9][{chars_u}0-9{marks}]*)",
        r"(?P<LANGTAG>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?)",
        r"(?P<NUMBER>(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+)",
        r"(?P<WORD>[A-Za-z_][A-Za-z0-9_]*)",
        r"(?P<PUNCT><<\(|\)>>|<<|>>|\{\||\|\}|\^\^|&&|\|\||!=|<=|>=|[{}()\[\];,.=<>!+\-*/^|?~])",
    ]))


@functools.cache
def _lexers(ascii: bool) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """As Oxigraph reads a query (codepoint escapes are part of strings and IRIs), and as SPARQL does, once
    decoded; with ASCII names only (``ascii``: what almost every query needs) or any. Compiled on first use: a
    command reading no query (a diagram, `--version`) never pays for them."""
    return _lexer(f"{_ECHAR}|{_UCHAR}", ascii), _lexer(_ECHAR, ascii)


def compile_lexers() -> None:
    """Compile the ASCII lexers now (the full ones are compiled when a query needs them), for a process with time
    to spare before its first query (the language server while its workers parse the repository)."""
    _lexers(True)


_CODEPOINT = re.compile(rf"\\u({_HEX}{{4}})|\\U({_HEX}{{8}})")
_SKIPPED = frozenset({"WS", "COMMENT"})


class Token(NamedTuple):
    """One token: its kind (IRI, PNAME, BNODE, VAR, LANGTAG, STRING, NUMBER, WORD, PUNCT), its text as
    written, and where it is in the query (character offsets)."""

    kind: str
    text: str
    start: int
    end: int

    @property
    def word(self) -> str:
        """A keyword in upper case ("" for other tokens): SPARQL keywords ignore case."""
        return self.text.upper() if self.kind == "WORD" else ""


@dataclass(frozen=True)
class QueryText:
    """A query and its tokens (comments and white space left out), as written."""

    text: str
    tokens: tuple[Token, ...]

    @property
    def form(self) -> str | None:
        """SELECT, ASK, CONSTRUCT or DESCRIBE: the first keyword after the prologue; None if there is none."""
        index = _after_prologue(self.tokens)
        word = self.tokens[index].word if index < len(self.tokens) else ""
        return word if word in FORMS else None

    @property
    def declared_prefixes(self) -> dict[str, str]:
        """The prefixes the query declares (``PREFIX ex: <…>``), name → IRI as written."""
        tokens = self.tokens
        return {tokens[i + 1].text[:-1]: tokens[i + 2].text[1:-1] for i in range(len(tokens) - 2)
                if tokens[i].word == "PREFIX" and tokens[i + 1].kind == "PNAME" and tokens[i + 1].text.endswith(":")
                and tokens[i + 2].kind == "IRI"}

    @property
    def where_brace(self) -> int | None:
        """Offset of the ``{`` that opens the query's WHERE group (the first group if WHERE is left out)."""
        braces = [i for i, token in enumerate(self.tokens) if token.text == "{" and token.kind == "PUNCT"]
        for i in braces:
            if i > 0 and self.tokens[i - 1].word == "WHERE":
                return self.tokens[i].start
        return self.tokens[braces[0]].start if braces else None

    def where(self, offset: int) -> str:
        """``line L, column C`` of an offset, for messages."""
        line = self.text.count("\n", 0, offset) + 1
        return f"line {line}, column {offset - (self.text.rfind(chr(10), 0, offset) + 1) + 1}"


def _after_prologue(tokens: tuple[Token, ...]) -> int:
    """Index of the first token after the BASE, PREFIX and VERSION declarations."""
    index = 0
    while index < len(tokens):
        word = tokens[index].word
        if word in ("BASE", "VERSION"):
            index += 2
        elif word == "PREFIX":
            index += 3
        else:
            break
    return index


def _malformed(query: QueryText, offset: int, what: str) -> QueryError:
    return QueryError(f"malformed SPARQL query: {what} at {query.where(offset)}",
                      hint="Check the query's syntax; prefixes arch:, id:, rdf:, rdfs:, xsd:, owl: are predefined.")


def _tokens(text: str, pattern: re.Pattern[str], query: QueryText, offsets: list[int] | None) -> list[Token]:
    """Every token of ``text``; QueryError at the first character no token starts with. ``offsets`` maps
    positions in ``text`` (a decoded query) to the query as written, which is where tokens say they are."""
    found: list[Token] = []
    position = 0
    while position < len(text):
        match = pattern.match(text, position)
        if match is None:
            raise _malformed(query, offsets[position] if offsets else position,
                             f"cannot read {text[position:position + 12]!r}")
        kind = match.lastgroup or ""
        if kind not in _SKIPPED:
            start, end = (offsets[position], offsets[match.end()]) if offsets else (position, match.end())
            found.append(Token(kind, match.group(), start, end))
        position = match.end()
    return found


def _decoded(query: QueryText) -> tuple[str, list[int]]:
    """The query with its codepoint escapes decoded (SPARQL §19.2), and each decoded character's offset in
    the query as written; QueryError for an escape of no character."""
    parts: list[str] = []
    offsets: list[int] = []
    position = 0
    for match in _CODEPOINT.finditer(query.text):
        parts.append(query.text[position:match.start()])
        offsets.extend(range(position, match.start()))
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise _malformed(query, match.start(), f"the escape {match.group()} names no character")
        parts.append(chr(code))
        offsets.append(match.start())
        position = match.end()
    parts.append(query.text[position:])
    offsets.extend(range(position, len(query.text) + 1))
    return "".join(parts), offsets


def _lexed(text: str, which: int, query: QueryText, offsets: list[int] | None) -> list[Token]:
    """The tokens of ``text`` by lexer ``which`` (0: as written, 1: decoded). The ASCII lexer's when it reads the
    whole text, which are then the full lexer's: only a string, an IRI or a comment can hold another character,
    and their classes are the same in both (they exclude ASCII characters only); no token starts with one, so
    where a name would hold one, the ASCII lexer stops before it and then fails on it. Else the full lexer's (or
    where it cannot read). Rule queries are ASCII apart from the odd word in a message string."""
    try:
        return _tokens(text, _lexers(True)[which], query, offsets)
    except QueryError:
        if text.isascii():
            raise
    return _tokens(text, _lexers(False)[which], query, offsets)


def _readings(query: QueryText) -> list[list[Token] | QueryError]:
    """The query's tokens as written and, if it has codepoint escapes, as decoded (or why each fails)."""
    readings: list[list[Token] | QueryError] = []
    try:
        readings.append(_lexed(query.text, 0, query, None))
    except QueryError as error:
        readings.append(error)
    if "\\u" in query.text or "\\U" in query.text:
        try:
            decoded, offsets = _decoded(query)
            readings.append(_lexed(decoded, 1, query, offsets))
        except QueryError as error:
            readings.append(error)
    return readings


def _signature(token: Token) -> tuple[str, str]:
    # strings and IRIs may differ in content between the readings; nothing else may
    return (token.kind, "") if token.kind in ("STRING", "IRI") else (token.kind, token.text.upper())


def _agreed(query: QueryText, readings: list[list[Token] | QueryError]) -> QueryText:
    """The query's tokens if every reading succeeded and all agree; else QueryError."""
    for reading in readings:
        if isinstance(reading, QueryError):
            raise reading
    tokens = readings[0]
    assert not isinstance(tokens, QueryError)
    for other in readings[1:]:
        assert not isinstance(other, QueryError)
        differ = [mine.start for mine, theirs in zip(tokens, other, strict=False)
                  if _signature(mine) != _signature(theirs)]
        if differ or len(tokens) != len(other):
            at = differ[0] if differ else tokens[min(len(tokens), len(other)) - 1].start
            raise _malformed(query, at, "a \\u or \\U escape changes how the query reads (SPARQL decodes "
                                        "them before anything else)")
    return QueryText(query.text, tuple(tokens))


def read_query(text: str) -> QueryText:
    """The query's tokens, read as written and with its codepoint escapes decoded; QueryError where it cannot
    be read, or where the two readings differ."""
    query = QueryText(text, ())
    return _agreed(query, _readings(query))


def check_query(text: str, prefixes: Collection[str] | None = None) -> QueryText:
    """The query's tokens, if it is a read-only query archrepo may run: QueryError, saying where, for
    anything that cannot be read, SERVICE, an update, nesting deeper than MAX_NESTING, an IRI of a store's
    built-in functions, or (given the predefined ``prefixes``) a prefix that is not declared."""
    query = QueryText(text, ())
    readings = _readings(query)
    for reading in readings:  # SERVICE in any reading that can be read is named as such
        for token in reading if isinstance(reading, list) else ():
            _refuse_service(query, token)
    query = _agreed(query, readings)
    declared = set(query.declared_prefixes) | set(prefixes or ())
    for token in query.tokens:
        _check_token(query, token)
        if prefixes is not None and token.kind == "PNAME" and token.text.split(":", 1)[0] not in declared:
            raise _malformed(query, token.start, f"the prefix {token.text.split(':', 1)[0]}: is not declared")
    _check_nesting(query)
    if query.form is None:
        index = _after_prologue(query.tokens)
        at = query.tokens[index].start if index < len(query.tokens) else len(text)
        raise _malformed(query, at, "a query starts with SELECT, ASK, CONSTRUCT or DESCRIBE (after its PREFIX "
                                    "and BASE declarations)")
    return query


def _check_nesting(query: QueryText) -> None:
    depth = 0
    for token in query.tokens:
        if token.kind == "PUNCT":
            depth += (token.text in _OPEN) - (token.text in _CLOSE)
            if depth > MAX_NESTING:
                raise QueryError(f"the SPARQL query nests brackets more than {MAX_NESTING} deep "
                                 f"({query.where(token.start)})", hint="No real query needs this; write it flatter.")


def _refuse_service(query: QueryText, token: Token) -> None:
    if token.kind in ("WORD", "PNAME") and token.text.upper().startswith("SERVICE"):
        raise QueryError(f"SPARQL SERVICE (federated query) is refused ({query.where(token.start)})",
                         hint="archrepo queries only the model; SERVICE would let a query reach the network.")


def _check_token(query: QueryText, token: Token) -> None:
    if token.word in UPDATES:
        raise QueryError(f"SPARQL updates are refused: a query only reads the store ({token.text} at "
                         f"{query.where(token.start)})",
                         hint="`archrepo publish` is what writes a repository's graph.")
    if token.kind == "WORD" and token.word not in KEYWORDS and token.text != "a":
        raise _malformed(query, token.start, f"{token.text!r} is not a SPARQL keyword")
    if token.kind == "IRI" and _iri_value(token.text).lower().startswith(_STORE_SCHEMES):
        raise QueryError(f"the IRI {token.text} names a store's built-in function; refused "
                         f"({query.where(token.start)})",
                         hint="archrepo queries run standard SPARQL only.")


def _iri_value(iri: str) -> str:
    """An IRI token's text with its codepoint escapes decoded (read_query has refused those of no character)."""
    return _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iri[1:-1])


def into_where_group(sparql: str, text: str) -> str:
    """``text`` inserted at the start of the query's WHERE group (found from its tokens); the query unchanged
    if it has no group (the engine reports that)."""
    brace = read_query(sparql).where_brace
    if brace is None:
        return sparql
    return f"{sparql[:brace + 1]} {text} {sparql[brace + 1:]}"

