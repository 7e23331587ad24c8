"""The landscape as a map: nested boxes (organisation → sub-organisation, capability → sub-capability,
technology type → technology, or technology lifecycle state) holding one tile per application, no edges.

What an enterprise-architecture tool draws for a whole landscape, and what stays readable at 10,000
applications: archrepo lays it out itself (:mod:`archrepo.views.map_layout`) and writes SVG directly
(:mod:`archrepo.views.map_svg`), no Graphviz. Building the tree is linear in the model.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from archrepo.model.elements import Element, Model
from archrepo.views.build import Builder, ViewOptions
from archrepo.views.technology import STATE_LABELS, TechnologyStates

__all__ = ["GROUPINGS", "MAX_NESTING", "LandscapeMap", "MapBox", "MapTile", "build_map"]

GROUPINGS = ("owner", "capability", "technology", "tag", "none")
MAX_NESTING = 12  # boxes deeper than this (a hostile parent chain) hold their descendants' tiles themselves
_TYPE_LABELS = {"platform": "Platforms", "operating-system": "Operating systems", "database": "Databases",
                "middleware": "Middleware", "runtime": "Runtimes", "infrastructure-service": "Infrastructure services",
                "network": "Networks", "device": "Devices", "software-product": "Software products"}
_TYPE_ORDER = tuple(_TYPE_LABELS)


@dataclass(frozen=True)
class MapTile:
    """One application on the map. ``fill`` is a key of :data:`archrepo.views.style.FILL`."""

    id: str
    name: str
    fill: str
    severity: str | None = None  # error | warning: its worst violation
    tooltip: str = ""
    link: str | None = None
    external: bool = False


@dataclass
class MapBox:
    """A group: its own applications' tiles and the boxes of its sub-groups."""

    key: str
    label: str
    tooltip: str = ""
    link: str | None = None
    external: bool = False
    tiles: list[MapTile] = field(default_factory=list)
    boxes: list[MapBox] = field(default_factory=list)

    def walk(self) -> Iterable[MapBox]:
        """This box and every box inside it."""
        stack = [self]
        while stack:
            box = stack.pop()
            yield box
            stack.extend(reversed(box.boxes))


@dataclass
class LandscapeMap:
    name: str
    title: str
    boxes: list[MapBox]
    fills: tuple[str, ...] = ()  # the fills the legend explains, in order

    def tiles(self) -> list[MapTile]:
        return [tile for root in self.boxes for box in root.walk() for tile in box.tiles]


_Path = tuple[tuple[str, str, Element | None], ...]  # (key, label, element) from the outermost group in


class _Trie:
    def __init__(self, key: str, label: str, element: Element | None) -> None:
        self.key, self.label, self.element = key, label, element
        self.tiles: list[MapTile] = []
        self.children: dict[str, _Trie] = {}

    def insert(self, path: _Path, tile: MapTile) -> None:
        node = self
        for key, label, element in path[:MAX_NESTING]:
            node = node.children.setdefault(key, _Trie(key, label, element))
        node.tiles.append(tile)


def build_map(model: Model, options: ViewOptions, *, technology_view: bool = False) -> LandscapeMap:
    """The map of the applications ``options`` selects (retired ones only with ``include_retired``), grouped
    by ``options.group_by``; with ``technology_view``, grouped by the worst lifecycle state of their
    technology as of ``options.as_of`` and coloured by it."""
    builder = Builder(model, options)
    root = _Trie("", "", None)
    if technology_view:
        states = TechnologyStates(model, options.as_of)
        for application in builder.applications():
            state, culprits = states.of_application(application)
            tile = _tile(builder, application, fill=f"tech-{state}", note=culprits)
            root.insert(((f"state:{state}", STATE_LABELS[state], None),), tile)
        title = f"Technology lifecycle as of {options.as_of.isoformat()}: applications by their worst technology"
        fills = tuple(f"tech-{state}" for state in STATE_LABELS)
    else:
        paths = _Paths(model, builder)
        for application in builder.applications():
            tile = _tile(builder, application)
            for path in paths.of(application, options.group_by):
                root.insert(path, tile)
        title = "Application landscape" + ("" if options.group_by in ("owner", "none")
                                            else f" by {options.group_by}")
        fills = ("planned", "active", "phase-out", "retired")
    boxes = [_box(child, builder, options) for child in root.children.values()]
    if root.tiles:  # group_by none: one box for everything
        boxes.append(MapBox("all", "All applications", tiles=sorted(root.tiles, key=_tile_order)))
    used = {tile.fill for box in boxes for inner in box.walk() for tile in inner.tiles}
    order = _state_order if technology_view else _box_order
    return LandscapeMap("technology" if technology_view else "landscape", title, sorted(boxes, key=order),
                        tuple(f for f in fills if f in used))


def _tile(builder: Builder, application: Element, *, fill: str | None = None, note: str = "") -> MapTile:
    node = builder.app_node(application)
    tooltip = f"{node.tooltip}; {note}" if note else node.tooltip
    return MapTile(application.id, application.name, fill or node.fill, node.severity, tooltip, node.link,
                   node.external)


def _box(trie: _Trie, builder: Builder, options: ViewOptions) -> MapBox:
    element = trie.element
    count = _count(trie)
    what = f"{element.kind} {element.id}: " if element is not None else ""
    box = MapBox(trie.key, trie.label, f"{trie.label} ({what}{count} application{'s' if count != 1 else ''})",
                 options.link(element) if element is not None and options.link else None,
                 bool(element is not None and element.kind == "Organisation" and element.get("external")))
    box.tiles = sorted(trie.tiles, key=_tile_order)
    box.boxes = sorted((_box(child, builder, options) for child in trie.children.values()), key=_box_order)
    return box


def _count(trie: _Trie) -> int:
    return len(trie.tiles) + sum(_count(child) for child in trie.children.values())


def _tile_order(tile: MapTile) -> tuple[str, str]:
    return tile.name.casefold(), tile.id


def _box_order(box: MapBox) -> tuple[int, int, str, str]:
    placeholder = box.key.startswith("~")  # "(no owner)" and the like come last (no id starts with "~")
    kind = box.key.removeprefix("type:")
    rank = _TYPE_ORDER.index(kind) if box.key.startswith("type:") and kind in _TYPE_ORDER else len(_TYPE_ORDER)
    return int(placeholder), rank, box.label.casefold(), box.key


def _state_order(box: MapBox) -> int:
    """Technology states worst first."""
    return list(STATE_LABELS).index(box.key.removeprefix("state:"))


class _Paths:
    """Where an application goes on the map for each grouping: one path per box it appears in."""

    def __init__(self, model: Model, builder: Builder) -> None:
        self.model = model
        self.organisations = builder.organisations
        self.capabilities = {c.id: c for c in model.of_kind("Capability")}
        self.technologies = {t.id: t for t in model.of_kind("Technology")}

    def of(self, application: Element, group_by: str) -> list[_Path]:
        if group_by == "owner":
            return [self._chain(application.get("owner"), self.organisations, "~owner", "(no owner)")]
        if group_by == "capability":
            capabilities = list(dict.fromkeys(application.get("capabilities") or ()))
            return [self._chain(c, self.capabilities, "", "") for c in capabilities if c in self.capabilities] \
                or [(("~capability", "(no capability)", None),)]
        if group_by == "technology":
            return self._technology(application)
        if group_by == "tag":
            tags = sorted(set(application.get("tags") or ()))
            return [((f"tag:{tag}", tag, None),) for tag in tags] or [(("~tag", "(no tag)", None),)]
        return [()]

    def _chain(self, start: str | None, elements: dict[str, Element], none_key: str, none_label: str) -> _Path:
        """The element and its ancestors through ``parent``, outermost first (a cycle is cut where it closes)."""
        if start not in elements:
            return ((none_key, none_label, None),)
        chain: list[Element] = []
        seen: set[str] = set()
        current = elements.get(start or "")
        while current is not None and current.id not in seen:
            seen.add(current.id)
            chain.append(current)
            current = elements.get(current.get("parent") or "")
        return tuple((element.id, element.name, element) for element in reversed(chain))

    def _technology(self, application: Element) -> list[_Path]:
        """One box per technology type the application uses directly: that of the first technology of the type
        it lists (so an application on PostgreSQL and RHEL is under Databases and under Operating systems)."""
        first: dict[str, Element] = {}
        for technology_id in application.get("technologies") or ():
            technology = self.technologies.get(technology_id)
            if technology is not None:
                first.setdefault(str(technology.get("type") or "other"), technology)
        paths: list[_Path] = []
        for kind in sorted(first, key=lambda k: (_TYPE_ORDER.index(k) if k in _TYPE_ORDER else len(_TYPE_ORDER), k)):
            label = _TYPE_LABELS.get(kind, "Other technology")
            paths.append(((f"type:{kind}", label, None), (first[kind].id, first[kind].name, first[kind])))
        return paths or [(("~technology", "(no technology listed)", None),)]
