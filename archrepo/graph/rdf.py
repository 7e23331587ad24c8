"""The model as RDF, in an embedded Oxigraph store, with rdflib's Graph API over the same store.

SPARQL runs on Oxigraph (100–400× faster than rdflib's evaluator on rule-shaped joins); rdflib serves
parsing, serialisation and SHACL through oxrdflib, without a copy of the data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import cached_property, partial
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from archrepo.errors import QueryError
from archrepo.graph.iris import ARCH_IRI
from archrepo.graph.sparql_text import check_query, into_where_group
from archrepo.model.elements import CLASSIFICATION_ORDER, CRITICALITY_ORDER, Element, Model
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


class _Spelled(dict[str, str]):
    """The N-Triples spelling of each term of the ontology, made once: ``<arch:term>`` (``_CLASS``), or with
    the spaces around it that a predicate has in a line (``_P``)."""

    def __init__(self, pattern: str) -> None:
        super().__init__()
        self._pattern = pattern

    def __missing__(self, term: str) -> str:
        self[term] = spelled = self._pattern.format(iri=ARCH_IRI + term)
        return spelled


_CLASS = _Spelled("<{iri}>")
_P = _Spelled(" <{iri}> ")
_TYPE = f" <{RDF_TYPE}> "
_DATE = f"^^<{XSD}date> .\n"
_INTEGER = f"^^<{XSD}integer> .\n"
_BOOLEAN = {True: f'"true"^^<{XSD}boolean> .\n', False: f'"false"^^<{XSD}boolean> .\n'}


def _text(value: str) -> str:
    """A string literal, and the line's end."""
    return f'"{_escape(value)}" .\n'


def _value(value: Any) -> str:
    """A property's value as a literal, and the line's end."""
    if isinstance(value, bool):
        return _BOOLEAN[value]
    if isinstance(value, int):
        return f'"{value}"{_INTEGER}'
    if isinstance(value, float):
        return f'"{value!r}"^^<{XSD}double> .\n'
    if isinstance(value, dict):
        return _text(json.dumps(value, sort_keys=True, ensure_ascii=False))
    return _text("" if value is None else str(value))


class _Lines:
    """The N-Triples lines of elements, written as text and bulk-loaded by Oxigraph (an order of magnitude faster
    than a Python object per triple). Each line is one f-string of spellings made once: a triple's three terms
    made apart and joined took a fifth of a parsing worker's time."""

    def __init__(self, base_iri: str) -> None:
        self.base = base_iri

    def element(self, kind: str, element_id: str, d: dict[str, Any], add: Callable[[str], None]) -> None:
        s = f"<{self.base}{element_id}>"  # ids are checked by pattern: nothing to escape
        add(f"{s}{_TYPE}{_CLASS[kind]} .\n")
        add(f'{s}{_P["id"]}{_text(element_id)}')
        if d.get("name") is not None:
            add(f'{s}{_P["name"]}{_text(str(d["name"]))}')
        if d.get("description") is not None:
            add(f'{s}{_P["description"]}{_text(str(d["description"]))}')
        _KIND_LINES[kind](self, d, s, add)
        for tag in d.get("tags") or ():
            add(f'{s}{_P["tag"]}{_text(str(tag))}')
        properties = d.get("properties")
        if properties:
            self.properties(properties, s, add)

    def ref(self, s: str, predicate: str, value: Any, add: Callable[[str], None]) -> None:
        if isinstance(value, str):
            add(f"{s}{_P[predicate]}<{self.base}{value}> .\n")

    def refs(self, s: str, predicate: str, values: Any, add: Callable[[str], None]) -> None:
        for value in values or ():
            add(f"{s}{_P[predicate]}<{self.base}{value}> .\n")

    def properties(self, properties: dict[str, Any], s: str, add: Callable[[str], None]) -> None:
        for key, value in sorted(properties.items()):
            node = f"{s[:-1]}/properties/{quote(key, safe='')}>"
            add(f"{s}{_P['property']}{node} .\n")
            add(f"{node}{_TYPE}{_CLASS['PropertyValue']} .\n")
            add(f"{node}{_P['key']}{_text(key)}")
            for item in value if isinstance(value, list) else [value]:
                add(f"{node}{_P['value']}{_value(item)}")

    def organisation(self, d: dict[str, Any], s: str, add: Callable[[str], None]) -> None:
        if d.get("type"):
            add(f'{s}{_P["organisationType"]}{_text(d["type"])}')
        self.ref(s, "parent", d.get("parent"), add)
        add(f'{s}{_P["external"]}{_BOOLEAN[bool(d.get("external", False))]}')

    def capability(self, d: dict[str, Any], s: str, add: Callable[[str], None]) -> None:
        self.ref(s, "parent", d.get("parent"), add)

    def application(self, d: dict[str, Any], s: str, add: Callable[[str], None]) -> None:
        self.ref(s, "owner", d.get("owner"), add)
        lifecycle = d.get("lifecycle") or {}
        add(f'{s}{_P["lifecycleStatus"]}{_text(lifecycle.get("status", "active"))}')
        for field, predicate in (("since", "since"), ("phase_out", "phaseOut"), ("retire", "retire")):
            if lifecycle.get(field):
                add(f'{s}{_P[predicate]}"{lifecycle[field]}"{_DATE}')
        criticality, classification = d.get("criticality"), d.get("classification")
        if criticality:
            add(f'{s}{_P["criticality"]}{_text(criticality)}')
        add(f'{s}{_P["criticalityLevel"]}"{CRITICALITY_ORDER.get(criticality or "", 0)}"{_INTEGER}')
        if classification:
            add(f'{s}{_P["classification"]}{_text(classification)}')
        add(f'{s}{_P["classificationLevel"]}"{CLASSIFICATION_ORDER.get(classification or "", 0)}"{_INTEGER}')
        for role in d.get("roles") or ():
            add(f'{s}{_P["role"]}{_text(role)}')
        for field in ("vendor", "hosting"):
            if d.get(field):
                add(f'{s}{_P[field]}{_text(str(d[field]))}')
        self.refs(s, "capability", d.get("capabilities"), add)
        self.refs(s, "technology", d.get("technologies"), add)

    def data_object(self, d: dict[str, Any], s: str, add: Callable[[str], None]) -> None:
        add(f'{s}{_P["classification"]}{_text(d["classification"])}')
        add(f'{s}{_P["classificationLevel"]}"{CLASSIFICATION_ORDER[d["classification"]]}"{_INTEGER}')
        self.ref(s, "master", d.get("master"), add)

    def integration(self, d: dict[str, Any], s: str, add: Callable[[str], None]) -> None:
        base = self.base
        add(f'{s}{_P["source"]}<{base}{d["source"]}> .\n')
        add(f'{s}{_P["target"]}<{base}{d["target"]}> .\n')
        add(f'{s}{_P["standard"]}{_text(str(d["standard"]))}')
        self.refs(s, "data", d.get("data"), add)
        self.ref(s, "via", d.get("via"), add)
        add(f'{s}{_P["mode"]}{_text(d.get("mode") or "async")}')
        initiator = d.get("initiator") or "source"
        add(f'{s}{_P["initiator"]}{_text(initiator)}')
        add(f'{s}{_P["initiatedBy"]}<{base}{d["target"] if initiator == "target" else d["source"]}> .\n')
        add(f'{s}{_P["status"]}{_text(d.get("status") or "active")}')
        for field in ("since", "until"):
            if d.get(field):
                add(f'{s}{_P[field]}"{d[field]}"{_DATE}')
        security = d.get("security") or {}
        add(f'{s}{_P["encrypted"]}{_BOOLEAN[bool(security.get("encrypted", False))]}')
        add(f'{s}{_P["authentication"]}{_text(security.get("authentication") or "none")}')

    def process(self, d: dict[str, Any], s: str, add: Callable[[str], None]) -> None:
        self.ref(s, "owner", d.get("owner"), add)
        self.ref(s, "capability", d.get("capability"), add)
        steps = f"{s[:-1]}/steps/"
        for position, step in enumerate(d.get("steps") or (), start=1):
            node = f"{steps}{step['id']}>"
            add(f"{s}{_P['step']}{node} .\n")
            add(f"{node}{_TYPE}{_CLASS['ProcessStep']} .\n")
            add(f"{node}{_P['process']}{s} .\n")
            add(f"{node}{_P['id']}{_text(step['id'])}")
            add(f"{node}{_P['name']}{_text(str(step['name']))}")
            add(f'{node}{_P["position"]}"{position}"{_INTEGER}')
            self.refs(node, "supportedBy", step.get("supported_by"), add)
            for following in step.get("next") or ():
                add(f"{node}{_P['next']}{steps}{following}> .\n")

    def technology(self, d: dict[str, Any], s: str, add: Callable[[str], None]) -> None:
        self.ref(s, "owner", d.get("owner"), add)
        for field, predicate in (("vendor", "vendor"), ("version", "version"), ("type", "technologyType"),
                                 ("ring", "ring")):
            if d.get(field) is not None:
                add(f'{s}{_P[predicate]}{_text(str(d[field]))}')
        for field, predicate in (("end_of_support", "endOfSupport"), ("end_of_life", "endOfLife"),
                                 ("ring_since", "ringSince")):
            if d.get(field):
                add(f'{s}{_P[predicate]}"{d[field]}"{_DATE}')
        self.refs(s, "runsOn", d.get("runs_on"), add)


_KIND_LINES: dict[str, Callable[[_Lines, dict[str, Any], str, Callable[[str], None]], None]] = {
    "Organisation": _Lines.organisation,
    "Capability": _Lines.capability,
    "Application": _Lines.application,
    "DataObject": _Lines.data_object,
    "Integration": _Lines.integration,
    "Process": _Lines.process,
    "Technology": _Lines.technology,
}


def _elements_text(elements: Iterable[tuple[str, str, dict[str, Any]]], base_iri: str) -> str:
    """The N-Triples of (kind, id, data) of valid elements, in the order given."""
    lines: list[str] = []
    writer, add = _Lines(base_iri), lines.append
    for kind, element_id, data in elements:
        writer.element(kind, element_id, data, add)
    return "".join(lines)


def model_ntriples(model: Model, base_iri: str) -> str:
    """The model as N-Triples text, in element-id order."""
    return _elements_text(((e.kind, e.id, e.data) for e in sorted(model, key=lambda e: e.id)), base_iri)


NTRIPLES_EXTRA = "ntriples-v2"


def file_ntriples(result: FileResult, base_iri: str) -> dict[str, str]:
    """The triples of one parsed file's valid elements: computed where the file is parsed, cached with it."""
    return {"ntriples": _elements_text(((kind, document.data["id"], document.data)
                                        for kind, document, valid in result.documents if valid), base_iri)}


def ntriples_extra(base_iri: str) -> tuple[str, Callable[[FileResult], dict[str, str]]]:
    """The ``extra`` for ``read_model_files`` that prepares each file's part of the graph."""
    return f"{NTRIPLES_EXTRA}|{base_iri}", partial(file_ntriples, base_iri=base_iri)


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
    return _elements_text(((e.kind, e.id, e.data) for e in elements), base_iri)


def bind_variables(sparql: str, bindings: dict[str, ox.Literal | ox.NamedNode]) -> str:
    """Insert ``VALUES (?a ?b) { (… …) }`` at the start of the query's WHERE group."""
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(str(term) for term in bindings.values())
    return into_where_group(sparql, f"VALUES ({names}) {{ ({values}) }}")


def _first_line(exc: BaseException, limit: int = 160) -> str:
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return line if len(line) <= limit else line[:limit].rstrip() + " …"
