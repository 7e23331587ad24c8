"""Which business processes are archrepo Processes, and which are their steps.

A BusinessProcess that no other BusinessProcess composes (or aggregates) is a Process; everything it
composes, at any depth, is one of its steps, in document order depth first. A Process that composes
nothing is its own first step, followed by the stand-alone processes its triggering chain reaches (the
ArchiSurance style: Register → Accept → Valuate → Pay). Composition cycles are broken at the relationship
that closes them. Triggering between two steps of one process gives ``next``; an application serving or
realizing a step, ``supported_by``; an actor assigned to the process, its ``owner``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archrepo.interop.archimate_exchange import ExchangeFile
from archrepo.interop.archimate_terms import ARCHREPO_ID
from archrepo.interop.slug import IdAllocator

if TYPE_CHECKING:
    from archrepo.interop.archimate_links import ImportState

__all__ = ["ProcessTree", "link_processes"]

_PART_OF = frozenset({"Composition", "Aggregation"})
_SUPPORTS = frozenset({"Serving", "Realization"})


@dataclass
class ProcessTree:
    roots: dict[str, list[str]] = field(default_factory=dict)  # process identifier → its step identifiers
    step_root: dict[str, str] = field(default_factory=dict)  # step identifier → process identifier
    step_ids: dict[str, dict[str, str]] = field(default_factory=dict)  # process → {step identifier: step id}
    used: set[str] = field(default_factory=set)  # relationships that made the structure
    notes: list[str] = field(default_factory=list)

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
                tree.notes.append(f"{relationship.type} {relationship.identifier}: '{elements[source].name}' → "
                                  f"'{elements[target].name}' not mapped: the sub-process {why}")
                continue
            parent[target] = source
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
            tree.step_ids[root] = _step_ids(exchange, root, members)
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


def _step_ids(exchange: ExchangeFile, root: str, members: list[str]) -> dict[str, str]:
    allocator = IdAllocator()
    names: dict[str, str] = {}
    for step in members:
        wanted = exchange.elements[step].property(ARCHREPO_ID) if step != root else None
        if wanted is not None and allocator.reserve(wanted):
            names[step] = wanted
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


def link_processes(state: ImportState, tree: ProcessTree) -> set[str]:
    """Steps of every Process; owner (assignment from an actor), ``supported_by`` (an application serving or
    realizing a step) and ``next`` (triggering between two steps of the same process)."""
    elements = state.exchange.elements
    steps: dict[str, dict[str, Any]] = {}
    for root, members in tree.roots.items():
        documents = []
        for member in members:
            documents.append({"id": tree.step_ids[root][member], "name": elements[member].display_name})
            steps[member] = documents[-1]
        state.documents[root]["steps"] = documents
    used: set[str] = set()
    for relationship in state.exchange.relationships:
        source, target = relationship.source, relationship.target
        source_kind = state.kind(source)
        if relationship.type == "Assignment" and source_kind == "Organisation" and target in tree.roots:
            if not state.assign_owner(target, source, relationship, "process"):
                continue
        elif relationship.type in _SUPPORTS and source_kind == "Application" and target in tree.roots \
                and target not in steps:
            state.report.note(f"{relationship.type} {relationship.identifier}: {state.label(source)} supports "
                              f"process {state.label(target)} as a whole, not a step; not mapped")
            continue
        elif relationship.type in _SUPPORTS and source_kind == "Application" and target in steps:
            supported = steps[target].setdefault("supported_by", [])
            if state.ids[source] not in supported:
                supported.append(state.ids[source])
        elif relationship.type == "Triggering" and source in steps and target in steps:
            if tree.step_root[source] != tree.step_root[target]:
                state.report.note(f"Triggering {relationship.identifier}: {state.label(source)} → "
                                  f"{state.label(target)} links two processes; not mapped")
                continue
            following = steps[source].setdefault("next", [])
            if steps[target]["id"] not in following:
                following.append(steps[target]["id"])
        else:
            continue
        used.add(relationship.identifier)
    return used


def is_ancestor(parent: dict[str, str], start: str, goal: str) -> bool:
    """Whether ``goal`` is ``start`` or one of its ancestors in ``parent``."""
    node: str | None = start
    while node is not None:
        if node == goal:
            return True
        node = parent.get(node)
    return False
