"""Impact analysis: what transitively depends on an application, and which process steps that touches.

Dependency direction as in the contract: the target of an integration depends on its source; in `sync`
mode the source depends on the target too. Applications retired as of the date are left out.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass, field

import networkx as nx

from archrepo.errors import UsageError
from archrepo.model.elements import Model, effective_status
from archrepo.model.schema import suggest

__all__ = ["ImpactResult", "analyse_impact", "require_element"]


@dataclass(frozen=True)
class ImpactedApplication:
    id: str
    distance: int
    path: tuple[str, ...]  # from the focus to this application


@dataclass
class ImpactResult:
    focus: str
    applications: list[ImpactedApplication] = field(default_factory=list)
    process_steps: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"focus": self.focus,
                "applications": [{"id": a.id, "distance": a.distance, "path": list(a.path)}
                                 for a in self.applications],
                "process_steps": [{"process": p, "step": s} for p, s in self.process_steps]}


def require_element(model: Model, element_id: str, kinds: tuple[str, ...], option: str = "--focus") -> None:
    """UsageError (exit 2) with the closest id when ``element_id`` is not an element of one of ``kinds``."""
    element = model.get(element_id)
    if element is not None and element.kind in kinds:
        return
    candidates = [e.id for kind in kinds for e in model.of_kind(kind)]
    close = suggest(element_id, candidates)
    what = " or ".join(kinds)
    if element is not None:
        raise UsageError(f"{option} {element_id}: that is {element.kind}, not {what}",
                         hint=f"Did you mean '{close}'?" if close else None)
    raise UsageError(f"{option} {element_id}: no {what} with that id",
                     hint=f"Did you mean '{close}'?" if close else "`archrepo query` or the docs site list the ids.")


def analyse_impact(model: Model, dependencies: nx.DiGraph, focus: str, as_of: dt.date) -> ImpactResult:
    """Breadth-first from the focus against the dependency edges: shortest distance and one shortest path."""
    require_element(model, focus, ("Application",), option="ID")
    in_service = {a.id for a in model.of_kind("Application") if effective_status(a, as_of) != "retired"}
    paths: dict[str, tuple[str, ...]] = {focus: (focus,)}
    queue = deque([focus])
    while queue:
        current = queue.popleft()
        for dependent in sorted(dependencies.predecessors(current)) if current in dependencies else ():
            if dependent not in paths and dependent in in_service:
                paths[dependent] = (*paths[current], dependent)
                queue.append(dependent)
    applications = sorted((ImpactedApplication(app, len(path) - 1, path) for app, path in paths.items()
                           if app != focus), key=lambda a: (a.distance, a.id))
    touched = set(paths)
    steps = [(process.id, step["id"]) for process in model.of_kind("Process")
             for step in process.data.get("steps") or () if touched & set(step.get("supported_by") or ())]
    return ImpactResult(focus, applications, steps)
