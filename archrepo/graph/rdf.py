"""The model as RDF, in an embedded Oxigraph store, with rdflib's Graph API over the same store.

SPARQL runs on Oxigraph (100–400× faster than rdflib's evaluator on rule-shaped joins); rdflib serves
parsing, serialisation and SHACL through oxrdflib, without a copy of the data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property, partial
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from archrepo.errors import QueryError
from archrepo.graph.iris import ARCH_IRI
from archrepo.graph.sparql_text import check_query, into_where_group
from archrepo.model.elements import CLASSIFICATION_ORDER, CRITICALITY_ORDER, Element, Location, Model
from archrepo.model.loader import FileResult

__all__ = ["PREFIXES", "RDF_TYPE", "XSD", "ModelGraph", "model_ntriples"]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
PREFIXES: dict[str, str] = {
    "arch": ARCH_IRI,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": XSD,
    "owl": "http://www.w3.org/2002/07/owl#",
}


def _escape(text: str) -> str:
    if "\\" in text or '"' in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return text


class _ArchTerms(dict[str, str]):
    """``<arch:term>`` of each term of the ontology, made once."""

    def __missing__(self, term: str) -> str:
        self[term] = spelled = f"<{ARCH_IRI}{term}>"
        return spelled


class _Terms:
    """N-Triples spellings of terms, interned: the graph is written as text and bulk-loaded by Oxigraph, which
    is an order of magnitude faster than creating a Python object per triple."""

    def __init__(self, base_iri: str) -> None:
        self.base = base_iri
        self._iris: dict[str, str] = {}
        self.xsd_date = f"^^<{XSD}date>"
        self.xsd_integer = f"^^<{XSD}integer>"
        self.true = f'"true"^^<{XSD}boolean>'
        self.false = f'"false"^^<{XSD}boolean>'
        self.type = f"<{RDF_TYPE}>"

    def iri(self, value: str) -> str:
        term = self._iris.get(value)
        if term is None:
            term = self._iris[value] = f"<{value}>"
        return term

    def element(self, element_id: str) -> str:
        return f"<{self.base}{element_id}>"  # ids are checked by pattern: nothing to escape

    arch = _ArchTerms().__getitem__  # called for every triple: a dictionary look-up, no Python frame

    @staticmethod
    def text(value: str) -> str:
        return f'"{_escape(value)}"'

    def date(self, value: str) -> str:
        return f'"{value}"{self.xsd_date}'

    def integer(self, value: int) -> str:
        return f'"{value}"{self.xsd_integer}'

    def boolean(self, value: bool) -> str:
        return self.true if value else self.false

    def value(self, value: Any) -> str:
        if isinstance(value, bool):
            return self.boolean(value)
        if isinstance(value, int):
            return self.integer(value)
        if isinstance(value, float):
            return f'"{value!r}"^^<{XSD}double>'
        if isinstance(value, dict):
            return self.text(json.dumps(value, sort_keys=True, ensure_ascii=False))
        return self.text("" if value is None else str(value))


Triple = tuple[str, str, str]


def model_ntriples(model: Model, base_iri: str) -> str:
    """The model as N-Triples text, in element-id order."""
    terms = _Terms(base_iri)
    return "".join(f"{s} {p} {o} .\n" for element in sorted(model, key=lambda e: e.id)
                   for s, p, o in _element_triples(element, terms))


NTRIPLES_EXTRA = "ntriples-v2"


def file_ntriples(result: FileResult, base_iri: str) -> dict[str, str]:
    """The triples of one parsed file's valid elements: computed where the file is parsed, cached with it."""
    terms = _Terms(base_iri)
    location = Location(result.file, 0)
    text = "".join(f"{s} {p} {o} .\n" for kind, document, valid in result.documents if valid
                   for s, p, o in _element_triples(Element(kind, document.data["id"], document.data, location), terms))
    return {"ntriples": text}


def ntriples_extra(base_iri: str) -> tuple[str, Callable[[FileResult], dict[str, str]]]:
    """The ``extra`` for ``read_model_files`` that prepares each file's part of the graph."""
    return f"{NTRIPLES_EXTRA}|{base_iri}", partial(file_ntriples, base_iri=base_iri)


def _element_triples(element: Element, t: _Terms) -> Iterator[Triple]:
    s = t.element(element.id)
    d = element.data
    yield s, t.type, t.arch(element.kind)
    yield s, t.arch("id"), t.text(element.id)
    if d.get("name") is not None:
        yield s, t.arch("name"), t.text(str(d["name"]))
    if d.get("description") is not None:
        yield s, t.arch("description"), t.text(str(d["description"]))
    yield from _KIND_TRIPLES[element.kind](element, s, t)
    for tag in d.get("tags") or ():
        yield s, t.arch("tag"), t.text(str(tag))
    properties = d.get("properties")
    if properties:
        yield from _properties(properties, s, t)


def _properties(properties: dict[str, Any], s: str, t: _Terms) -> Iterator[Triple]:
    for key, value in sorted(properties.items()):
        node = t.iri(f"{s[1:-1]}/properties/{quote(key, safe='')}")
        yield s, t.arch("property"), node
        yield node, t.type, t.arch("PropertyValue")
        yield node, t.arch("key"), t.text(key)
        for item in value if isinstance(value, list) else [value]:
            yield node, t.arch("value"), t.value(item)


def _ref(t: _Terms, s: str, predicate: str, value: Any) -> Iterator[Triple]:
    if isinstance(value, str):
        yield s, t.arch(predicate), t.element(value)


def _organisation(element: Element, s: str, t: _Terms) -> Iterator[Triple]:
    d = element.data
    if d.get("type"):
        yield s, t.arch("organisationType"), t.text(d["type"])
    yield from _ref(t, s, "parent", d.get("parent"))
    yield s, t.arch("external"), t.boolean(bool(d.get("external", False)))


def _capability(element: Element, s: str, t: _Terms) -> Iterator[Triple]:
    yield from _ref(t, s, "parent", element.data.get("parent"))


def _application(element: Element, s: str, t: _Terms) -> Iterator[Triple]:
    d = element.data
    yield from _ref(t, s, "owner", d.get("owner"))
    lifecycle = d.get("lifecycle") or {}
    yield s, t.arch("lifecycleStatus"), t.text(lifecycle.get("status", "active"))
    for field, predicate in (("since", "since"), ("phase_out", "phaseOut"), ("retire", "retire")):
        if lifecycle.get(field):
            yield s, t.arch(predicate), t.date(lifecycle[field])
    if d.get("criticality"):
        yield s, t.arch("criticality"), t.text(d["criticality"])
    yield s, t.arch("criticalityLevel"), t.integer(CRITICALITY_ORDER.get(d.get("criticality") or "", 0))
    if d.get("classification"):
        yield s, t.arch("classification"), t.text(d["classification"])
    yield s, t.arch("classificationLevel"), t.integer(CLASSIFICATION_ORDER.get(d.get("classification") or "", 0))
    for role in d.get("roles") or ():
        yield s, t.arch("role"), t.text(role)
    for field in ("vendor", "hosting"):
        if d.get(field):
            yield s, t.arch(field), t.text(str(d[field]))
    for capability in d.get("capabilities") or ():
        yield s, t.arch("capability"), t.element(capability)
    for technology in d.get("technologies") or ():
        yield s, t.arch("technology"), t.element(technology)


def _data_object(element: Element, s: str, t: _Terms) -> Iterator[Triple]:
    d = element.data
    yield s, t.arch("classification"), t.text(d["classification"])
    yield s, t.arch("classificationLevel"), t.integer(CLASSIFICATION_ORDER[d["classification"]])
    yield from _ref(t, s, "master", d.get("master"))


def _integration(element: Element, s: str, t: _Terms) -> Iterator[Triple]:
    d = element.data
    yield s, t.arch("source"), t.element(d["source"])
    yield s, t.arch("target"), t.element(d["target"])
    yield s, t.arch("standard"), t.text(str(d["standard"]))
    for data_object in d.get("data") or ():
        yield s, t.arch("data"), t.element(data_object)
    yield from _ref(t, s, "via", d.get("via"))
    yield s, t.arch("mode"), t.text(d.get("mode") or "async")
    initiator = d.get("initiator") or "source"
    yield s, t.arch("initiator"), t.text(initiator)
    yield s, t.arch("initiatedBy"), t.element(d["target"] if initiator == "target" else d["source"])
    yield s, t.arch("status"), t.text(d.get("status") or "active")
    for field in ("since", "until"):
        if d.get(field):
            yield s, t.arch(field), t.date(d[field])
    security = d.get("security") or {}
    yield s, t.arch("encrypted"), t.boolean(bool(security.get("encrypted", False)))
    yield s, t.arch("authentication"), t.text(security.get("authentication") or "none")


def _process(element: Element, s: str, t: _Terms) -> Iterator[Triple]:
    d = element.data
    yield from _ref(t, s, "owner", d.get("owner"))
    yield from _ref(t, s, "capability", d.get("capability"))
    for position, step in enumerate(d.get("steps") or (), start=1):
        node = t.iri(f"{s[1:-1]}/steps/{step['id']}")
        yield s, t.arch("step"), node
        yield node, t.type, t.arch("ProcessStep")
        yield node, t.arch("process"), s
        yield node, t.arch("id"), t.text(step["id"])
        yield node, t.arch("name"), t.text(str(step["name"]))
        yield node, t.arch("position"), t.integer(position)
        for application in step.get("supported_by") or ():
            yield node, t.arch("supportedBy"), t.element(application)
        for following in step.get("next") or ():
            yield node, t.arch("next"), t.iri(f"{s[1:-1]}/steps/{following}")


def _technology(element: Element, s: str, t: _Terms) -> Iterator[Triple]:
    d = element.data
    yield from _ref(t, s, "owner", d.get("owner"))
    for field, predicate in (("vendor", "vendor"), ("version", "version"), ("type", "technologyType"),
                             ("ring", "ring")):
        if d.get(field) is not None:
            yield s, t.arch(predicate), t.text(str(d[field]))
    for field, predicate in (("end_of_support", "endOfSupport"), ("end_of_life", "endOfLife"),
                             ("ring_since", "ringSince")):
        if d.get(field):
            yield s, t.arch(predicate), t.date(d[field])
    for technology in d.get("runs_on") or ():
        yield s, t.arch("runsOn"), t.element(technology)


_KIND_TRIPLES: dict[str, Callable[[Element, str, _Terms], Iterator[Triple]]] = {
    "Organisation": _organisation,
    "Capability": _capability,
    "Application": _application,
    "DataObject": _data_object,
    "Integration": _integration,
    "Process": _process,
    "Technology": _technology,
}


class ElementIris:
    """Element ids ↔ IRIs under a base IRI, and the query prefixes: shared by the embedded and remote graphs."""

    base_iri: str

    @property
    def prefixes(self) -> dict[str, str]:
        return {**PREFIXES, "id": self.base_iri}

    def iri(self, element_id: str) -> str:
        return self.base_iri + element_id

    def element_id(self, iri: str) -> str | None:
        """The element id an IRI names (a step or property IRI names its element), else ``None``."""
        if not iri.startswith(self.base_iri):
            return None
        return iri[len(self.base_iri):].split("/", 1)[0] or None


class ModelGraph(ElementIris):
    """The model's RDF graph: an Oxigraph store (default graph = the model) plus the ontology graph."""

    def __init__(self, store: ox.Store, base_iri: str) -> None:
        self.store = store
        self.base_iri = base_iri

    def __len__(self) -> int:
        """Triples of the model (the default graph), not counting the ontology."""
        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))

    @cached_property
    def rdflib_graph(self) -> Any:
        """The model as an ``rdflib.Graph`` over the same store (no copy), prefixes bound."""
        import rdflib
        from oxrdflib import OxigraphStore
        from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

        graph = rdflib.Graph(store=OxigraphStore(store=self.store), identifier=DATASET_DEFAULT_GRAPH_ID)
        for prefix, namespace in self.prefixes.items():
            graph.bind(prefix, rdflib.Namespace(namespace), override=True, replace=True)
        return graph

    def query(self, sparql: str, *, bindings: dict[str, ox.Literal | ox.NamedNode] | None = None) -> Any:
        """Run a read-only SPARQL query on Oxigraph. Malformed or federated queries, updates, and anything else
        :func:`check_query` refuses raise QueryError before Oxigraph sees the query.

        ``bindings`` gives variables a fixed value in the query's outermost group (a ``VALUES`` block),
        so that FILTERs anywhere in that group see them: the rule engine passes ``?asOf`` this way.
        """
        check_query(sparql, self.prefixes)
        if bindings:
            sparql = bind_variables(sparql, bindings)
        try:
            return self.store.query(sparql, prefixes=self.prefixes)
        except SyntaxError as exc:
            raise QueryError(f"malformed SPARQL query: {_first_line(exc)}",
                             hint="Check the query's syntax; prefixes arch:, id:, rdf:, rdfs:, xsd:, owl: "
                                  "are predefined.") from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"the SPARQL query failed: {_first_line(exc)}") from None


def restrict_variable(sparql: str, name: str, iris: Iterable[str]) -> str:
    """Insert ``VALUES ?name { <iri> … }`` at the start of the query's WHERE group: the query then looks at
    those values of ``?name`` only (an incremental re-check evaluates a rule near what changed)."""
    values = " ".join(f"<{iri}>" for iri in iris)
    return into_where_group(sparql, f"VALUES ?{name} {{ {values} }}")


def elements_ntriples(elements: Iterable[Element], base_iri: str) -> str:
    """N-Triples of some elements (a partial graph)."""
    terms = _Terms(base_iri)
    return "".join(f"{s} {p} {o} .\n" for element in elements for s, p, o in _element_triples(element, terms))


def bind_variables(sparql: str, bindings: dict[str, ox.Literal | ox.NamedNode]) -> str:
    """Insert ``VALUES (?a ?b) { (… …) }`` at the start of the query's WHERE group."""
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(str(term) for term in bindings.values())
    return into_where_group(sparql, f"VALUES ({names}) {{ ({values}) }}")


def _first_line(exc: BaseException, limit: int = 160) -> str:
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return line if len(line) <= limit else line[:limit].rstrip() + " …"
