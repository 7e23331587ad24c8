"""Node budgets: diagrams that stay readable on any model draw the nearest elements and stand a summary node
for the rest ("+23 more at distance 3: see …") instead of drawing them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from archrepo.views.graph import ViewNode

__all__ = ["choose_within_budget", "summary_node"]


def choose_within_budget(ranked: Iterable[tuple[int, str]], budget: int) -> tuple[list[str], Counter[int]]:
    """The first ``budget`` ids of ``ranked`` ((distance, id), nearest first), and how many were left out per
    distance."""
    shown: list[str] = []
    left_out: Counter[int] = Counter()
    for distance, element_id in ranked:
        if len(shown) < budget:
            shown.append(element_id)
        else:
            left_out[distance] += 1
    return shown, left_out


def summary_node(key: str, text: str, cluster: str | None = None) -> ViewNode:
    """A note standing for what is not drawn. Its id cannot be a model id (those never hold '~')."""
    return ViewNode(f"~more/{key}", text, "summary", "summary", cluster, tooltip=text)
