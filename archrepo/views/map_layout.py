"""Deterministic packing of the map: tiles of one fixed size in a near-square grid inside their box, boxes
shelf-packed (tallest first) inside their parent box and on the page. Integer pixels only, so the SVG is
byte-stable; one pass bottom-up, O(n log n) for the sorting, linear otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from archrepo.escaping import one_line, shorten
from archrepo.views.landscape_map import LandscapeMap, MapBox, MapTile
from archrepo.views.text_metrics import fit, text_width, wrap

__all__ = [
    "BOX_FONT",
    "TILE_FONT",
    "TILE_HEIGHT",
    "TILE_LINES",
    "TILE_WIDTH",
    "BoxFrame",
    "MapLayout",
    "TileFrame",
    "layout_map",
]

TILE_WIDTH, TILE_HEIGHT, TILE_FONT, TILE_LINES = 156, 52, 11, 3
TILE_PADDING = 6  # text inset inside a tile
GAP = 6  # between tiles, and between boxes
BOX_PADDING = 8
BOX_HEADER = 24  # the box's label
BOX_FONT = 13
BOLD = 1.1  # bold Helvetica is up to a tenth wider than the regular widths measure
MAX_LABEL_WIDTH = 420  # a box is widened for its label up to this; longer labels are cut with "…"
ASPECT = 1.6  # width : height the packing aims at (screens are wider than tall)
TITLE_HEIGHT, LEGEND_HEIGHT, MARGIN = 30, 30, 12
NAME_LIMIT = 300  # characters of a name considered at all (three lines hold far fewer): bounds the work


@dataclass(frozen=True)
class TileFrame:
    tile: MapTile
    x: int  # relative to the box
    y: int
    lines: tuple[str, ...]


@dataclass
class BoxFrame:
    box: MapBox
    width: int
    height: int
    label: str  # as drawn (cut to fit)
    depth: int
    x: int = 0  # relative to the parent box, or to the page for the outermost boxes
    y: int = 0
    tiles: list[TileFrame] = field(default_factory=list)
    boxes: list[BoxFrame] = field(default_factory=list)


@dataclass
class MapLayout:
    map: LandscapeMap
    width: int
    height: int
    boxes: list[BoxFrame]
    content_top: int  # where the boxes start (below the title and the legend)


def layout_map(landscape: LandscapeMap, legend_width: int = 0) -> MapLayout:
    """Sizes and positions of every box and tile; the page is at least ``legend_width`` wide."""
    frames = [_layout_box(box, 0) for box in landscape.boxes]
    width, height = _shelf_pack(frames, legend_width)
    content_top = MARGIN + TITLE_HEIGHT + LEGEND_HEIGHT
    for frame in frames:
        frame.x += MARGIN
        frame.y += content_top
    page_width = max(width, legend_width, int(text_width(landscape.title, 16 * BOLD)) + 1) + 2 * MARGIN
    return MapLayout(landscape, page_width, content_top + height + MARGIN, frames, content_top)


def _layout_box(box: MapBox, depth: int) -> BoxFrame:
    children = [_layout_box(child, depth + 1) for child in box.boxes]
    tiles, tiles_width, tiles_height = _tile_grid(box.tiles)
    items: list[BoxFrame | None] = ([None] if tiles else []) + sorted(
        children, key=lambda frame: -frame.height)  # stable: equal heights keep the boxes' own order
    sizes = [(tiles_width, tiles_height) if item is None else (item.width, item.height) for item in items]
    positions, content_width, content_height = _pack(sizes)
    for item, (x, y) in zip(items, positions, strict=True):
        if item is None:
            tiles = [TileFrame(t.tile, t.x + x + BOX_PADDING, t.y + y + BOX_HEADER, t.lines) for t in tiles]
        else:
            item.x, item.y = x + BOX_PADDING, y + BOX_HEADER
    text = shorten(one_line(box.label), NAME_LIMIT)
    label_width = min(int(text_width(text, BOX_FONT * BOLD)) + 1, MAX_LABEL_WIDTH)
    width = max(content_width, label_width) + 2 * BOX_PADDING
    label = fit(text, width - 2 * BOX_PADDING, BOX_FONT * BOLD)
    height = BOX_HEADER + content_height + BOX_PADDING
    return BoxFrame(box, width, height, label, depth, tiles=tiles, boxes=children)


def _tile_grid(tiles: list[MapTile]) -> tuple[list[TileFrame], int, int]:
    """Tiles in rows, as many columns as make the block about ASPECT times wider than tall."""
    if not tiles:
        return [], 0, 0
    columns = max(1, math.ceil(math.sqrt(ASPECT * len(tiles) * TILE_HEIGHT / TILE_WIDTH)))
    rows = math.ceil(len(tiles) / columns)
    frames = [TileFrame(tile, (index % columns) * (TILE_WIDTH + GAP), (index // columns) * (TILE_HEIGHT + GAP),
                        _tile_lines(tile.name)) for index, tile in enumerate(tiles)]
    columns = min(columns, len(tiles))
    return frames, columns * (TILE_WIDTH + GAP) - GAP, rows * (TILE_HEIGHT + GAP) - GAP


def _tile_lines(name: str) -> tuple[str, ...]:
    return tuple(wrap(shorten(one_line(name), NAME_LIMIT), TILE_WIDTH - 2 * TILE_PADDING, TILE_FONT, TILE_LINES))


def _pack(sizes: list[tuple[int, int]], minimum_width: int = 0) -> tuple[list[tuple[int, int]], int, int]:
    """Shelf packing in the given order: left to right until the row is as wide as the target, then a new row.
    The target makes the whole about ASPECT times wider than tall, and is never narrower than the widest item."""
    if not sizes:
        return [], 0, 0
    area = sum((w + GAP) * (h + GAP) for w, h in sizes)
    target = max(max(w for w, _ in sizes), minimum_width, int(math.sqrt(area * ASPECT)))
    positions: list[tuple[int, int]] = []
    x = y = shelf_height = used_width = 0
    for w, h in sizes:
        if x > 0 and x + w > target:
            y += shelf_height + GAP
            x = shelf_height = 0
        positions.append((x, y))
        x += w + GAP
        shelf_height = max(shelf_height, h)
        used_width = max(used_width, x - GAP)
    return positions, used_width, y + shelf_height


def _shelf_pack(frames: list[BoxFrame], minimum_width: int) -> tuple[int, int]:
    """The outermost boxes on the page, tallest first; their positions set on the frames."""
    ordered = sorted(frames, key=lambda frame: -frame.height)
    positions, width, height = _pack([(f.width, f.height) for f in ordered], minimum_width)
    for frame, (x, y) in zip(ordered, positions, strict=True):
        frame.x, frame.y = x, y
    return width, height
