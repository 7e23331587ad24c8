"""The integrations view: integrations aggregated between groups of applications (owner organisations or
capabilities, at a chosen level of their tree), one edge per ordered pair of groups in the data direction,
carrying the count and the standards. An integration routed ``via`` a platform is drawn as a hop through the
platform (group A → platform → group B), so the platform carries its real weight.

``--focus GROUP`` shows that group's applications and the integrations between them, and one edge per outside
group (or platform) and direction, from or to the group's box. Bounded: by the number of groups (and,
focused, of the group's applications), and the heaviest 2 x ``--budget`` flows are drawn, the rest counted.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable

import networkx as nx

from archrepo.errors import UsageError
from archrepo.model.elements import Element, Model
from archrepo.model.schema import suggest
from archrepo.views.budget import summary_node
from archrepo.views.build import Builder, ViewOptions, pull_marker
from archrepo.views.graph import ViewEdge, ViewGraph, ViewNode

__all__ = ["GROUPINGS", "Groups", "integrations_view"]

GROUPINGS = ("owner", "capability")
_SEVERITY_RANK = {"error": 2, "warning": 1}
EDGES_PER_NODE = 2  # edges drawn: at most this many per node of the budget (--budget 60: 120 flows)
_TOOLTIP_IDS = 20  # integration ids listed in an edge's tooltip; the rest counted


class Groups:
    """Which group each application belongs to: its owner (or first capability) taken at ``level`` of the
    organisation (capability) tree, or the owner itself when that sits higher."""

    def __init__(self, model: Model, group_by: str, level: int) -> None:
        if group_by not in GROUPINGS:
            raise UsageError(f"--group-by {group_by}: the integrations view groups by owner or capability")
        kind = "Organisation" if group_by == "owner" else "Capability"
        self.group_by, self.level = group_by, max(level, 1)
        self.elements = {e.id: e for e in model.of_kind(kind)}
        self._memo: dict[str, Element] = {}

    def of(self, application: Element) -> tuple[str, str, Element | None]:
        """(key, label, element) of the application's group."""
        if self.group_by == "owner":
            start = application.get("owner")
        else:
            start = next((c for c in application.get("capabilities") or () if c in self.elements), None)
        if start not in self.elements:
            what = "owner" if self.group_by == "owner" else "capability"
            return f"~no-{what}", f"(no {what})", None
        group = self._at_level(start)
        return group.id, group.name, group

    def _at_level(self, start: str) -> Element:
        known = self._memo.get(start)
        if known is not None:
            return known
        chain: list[Element] = []
        current = self.elements.get(start)
        while current is not None and current not in chain:  # a parent cycle ends the chain where it closes
            chain.append(current)
            current = self.elements.get(current.get("parent") or "")
        chain.reverse()  # outermost first
        group = chain[min(self.level, len(chain)) - 1]
        self._memo[start] = group
        return group


def integrations_view(model: Model, dependencies: nx.DiGraph, options: ViewOptions) -> ViewGraph:
    builder = Builder(model, options)
    groups = Groups(model, options.group_by, options.level)
    applications = {a.id: a for a in builder.applications()}
    integrations = [i for i in builder.integrations()
                    if i.get("source") in applications and i.get("target") in applications]
    platforms = {i.get("via") for i in integrations if i.get("via") in applications}
    members: dict[str, list[Element]] = defaultdict(list)
    for application in applications.values():
        if application.id not in platforms:
            members[groups.of(application)[0]].append(application)
    focus = options.focus
    if focus is not None and focus not in members:
        close = suggest(focus, sorted(members))
        raise UsageError(f"--focus {focus}: no group of applications with that id (grouped by {options.group_by}, "
                         f"level {groups.level})",
                         hint=f"Did you mean '{close}'?" if close else "Leave out --focus to see the groups.")

    member_ids = {a.id for a in members.get(focus or "", [])} if focus is not None else set()

    def node_of(application_id: str) -> str:
        if application_id in platforms or application_id in member_ids:
            return application_id
        return groups.of(applications[application_id])[0]

    title = f"Integrations between {'organisations' if options.group_by == 'owner' else 'capabilities'}"
    if focus is not None:
        title = f"Integrations of {groups.of(members[focus][0])[1]}"
    graph = ViewGraph("integrations", title)
    hops: dict[tuple[str, str], list[Element]] = defaultdict(list)
    inside: dict[str, int] = defaultdict(int)
    for integration in integrations:
        route = [node_of(integration.get("source")), node_of(integration.get("target"))]
        if integration.get("via") in platforms:
            route.insert(1, integration.get("via"))
        if focus is not None and not member_ids.intersection(route):
            continue
        for start, end in itertools.pairwise(route):
            if start == end:
                inside[start] += 1
            else:
                hops[start, end].append(integration)
    _nodes(graph, builder, groups, members, platforms, applications, inside, focus, hops)
    _edges(graph, builder, hops, f"cluster-{focus}" if focus is not None else None, member_ids,
           max(options.budget * EDGES_PER_NODE, 1))
    return graph


def _nodes(graph: ViewGraph, builder: Builder, groups: Groups, members: dict[str, list[Element]],
           platforms: set[str], applications: dict[str, Element], inside: dict[str, int], focus: str | None,
           hops: dict[tuple[str, str], list[Element]]) -> None:
    used = {end for pair in hops for end in pair}
    for key, apps in sorted(members.items()):
        if key == focus:
            cluster = f"cluster-{key}"
            graph.clusters[cluster] = groups.of(apps[0])[1]
            for application in apps:
                graph.add_node(builder.app_node(application, cluster=cluster))
        elif focus is None or key in used:
            graph.add_node(_group_node(builder, groups, key, apps, inside.get(key, 0)))
    for platform in sorted(platforms):
        if focus is None or platform in used:
            graph.add_node(builder.app_node(applications[platform]))


def _group_node(builder: Builder, groups: Groups, key: str, apps: list[Element], internal: int) -> ViewNode:
    _, label, element = groups.of(apps[0])
    count = f"{len(apps)} application{'s' if len(apps) != 1 else ''}"
    tooltip = f"{label}: {count}, {internal} integration{'s' if internal != 1 else ''} among them"
    external = bool(element is not None and element.kind == "Organisation" and builder.external(apps[0]))
    link = builder.options.link(element) if element is not None and builder.options.link else None
    return ViewNode(key, f"{label} ({count})", "group", "group", external=external, tooltip=tooltip, link=link)


def _edges(graph: ViewGraph, builder: Builder, hops: dict[tuple[str, str], list[Element]], cluster: str | None,
           members: set[str], limit: int) -> None:
    """One edge per ordered pair; with a focus, the hops between a member and the outside are merged into one
    edge per outside node and direction, drawn from or to the group's box. The ``limit`` heaviest edges are
    drawn, the others counted in a summary note (Graphviz's layout time grows steeply with labelled edges)."""
    merged: dict[tuple[str, str], list[Element]] = defaultdict(list)
    for (start, end), items in hops.items():
        if cluster is not None and (start in members) != (end in members):
            start, end = (cluster, end) if start in members else (start, cluster)
        merged[start, end].extend(items)
    flows = sorted(((pair, _unique(items)) for pair, items in merged.items()), key=lambda f: (-len(f[1]), f[0]))
    for (start, end), items in flows[:limit]:
        graph.add_edge(_edge(builder, start, end, items))
    if len(flows) > limit:
        rest = flows[limit:]
        count = len({i.id for _, items in rest for i in items})
        graph.add_node(summary_node("flows", f"+{len(rest)} smaller flows ({count} integrations) not drawn: "
                                    "see --focus GROUP, or --budget"))


def _unique(items: Iterable[Element]) -> list[Element]:
    return list({i.id: i for i in items}.values())


def _edge(builder: Builder, start: str, end: str, items: list[Element]) -> ViewEdge:
    standards = sorted({str(i.get("standard")) for i in items})
    label = f"{len(items)}: {', '.join(standards)}{pull_marker(items)}"
    marks = [builder.marks(i.id) for i in items]
    severity = max((m[0] for m in marks if m[0]), key=lambda s: _SEVERITY_RANK[s], default=None)
    ids = sorted(i.id for i in items)
    listed = ", ".join(ids[:_TOOLTIP_IDS]) + (f" and {len(ids) - _TOOLTIP_IDS} more" if len(ids) > _TOOLTIP_IDS
                                              else "")
    category = "sync" if all(i.get("mode") == "sync" for i in items) else "flow"
    return ViewEdge(start, end, label, category, severity, f"{len(items)} integration(s): {listed}")
