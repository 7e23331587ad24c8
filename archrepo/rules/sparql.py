"""SPARQL rules: a SELECT over the model returning ?element, ?message and optionally ?related, on Oxigraph or, with
``check --store``, on the repository's graph in a remote store (whose answers come back as pyoxigraph results)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson
import pyoxigraph as ox

from archrepo.errors import ArchrepoError
from archrepo.graph.rdf import XSD
from archrepo.rules.context import RuleContext
from archrepo.rules.definitions import RuleDefinition, Severity
from archrepo.rules.violation import Finding, RuleRunError

if TYPE_CHECKING:
    from archrepo.graph.remote import SparqlGraph
    from archrepo.model.elements import Model

__all__ = ["Solution", "findings", "run_sparql_rule", "solutions", "term_to_ids"]


def term_to_ids(graph: SparqlGraph, term: object) -> tuple[str | None, str | None]:
    """(element id, step id) a result term names: a step IRI names its process and the step."""
    if isinstance(term, ox.NamedNode):
        element = graph.element_id(term.value)
        if element is None:
            return None, None
        rest = term.value[len(graph.iri(element)):]
        step = rest[len("/steps/"):] if rest.startswith("/steps/") else None
        return element, step
    if isinstance(term, ox.Literal):
        return term.value, None
    return None, None


class Solution(NamedTuple):
    """One solution of a rule's SELECT, read without the model (so that the query can be evaluated while the model
    is still being validated): the ids its terms name, and what is wrong with it that the model need not tell."""

    element: str | None  # the element ?element names (None: it names none)
    step: str | None  # the step of that element ?element names, if it names one
    term: str  # ?element as the query returned it, for the message when it names no element of the model
    message: str
    severity: Severity | None
    problem: str | None  # what makes the solution unusable besides its element (a ?severity that is no grade)
    related: str | None  # the element or step ?related names


def run_sparql_rule(rule: RuleDefinition, context: RuleContext) -> Iterator[Finding]:
    yield from findings(solutions(rule, context.sparql_graph, context.as_of), context.model)


def solutions(rule: RuleDefinition, graph: SparqlGraph, as_of: dt.date) -> list[Solution]:
    """Evaluate the rule's SELECT on ``graph`` as of ``as_of`` and read every solution (in the calling thread:
    pyoxigraph frees a query's results only in the thread that made them)."""
    bindings = {"asOf": ox.Literal(as_of.isoformat(), datatype=ox.NamedNode(XSD + "date")),
                **param_terms(rule.params)}
    try:
        answers = graph.query(rule.body, bindings=bindings)
    except ArchrepoError as error:  # a malformed query, or a remote store that failed or refused it
        raise RuleRunError(error.message) from None
    if not isinstance(answers, ox.QuerySolutions):
        raise RuleRunError("the query must be a SELECT returning ?element and ?message")
    names = {v.value for v in answers.variables}
    if not {"element", "message"} <= names:
        raise RuleRunError("the SELECT must return ?element and ?message"
                           f" (it returns {', '.join('?' + n for n in sorted(names)) or 'nothing'})")
    graded, with_related = "severity" in names, "related" in names
    # evaluated to the end in one call, which holds no lock Python's other threads need, and read back in one
    # call too (see _read): read solution by solution through pyoxigraph, each waits for the interpreter lock
    # between two solutions (a rule on the other core, or the model being validated, holds it)
    written = answers.serialize(format=ox.QueryResultsFormat.JSON)
    assert written is not None  # (written to no file: returned)
    found: list[Solution] = []
    for solution in _read(written):
        term = solution.get("element")
        element, step = term_to_ids(graph, term)
        message_term = solution.get("message")
        message = message_term.value if isinstance(message_term, ox.Literal) else str(message_term or "")
        severity = problem = related = None
        if graded and solution.get("severity") is not None:
            try:
                severity = _severity(solution["severity"])
            except RuleRunError as error:
                problem = str(error)
        if with_related and solution.get("related") is not None:
            related_id, related_step = term_to_ids(graph, solution["related"])
            related = related_step or related_id
        found.append(Solution(element, step, str(term), message, severity, problem, related))
    return found


_Row = dict[str, "ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple"]


def _read(written: bytes) -> list[_Row]:
    """The solutions of SPARQL JSON results (``written`` by pyoxigraph): each variable bound, as pyoxigraph's
    terms. Decoded by orjson in one call: pyoxigraph's own reader hands the interpreter lock on between two
    solutions, and beside a busy Python thread (the model being validated, a Python rule) each solution waited
    for it (QA001's 3,745 solutions: 0.008 s alone, 3 s beside a thread that never waits; 0.002 s either way
    here). A binding this does not know (a literal with a base direction, say), or a term pyoxigraph would not
    make of it, is read by pyoxigraph's reader instead, which says what is wrong with it."""
    try:
        return [{name: _term(value) for name, value in binding.items()}
                for binding in orjson.loads(written)["results"]["bindings"]]
    except (_Unknown, ValueError):
        read = ox.parse_query_results(written, format=ox.QueryResultsFormat.JSON)
        assert isinstance(read, ox.QuerySolutions)  # solutions written are solutions read
        names = [variable.value for variable in read.variables]
        return [{name: solution[name] for name in names if solution[name] is not None} for solution in read]


class _Unknown(Exception):
    """A binding ``_term`` does not read."""


_LITERAL_KEYS = frozenset({"type", "value", "datatype", "xml:lang"})


def _term(binding: dict[str, Any]) -> ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple:
    kind = binding.get("type")
    if kind == "uri":
        return ox.NamedNode(binding["value"])
    if kind == "literal" and binding.keys() <= _LITERAL_KEYS:
        if "xml:lang" in binding:
            return ox.Literal(binding["value"], language=binding["xml:lang"])
        if "datatype" in binding:
            return ox.Literal(binding["value"], datatype=ox.NamedNode(binding["datatype"]))
        return ox.Literal(binding["value"])
    if kind == "bnode":
        return ox.BlankNode(binding["value"])
    if kind == "triple":
        parts = binding["value"]
        subject, predicate = _term(parts["subject"]), _term(parts["predicate"])
        if isinstance(subject, ox.Literal | ox.Triple) or not isinstance(predicate, ox.NamedNode):
            raise _Unknown
        return ox.Triple(subject, predicate, _term(parts["object"]))
    raise _Unknown


def findings(found: Iterable[Solution], model: Model) -> Iterator[Finding]:
    """The findings of a rule's solutions: one per element and message, its related ids merged."""
    merged: dict[tuple[str, str], list[str]] = {}
    graded: dict[tuple[str, str], Severity] = {}
    for solution in found:
        element, message = solution.element, solution.message
        if element is None or element not in model:
            raise RuleRunError(f"?element {solution.term} is not an element of the model")
        related = merged.setdefault((element, message), [])
        if solution.problem is not None:
            raise RuleRunError(solution.problem)
        if solution.severity is not None:
            graded[element, message] = max(solution.severity, graded.get((element, message), solution.severity))
        if solution.step:
            related.append(solution.step)
        if solution.related:
            related.append(solution.related)
    for (element, message), related in merged.items():
        yield Finding(element, message, tuple(sorted(set(related))), graded.get((element, message)))


def param_terms(params: tuple[tuple[str, object], ...]) -> dict[str, ox.Literal | ox.NamedNode]:
    """The rule's parameters as RDF literals, to bind like ?asOf."""
    return {name: ox.Literal(value) if isinstance(value, str | bool | int | float) else ox.Literal(str(value))
            for name, value in params}


def _severity(term: object) -> Severity:
    """A finding's own ``?severity`` ("error", "warning" or "info")."""
    text = term.value if isinstance(term, ox.Literal) else str(term)
    if text.upper() not in Severity.__members__:
        raise RuleRunError(f"?severity must be \"error\", \"warning\" or \"info\", not {text!r}")
    return Severity.parse(text)
