"""Diagrams the site writes as SVG directly, no layout engine: an integration page's source → (via →) target in
a row, arrows in the data direction, the one that opens the call marked; and a data object's lineage, one row
per flow. A site of 5,000 integrations and 1,500 data objects would otherwise lay out 6,500 graphs.

Every text comes from the model and is escaped here (one line, cut for the box, XML-escaped); the whole name
stays in the box's ``<title>``. Links are the site's own relative links, percent-encoded, or none. Only
elements and attributes that :func:`archrepo.views.svg.sanitise_svg` allows are written.
"""

from __future__ import annotations

from archrepo.escaping import one_line, shorten, xml_text
from archrepo.views.graph import ViewGraph, ViewNode
from archrepo.views.render_dot import relative_link
from archrepo.views.style import EDGE_STYLE, FILL, SEVERITY_COLOUR

__all__ = ["render_flow_svg", "render_rows_svg"]

_BOX_W, _BOX_H, _GAP, _PAD, _TOP = 190, 64, 150, 16, 34
_CHARS_PER_LINE = 27  # 12 px Helvetica averages about 6.5 px a character: 27 fit in 190 px with a margin
_LINES = 3


def _escape(text: str) -> str:
    return (xml_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _wrap(text: str) -> list[str]:
    """At most three lines of at most 27 characters, split at spaces where possible; a cut ends with "…"."""
    words = one_line(text).split(" ")
    lines: list[str] = []
    current = ""
    for word in words:
        while len(word) > _CHARS_PER_LINE:  # a word longer than a line is split
            room = _CHARS_PER_LINE - len(current) - (1 if current else 0)
            if room <= 0:
                lines.append(current)
                current, room = "", _CHARS_PER_LINE
            current = f"{current} {word[:room]}" if current else word[:room]
            word = word[room:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= _CHARS_PER_LINE:
            current = candidate
        else:
            lines.append(current)
            current = word
    lines.append(current)
    if len(lines) > _LINES:
        lines = lines[:_LINES]
        lines[-1] = shorten(lines[-1] + " …", _CHARS_PER_LINE) if len(lines[-1]) < _CHARS_PER_LINE - 1 \
            else lines[-1][:_CHARS_PER_LINE - 1] + "…"
    return lines


def _box(node: ViewNode, x: int, note: str, top: int = _TOP) -> list[str]:
    colour = SEVERITY_COLOUR.get(node.severity or "", "#374151")
    width = 3 if node.severity else (2.5 if node.focus else 1)
    dash = ' stroke-dasharray="5,3"' if node.external else ""
    lines = _wrap(node.label)
    first = top + _BOX_H / 2 - (len(lines) - 1) * 7 + 4
    parts = [f'<g class="node"><title>{_escape(shorten(one_line(node.tooltip or node.label), 1000))}</title>']
    link = relative_link(node.link) if node.link else None
    if link:
        parts.append(f'<a xlink:href="{_escape(link)}" target="_top">')
    parts.append(f'<rect x="{x}" y="{top}" width="{_BOX_W}" height="{_BOX_H}" rx="8" ry="8" '
                 f'fill="{FILL.get(node.fill, "#ffffff")}" stroke="{colour}" stroke-width="{width}"{dash}/>')
    for number, line in enumerate(lines):
        parts.append(f'<text x="{x + _BOX_W // 2}" y="{first + number * 14:.0f}" text-anchor="middle" '
                     f'font-family="Helvetica,Arial,sans-serif" font-size="12">{_escape(line)}</text>')
    if link:
        parts.append("</a>")
    if note:
        parts.append(f'<text x="{x + _BOX_W // 2}" y="{top + _BOX_H + 16}" text-anchor="middle" '
                     f'font-family="Helvetica,Arial,sans-serif" font-size="11" fill="#1d4ed8">{_escape(note)}</text>')
    parts.append("</g>")
    return parts


def _arrow(x1: int, x2: int, label: str, colour: str, dashed: bool, tooltip: str, top: int = _TOP) -> list[str]:
    y = top + _BOX_H // 2
    dash = ' stroke-dasharray="6,4"' if dashed else ""
    return [f'<g class="edge"><title>{_escape(shorten(one_line(tooltip), 1000))}</title>',
            f'<path d="M{x1},{y} L{x2 - 10},{y}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>',
            f'<polygon points="{x2},{y} {x2 - 11},{y - 5} {x2 - 11},{y + 5}" fill="{colour}" stroke="{colour}"/>',
            f'<text x="{(x1 + x2) // 2}" y="{y - 8}" text-anchor="middle" font-family="Helvetica,Arial,sans-serif" '
            f'font-size="11">{_escape(shorten(one_line(label), 22))}</text></g>']


def _head(view: ViewGraph, attributes: dict[str, str], width: int, height: int) -> list[str]:
    head = " ".join(f'{key}="{_escape(value)}"' for key, value in attributes.items())
    return [f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" {head} '
            f'width="{width}pt" height="{height}pt" viewBox="0 0 {width} {height}">',
            f"<title>{_escape(shorten(one_line(view.title), 1000))}</title>",
            f'<text x="{width // 2}" y="18" text-anchor="middle" font-family="Helvetica,Arial,sans-serif" '
            f'font-size="14">{_escape(shorten(one_line(view.title), 100))}</text>']


def render_rows_svg(view: ViewGraph, attributes: dict[str, str]) -> str:
    """The ``<svg>`` of a view as one row per edge, [from] → [to], the first row the view's ``master`` edge: a
    data object's lineage (who masters it, who sends it to whom) without a layout engine. A summary node (what
    a budget left out) is a line of text under the rows."""
    edges = sorted(view.sorted_edges(), key=lambda e: (e.category != "master", e.source, e.target, e.label))
    edges = [e for e in edges if e.source in view.nodes and e.target in view.nodes]
    notes = [node for node in view.sorted_nodes() if node.category == "summary"]
    width = _PAD * 2 + 2 * _BOX_W + _GAP
    step = _BOX_H + 14
    height = _TOP + max(len(edges), 1) * step + 18 * len(notes) + 10
    parts = _head(view, attributes, width, height)
    if not edges:  # only the data object itself
        alone = next((n for n in view.sorted_nodes() if n.category != "summary"), None)
        if alone is not None:
            parts += _box(alone, _PAD + (_BOX_W + _GAP) // 2, "")
    for row, edge in enumerate(edges):
        top = _TOP + row * step
        style, colour, _ = EDGE_STYLE[edge.category]
        colour = SEVERITY_COLOUR.get(edge.severity or "", colour)
        parts += _arrow(_PAD + _BOX_W, _PAD + _BOX_W + _GAP, edge.label, colour, style != "solid" and style != "bold",
                        edge.tooltip or edge.label, top)
        parts += _box(view.nodes[edge.source], _PAD, "", top)
        parts += _box(view.nodes[edge.target], _PAD + _BOX_W + _GAP, "", top)
    for number, note in enumerate(notes):
        parts.append(f'<text x="{_PAD}" y="{_TOP + max(len(edges), 1) * step + 14 + 18 * number}" '
                     f'font-family="Helvetica,Arial,sans-serif" font-size="11" fill="#374151">'
                     f"{_escape(shorten(one_line(note.label), 160))}</text>")
    parts.append("</svg>")
    return "".join(parts)


def render_flow_svg(view: ViewGraph, order: list[str], initiator: str | None, attributes: dict[str, str]) -> str:
    """The ``<svg>`` of a row of nodes (``order``: their ids, the data flowing left to right) joined by the
    view's edges; ``initiator``: the node that opens the call or transfer, marked below its box."""
    nodes = [view.nodes[node_id] for node_id in order if node_id in view.nodes]
    width = _PAD * 2 + len(nodes) * _BOX_W + (len(nodes) - 1) * _GAP
    height = _TOP + _BOX_H + 30
    parts = _head(view, attributes, width, height)
    position = {node.id: _PAD + index * (_BOX_W + _GAP) for index, node in enumerate(nodes)}
    for edge in view.sorted_edges():
        if edge.source in position and edge.target in position:
            style, colour, _ = EDGE_STYLE[edge.category]
            colour = SEVERITY_COLOUR.get(edge.severity or "", colour)
            start, end = sorted((position[edge.source], position[edge.target]))
            parts += _arrow(start + _BOX_W, end, edge.label, colour, style == "dashed", edge.tooltip or edge.label)
    for node in nodes:
        parts += _box(node, position[node.id], "opens the call" if node.id == initiator else "")
    parts.append("</svg>")
    return "".join(parts)
