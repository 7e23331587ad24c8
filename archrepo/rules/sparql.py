"""SPARQL rules: a SELECT over the model returning ?element, ?message and optionally ?related, on Oxigraph or, with
``check --store``, on the repository's graph in a remote store (whose answers come back as pyoxigraph results)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pyoxigraph as ox

from archrepo.errors import ArchrepoError
from archrepo.graph.rdf import XSD
from archrepo.rules.context import RuleContext
from archrepo.rules.definitions import RuleDefinition, Severity
from archrepo.rules.violation import Finding, RuleRunError

if TYPE_CHECKING:
    from archrepo.graph.remote import SparqlGraph

__all__ = ["run_sparql_rule", "term_to_ids"]


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


def run_sparql_rule(rule: RuleDefinition, context: RuleContext) -> Iterator[Finding]:
    graph = context.sparql_graph
    as_of = ox.Literal(context.as_of.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    try:
        solutions = graph.query(rule.body, bindings={"asOf": as_of, **param_terms(rule.params)})
    except ArchrepoError as error:  # a malformed query, or a remote store that failed or refused it
        raise RuleRunError(error.message) from None
    if not isinstance(solutions, ox.QuerySolutions):
        raise RuleRunError("the query must be a SELECT returning ?element and ?message")
    names = {v.value for v in solutions.variables}
    if not {"element", "message"} <= names:
        raise RuleRunError("the SELECT must return ?element and ?message"
                           f" (it returns {', '.join('?' + n for n in sorted(names)) or 'nothing'})")
    merged: dict[tuple[str, str], list[str]] = {}
    graded: dict[tuple[str, str], Severity] = {}
    for solution in solutions:
        element, step = term_to_ids(graph, solution["element"])
        if element is None or element not in context.model:
            raise RuleRunError(f"?element {solution['element']} is not an element of the model")
        message_term = solution["message"]
        message = message_term.value if isinstance(message_term, ox.Literal) else str(message_term or "")
        related = merged.setdefault((element, message), [])
        if "severity" in names and solution["severity"] is not None:
            grade = _severity(solution["severity"])
            graded[element, message] = max(grade, graded.get((element, message), grade))
        if step:
            related.append(step)
        if "related" in names and solution["related"] is not None:
            related_id, related_step = term_to_ids(graph, solution["related"])
            value = related_step or related_id
            if value:
                related.append(value)
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
