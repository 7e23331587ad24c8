"""Who refers to whom, computed once for the whole site: the reverse of every reference in the model,
and the violations by element, by rule and by principle."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from archrepo.model.elements import Element, Model
from archrepo.rules.violation import Violation

__all__ = ["CrossReference", "build_cross_reference"]


@dataclass
class CrossReference:
    """Reverse references, each list sorted by id (steps in process order)."""

    outgoing: dict[str, list[Element]] = field(default_factory=lambda: defaultdict(list))  # app -> integrations
    incoming: dict[str, list[Element]] = field(default_factory=lambda: defaultdict(list))  # app -> integrations
    routed: dict[str, list[Element]] = field(default_factory=lambda: defaultdict(list))  # platform -> via it
    steps: dict[str, list[tuple[Element, dict[str, object]]]] = field(default_factory=lambda: defaultdict(list))
    masters: dict[str, list[Element]] = field(default_factory=lambda: defaultdict(list))  # app -> data objects
    carriers: dict[str, list[Element]] = field(default_factory=lambda: defaultdict(list))  # data -> integrations
    owned: dict[str, list[Element]] = field(default_factory=lambda: defaultdict(list))  # org -> apps, processes
    children: dict[str, list[Element]] = field(default_factory=lambda: defaultdict(list))  # org/capability
    realising: dict[str, list[Element]] = field(default_factory=lambda: defaultdict(list))  # capability -> apps,
    #                                                                                          processes
    by_element: dict[str, list[Violation]] = field(default_factory=lambda: defaultdict(list))
    involving: dict[str, list[Violation]] = field(default_factory=lambda: defaultdict(list))  # in `related`
    by_rule: dict[str, list[Violation]] = field(default_factory=lambda: defaultdict(list))
    by_principle: dict[str, list[Violation]] = field(default_factory=lambda: defaultdict(list))


def build_cross_reference(model: Model, violations: list[Violation]) -> CrossReference:
    """One pass over the model (in id order, so every list comes out sorted) and one over the violations."""
    xref = CrossReference()
    for element in sorted(model, key=lambda e: e.id):
        _add_element(xref, element)
    for violation in sorted(violations):
        xref.by_element[violation.element].append(violation)
        xref.by_rule[violation.rule].append(violation)
        xref.by_principle[violation.principle].append(violation)
        for related in sorted(set(violation.related) - {violation.element}):
            xref.involving[related].append(violation)
    return xref


def _add_element(xref: CrossReference, element: Element) -> None:
    get = element.get
    if element.kind == "Integration":
        xref.outgoing[get("source")].append(element)
        xref.incoming[get("target")].append(element)
        if get("via"):
            xref.routed[get("via")].append(element)
        for data_id in get("data") or ():
            xref.carriers[data_id].append(element)
    elif element.kind == "Process":
        for step in get("steps") or ():
            for application_id in step.get("supported_by") or ():
                xref.steps[application_id].append((element, step))
        if get("owner"):
            xref.owned[get("owner")].append(element)
        if get("capability"):
            xref.realising[get("capability")].append(element)
    elif element.kind == "DataObject":
        if get("master"):
            xref.masters[get("master")].append(element)
    elif element.kind == "Application":
        if get("owner"):
            xref.owned[get("owner")].append(element)
        for capability in get("capabilities") or ():
            xref.realising[capability].append(element)
    if element.kind in ("Organisation", "Capability") and get("parent"):
        xref.children[get("parent")].append(element)
