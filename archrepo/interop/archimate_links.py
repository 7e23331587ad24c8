"""Relationships of an exchange file → archrepo references. Each function returns the identifiers of the
relationships it used; every other relationship is counted as not mapped.

* Composition or Aggregation organisation → organisation, capability → capability: the part's ``parent``
  (the first one; one that would close a cycle is refused).
* Association between an actor and an application named owner/owns/eier/systemeier (or marked
  ``archrepo:relation = owner``), or Assignment actor → application: the application's ``owner``.
* Realization application → capability: ``capabilities``; process → capability: the process's ``capability``.
* Access application → data object marked ``archrepo:relation = master``, else the only application that
  writes it: the data object's ``master``.
* Flow, Serving or Triggering application → application: an Integration, source → target. ``standard``,
  ``via``, ``data``, ``mode``, ``status``, dates and ``security`` come from properties; ``standard`` is
  ``unknown`` without one. In a file from another tool, ``data`` is what the source writes and the target
  accesses.
* Steps, ``supported_by`` and ``next``: :func:`archrepo.interop.archimate_processes.link_processes`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from archrepo.interop.archimate_exchange import ExchangeFile, ExchangeItem
from archrepo.interop.archimate_fields import read_fields
from archrepo.interop.archimate_processes import ProcessTree, is_ancestor, link_processes
from archrepo.interop.archimate_terms import ARCHREPO_ID, ARCHREPO_RELATION, decode_list
from archrepo.interop.report import ImportReport
from archrepo.interop.slug import IdAllocator, slugify

__all__ = ["DEFAULT_STANDARD", "INTEGRATION_TYPES", "OWNER_NAMES", "ImportState", "link_model"]

INTEGRATION_TYPES = frozenset({"Flow", "Serving", "Triggering"})
DEFAULT_STANDARD = "unknown"
OWNER_NAMES = frozenset({"owner", "owns", "owned-by", "eier", "eies-av", "systemeier"})
_PART_OF = frozenset({"Composition", "Aggregation"})
_WRITES = frozenset({"Write", "ReadWrite"})


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

    def kind(self, identifier: str) -> str | None:
        return self.kinds.get(identifier)

    def label(self, identifier: str) -> str:
        item = self.exchange.elements.get(identifier)
        return f"'{item.name}'" if item is not None and item.name else identifier

    def assign_owner(self, element: str, actor: str, relationship: Any, what: str) -> bool:
        """Make ``actor`` the owner of ``element`` unless it has one (then note the relationship as unmapped)."""
        document = self.documents[element]
        if "owner" in document:
            self.report.note(f"{relationship.type} {relationship.identifier}: {what} {self.label(element)} has an "
                             "owner already; this one is not mapped")
            return False
        document["owner"] = self.ids[actor]
        return True


def link_model(state: ImportState, tree: ProcessTree) -> set[str]:
    """Fill references into the documents; returns every relationship that was mapped."""
    used: set[str] = set()
    used |= _parents(state, "Organisation")
    used |= _parents(state, "Capability")
    used |= _owners(state)
    used |= _realizations(state, tree)
    used |= _masters(state)
    used |= _integrations(state)
    used |= link_processes(state, tree)
    return used


def _relationships(state: ImportState, types: frozenset[str] | set[str],
                   source_kind: str | None, target_kind: str | None) -> list[ExchangeItem]:
    return [r for r in state.exchange.relationships if r.type in types
            and (source_kind is None or state.kind(r.source) == source_kind)
            and (target_kind is None or state.kind(r.target) == target_kind)]


def _parents(state: ImportState, kind: str) -> set[str]:
    """Composition or aggregation from a whole to its part: the part's ``parent``; cycles refused."""
    used: set[str] = set()
    parent: dict[str, str] = {}
    for relationship in _relationships(state, _PART_OF, kind, kind):
        whole, part = relationship.source, relationship.target
        if part in parent or whole == part or is_ancestor(parent, whole, part):
            state.report.note(f"{relationship.type} {state.label(whole)} → {state.label(part)} not mapped: "
                              f"{'a second parent' if part in parent else 'it would make a parent cycle'}")
            continue
        parent[part] = whole
        state.documents[part]["parent"] = state.ids[whole]
        used.add(relationship.identifier)
    return used


def _owners(state: ImportState) -> set[str]:
    """Owner of an application: an association named owner (or marked ``archrepo:relation = owner``) between
    an actor and the application, or an assignment from the actor to it."""
    used: set[str] = set()
    for relationship in state.exchange.relationships:
        kinds = (state.kind(relationship.source), state.kind(relationship.target))
        if relationship.type == "Association" and set(kinds) == {"Organisation", "Application"}:
            role = relationship.property(ARCHREPO_RELATION) or slugify(relationship.name, "")
            if role not in OWNER_NAMES:
                continue
        elif not (relationship.type == "Assignment" and kinds == ("Organisation", "Application")):
            continue
        actor, application = ((relationship.source, relationship.target) if kinds[0] == "Organisation"
                              else (relationship.target, relationship.source))
        if state.assign_owner(application, actor, relationship, "application"):
            used.add(relationship.identifier)
    return used


def _realizations(state: ImportState, tree: ProcessTree) -> set[str]:
    """An application realizing a capability: its ``capabilities``; a process realizing one: ``capability``."""
    used: set[str] = set()
    for relationship in _relationships(state, {"Realization"}, None, "Capability"):
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
                state.report.note(f"Realization {relationship.identifier}: process {state.label(relationship.source)} "
                                  "realizes a capability already; this one is not mapped")
                continue
            document["capability"] = capability
            used.add(relationship.identifier)
    return used


def _masters(state: ImportState) -> set[str]:
    """Master of a data object: the access marked ``archrepo:relation = master``; in a file from another
    tool, the one application that writes it (when several do, none is chosen)."""
    used: set[str] = set()
    writers: dict[str, list[ExchangeItem]] = defaultdict(list)
    for relationship in _relationships(state, {"Access"}, "Application", "DataObject"):
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
    """Flow, serving and triggering between two application components: Integrations (source → target)."""
    candidates = _relationships(state, INTEGRATION_TYPES, "Application", "Application")
    for relationship in candidates:
        wanted = relationship.property(ARCHREPO_ID)
        if wanted is not None:
            if state.allocator.reserve(wanted):
                state.ids[relationship.identifier] = wanted
            else:
                state.report.note(f"{relationship.type} {relationship.identifier}: archrepo:id '{wanted}' is "
                                  "invalid or used twice; a new id was derived")
    for relationship in sorted(candidates, key=lambda r: r.identifier):
        if relationship.identifier not in state.ids:
            source, target = state.ids[relationship.source], state.ids[relationship.target]
            state.ids[relationship.identifier] = state.allocator.allocate(
                relationship.name or f"{source}-to-{target}", "integration")
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
    document: dict[str, Any] = {"kind": "Integration", "id": state.ids[relationship.identifier]}
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
        state.report.note(f"{where}: {problem}; not mapped")
    if "standard" not in document:
        document["standard"] = DEFAULT_STANDARD
        state.report.default(f"Integration standard = {DEFAULT_STANDARD} (no standard property)")
    if "via" in fields.references:
        via = _resolve(state, fields.references["via"], "Application")
        if via is None:
            state.report.note(f"{where}: via '{fields.references['via']}' is not an imported application; dropped")
        else:
            document["via"] = via
    if "data" in fields.references:
        data = []
        for text in decode_list(fields.references["data"]):
            found = _resolve(state, str(text), "DataObject")
            if found is None:
                state.report.note(f"{where}: data '{text}' is not an imported data object; dropped")
            elif found not in data:
                data.append(found)
        document["data"] = data
    elif not native:
        carried = _carried_data(relationship, accesses, used)
        if carried:
            document["data"] = [state.ids[d] for d in carried]
    return document


def _accesses(state: ImportState) -> dict[str, list[ExchangeItem]]:
    """Application identifier → its access relationships to data objects (master markers excluded)."""
    found: dict[str, list[ExchangeItem]] = defaultdict(list)
    for relationship in _relationships(state, {"Access"}, "Application", "DataObject"):
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
