"""DOT source written as the `graphviz` package writes it, without its per-call machinery.

The views call ``node``, ``edge``, ``attr`` and ``subgraph`` as on a ``graphviz.Digraph``, and the text is the
package's byte for byte (``tests/test_hostile_diagrams.py`` compares the two on every view of two models, hostile
texts among them). Quoting is the package's own :func:`graphviz.quoting.quote`, remembered for the values that
recur (shapes, colours, styles, font names). The package wraps, sorts and quotes each attribute again on every
call: the DOT text of the 1,050 Graphviz diagrams of a 1,000-application site took 0.82 s of worker time through
it, and takes 0.49 s here (with the escaped texts and names remembered too, :mod:`archrepo.views.render_dot`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager

from graphviz.quoting import quote as _package_quote
from graphviz.quoting import quote_edge as _package_quote_edge

__all__ = ["DotSource"]

_quote = functools.lru_cache(maxsize=4096, typed=True)(_package_quote)  # typed: an escaped text is not a plain one
_quote_edge = functools.lru_cache(maxsize=4096, typed=True)(_package_quote_edge)  # (an edge end: node:port:compass)


class DotSource:
    """A directed graph's DOT text, built with the subset of ``graphviz.Digraph``'s calls the views make."""

    def __init__(self, name: str, graph_attr: dict[str, str] | None = None, node_attr: dict[str, str] | None = None,
                 edge_attr: dict[str, str] | None = None, *, _subgraph: bool = False) -> None:
        self._name = name
        self._defaults = [(kind, attributes) for kind, attributes in
                          (("graph", graph_attr), ("node", node_attr), ("edge", edge_attr)) if attributes]
        self._subgraph = _subgraph
        self.body: list[str] = []

    def node(self, name: str, label: str | None = None, **attributes: str) -> None:
        self.body.append(f"\t{_quote(name)}{_attribute_list(label, attributes)}\n")

    def edge(self, tail: str, head: str, label: str | None = None, **attributes: str) -> None:
        self.body.append(f"\t{_quote_edge(tail)} -> {_quote_edge(head)}{_attribute_list(label, attributes)}\n")

    def attr(self, **attributes: str) -> None:
        """Attributes of the graph itself, as a statement of their own (``graphviz.Digraph.attr()`` without a
        target)."""
        if attributes:
            self.body.append(f"\t{_a_list(None, attributes)}\n")

    @contextmanager
    def subgraph(self, name: str) -> Iterator[DotSource]:
        """A subgraph, added to this graph's body when the block ends (as the package does)."""
        sub = DotSource(name, _subgraph=True)
        yield sub
        self.body += [f"\t{line}" for line in sub.lines()]

    def lines(self) -> Iterator[str]:
        name = f"{_quote(self._name)} " if self._name else ""
        yield f"subgraph {name}{{\n" if self._subgraph else f"digraph {name}{{\n"
        for kind, attributes in self._defaults:
            yield f"\t{kind}{_attribute_list(None, attributes)}\n"
        yield from self.body
        yield "}\n"

    @property
    def source(self) -> str:
        return "".join(self.lines())


def _a_list(label: str | None, attributes: dict[str, str]) -> str:
    # the package sorts the attributes of a plain dict (keyword arguments are one), and puts a label given
    # apart first
    result = [f"label={_quote(label)}"] if label is not None else []
    result += [f"{_quote(key)}={_quote(value)}" for key, value in sorted(attributes.items()) if value is not None]
    return " ".join(result)


def _attribute_list(label: str | None, attributes: dict[str, str]) -> str:
    content = _a_list(label, attributes)
    return f" [{content}]" if content else ""
