"""Rendering the planned diagrams of the site: inline SVG (Graphviz in worker processes, batches of graphs per
`dot`, each SVG rebuilt from an allow-list; integration rows drawn directly), or Mermaid text for Markdown.
Rendered SVGs are kept in a content-keyed cache, so a rebuild renders only the diagrams that changed."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from archrepo.escaping import one_line, shorten
from archrepo.site.flow_svg import render_flow_svg
from archrepo.site.plan import PlannedDiagram
from archrepo.site.render_pool import DotJob, render_jobs
from archrepo.views import ViewGraph
from archrepo.views.render_dot import render_dot
from archrepo.views.render_mermaid import render_mermaid

__all__ = ["render_diagrams"]

Progress = Callable[[int], None]
ALONE_ABOVE = 40  # boxes


def render_diagrams(plans: Mapping[str, PlannedDiagram], fmt: str, *, workers: int | None = None,
                    progress: Progress | None = None) -> dict[str, str]:
    """Every planned diagram that has a view, rendered as inline SVG (``fmt="svg"``) or Mermaid text, by the
    same keys. ``progress`` is called with the number of diagrams done, as they are done. The result does not
    depend on the order the workers finish in, nor on what the cache held."""
    drawn = {key: plan for key, plan in sorted(plans.items()) if plan.view is not None}
    if fmt == "mermaid":
        return {key: render_mermaid(plan.view) for key, plan in drawn.items() if plan.view is not None}
    images: dict[str, str] = {}
    jobs: list[DotJob] = []
    for key, plan in drawn.items():
        assert plan.view is not None
        attributes = _svg_attributes(plan.view)
        if plan.flow is not None:
            order, initiator = plan.flow
            images[key] = render_flow_svg(plan.view, list(order), initiator, attributes)
        else:
            jobs.append(DotJob(key, render_dot(plan.view), tuple(attributes.items()), alone=_alone(plan.view)))
    if progress is not None and images:
        progress(len(images))
    images.update(render_jobs(jobs, workers=workers, progress=progress))
    return {key: images[key] for key in sorted(images)}


def _alone(view: ViewGraph) -> bool:
    """Whether Graphviz must lay the view out in a process of its own to lay it out the same in every build:
    with two clusters or more, or many boxes (see :func:`archrepo.site.render_pool._batches`)."""
    clusters = {node.cluster for node in view.nodes.values() if node.cluster is not None}
    return len(clusters) > 1 or len(view.nodes) > ALONE_ABOVE


def _svg_attributes(view: ViewGraph) -> dict[str, str]:
    """What the inline SVG carries for the page: its CSS class and an accessible name (escaped when written)."""
    return {"class": "diagram", "role": "img", "aria-label": shorten(one_line(view.title), 300)}
