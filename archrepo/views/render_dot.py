"""Graphviz rendering: DOT text (as the `graphviz` package writes it: :mod:`archrepo.views.dot_source`), and SVG
and PNG from the real `dot`.

Model text never becomes DOT syntax: every label, tooltip and cluster name is one line of printable text, cut to
a display length, and passed as a quoted string with backslashes doubled (so neither an HTML-like label
``<...>`` nor an escape such as ``\\N`` or ``\\l`` can come from a model). Links are only the site-relative
ones archrepo makes, percent-encoded. SVG is rebuilt from an allow-list (:mod:`archrepo.views.svg`).
"""

from __future__ import annotations

import functools
import re
import subprocess
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from archrepo.errors import RenderError
from archrepo.escaping import one_line, shorten
from archrepo.views.graph import ViewGraph, ViewNode
from archrepo.views.style import (
    EDGE_STYLE,
    FILL,
    LEGEND_CATEGORY,
    LEGEND_EDGE,
    LEGEND_FILL,
    SEVERITY_COLOUR,
    SHAPE,
)

__all__ = ["LABEL_LIMIT", "TOOLTIP_LIMIT", "relative_link", "render_dot", "render_image", "render_svg", "run_dot"]

_FONT = "Helvetica"
LABEL_LIMIT = 80  # characters shown in a box; the whole name is in the tooltip
TOOLTIP_LIMIT = 1000  # Graphviz refuses quoted strings over 16 KB; 1,000 characters stay far below in any UTF-8
# A link archrepo made: a relative path (and fragment) of the site, nothing that could name a scheme or a host.
_RELATIVE_LINK = re.compile(r"[A-Za-z0-9._~/-]+(#[A-Za-z0-9._~-]+)?")
_SIGNATURES = {"png": b"\x89PNG\r\n\x1a\n"}  # what a real image starts with (SVG: checked when parsed)
_SVG_PROLOGUE = b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'


@functools.lru_cache(maxsize=8192)  # an application's name and tooltip are in some twenty diagrams of a site
def _text(text: str, limit: int) -> Any:
    """A DOT quoted string that shows exactly ``text`` (one line, cut to ``limit``): never HTML-like, never an
    escape sequence, and no entity (Graphviz decodes ``&quot;`` and the like even in plain labels)."""
    import graphviz

    return graphviz.escape(shorten(one_line(str(text)), limit).replace("&", "&amp;"))


def _label(text: str) -> Any:
    return _text(text, LABEL_LIMIT)


def _tooltip(text: str) -> Any:
    return _text(text, TOOLTIP_LIMIT)


def relative_link(link: str) -> str | None:
    """The node's link, percent-encoded, if it is a plain relative link; anything else is dropped."""
    encoded = quote(link, safe="/#")
    # the site's pages one folder down link up with "../" first; ".." anywhere else is not a link archrepo made
    below = encoded.removeprefix("../")
    if not _RELATIVE_LINK.fullmatch(below) or below.startswith("/") or ".." in below.split("/"):
        return None
    return encoded


def _node_attributes(node: ViewNode) -> dict[str, str]:
    shape, extra, _, _ = SHAPE[node.category]
    style = ["filled", *([extra] if extra else []), *(["dashed"] if node.external else []),
             *(["bold"] if node.focus else [])]
    attributes = {"shape": shape, "style": ",".join(style), "fillcolor": FILL[node.fill],
                  "color": SEVERITY_COLOUR.get(node.severity or "", "#374151"),
                  "penwidth": "3" if node.severity else ("2.5" if node.focus else "1"),
                  "tooltip": _tooltip(node.tooltip or node.label)}
    link = relative_link(node.link) if node.link else None
    if link:
        attributes["URL"] = link
        attributes["target"] = "_top"
    return attributes


def _digraph(view: ViewGraph) -> Any:
    import graphviz

    from archrepo.views import dot_source

    graph_attr = {
        "rankdir": view.direction, "label": _tooltip(view.title), "labelloc": "t", "fontname": _FONT,
        "fontsize": "16", "newrank": "true", "nodesep": "0.3", "ranksep": "0.6", "tooltip": _tooltip(view.title)}
    if _parallel_edges(view):
        graph_attr["ordering"] = "out"
    graph = dot_source.DotSource(name=graphviz.escape(view.name), graph_attr=graph_attr,
                                 node_attr={"fontname": _FONT, "fontsize": "10"},
                                 edge_attr={"fontname": _FONT, "fontsize": "8"})
    by_cluster: dict[str, list[ViewNode]] = {}
    for node in view.sorted_nodes():
        if node.cluster is not None:
            by_cluster.setdefault(node.cluster, []).append(node)
    for node in (n for n in view.sorted_nodes() if n.cluster is None):
        graph.node(_identifier(node.id), _label(node.label), **_node_attributes(node))
    for cluster in sorted(by_cluster):
        with graph.subgraph(name=_identifier(cluster)) as sub:
            sub.attr(label=_label(view.clusters.get(cluster, cluster)), style="rounded", color="#9ca3af",
                     fontname=_FONT, fontsize="11")
            for node in by_cluster[cluster]:
                sub.node(_identifier(node.id), _label(node.label), **_node_attributes(node))
    anchors = {cluster: nodes[0].id for cluster, nodes in by_cluster.items()}
    for edge in view.sorted_edges():
        style, colour, _ = EDGE_STYLE[edge.category]
        attributes = {"style": style, "color": SEVERITY_COLOUR.get(edge.severity or "", colour)}
        source, target = edge.source, edge.target
        # An edge from or to a cluster (the integrations view's focused group) is drawn from one of its nodes,
        # clipped at the cluster's border.
        if source in anchors:
            attributes["ltail"], source = _identifier(source), anchors[source]
        if target in anchors:
            attributes["lhead"], target = _identifier(target), anchors[target]
        if "ltail" in attributes or "lhead" in attributes:
            graph.attr(compound="true")
        if edge.label:
            attributes["label"] = _label(edge.label)
        if edge.tooltip:
            attributes["tooltip"] = _tooltip(edge.tooltip)
        if edge.severity:
            attributes["penwidth"] = "2.5"
        graph.edge(_identifier(source), _identifier(target), **attributes)
    _legend(graph, view)
    return graph


def _parallel_edges(view: ViewGraph) -> bool:
    """Whether two edges go from the same box to the same box (a pair of applications with both synchronous and
    asynchronous integrations). Graphviz 2.43 orders such edges by where their objects lie in memory, which the
    graphs a `dot` process read before have moved: in a batch (:mod:`archrepo.site.dot_batch`) the same graph
    could come out with the two edges swapped. ``ordering=out`` has them keep the order they are written in
    (sorted), so the diagram is the same in every batch and every build."""
    pairs = [(edge.source, edge.target) for edge in view.sorted_edges()]
    return len(pairs) != len(set(pairs))


_SHAPE_WORDS = {"box": "box", "box3d": "3-D box", "hexagon": "hexagon", "component": "component box",
                "parallelogram": "parallelogram", "cylinder": "cylinder", "folder": "folder",
                "cds": "arrow box", "tab": "tab box", "note": "note"}


def _legend(graph: Any, view: ViewGraph) -> None:
    """One compact table node: shapes, fills, borders and edge styles used in this view, and what they mean."""
    categories, fills, edges, severities = view.used()
    rows = ['<TR><TD COLSPAN="2"><B>Legend</B></TD></TR>']
    for category in sorted(categories):
        shape, extra, _, _ = SHAPE[category]
        words = ("rounded " if extra == "rounded" else "") + _SHAPE_WORDS[shape]
        rows.append(f'<TR><TD ALIGN="LEFT">{_html(words)}</TD><TD ALIGN="LEFT">{_html(LEGEND_CATEGORY[category])}'
                    "</TD></TR>")
    for fill in sorted(f for f in fills if f in LEGEND_FILL):
        rows.append(f'<TR><TD BGCOLOR="{FILL[fill]}" BORDER="1"> </TD><TD ALIGN="LEFT">{_html(LEGEND_FILL[fill])}'
                    "</TD></TR>")
    for severity in sorted(s for s in severities if s):
        colour = SEVERITY_COLOUR[severity]
        rows.append(f'<TR><TD COLOR="{colour}" BORDER="3"> </TD><TD ALIGN="LEFT">has {severity} violations'
                    "</TD></TR>")
    if any(n.external for n in view.nodes.values()):
        rows.append('<TR><TD ALIGN="LEFT">dashed border</TD><TD ALIGN="LEFT">owned by an external organisation'
                    "</TD></TR>")
    for category in sorted(edges):
        style, colour, _ = EDGE_STYLE[category]
        rows.append(f'<TR><TD ALIGN="LEFT"><FONT COLOR="{colour}">{style} arrow</FONT></TD>'
                    f'<TD ALIGN="LEFT">{_html(LEGEND_EDGE[category])}</TD></TR>')
    table = '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">' + "".join(rows) + "</TABLE>>"
    graph.node("legend", table, shape="plaintext", fontsize="9", tooltip="Legend")


def _html(text: str) -> str:
    """Escaping for the legend's own words (archrepo's text; no model text goes into an HTML-like label)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@functools.lru_cache(maxsize=8192)
def _identifier(name: str) -> Any:
    """A node or cluster name (model ids, process/step, cluster keys that may hold a tag): anything but letters,
    digits and ``._/-`` percent-encoded, so it can be neither HTML-like nor a port (``:``) nor an escape."""
    import graphviz

    return graphviz.escape(quote(name, safe="/._-"))


def render_dot(view: ViewGraph) -> str:
    """DOT source; byte-identical for the same view (nodes, clusters and edges are sorted)."""
    source: str = _digraph(view).source
    return source


def render_image(view: ViewGraph, fmt: str) -> bytes:
    """SVG (rebuilt from an allow-list, see :func:`render_svg`) or PNG bytes from Graphviz's `dot`.
    RenderError when Graphviz is missing or fails."""
    if fmt == "svg":
        return _SVG_PROLOGUE + render_svg(view).encode("utf-8")
    return run_dot(render_dot(view), fmt)


def render_svg(view: ViewGraph, attributes: Mapping[str, str] | None = None) -> str:
    """The ``<svg>`` element of the view, safe to inline into an HTML page: Graphviz's output parsed and rebuilt
    from an allow-list of elements and attributes, with ``attributes`` added to the root."""
    from archrepo.views.svg import sanitise_svg

    return sanitise_svg(run_dot(render_dot(view), "svg"), attributes or {})


def run_dot(source: str, fmt: str) -> bytes:
    """Graphviz's `dot` on ``source``. Any failure of `dot` (missing, exit status, killed, closed its input
    early) is a RenderError with its first line of stderr; it is never mistaken for our own stdout closing."""
    try:
        # communicate() writes the input while reading both outputs: no deadlock on a large graph, and a `dot`
        # that stops reading (it failed early) leaves a BrokenPipe that communicate() absorbs; the exit status
        # then says what happened.
        completed = subprocess.run(["dot", f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True,
                                   check=False)
    except FileNotFoundError:
        raise RenderError("Graphviz's `dot` was not found, so the diagram cannot be rendered",
                          hint="Install Graphviz (Debian/Ubuntu: apt-get install graphviz), or use "
                               "--format dot or mermaid.") from None
    except OSError as error:
        raise RenderError(f"Graphviz's `dot` could not be run: {error.strerror or error}") from None
    if completed.returncode != 0:
        raise RenderError(_failure(completed.returncode, completed.stderr),
                          hint="Check that Graphviz works (`dot -V`), or use --format dot or mermaid.")
    if not completed.stdout.startswith(_SIGNATURES.get(fmt, b"")) or not completed.stdout:
        raise RenderError(f"Graphviz failed to render the diagram: `dot` wrote no {fmt.upper()} "
                          f"({len(completed.stdout)} bytes)")
    return completed.stdout


def _failure(returncode: int, stderr: bytes) -> str:
    first = next((line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()), "")
    why = f"killed by signal {-returncode}" if returncode < 0 else f"exit status {returncode}"
    said = f": {shorten(one_line(first), 200)}" if first else ""
    return f"Graphviz failed to render the diagram ({why}){said}"
