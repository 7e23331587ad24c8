"""The map written as SVG directly (no Graphviz): nested boxes, tiles with their names on up to three lines,
a legend. Every piece of model text is one line, cut to a bound, stripped of what XML cannot hold and escaped;
links are only the site-relative ones archrepo makes. Only elements and attributes the SVG allow-list of
:mod:`archrepo.views.svg` keeps are written, so the site can inline it like any other diagram.
"""

from __future__ import annotations

from collections.abc import Mapping

from archrepo.errors import RenderError
from archrepo.escaping import one_line, shorten, xml_text
from archrepo.views.landscape_map import LandscapeMap, MapTile
from archrepo.views.map_layout import (
    BOX_FONT,
    MARGIN,
    TILE_FONT,
    TILE_HEIGHT,
    TILE_WIDTH,
    TITLE_HEIGHT,
    BoxFrame,
    TileFrame,
    layout_map,
)
from archrepo.views.render_dot import TOOLTIP_LIMIT, relative_link
from archrepo.views.style import FILL, LEGEND_FILL, SEVERITY_COLOUR
from archrepo.views.text_metrics import text_width

__all__ = ["MAX_PNG_SIDE", "render_map_image", "render_map_svg"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
FONT_FAMILY = "Helvetica, Arial, 'Liberation Sans', sans-serif"
LINE_HEIGHT = 13
_BOX_FILLS = ("#f9fafb", "#f3f4f6")  # alternating by depth, so nested boxes stand apart
_INK, _BORDER, _BOX_BORDER = "#111827", "#6b7280", "#9ca3af"
_PROLOGUE = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
MAX_PNG_SIDE = 16_000  # cairo's image surfaces stop at 32,767 pixels a side; memory long before that


def _escape(text: str) -> str:
    return (xml_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _plain(text: str, limit: int = TOOLTIP_LIMIT) -> str:
    """Model text as one escaped line of at most ``limit`` characters."""
    return _escape(shorten(one_line(text), limit))


def _legend_items(target: LandscapeMap) -> list[tuple[str, str, str]]:
    """(fill, stroke, words) of each legend entry, in order."""
    items = [(FILL[fill], _BORDER, LEGEND_FILL[fill]) for fill in target.fills]
    tiles = target.tiles()
    for severity in ("error", "warning"):
        if any(tile.severity == severity for tile in tiles):
            items.append(("#ffffff", SEVERITY_COLOUR[severity], f"has {severity} violations"))
    if any(tile.external for tile in tiles):
        items.append(("#ffffff", "dashed", "owned by an external organisation"))
    return items


def _legend_width(items: list[tuple[str, str, str]]) -> int:
    return sum(22 + int(text_width(words, 11)) + 16 for _, _, words in items)


def render_map_svg(landscape: LandscapeMap, attributes: Mapping[str, str] | None = None) -> str:
    """The ``<svg>`` element of the map (no XML prologue), byte-identical for the same map; ``attributes`` are
    added to the root (escaped), as :func:`archrepo.views.render_dot.render_svg` does for the site."""
    items = _legend_items(landscape)
    layout = layout_map(landscape, _legend_width(items))
    out = [f'<svg xmlns="{SVG_NS}" xmlns:xlink="{XLINK_NS}" width="{layout.width}" height="{layout.height}" '
           f'viewBox="0 0 {layout.width} {layout.height}" font-family="{_escape(FONT_FAMILY)}"']
    out += [f' {key}="{_escape(value)}"' for key, value in (attributes or {}).items()]
    out.append(f"><title>{_plain(landscape.title)}</title>\n")
    out.append(f'<rect width="{layout.width}" height="{layout.height}" fill="#ffffff"/>\n')
    out.append(f'<text x="{MARGIN}" y="{MARGIN + 18}" font-size="16" font-weight="bold" fill="{_INK}">'
               f"{_plain(landscape.title)}</text>\n")
    _legend(out, items, MARGIN + TITLE_HEIGHT)
    for frame in layout.boxes:
        _box(out, frame)
    out.append("</svg>\n")
    return "".join(out)


def render_map_image(landscape: LandscapeMap, fmt: str) -> bytes:
    """A standalone SVG document, or a PNG rasterised from it with cairosvg (scaled down so that no side is over
    MAX_PNG_SIDE pixels). RenderError when PNG is asked for and cairosvg or libcairo is missing."""
    svg = render_map_svg(landscape)
    if fmt == "svg":
        return (_PROLOGUE + svg).encode("utf-8")
    try:
        import cairosvg
    except (ImportError, OSError) as error:  # OSError: the package is there but libcairo is not
        raise RenderError(f"a PNG of the map needs cairosvg and libcairo ({error})",
                          hint="pip install cairosvg (and the cairo library), or use --format svg.") from None
    width = int(svg.split('width="', 1)[1].split('"', 1)[0])
    height = int(svg.split('height="', 1)[1].split('"', 1)[0])
    scale = min(1.0, MAX_PNG_SIDE / max(width, height))
    # unsafe=False (the default): no external files or entities; the map has none anyway
    data: bytes = cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale)
    return data


def _legend(out: list[str], items: list[tuple[str, str, str]], top: int) -> None:
    out.append(f'<g class="legend" transform="translate({MARGIN} {top})">')
    x = 0
    for fill, stroke, words in items:
        dashed = stroke == "dashed"
        colour = _BORDER if dashed else stroke
        width = "1" if dashed or stroke == _BORDER else "3"
        extra = ' stroke-dasharray="4 3"' if dashed else ""
        out.append(f'<rect x="{x}" y="2" width="14" height="14" rx="2" fill="{fill}" stroke="{colour}" '
                   f'stroke-width="{width}"{extra}/>')
        out.append(f'<text x="{x + 20}" y="14" font-size="11" fill="{_INK}">{_escape(words)}</text>')
        x += 22 + int(text_width(words, 11)) + 16
    out.append("</g>\n")


def _box(out: list[str], frame: BoxFrame) -> None:
    box = frame.box
    dashed = ' stroke-dasharray="6 3"' if box.external else ""
    out.append(f'<g class="box" transform="translate({frame.x} {frame.y})"><title>{_plain(box.tooltip)}</title>')
    link = relative_link(box.link) if box.link else None
    if link:
        out.append(f'<a xlink:href="{_escape(link)}" target="_top">')
    out.append(f'<rect width="{frame.width}" height="{frame.height}" rx="4" fill="{_BOX_FILLS[frame.depth % 2]}" '
               f'stroke="{_BOX_BORDER}"{dashed}/>')
    out.append(f'<text x="8" y="17" font-size="{BOX_FONT}" font-weight="bold" fill="{_INK}">'
               f"{_plain(frame.label)}</text>")
    if link:
        out.append("</a>")
    out.append("\n")
    for tile in frame.tiles:
        _tile(out, tile)
    for child in frame.boxes:
        _box(out, child)
    out.append("</g>\n")


def _tile(out: list[str], frame: TileFrame) -> None:
    tile: MapTile = frame.tile
    colour = SEVERITY_COLOUR.get(tile.severity or "", _BORDER)
    stroke = f'stroke="{colour}" stroke-width="{3 if tile.severity else 1}"'
    dashed = ' stroke-dasharray="5 3"' if tile.external else ""
    out.append(f'<g class="tile" transform="translate({frame.x} {frame.y})"><title>{_plain(tile.tooltip)}</title>')
    link = relative_link(tile.link) if tile.link else None
    if link:
        out.append(f'<a xlink:href="{_escape(link)}" target="_top">')
    out.append(f'<rect width="{TILE_WIDTH}" height="{TILE_HEIGHT}" rx="3" fill="{FILL[tile.fill]}" {stroke}{dashed}/>')
    top = (TILE_HEIGHT - len(frame.lines) * LINE_HEIGHT) // 2 + TILE_FONT - 1
    out.append(f'<text font-size="{TILE_FONT}" fill="{_INK}">')
    for index, line in enumerate(frame.lines):
        out.append(f'<tspan x="6" y="{top + index * LINE_HEIGHT}">{_escape(line)}</tspan>')
    out.append("</text>")
    if tile.severity:
        out.append(f'<circle cx="{TILE_WIDTH - 8}" cy="8" r="6" fill="{colour}"/>'
                   f'<text x="{TILE_WIDTH - 8}" y="12" font-size="10" font-weight="bold" text-anchor="middle" '
                   f'fill="#ffffff">!</text>')
    if link:
        out.append("</a>")
    out.append("</g>\n")
