"""Which diagram each page shows, planned in time linear in the model: every page's view is built by the views
layer (:func:`archrepo.views.build_view`) on a small model holding only what that view can show (the focus, its
neighbours, the integrations between them, the owners' organisation chains), found through indexes made once.
Building each view on the whole model instead scans every integration for every page (26 s at 1,000
applications).

Diagrams are bounded: a page draws at most :data:`BUDGET` boxes and says what it left out; the explorer page
shows the rest. The index and the organisation pages show the landscape map (nested boxes of tiles, laid out and
written by archrepo, no Graphviz: linear at any size).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from archrepo.model.elements import Element, Model
from archrepo.plainrepr import plain_repr
from archrepo.site.links import KIND_DIRS, element_path
from archrepo.views import ViewEdge, ViewGraph, ViewOptions, build_view
from archrepo.views.impact import in_service
from archrepo.views.landscape_map import LandscapeMap, build_map

__all__ = ["BUDGET", "PLANNED_KINDS", "PlannedDiagram", "Planner", "plan_diagrams"]

BUDGET = 60  # boxes in a page's diagram
Marks = Mapping[str, tuple[str, tuple[str, ...]]]


@plain_repr
@dataclass(frozen=True)
class PlannedDiagram:
    """A page's diagram: a view for Graphviz (or Mermaid); with ``flow``, that view as a row drawn directly
    (the ids in data order, and the one that initiates); with ``rows``, as rows drawn directly; or a landscape
    ``map``. ``note``: what it leaves out."""

    view: ViewGraph | None
    flow: tuple[tuple[str, ...], str | None] | None = None
    note: str = ""
    map: LandscapeMap | None = None
    rows: bool = False  # the view drawn as one row per edge (a data object's lineage)

    @property
    def drawn(self) -> bool:
        return self.view is not None or self.map is not None


def _linker(prefix: str, ext: str) -> Callable[[Element], str | None]:
    def link(element: Element) -> str | None:
        return f"{prefix}{element_path(element.kind, element.id)}{ext}" if element.kind in KIND_DIRS else None

    return link


class _Index:
    """Who touches whom, found once: integrations by application and by pair, organisation chains."""

    def __init__(self, model: Model, as_of: dt.date) -> None:
        self.model = model
        self.by_application: dict[str, list[Element]] = defaultdict(list)
        self.pairs: dict[tuple[str, str], list[Element]] = defaultdict(list)
        self.carriers: dict[str, list[Element]] = defaultdict(list)
        for integration in model.of_kind("Integration"):
            source, target = integration.get("source"), integration.get("target")
            self.by_application[source].append(integration)
            if target != source:
                self.by_application[target].append(integration)
            self.pairs[source, target].append(integration)
            for data_id in integration.get("data") or ():
                self.carriers[data_id].append(integration)
        self.in_service = in_service(model, as_of)
        self.children: dict[str, list[str]] = defaultdict(list)
        for organisation in model.of_kind("Organisation"):
            if organisation.get("parent"):
                self.children[organisation.get("parent")].append(organisation.id)
        self.owned: dict[str, list[str]] = defaultdict(list)
        for application in model.of_kind("Application"):
            if application.get("owner"):
                self.owned[application.get("owner")].append(application.id)
        self._chains: dict[str, tuple[str, ...]] = {}

    def chain(self, organisation: str | None) -> tuple[str, ...]:
        """The organisation and those above it (a parent cycle is cut where it closes)."""
        if not organisation:
            return ()
        if organisation not in self._chains:
            seen: list[str] = []
            current: str | None = organisation
            while current and current not in seen and current in self.model:
                seen.append(current)
                current = self.model.elements[current].get("parent")
            self._chains[organisation] = tuple(seen)
        return self._chains[organisation]

    def between(self, applications: set[str]) -> list[Element]:
        """Every integration whose two ends are in ``applications``, by the cheaper of two ways."""
        degree = sum(len(self.by_application.get(a, ())) for a in applications)
        if degree <= len(applications) ** 2:
            found = {i.id: i for a in applications for i in self.by_application.get(a, ())
                     if i.get("source") in applications and i.get("target") in applications}
            return [found[key] for key in sorted(found)]
        return sorted((i for s in applications for t in applications for i in self.pairs.get((s, t), ())),
                      key=lambda i: i.id)

    def submodel(self, ids: Iterable[str]) -> Model:
        """The model restricted to ``ids`` and the organisation chains of their owners."""
        elements = self.model.elements
        chosen: dict[str, Element] = {}
        for element_id in ids:
            element = elements[element_id]
            chosen[element_id] = element
            for organisation in self.chain(element.get("owner")):
                chosen[organisation] = elements[organisation]
        return dataclasses.replace(self.model, elements=chosen)

    def below(self, organisation: str) -> set[str]:
        """The organisation and every organisation under it."""
        found, stack = {organisation}, [organisation]
        while stack:
            for child in self.children.get(stack.pop(), ()):
                if child not in found:
                    found.add(child)
                    stack.append(child)
        return found


class Planner:
    """Plans the diagram of each page, one page at a time (a page's diagram depends on nothing planned for
    another): the indexes are made once, here, and shared. ``ext``: the page extension nodes link to (``.html``),
    or None for no links (Mermaid in Markdown, where link targets depend on the host)."""

    def __init__(self, model: Model, dependencies: nx.DiGraph, *, as_of: dt.date, marks: Marks,
                 ext: str | None) -> None:
        self.model = model
        self.dependencies = dependencies
        self.marks = marks
        # one memo of application nodes for every view planned (each view's model holds its owners' chains)
        self.top = ViewOptions(as_of=as_of, violations=marks, link=_linker("", ext) if ext is not None else None,
                               nodes={})
        self.below = dataclasses.replace(self.top, link=_linker("../", ext) if ext is not None else None)
        self.index = _Index(model, as_of)
        self._every: ViewGraph | None = None

    def landscape(self) -> PlannedDiagram:
        """The index page's diagram: the landscape map."""
        return _landscape(self.model, self.top)

    def plan(self, element: Element) -> PlannedDiagram | None:
        """The diagram of the element's page; None when its page has none."""
        if element.kind == "Application":
            return _context(element, self.dependencies, self.below, self.index)
        if element.kind == "Process":
            supporting = {a for step in element.get("steps") or () for a in step.get("supported_by") or ()}
            view = build_view("process", self.index.submodel({element.id, *supporting}), self.dependencies,
                              dataclasses.replace(self.below, focus=element.id))
            return PlannedDiagram(view)
        if element.kind == "DataObject":
            return _data(element, self.dependencies, self.below, self.index)
        if element.kind == "Integration":
            return _integration(element, self.every, self.marks)
        if element.kind == "Organisation":
            return _organisation(element, self.below, self.index)
        return None

    def plan_all(self, elements: Iterable[Element]) -> dict[str, PlannedDiagram]:
        """The diagram of each element's page that has one, by page path."""
        plans: dict[str, PlannedDiagram] = {}
        for element in elements:
            planned = self.plan(element)
            if planned is not None:
                plans[element_path(element.kind, element.id)] = planned
        return plans

    @property
    def every(self) -> ViewGraph:
        """Every application, retired ones too, as the integration diagrams draw them (made once)."""
        if self._every is None:
            self._every = build_view("landscape", self.model, self.dependencies,
                                     dataclasses.replace(self.below, include_retired=True))
        return self._every


PLANNED_KINDS = ("Application", "Process", "DataObject", "Integration", "Organisation")


def plan_diagrams(model: Model, dependencies: nx.DiGraph, *, as_of: dt.date, marks: Marks,
                  ext: str | None) -> dict[str, PlannedDiagram]:
    """The diagram of every page that has one, by page path (see :class:`Planner`)."""
    planner = Planner(model, dependencies, as_of=as_of, marks=marks, ext=ext)
    return {"index": planner.landscape(),
            **planner.plan_all(element for kind in PLANNED_KINDS for element in model.of_kind(kind))}


def _landscape(model: Model, options: ViewOptions) -> PlannedDiagram:
    landscape = build_map(model, options)
    return PlannedDiagram(None, map=landscape) if landscape.boxes else PlannedDiagram(None)


def _context(application: Element, dependencies: nx.DiGraph, options: ViewOptions, index: _Index) -> PlannedDiagram:
    """Depth-1 context: the application and every application it exchanges data with (the busiest first
    when there are more than the budget)."""
    counts: Counter[str] = Counter()
    for integration in index.by_application.get(application.id, ()):
        if integration.get("status", "active") == "retired":
            continue
        for end in (integration.get("source"), integration.get("target")):
            if end != application.id and end in index.in_service:
                counts[end] += 1
    ranked = sorted(counts, key=lambda other: (-counts[other], other))
    kept = {application.id, *ranked[:BUDGET - 1]}
    note = (f"The {BUDGET - 1} applications it exchanges most data with, of {len(ranked)}; the explorer shows "
            "them all." if len(ranked) > BUDGET - 1 else "")
    submodel = index.submodel([*sorted(kept), *(i.id for i in index.between(kept))])
    # no owner boxes: the owner is in each box's tooltip, and Graphviz lays a graph without clusters out the same
    # in a batch as alone (see archrepo.site.render_pool)
    view = build_view("context", submodel, dependencies,
                      dataclasses.replace(options, focus=application.id, depth=1, group_by="none"))
    return PlannedDiagram(view, note=note)


def _data(data_object: Element, dependencies: nx.DiGraph, options: ViewOptions, index: _Index) -> PlannedDiagram:
    """Lineage: the master and the integrations that carry the data (as many as fit the budget)."""
    master = data_object.get("master")
    ends: set[str] = {master} if master else set()
    carriers: list[Element] = []
    shown = [i for i in index.carriers.get(data_object.id, ()) if i.get("status", "active") != "retired"]
    for integration in shown:
        more = {integration.get("source"), integration.get("target")} - ends
        if len(ends) + len(more) > BUDGET - 1:
            break
        ends |= more
        carriers.append(integration)
    note = (f"{len(carriers)} of the {len(shown)} integrations that carry it; the list below has them all."
            if len(carriers) < len(shown) else "")
    submodel = index.submodel([data_object.id, *sorted(ends), *(i.id for i in carriers)])
    view = build_view("data", submodel, dependencies, dataclasses.replace(options, focus=data_object.id))
    return PlannedDiagram(view, note=note, rows=True)


def _integration(integration: Element, every: ViewGraph, marks: Marks) -> PlannedDiagram:
    """Source, via and target of one integration, in the data direction, with who initiates."""
    graph = ViewGraph("integration", f"Integration: {integration.name}")
    source, target, via = integration.get("source"), integration.get("target"), integration.get("via")
    for end in (source, target, via):
        if end and end in every.nodes:
            graph.add_node(dataclasses.replace(every.nodes[end], focus=end in (source, target)))
    category = "sync" if integration.get("mode") == "sync" else "integration"
    severity = marks[integration.id][0] if integration.id in marks else None
    label = str(integration.get("standard"))
    tooltip = f"{integration.id}: {', '.join(integration.get('data') or ()) or 'no data listed'}"
    hops = [(source, via), (via, target)] if via else [(source, target)]
    for start, end in hops:
        if start in graph.nodes and end in graph.nodes:
            graph.add_edge(ViewEdge(start, end, label, category, severity, tooltip))
    initiator = target if integration.get("initiator", "source") == "target" else source
    order = tuple(node for node in (source, via, target) if node)
    return PlannedDiagram(graph, flow=(order, initiator))


def _organisation(organisation: Element, options: ViewOptions, index: _Index) -> PlannedDiagram | None:
    """The map of its applications in service (and those of the organisations under it)."""
    applications = {a for o in index.below(organisation.id) for a in index.owned.get(o, ())
                    if a in index.in_service}
    if not applications:
        return None
    landscape = build_map(index.submodel(sorted(applications)), options)
    landscape.title = f"Applications of {organisation.name}"
    return PlannedDiagram(None, map=landscape)
