"""The generated documentation site (`archrepo docs`): HTML pages with inline SVG diagrams and a client-side
search, or Markdown pages with Mermaid diagrams, one page per element, principle and rule."""

from __future__ import annotations

from typing import Any

__all__ = ["SiteSummary", "build_site"]


def __getattr__(name: str) -> Any:  # lazy, so that a diagram worker (archrepo.site.render_worker) starts fast
    if name in __all__:
        from archrepo.site import build

        return getattr(build, name)
    raise AttributeError(name)
