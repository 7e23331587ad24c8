"""The views drawn with Graphviz from the application graph: landscape (as a graph), context, process and data
lineage, and what they share (selecting applications, application nodes, integration edges)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archrepo.model.elements import Element, Model, effective_status
from archrepo.views.budget import choose_within_budget, summary_node
from archrepo.views.graph import ViewEdge, ViewGraph, ViewNode
from archrepo.views.impact import require_element

if TYPE_CHECKING:  # the map and the other views that take no dependency graph never import networkx
    import networkx as nx

__all__ = ["Builder", "ViewOptions", "context", "data", "focus_of", "landscape", "process", "pull_marker"]

_ROLE_ORDER = ("core-system", "integration-platform", "national-component", "external-channel")
_SEVERITY_RANK = {"error": 2, "warning": 1}


@dataclass(frozen=True)
class ViewOptions:
    focus: str | None = None
    depth: int | None = None  # context: hops (default 1); impact diagram: distance rings (default 2)
    group_by: str = "owner"  # owner | capability | tag | none (| technology: the map)
    level: int = 2  # integrations view: groups are the organisations (capabilities) this deep in their tree
    budget: int = 60  # context, impact and data diagrams: at most about this many nodes, the rest summarised
    include_retired: bool = False
    tags: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    as_of: dt.date = field(default_factory=dt.date.today)
    # element id -> (worst severity, rule ids), from a check run, for --violations
    violations: Mapping[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    link: Callable[[Element], str | None] | None = None  # the docs site links nodes to element pages
    # application nodes already made, shared by the views built with these options and those derived from them
    # (``dataclasses.replace``): the site's planner draws each application in some twenty diagrams. Only for
    # views of models that hold the organisation chain of every application they draw (a node shows its owner)
    nodes: dict[tuple[Any, ...], ViewNode] | None = field(default=None, compare=False, repr=False)


class Builder:
    """Shared pieces of every view: application nodes, integration edges, filters."""

    def __init__(self, model: Model, options: ViewOptions) -> None:
        self.model = model
        self.options = options
        self.organisations = {o.id: o for o in model.of_kind("Organisation")}

    def status(self, application: Element) -> str:
        return effective_status(application, self.options.as_of)

    def external(self, application: Element) -> bool:
        organisation = self.organisations.get(application.get("owner") or "")
        seen: set[str] = set()
        while organisation is not None and organisation.id not in seen:
            if organisation.get("external"):
                return True
            seen.add(organisation.id)
            organisation = self.organisations.get(organisation.get("parent") or "")
        return False

    def owner_ids(self) -> set[str]:
        """The --owner organisations and every organisation below them."""
        wanted = set(self.options.owners)
        changed = True
        while changed:
            below = {o.id for o in self.organisations.values() if o.get("parent") in wanted}
            changed = not below <= wanted
            wanted |= below
        return wanted

    def applications(self) -> list[Element]:
        """Applications after --include-retired, --tag and --owner."""
        owners = self.owner_ids() if self.options.owners else None
        chosen = []
        for application in self.model.of_kind("Application"):
            if not self.options.include_retired and self.status(application) == "retired":
                continue
            if self.options.tags and not set(self.options.tags) & set(application.get("tags") or ()):
                continue
            if owners is not None and application.get("owner") not in owners:
                continue
            chosen.append(application)
        return chosen

    def integrations(self) -> list[Element]:
        return [i for i in self.model.of_kind("Integration")
                if self.options.include_retired or i.get("status", "active") != "retired"]

    def marks(self, element_id: str) -> tuple[str | None, str]:
        found = self.options.violations.get(element_id)
        return (found[0], f"violations: {', '.join(found[1])}") if found else (None, "")

    def app_node(self, application: Element, *, cluster: str | None = None, fill: str | None = None,
                 focus: bool = False) -> ViewNode:
        memo = self.options.nodes
        if memo is None:
            return self._app_node(application, cluster, fill, focus)
        options = self.options
        key = (application.id, cluster, fill, focus, options.as_of, id(options.violations), options.link)
        node = memo.get(key)
        if node is None:
            node = memo[key] = self._app_node(application, cluster, fill, focus)
        return node

    def _app_node(self, application: Element, cluster: str | None, fill: str | None, focus: bool) -> ViewNode:
        roles = application.get("roles") or ()
        category = next((role for role in _ROLE_ORDER if role in roles), "application")
        status = self.status(application)
        severity, marks = self.marks(application.id)
        owner = self.organisations.get(application.get("owner") or "")
        tooltip = "; ".join(part for part in (
            f"{application.name} ({application.id})", status,
            f"owner: {owner.name}" if owner else "no owner",
            str(application.get("criticality") or ""), marks) if part)
        link = self.options.link(application) if self.options.link else None
        return ViewNode(application.id, application.name, category, fill or status, cluster,
                        self.external(application), focus, severity, tooltip, link)

    def cluster_of(self, application: Element, graph: ViewGraph) -> str | None:
        group_by = self.options.group_by
        if group_by == "owner":
            key = application.get("owner")
            label = self.organisations[key].name if key in self.organisations else "(no owner)"
        elif group_by == "capability":
            capabilities = sorted(application.get("capabilities") or ())
            key = capabilities[0] if capabilities else None
            element = self.model.get(key) if key else None
            label = element.name if element else "(no capability)"
        elif group_by == "tag":
            tags = sorted(application.get("tags") or ())
            key = tags[0] if tags else None
            label = key or "(no tag)"
        else:
            return None
        cluster = f"cluster-{key or 'none'}"
        graph.clusters[cluster] = label
        return cluster

    def integration_edges(self, graph: ViewGraph, integrations: list[Element]) -> None:
        """One edge per application pair and mode, labelled with the standards, worst violation on it."""
        grouped: dict[tuple[str, str, str], list[Element]] = defaultdict(list)
        for integration in integrations:
            source, target = integration.get("source"), integration.get("target")
            if source in graph.nodes and target in graph.nodes and source != target:
                category = "sync" if integration.get("mode") == "sync" else "integration"
                grouped[source, target, category].append(integration)
        for (source, target, category), items in grouped.items():
            standards = sorted({str(i.get("standard")) for i in items})
            label = ", ".join(standards) + (f" ({len(items)})" if len(items) > 1 else "") + pull_marker(items)
            marks = [self.marks(i.id) for i in items]
            severity = max((m[0] for m in marks if m[0]), key=lambda s: _SEVERITY_RANK[s], default=None)
            tooltip = "; ".join(f"{i.id}" + (f" via {i.get('via')}" if i.get("via") else "")
                                + (" (pull: the target fetches)" if i.get("initiator") == "target" else "")
                                for i in items)
            tooltip += "".join(f"; {m[1]}" for m in marks if m[1])
            graph.add_edge(ViewEdge(source, target, label, category, severity, tooltip))


def pull_marker(integrations: list[Element]) -> str:
    """" (pull)" when the target opens every one of these integrations (a lookup), " (2 pull)" when some."""
    pulls = sum(1 for i in integrations if i.get("initiator") == "target")
    if not pulls:
        return ""
    return " (pull)" if pulls == len(integrations) else f" ({pulls} pull)"


def landscape(model: Model, dependencies: nx.DiGraph, options: ViewOptions) -> ViewGraph:
    builder = Builder(model, options)
    graph = ViewGraph("landscape", "Application landscape")
    for application in builder.applications():
        graph.add_node(builder.app_node(application, cluster=builder.cluster_of(application, graph)))
    builder.integration_edges(graph, builder.integrations())
    return graph


def context(model: Model, dependencies: nx.DiGraph, options: ViewOptions) -> ViewGraph:
    focus = focus_of(model, options, ("Application",))
    builder = Builder(model, options)
    integrations = builder.integrations()
    neighbours: dict[str, set[str]] = defaultdict(set)
    for integration in integrations:
        source, target = integration.get("source"), integration.get("target")
        neighbours[source].add(target)
        neighbours[target].add(source)
    allowed = {a.id for a in builder.applications()} | {focus}
    depth = options.depth or 1
    reached = {focus: 0}
    queue = deque([focus])
    while queue:
        current = queue.popleft()
        if reached[current] >= depth:
            continue
        for other in sorted(neighbours[current]):
            if other not in reached and other in allowed:
                reached[other] = reached[current] + 1
                queue.append(other)
    graph = ViewGraph("context", f"Context of {model.elements[focus].name} (depth {depth})")
    shown, left_out = choose_within_budget(sorted((d, a) for a, d in reached.items()), max(options.budget, 1))
    for application_id in sorted(shown):
        application = model.elements[application_id]
        graph.add_node(builder.app_node(application, cluster=builder.cluster_of(application, graph),
                                        focus=application_id == focus))
    builder.integration_edges(graph, integrations)
    for distance, count in sorted(left_out.items()):
        graph.add_node(summary_node(f"distance-{distance}", f"+{count} more at distance {distance}: see "
                                    f"`archrepo diagram context --focus {focus} --depth {distance} --budget "
                                    f"{len(reached)}`"))
    return graph


def process(model: Model, dependencies: nx.DiGraph, options: ViewOptions) -> ViewGraph:
    focus = focus_of(model, options, ("Process",))
    builder = Builder(model, options)
    element = model.elements[focus]
    graph = ViewGraph("process", f"Process: {element.name}")
    cluster = f"cluster-{focus}"
    graph.clusters[cluster] = element.name
    severity, marks = builder.marks(focus)
    for position, step in enumerate(element.data["steps"], start=1):
        node_id = f"{focus}/{step['id']}"
        graph.add_node(ViewNode(node_id, f"{position}. {step['name']}", "process-step", "step", cluster,
                                severity=severity, tooltip=f"step {step['id']}" + (f"; {marks}" if marks else "")))
        for following in step.get("next") or ():
            graph.add_edge(ViewEdge(node_id, f"{focus}/{following}", "", "next"))
        for application_id in step.get("supported_by") or ():
            application = model.elements[application_id]
            graph.add_node(builder.app_node(application))
            graph.add_edge(ViewEdge(application_id, node_id, "", "support"))
    return graph


def data(model: Model, dependencies: nx.DiGraph, options: ViewOptions) -> ViewGraph:
    focus = focus_of(model, options, ("DataObject",))
    builder = Builder(model, options)
    element = model.elements[focus]
    graph = ViewGraph("data", f"Data lineage: {element.name}")
    severity, marks = builder.marks(focus)
    graph.add_node(ViewNode(focus, element.name, "data-object", "data", severity=severity, focus=True,
                            tooltip=f"{element.name} ({focus}); {element.get('classification')}"
                                    + (f"; {marks}" if marks else ""),
                            link=options.link(element) if options.link else None))
    master = element.get("master")
    if master:
        graph.add_node(builder.app_node(model.elements[master]))
        graph.add_edge(ViewEdge(master, focus, "master", "master"))
    carriers = [i for i in builder.integrations() if focus in (i.get("data") or ())]
    ends = sorted({end for i in carriers for end in (i.get("source"), i.get("target"))} - {master})
    shown, left_out = choose_within_budget(((1, end) for end in ends), max(options.budget - 2, 1))
    for end in shown:
        graph.add_node(builder.app_node(model.elements[end]))
    builder.integration_edges(graph, carriers)
    if left_out:
        graph.add_node(summary_node("data", f"+{left_out[1]} more applications exchange {element.name}: see "
                                    f"`archrepo diagram data --focus {focus} --budget {len(ends) + 2}`"))
    return graph


def focus_of(model: Model, options: ViewOptions, kinds: tuple[str, ...]) -> str:
    """The --focus id, checked to be an element of one of ``kinds`` (UsageError, exit 2, otherwise)."""
    from archrepo.errors import UsageError

    if not options.focus:
        example = next((e.id for kind in kinds for e in model.of_kind(kind)), None)
        view = {"Process": "process", "DataObject": "data"}.get(kinds[0], "context")
        raise UsageError(f"this view needs --focus with the id of {' or '.join(kinds)}",
                         hint=f"For example: archrepo diagram {view} --focus {example}" if example
                         else f"This model has no {' or '.join(kinds)}.")
    require_element(model, options.focus, kinds)
    return options.focus
