"""Impact analysis: what transitively depends on an application or a technology, and which process steps
that touches.

Dependency direction as in the contract (``archrepo.graph.deps``): the target of an integration depends on
its source; in ``sync`` mode the initiator depends on the other end too; both ends depend on the ``via``
platform, so a platform's impact includes the ends of every integration routed through it. A technology's
impact starts at the applications that use it, directly or through technology that runs on it.
Applications retired as of the date are left out.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from archrepo.errors import UsageError
from archrepo.model.elements import Model, effective_status
from archrepo.model.schema import suggest

if TYPE_CHECKING:  # the map and the other views that take no dependency graph never import networkx
    import networkx as nx

__all__ = ["ImpactResult", "TechnologyUse", "analyse_impact", "in_service", "require_element"]


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
    depth: int | None = None  # the --depth the lists were bounded by, if any
    beyond: dict[int, int] = field(default_factory=dict)  # distance -> applications left out by ``depth``
    technologies: list[str] = field(default_factory=list)  # for a technology: the components that run on it

    def as_dict(self) -> dict[str, object]:
        result: dict[str, object] = {
            "focus": self.focus,
            "applications": [{"id": a.id, "distance": a.distance, "path": list(a.path)} for a in self.applications],
            "process_steps": [{"process": p, "step": s} for p, s in self.process_steps]}
        if self.technologies:
            result["technologies"] = list(self.technologies)
        if self.depth is not None:
            result["depth"] = self.depth
            result["beyond"] = [{"distance": d, "applications": n} for d, n in sorted(self.beyond.items())]
        return result


# the views (and commands) that are about an element of each kind, for a hint that names the right one
_VIEWS_OF_KIND = {"Application": ("diagram context", "diagram impact", "impact"), "Process": ("diagram process",),
                  "DataObject": ("diagram data",), "Technology": ("impact",)}


def require_element(model: Model, element_id: str, kinds: tuple[str, ...], option: str = "--focus") -> None:
    """UsageError (exit 2) when ``element_id`` is not an element of one of ``kinds``: the closest id of those
    kinds in this model, or a few of them; for an element of another kind, the view that is about it."""
    element = model.get(element_id)
    if element is not None and element.kind in kinds:
        return
    candidates = sorted(e.id for kind in kinds for e in model.of_kind(kind))
    close = suggest(element_id, candidates)
    what = " or ".join(kinds)
    if element is not None:
        views = _VIEWS_OF_KIND.get(element.kind, ())
        hint = (f"Did you mean '{close}'? " if close else "") + (
            f"For {element.kind} '{element_id}': " + ", ".join(
                f"`archrepo {view} {'--focus ' if view.startswith('diagram') else ''}{element_id}`" for view in views)
            + "." if views else "")
        raise UsageError(f"{option} {element_id}: that is {element.kind}, not {what}", hint=hint.strip() or None)
    if close:
        hint = f"Did you mean '{close}'?"
    elif candidates:
        hint = f"{what} ids in this model: {', '.join(candidates[:5])}{' …' if len(candidates) > 5 else ''}."
    else:
        hint = f"This model has no {what}."
    raise UsageError(f"{option} {element_id}: no {what} with that id", hint=hint)


class TechnologyUse:
    """Which applications use which technology, directly or through technology that runs on it: the model read
    once for any number of questions (a site asks about every technology)."""

    def __init__(self, model: Model) -> None:
        self._above: dict[str, list[str]] = {}  # technology -> the technology components running on it
        for element in model.of_kind("Technology"):
            for below in element.data.get("runs_on") or ():
                self._above.setdefault(below, []).append(element.id)
        self._direct: dict[str, set[str]] = {}  # technology -> the applications that name it
        for application in model.of_kind("Application"):
            for technology in set(application.data.get("technologies") or ()):
                self._direct.setdefault(technology, set()).add(application.id)

    def direct(self, technology: str) -> set[str]:
        """The applications that name ``technology`` themselves."""
        return set(self._direct.get(technology, ()))

    def users(self, technology: str) -> tuple[list[str], list[str]]:
        """(applications that use ``technology`` directly or through technology that runs on it, those other
        technology components), both sorted."""
        reached = {technology}
        queue = deque([technology])
        while queue:
            for other in self._above.get(queue.popleft(), ()):
                if other not in reached:
                    reached.add(other)
                    queue.append(other)
        users = sorted({application for used in reached for application in self._direct.get(used, ())})
        return users, sorted(reached - {technology})


def in_service(model: Model, as_of: dt.date) -> set[str]:
    """The applications not retired as of ``as_of``."""
    return {a.id for a in model.of_kind("Application") if effective_status(a, as_of) != "retired"}


def analyse_impact(model: Model, dependencies: nx.DiGraph, focus: str, as_of: dt.date,
                   depth: int | None = None, *, use: TechnologyUse | None = None,
                   serving: set[str] | None = None) -> ImpactResult:
    """Breadth-first from the focus against the dependency edges: shortest distance and one shortest path of
    every application that depends on it. ``depth`` bounds the lists to that many hops (what lies beyond is
    counted per distance); without it they are complete. ``use`` and ``serving`` (:func:`in_service`): made
    once by a caller that asks about many elements of the same model on the same date."""
    require_element(model, focus, ("Application", "Technology"), option="ID")
    serving = serving if serving is not None else in_service(model, as_of)
    paths: dict[str, tuple[str, ...]] = {focus: (focus,)}
    queue = deque([focus])
    technologies: list[str] = []
    if model.elements[focus].kind == "Technology":
        users, technologies = (use or TechnologyUse(model)).users(focus)
        for user in users:
            if user in serving:
                paths[user] = (focus, user)
                queue.append(user)
        queue.popleft()
    while queue:
        current = queue.popleft()
        for dependent in sorted(dependencies.predecessors(current)) if current in dependencies else ():
            if dependent not in paths and dependent in serving:
                paths[dependent] = (*paths[current], dependent)
                queue.append(dependent)
    every = sorted((ImpactedApplication(app, len(path) - 1, path) for app, path in paths.items() if app != focus),
                   key=lambda a: (a.distance, a.id))
    applications = [a for a in every if depth is None or a.distance <= depth]
    beyond = Counter(a.distance for a in every if depth is not None and a.distance > depth)
    touched = {focus, *(a.id for a in applications)}
    steps = [(process.id, step["id"]) for process in model.of_kind("Process")
             for step in process.data.get("steps") or () if touched & set(step.get("supported_by") or ())]
    return ImpactResult(focus, applications, steps, depth, dict(beyond), technologies)
