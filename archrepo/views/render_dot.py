"""Graphviz rendering through the `graphviz` package and the real `dot`: DOT text, SVG and PNG."""

from __future__ import annotations

from typing import Any

from archrepo.errors import ArchrepoError
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

__all__ = ["render_dot", "render_image"]

_FONT = "Helvetica"


def _node_attributes(node: ViewNode) -> dict[str, str]:
    shape, extra, _, _ = SHAPE[node.category]
    style = ["filled", *([extra] if extra else []), *(["dashed"] if node.external else []),
             *(["bold"] if node.focus else [])]
    attributes = {"shape": shape, "style": ",".join(style), "fillcolor": FILL[node.fill],
                  "color": SEVERITY_COLOUR.get(node.severity or "", "#374151"),
                  "penwidth": "3" if node.severity else ("2.5" if node.focus else "1"),
                  "tooltip": node.tooltip or node.label}
    if node.link:
        attributes["URL"] = node.link
        attributes["target"] = "_top"
    return attributes


def _digraph(view: ViewGraph) -> Any:
    import graphviz

    graph = graphviz.Digraph(name=view.name, graph_attr={
        "rankdir": view.direction, "label": view.title, "labelloc": "t", "fontname": _FONT, "fontsize": "16",
        "newrank": "true", "nodesep": "0.3", "ranksep": "0.6", "tooltip": view.title},
        node_attr={"fontname": _FONT, "fontsize": "10"}, edge_attr={"fontname": _FONT, "fontsize": "8"})
    by_cluster: dict[str, list[ViewNode]] = {}
    for node in view.sorted_nodes():
        if node.cluster is not None:
            by_cluster.setdefault(node.cluster, []).append(node)
    for node in (n for n in view.sorted_nodes() if n.cluster is None):
        graph.node(node.id, node.label, **_node_attributes(node))
    for cluster in sorted(by_cluster):
        with graph.subgraph(name=cluster) as sub:
            sub.attr(label=view.clusters.get(cluster, cluster), style="rounded", color="#9ca3af",
                     fontname=_FONT, fontsize="11")
            for node in by_cluster[cluster]:
                sub.node(node.id, node.label, **_node_attributes(node))
    for edge in view.sorted_edges():
        style, colour, _ = EDGE_STYLE[edge.category]
        attributes = {"style": style, "color": SEVERITY_COLOUR.get(edge.severity or "", colour)}
        if edge.label:
            attributes["label"] = edge.label
        if edge.tooltip:
            attributes["tooltip"] = edge.tooltip
        if edge.severity:
            attributes["penwidth"] = "2.5"
        graph.edge(edge.source, edge.target, **attributes)
    _legend(graph, view)
    return graph


_SHAPE_WORDS = {"box": "box", "box3d": "3-D box", "hexagon": "hexagon", "component": "component box",
                "parallelogram": "parallelogram", "cylinder": "cylinder", "folder": "folder"}


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
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_dot(view: ViewGraph) -> str:
    """DOT source; byte-identical for the same view (nodes, clusters and edges are sorted)."""
    source: str = _digraph(view).source
    return source


def render_image(view: ViewGraph, fmt: str) -> bytes:
    """SVG or PNG bytes from Graphviz's `dot`."""
    import graphviz

    try:
        data: bytes = _digraph(view).pipe(format=fmt, engine="dot")
    except graphviz.ExecutableNotFound:
        raise ArchrepoError("Graphviz's `dot` was not found, so the diagram cannot be rendered",
                            hint="Install Graphviz (Debian/Ubuntu: apt-get install graphviz), or use "
                                 "--format dot or mermaid.") from None
    except graphviz.CalledProcessError as error:
        stderr = error.stderr.decode("utf-8", "replace") if isinstance(error.stderr, bytes) else str(error.stderr)
        raise ArchrepoError(f"Graphviz failed to render the diagram: {stderr.strip()[:300]}") from None
    return data
