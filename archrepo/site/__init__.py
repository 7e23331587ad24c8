"""The generated documentation site (`archrepo docs`): HTML pages with inline SVG diagrams and a client-side
search, or Markdown pages with Mermaid diagrams, one page per element, principle and rule."""

from archrepo.site.build import SiteSummary, build_site

__all__ = ["SiteSummary", "build_site"]
