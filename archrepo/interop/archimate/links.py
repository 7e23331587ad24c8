"""Relationships of an exchange file → archrepo references. Each function returns the identifiers of the
relationships it used; every other relationship is listed in the report as not mapped.

* Composition or Aggregation organisation → organisation, capability → capability: the part's ``parent``
  (the first one; one that would close a cycle is refused).
* Association between an actor and an application or technology named owner/owns/eier/systemeier (or marked
  ``archrepo:relation = owner``), or Assignment from the actor: its ``owner``.
* Realization application → capability: ``capabilities``; process → capability: the process's ``capability``.
* Access application → data object marked ``archrepo:relation = master``, else the only application that
  writes it: the data object's ``master``.
* Flow, Triggering or Serving application → application: an Integration (:func:`_integrations`).
* Technology: :mod:`archrepo.interop.archimate.technology`. Steps, ``supported_by`` and ``next``:
  :mod:`archrepo.interop.archimate.processes`.

A relationship type other than the usual one for a reference (aggregation for ``parent``, assignment for
``owner``) is recorded under the element's ``properties: archimate_relationships``, so that the export
writes it back.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from archrepo.interop.archimate.exchange import ExchangeFile, ExchangeItem
from archrepo.interop.archimate.fields import read_fields, typed_properties
from archrepo.interop.archimate.processes import ProcessTree, is_ancestor, link_processes
from archrepo.interop.archimate.technology import link_technology
from archrepo.interop.archimate.terms import (
    ARCHIMATE_ID,
    ARCHIMATE_RELATIONSHIPS,
    ARCHIMATE_TYPE,
    ARCHREPO_ID,
    ARCHREPO_RELATION,
    decode_list,
)
from archrepo.interop.report import ImportReport
from archrepo.interop.slug import IdAllocator, slugify

__all__ = ["DEFAULT_STANDARD", "INTEGRATION_TYPES", "OWNER_NAMES", "ImportState", "link_model"]

INTEGRATION_TYPES = frozenset({"Flow", "Serving", "Triggering"})
DEFAULT_STANDARD = "unknown"
OWNER_NAMES = frozenset({"owner", "owns", "owned-by", "eier", "eies-av", "systemeier"})
_PART_OF = frozenset({"Composition", "Aggregation"})
_WRITES = frozenset({"Write", "ReadWrite"})
# How an application → application relationship is read (issue #13: source sends, target receives, the
# initiator opens the call): the fields it implies, unless properties say otherwise, and how the report says it.
_READINGS: dict[str, tuple[dict[str, str], str]] = {
    "Flow": ({}, "source = the flow's source (sends the data), target = its target; initiator not given"),
    "Triggering": ({"initiator": "source"}, "source = the triggering application, target = the triggered one, "
                                            "initiator: source"),
    "Serving": ({"initiator": "target", "mode": "sync"},
                "source = the serving application (sends the data), target = the served one, which calls it: "
                "initiator: target, mode: sync"),
}


@dataclass
class ImportState:
    """What the importer knows so far: ids and documents of the mapped elements, keyed by exchange identifier."""

    exchange: ExchangeFile
    report: ImportReport
    allocator: IdAllocator
    ids: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    integrations: dict[str, ExchangeItem] = field(default_factory=dict)  # relationship identifier → item
    explained: set[str] = field(default_factory=set)  # relationships not mapped that have a note of their own

    def kind(self, identifier: str) -> str | None:
        return self.kinds.get(identifier)

    def label(self, identifier: str) -> str:
        item = self.exchange.elements.get(identifier)
        return f"'{item.name}'" if item is not None and item.name else identifier

    def describe(self, relationship: ExchangeItem) -> str:
        """``'A' (ApplicationComponent) → 'B' (BusinessRole)``."""
        def end(identifier: str) -> str:
            item = self.exchange.elements.get(identifier)
            return f"{self.label(identifier)} ({item.type if item is not None else 'a relationship'})"
        return f"{end(relationship.source)} → {end(relationship.target)}"

    def not_mapped(self, relationship: ExchangeItem, why: str) -> None:
        """An important note for a relationship that was not mapped, and why."""
        self.report.note(f"{relationship.type} {relationship.identifier}: {self.describe(relationship)} not "
                         f"mapped: {why}")
        self.explained.add(relationship.identifier)

    def record_type(self, identifier: str, key: str, relationship_type: str, usual: str) -> None:
        """Remember under ``properties: archimate_relationships`` that the reference ``key`` of the element
        came from a ``relationship_type`` relationship, when that is not the ``usual`` one."""
        if relationship_type == usual:
            return
        properties = self.documents[identifier].setdefault("properties", {})
        properties.setdefault(ARCHIMATE_RELATIONSHIPS, {})[key] = relationship_type

    def assign_owner(self, element: str, actor: str, relationship: ExchangeItem, what: str) -> bool:
        """Make ``actor`` the owner of ``element`` unless it has one (then note the relationship as unmapped)."""
        document = self.documents[element]
        if "owner" in document:
            self.not_mapped(relationship, f"{what} {self.label(element)} has an owner already")
            return False
        document["owner"] = self.ids[actor]
        return True


def link_model(state: ImportState, tree: ProcessTree) -> set[str]:
    """Fill references into the documents; returns every relationship that was mapped."""
    used: set[str] = set()
    used |= _parents(state, "Organisation")
    used |= _parents(state, "Capability")
    used |= _owners(state)
    used |= _realizations(state)
    used |= _masters(state)
    used |= _integrations(state)
    used |= link_technology(state)
    used |= link_processes(state, tree)
    return used


def relationships_between(state: ImportState, types: frozenset[str] | set[str],
                          source_kind: str | None, target_kind: str | None) -> list[ExchangeItem]:
    return [r for r in state.exchange.relationships if r.type in types
            and (source_kind is None or state.kind(r.source) == source_kind)
            and (target_kind is None or state.kind(r.target) == target_kind)]


def _parents(state: ImportState, kind: str) -> set[str]:
    """Composition or aggregation from a whole to its part: the part's ``parent``; cycles refused."""
    used: set[str] = set()
    parent: dict[str, str] = {}
    for relationship in relationships_between(state, _PART_OF, kind, kind):
        whole, part = relationship.source, relationship.target
        if part in parent or whole == part or is_ancestor(parent, whole, part):
            state.not_mapped(relationship, "a second parent" if part in parent else "it would make a parent cycle")
            continue
        parent[part] = whole
        state.documents[part]["parent"] = state.ids[whole]
        state.record_type(part, "parent", relationship.type, "Composition")
        used.add(relationship.identifier)
    return used


def _owners(state: ImportState) -> set[str]:
    """Owner of an application or technology: an association named owner (or marked ``archrepo:relation =
    owner``) between an actor and it, or an assignment from the actor to it."""
    used: set[str] = set()
    owned = {"Application", "Technology"}
    for relationship in state.exchange.relationships:
        kinds = (state.kind(relationship.source), state.kind(relationship.target))
        if relationship.type == "Association" and "Organisation" in kinds and set(kinds) & owned:
            role = relationship.property(ARCHREPO_RELATION) or slugify(relationship.name, "")
            if role not in OWNER_NAMES:
                continue
        elif not (relationship.type == "Assignment" and kinds[0] == "Organisation" and kinds[1] in owned):
            continue
        actor, element = ((relationship.source, relationship.target) if kinds[0] == "Organisation"
                          else (relationship.target, relationship.source))
        what = str(state.kind(element)).lower()
        if state.assign_owner(element, actor, relationship, what):
            state.record_type(element, "owner", relationship.type, "Association")
            used.add(relationship.identifier)
    return used


def _realizations(state: ImportState) -> set[str]:
    """An application realizing a capability: its ``capabilities``; a process realizing one: ``capability``."""
    used: set[str] = set()
    for relationship in relationships_between(state, {"Realization"}, None, "Capability"):
        source_kind = state.kind(relationship.source)
        document = state.documents.get(relationship.source)
        capability = state.ids[relationship.target]
        if source_kind == "Application" and document is not None:
            capabilities = document.setdefault("capabilities", [])
            if capability not in capabilities:
                capabilities.append(capability)
            used.add(relationship.identifier)
        elif source_kind == "Process" and document is not None:
            if "capability" in document:
                state.not_mapped(relationship, "the process realizes a capability already")
                continue
            document["capability"] = capability
            used.add(relationship.identifier)
    return used


def _masters(state: ImportState) -> set[str]:
    """Master of a data object: the access marked ``archrepo:relation = master``; in a file from another
    tool, the one application that writes it (when several do, none is chosen)."""
    used: set[str] = set()
    writers: dict[str, list[ExchangeItem]] = defaultdict(list)
    for relationship in relationships_between(state, {"Access"}, "Application", "DataObject"):
        document = state.documents[relationship.target]
        if relationship.property(ARCHREPO_RELATION) == "master":
            if "master" not in document:
                document["master"] = state.ids[relationship.source]
                used.add(relationship.identifier)
        elif relationship.access_type in _WRITES:
            writers[relationship.target].append(relationship)
    for data, accesses in writers.items():
        document = state.documents[data]
        native = state.exchange.elements[data].property(ARCHREPO_ID) is not None
        if "master" in document or native:
            continue
        applications = sorted({a.source for a in accesses}, key=lambda i: state.ids[i])
        if len(applications) == 1:
            document["master"] = state.ids[applications[0]]
            used.update(a.identifier for a in accesses)
        else:
            state.report.note(f"DataObject {state.label(data)}: written by {len(applications)} applications "
                              f"({', '.join(state.ids[a] for a in applications)}); no master chosen")
    return used


def _integrations(state: ImportState) -> set[str]:
    """Flow, triggering and serving between two application components: Integrations (see ``_READINGS``)."""
    candidates = []
    for relationship in relationships_between(state, INTEGRATION_TYPES, "Application", "Application"):
        if relationship.source == relationship.target:
            state.not_mapped(relationship, "an application to itself is not an integration")
        else:
            candidates.append(relationship)
    refused: dict[str, str] = {}
    for relationship in candidates:
        wanted = relationship.property(ARCHREPO_ID)
        if wanted is not None and state.allocator.reserve(wanted):
            state.ids[relationship.identifier] = wanted
        elif wanted is not None:
            refused[relationship.identifier] = wanted
    for relationship in sorted(candidates, key=lambda r: r.identifier):
        if relationship.identifier not in state.ids:
            source, target = state.ids[relationship.source], state.ids[relationship.target]
            state.ids[relationship.identifier] = state.allocator.allocate(
                relationship.name or f"{source}-to-{target}", "integration",
                wanted=refused.get(relationship.identifier))
    accesses = _accesses(state)
    used: set[str] = set()
    for relationship in candidates:
        state.kinds[relationship.identifier] = "Integration"
        state.integrations[relationship.identifier] = relationship
        state.documents[relationship.identifier] = _integration(state, relationship, accesses, used)
        used.add(relationship.identifier)
    return used


def _integration(state: ImportState, relationship: ExchangeItem,
                 accesses: dict[str, list[ExchangeItem]], used: set[str]) -> dict[str, Any]:
    element_id = state.ids[relationship.identifier]
    document: dict[str, Any] = {"kind": "Integration", "id": element_id}
    native = relationship.property(ARCHREPO_ID) is not None
    name = relationship.name if native else relationship.name.strip()
    if name:
        document["name"] = name
    if relationship.documentation:
        document["description"] = relationship.documentation
    document["source"] = state.ids[relationship.source]
    document["target"] = state.ids[relationship.target]
    fields = read_fields(relationship, "Integration")
    fields.apply(document)
    where = f"{relationship.type} {relationship.identifier}"
    for problem in fields.problems:
        state.report.note(f"{where}: {problem}; kept as a property")
    if not native:
        implied, reading = _READINGS[relationship.type]
        for key, value in implied.items():
            document.setdefault(key, value)
        state.report.reading(f"{relationship.type} application → application: {reading}")
    if "standard" not in document:
        document["standard"] = DEFAULT_STANDARD
        state.report.default(f"Integration standard = {DEFAULT_STANDARD} (no standard property)")
    _references(state, relationship, fields.references, document)
    if "data" not in fields.references and not native:
        carried = _carried_data(relationship, accesses, used)
        if carried:
            document["data"] = [state.ids[d] for d in carried]
    properties = typed_properties(relationship, fields.leftover, state.report)
    if relationship.identifier != f"id-{element_id}":
        properties = {ARCHIMATE_ID: relationship.identifier, **properties}
    if relationship.type != "Flow":
        properties[ARCHIMATE_TYPE] = relationship.type
    if properties:
        document["properties"] = properties
    fields.apply(document)  # again, for an empty `properties: {}` the exporter marked
    return document


def _references(state: ImportState, relationship: ExchangeItem, references: dict[str, str],
                document: dict[str, Any]) -> None:
    """``via`` and ``data`` named by properties: archrepo ids, exchange identifiers or unique names."""
    where = f"{relationship.type} {relationship.identifier}"
    if "via" in references:
        via = _resolve(state, references["via"], "Application")
        if via is None:
            state.report.note(f"{where}: via '{references['via']}' is not an imported application; dropped")
        else:
            document["via"] = via
    if "data" in references:
        data = []
        for text in decode_list(references["data"]):
            found = _resolve(state, str(text), "DataObject")
            if found is None:
                state.report.note(f"{where}: data '{text}' is not an imported data object; dropped")
            elif found not in data:
                data.append(found)
        document["data"] = data


def _accesses(state: ImportState) -> dict[str, list[ExchangeItem]]:
    """Application identifier → its access relationships to data objects (master markers excluded)."""
    found: dict[str, list[ExchangeItem]] = defaultdict(list)
    for relationship in relationships_between(state, {"Access"}, "Application", "DataObject"):
        if relationship.property(ARCHREPO_RELATION) != "master":
            found[relationship.source].append(relationship)
    return found


def _carried_data(relationship: ExchangeItem, accesses: dict[str, list[ExchangeItem]], used: set[str]) -> list[str]:
    """Data an integration carries, in a file from another tool: what its source writes and its target
    accesses (reads or writes)."""
    target_access = {a.target: a for a in accesses.get(relationship.target, [])}
    carried: list[str] = []
    for access in accesses.get(relationship.source, []):
        if access.access_type in _WRITES and access.target in target_access and access.target not in carried:
            carried.append(access.target)
            used.update((access.identifier, target_access[access.target].identifier))
    return carried


def _resolve(state: ImportState, text: str, kind: str) -> str | None:
    """An archrepo id from a property value: an archrepo id, an exchange identifier, or a unique name."""
    value = text.strip()
    candidates = [i for i, k in state.kinds.items() if k == kind]
    for identifier in candidates:
        if state.ids[identifier] == value:
            return value
    if value in candidates:
        return state.ids[value]
    named = [i for i in candidates if state.exchange.elements[i].name == value]
    return state.ids[named[0]] if len(named) == 1 else None
