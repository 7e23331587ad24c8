"""Technology relationships → ``technologies`` (what an application relies on) and ``runs_on`` (what a
technology relies on).

* Serving, Realization or Assignment from a technology element to an application component: the
  application's ``technologies`` (a node or service serving it, an artifact or system software realizing it).
* Between two technology elements: serving, realization and assignment make the target rely on the source
  (``runs_on``: a service realized by a node, software assigned to a device); composition and aggregation
  make the whole rely on its parts; an association with a communication network makes the other end rely
  on the network. A ``runs_on`` that would close a cycle is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from archrepo.interop.archimate.exchange import ExchangeItem
from archrepo.interop.archimate.terms import REFERENCE_DEFAULTS, RELIES_ON

if TYPE_CHECKING:
    from archrepo.interop.archimate.links import ImportState

__all__ = ["link_technology"]

_ON_APPLICATIONS = frozenset({"Serving", "Realization", "Assignment"})
_NETWORKS = frozenset({"CommunicationNetwork", "Path"})


def link_technology(state: ImportState) -> set[str]:
    """Fill ``technologies`` and ``runs_on``; returns the relationships used."""
    used: set[str] = set()
    runs_on: dict[str, set[str]] = {}  # exchange identifiers, for the cycle check
    for relationship in state.exchange.relationships:
        kinds = (state.kind(relationship.source), state.kind(relationship.target))
        if kinds == ("Technology", "Application") and relationship.type in _ON_APPLICATIONS:
            _rely(state, relationship, relationship.target, "technologies", relationship.source)
            state.report.reading(f"{relationship.type} technology → application: the application's technologies")
            used.add(relationship.identifier)
        elif kinds == ("Technology", "Technology") and relationship.type in RELIES_ON:
            ends = _ends(state, relationship)
            if ends is None:
                continue
            relier, relied = ends
            if relier == relied or _reaches(runs_on, relied, relier):
                state.not_mapped(relationship, "runs_on would form a cycle")
                continue
            runs_on.setdefault(relier, set()).add(relied)
            _rely(state, relationship, relier, "runs_on", relied)
            side = "source" if relier == relationship.source else "target"
            state.report.reading(f"{relationship.type} technology → technology: the {side} runs on the other end")
            used.add(relationship.identifier)
    return used


def _ends(state: ImportState, relationship: ExchangeItem) -> tuple[str, str] | None:
    """(the element that relies, the one relied on); None for an association not with exactly one network."""
    if relationship.type == "Association":
        networks = [end for end in (relationship.source, relationship.target)
                    if state.exchange.elements[end].type in _NETWORKS]
        if len(networks) != 1:
            return None
        network = networks[0]
        return (relationship.target if network == relationship.source else relationship.source), network
    if RELIES_ON[relationship.type] == "target":
        return relationship.target, relationship.source
    return relationship.source, relationship.target


def _rely(state: ImportState, relationship: ExchangeItem, relier: str, field: str, relied: str) -> None:
    document = state.documents[relier]
    references = document.setdefault(field, [])
    target_id = state.ids[relied]
    if target_id not in references:
        references.append(target_id)
        state.record_type(relier, f"{field}/{target_id}", relationship.type, REFERENCE_DEFAULTS[field])


def _reaches(edges: dict[str, set[str]], start: str, goal: str) -> bool:
    seen: set[str] = set()
    stack = [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(edges.get(node, ()))
    return False
