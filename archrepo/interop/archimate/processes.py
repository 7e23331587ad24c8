"""Which BusinessProcess elements of an exchange file are archrepo Processes, and which are their steps.

A BusinessProcess that no other BusinessProcess composes (or aggregates) is a Process; everything it
composes, at any depth, is one of its steps, in document order depth first. A Process that composes
nothing is its own first step (with the process's id and name: the exporter writes the two as one
element), followed by the stand-alone processes its triggering chain reaches (the ArchiSurance style:
Register → Accept → Valuate → Pay). Composition cycles are broken at the relationship that closes them.
Triggering between two steps of one process gives ``next``; an application serving or realizing a step,
``supported_by``; an actor assigned to the process, its ``owner``.

What ArchiMate holds about a step beyond that (its identifier, documentation and properties, aggregation
instead of composition, the sub-process it is part of) goes under the process's ``properties:
archimate_steps``, so that the export writes the same elements and relationships back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archrepo.interop.archimate.exchange import ExchangeFile
from archrepo.interop.archimate.fields import typed_properties
from archrepo.interop.archimate.terms import ARCHIMATE_ID, ARCHIMATE_RELATIONSHIPS, ARCHIMATE_STEPS, ARCHREPO_ID
from archrepo.interop.slug import IdAllocator

if TYPE_CHECKING:
    from archrepo.interop.archimate.links import ImportState

__all__ = ["ProcessTree", "is_ancestor", "link_processes"]

_PART_OF = frozenset({"Composition", "Aggregation"})
_SUPPORTS = frozenset({"Serving", "Realization"})


@dataclass
class ProcessTree:
    roots: dict[str, list[str]] = field(default_factory=dict)  # process identifier → its step identifiers
    step_root: dict[str, str] = field(default_factory=dict)  # step identifier → process identifier
    parent: dict[str, tuple[str, str]] = field(default_factory=dict)  # step → (whole, relationship type)
    used: set[str] = field(default_factory=set)  # relationships that made the structure
    notes: dict[str, str] = field(default_factory=dict)  # relationship identifier → why it was not mapped

    @classmethod
    def build(cls, exchange: ExchangeFile) -> ProcessTree:
        tree = cls()
        elements = exchange.elements
        processes = [item.identifier for item in elements.values() if item.type == "BusinessProcess"]
        is_process = set(processes)
        parent: dict[str, str] = {}
        children: dict[str, list[str]] = {identifier: [] for identifier in processes}
        for relationship in exchange.relationships:
            source, target = relationship.source, relationship.target
            if relationship.type not in _PART_OF or source not in is_process or target not in is_process:
                continue
            if target in parent or is_ancestor(parent, source, target):
                why = "is already part of another process" if target in parent else "would close a cycle"
                tree.notes[relationship.identifier] = f"the sub-process {why}"
                continue
            parent[target] = source
            tree.parent[target] = (source, relationship.type)
            children[source].append(target)
            tree.used.add(relationship.identifier)
        chains = _triggering_chains(exchange, [p for p in processes if p not in parent and not children[p]])
        for root in processes:
            if root in parent or root in chains.members:
                continue
            tree.roots[root] = chains.steps.get(root) or _depth_first(root, children) or [root]
        for root, members in tree.roots.items():
            for step in members:
                tree.step_root[step] = root
        return tree


@dataclass
class _Chains:
    steps: dict[str, list[str]] = field(default_factory=dict)  # head → every process of its chain, in order
    members: set[str] = field(default_factory=set)  # processes that are in a chain but not its head


def _triggering_chains(exchange: ExchangeFile, leaves: list[str]) -> _Chains:
    """Stand-alone processes linked by triggering: each connected group is one Process whose head (the first
    process nothing in the group triggers) comes first, then the others in triggering order."""
    is_leaf = set(leaves)
    edges = [(r.source, r.target) for r in exchange.relationships
             if r.type == "Triggering" and r.source in is_leaf and r.target in is_leaf and r.source != r.target]
    group = {leaf: leaf for leaf in leaves}

    def find(node: str) -> str:
        while group[node] != node:
            group[node] = group[group[node]]
            node = group[node]
        return node

    for source, target in edges:
        group[find(target)] = find(source)
    members: dict[str, list[str]] = {}
    for leaf in leaves:
        members.setdefault(find(leaf), []).append(leaf)
    chains = _Chains()
    following: dict[str, list[str]] = {leaf: [] for leaf in leaves}
    triggered = set()
    for source, target in edges:
        following[source].append(target)
        triggered.add(target)
    for group_members in members.values():
        if len(group_members) < 2:
            continue
        starts = [m for m in group_members if m not in triggered] + group_members
        order: list[str] = []
        for start in starts:
            stack = [start]
            while stack:
                node = stack.pop()
                if node not in order:
                    order.append(node)
                    stack.extend(reversed(following[node]))
        chains.steps[order[0]] = order
        chains.members.update(order[1:])
    return chains


def _step_ids(state: ImportState, root: str, members: list[str]) -> dict[str, str]:
    """Step ids of one process: the process itself (its own first step) takes the process's id; steps an
    archrepo export wrote keep their ``archrepo:id``; the others get one from their name."""
    exchange = state.exchange
    allocator = IdAllocator()
    names: dict[str, str] = {}
    if root in members and allocator.reserve(state.ids[root]):
        names[root] = state.ids[root]
    for step in members:
        wanted = exchange.elements[step].property(ARCHREPO_ID) if step != root else None
        if wanted is not None and allocator.reserve(wanted):
            names[step] = wanted
    # a step named like its process must not take the process's id: the export would merge the two
    allocator.reserve(state.ids[root])
    for step in members:
        if step not in names:
            names[step] = allocator.allocate(exchange.elements[step].name or "step", "step")
    return names


def _depth_first(root: str, children: dict[str, list[str]]) -> list[str]:
    order: list[str] = []
    stack = list(reversed(children[root]))
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(reversed(children[node]))
    return order


@dataclass
class _Step:
    process: str  # exchange identifier of the process
    document: dict[str, Any]  # the step as written under `steps:`
    record: dict[str, Any]  # what goes under `archimate_steps:` for it


def _steps(state: ImportState, tree: ProcessTree) -> dict[str, _Step]:
    """Every step (by exchange identifier), its document in its process's ``steps:`` and its record."""
    elements = state.exchange.elements
    steps: dict[str, _Step] = {}
    for root, members in tree.roots.items():
        names = _step_ids(state, root, members)
        process_id = state.ids[root]
        documents: list[dict[str, Any]] = []
        for member in members:
            item = elements[member]
            document = {"id": names[member], "name": item.display_name}
            record: dict[str, Any] = {}
            if member != root:
                if member != f"id-{process_id}.{names[member]}":
                    record[ARCHIMATE_ID] = member
                if item.documentation:
                    record["description"] = item.documentation
                properties = typed_properties(item, [p for p in item.properties if p.name != ARCHREPO_ID],
                                              state.report)
                if properties:
                    record["properties"] = properties
                whole, kind = tree.parent.get(member, (root, "none"))
                if whole != root:
                    record["parent"] = names[whole]
                if kind != "Composition":
                    record[ARCHIMATE_RELATIONSHIPS] = {"part_of": kind}
            documents.append(document)
            steps[member] = _Step(root, document, record)
        state.documents[root]["steps"] = documents
    return steps


def link_processes(state: ImportState, tree: ProcessTree) -> set[str]:
    """Steps of every Process; owner (assignment from an actor), ``supported_by`` (an application serving or
    realizing a step) and ``next`` (triggering between two steps of the same process)."""
    for identifier, why in tree.notes.items():
        relationship = next(r for r in state.exchange.relationships if r.identifier == identifier)
        state.not_mapped(relationship, why)
    steps = _steps(state, tree)
    used: set[str] = set()
    for relationship in state.exchange.relationships:
        source, target = relationship.source, relationship.target
        source_kind = state.kind(source)
        if relationship.type == "Assignment" and source_kind == "Organisation" and target in tree.roots:
            if not state.assign_owner(target, source, relationship, "process"):
                continue
        elif relationship.type in _SUPPORTS and source_kind == "Application" and target in steps:
            step = steps[target]
            supported = step.document.setdefault("supported_by", [])
            if state.ids[source] not in supported:
                supported.append(state.ids[source])
                if relationship.type != "Serving":
                    step.record.setdefault(ARCHIMATE_RELATIONSHIPS, {})[f"supported_by/{state.ids[source]}"] = \
                        relationship.type
        elif relationship.type in _SUPPORTS and source_kind == "Application" and target in tree.roots:
            state.not_mapped(relationship, "it supports the process as a whole, not a step")
            continue
        elif relationship.type == "Triggering" and source in steps and target in steps:
            if steps[source].process != steps[target].process:
                state.not_mapped(relationship, "it links two processes")
                continue
            following = steps[source].document.setdefault("next", [])
            if steps[target].document["id"] not in following:
                following.append(steps[target].document["id"])
        else:
            continue
        used.add(relationship.identifier)
    _store_records(state, steps)
    return used


def _store_records(state: ImportState, steps: dict[str, _Step]) -> None:
    for step in steps.values():
        if step.record:
            properties = state.documents[step.process].setdefault("properties", {})
            properties.setdefault(ARCHIMATE_STEPS, {})[step.document["id"]] = step.record


def is_ancestor(parent: dict[str, str], start: str, goal: str) -> bool:
    """Whether ``goal`` is ``start`` or one of its ancestors in ``parent``."""
    node: str | None = start
    while node is not None:
        if node == goal:
            return True
        node = parent.get(node)
    return False
