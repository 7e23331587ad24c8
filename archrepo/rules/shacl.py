"""SHACL rules: Turtle shapes run with pySHACL over the model graph; each validation result is a finding."""

from __future__ import annotations

from collections.abc import Iterator

from archrepo.rules.context import RuleContext
from archrepo.rules.definitions import RuleDefinition
from archrepo.rules.sparql import RuleRunError
from archrepo.rules.violation import Finding

__all__ = ["run_shacl_rule"]


def run_shacl_rule(rule: RuleDefinition, context: RuleContext) -> Iterator[Finding]:
    import pyshacl
    import rdflib
    from rdflib.namespace import SH

    from archrepo.graph.rdf import PREFIXES

    shapes = rdflib.Graph()
    prelude = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in {**PREFIXES, "sh": str(SH),
                                                               "id": context.rdf.base_iri}.items())
    try:
        shapes.parse(data=prelude + rule.body, format="turtle")
    except Exception as error:  # rdflib raises many types for bad Turtle
        raise RuleRunError(f"the SHACL shapes are not valid Turtle: {str(error).splitlines()[0]}") from None
    if (None, rdflib.RDF.type, SH.NodeShape) not in shapes and (None, rdflib.RDF.type, SH.PropertyShape) not in shapes:
        raise RuleRunError("the shacl: text defines no sh:NodeShape or sh:PropertyShape")
    _conforms, results, _text = pyshacl.validate(context.rdf.rdflib_graph, shacl_graph=shapes, inference="none",
                                                 advanced=True, inplace=True, allow_warnings=True)
    merged: dict[tuple[str, str], set[str]] = {}
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        element = context.rdf.element_id(str(focus)) if focus is not None else None
        if element is None or element not in context.model:
            continue
        message = results.value(result, SH.resultMessage)
        path = results.value(result, SH.resultPath)
        text = str(message) if message is not None else (
            f"{element}: constraint on {path.n3(shapes.namespace_manager) if path is not None else 'the element'} "
            "not met")
        related = merged.setdefault((element, text), set())
        value = results.value(result, SH.value)
        if isinstance(value, rdflib.URIRef):
            related_id = context.rdf.element_id(str(value))
            if related_id and related_id != element:
                related.add(related_id)
    for (element, text), related in sorted(merged.items()):
        yield Finding(element, text, tuple(sorted(related)))
