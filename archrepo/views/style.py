"""One visual vocabulary for every view and both renderers: shapes by kind and role, fills by lifecycle
(or distance, in the impact view), borders by violations."""

from __future__ import annotations

__all__ = ["EDGE_STYLE", "FILL", "LEGEND_CATEGORY", "LEGEND_EDGE", "LEGEND_FILL", "SEVERITY_COLOUR", "SHAPE"]

# category -> (Graphviz shape, Graphviz style extras, Mermaid open, Mermaid close)
SHAPE: dict[str, tuple[str, str, str, str]] = {
    "application": ("box", "rounded", "(", ")"),
    "core-system": ("box3d", "", "([", "])"),
    "integration-platform": ("hexagon", "", "{{", "}}"),
    "national-component": ("component", "", "[[", "]]"),
    "external-channel": ("parallelogram", "", "[/", "/]"),
    "data-object": ("cylinder", "", "[(", ")]"),
    "process-step": ("box", "", "[", "]"),
    "process": ("folder", "", ">", "]"),
    "technology": ("cds", "", "[\\", "/]"),
    "group": ("tab", "", "[", "]"),
    "summary": ("note", "", "[", "]"),
}

FILL: dict[str, str] = {
    "active": "#dbeafe",
    "planned": "#ffffff",
    "phase-out": "#fde68a",
    "retired": "#d1d5db",
    "focus": "#93c5fd",
    "step": "#ecfccb",
    "data": "#f3e8ff",
    "distance-1": "#fca5a5",
    "distance-2": "#fdba74",
    "distance-3": "#fde047",
    "distance-4": "#fef9c3",
    "tech-end-of-life": "#f87171",
    "tech-end-of-support": "#fdba74",
    "tech-support-ending": "#fde047",
    "tech-supported": "#bbf7d0",
    "tech-unknown": "#e5e7eb",
    "group": "#f3f4f6",
    "summary": "#ffffff",
}

SEVERITY_COLOUR = {"error": "#dc2626", "warning": "#d97706"}

# edge category -> (Graphviz style, colour, Mermaid arrow)
EDGE_STYLE: dict[str, tuple[str, str, str]] = {
    "integration": ("solid", "#374151", "-->"),
    "sync": ("bold", "#1d4ed8", "==>"),
    "support": ("dashed", "#6b7280", "-.-"),
    "next": ("solid", "#4d7c0f", "-->"),
    "master": ("dotted", "#7c3aed", "-.->"),
    "depends": ("solid", "#b91c1c", "-->"),
    "added": ("bold", "#15803d", "==>"),
    "removed": ("dashed", "#b91c1c", "-.->"),
    "changed": ("solid", "#d97706", "-->"),
    "flow": ("solid", "#374151", "-->"),
}

LEGEND_CATEGORY = {
    "application": "application",
    "core-system": "core system",
    "integration-platform": "integration platform",
    "national-component": "national component",
    "external-channel": "external channel",
    "data-object": "data object",
    "process-step": "process step",
    "process": "process",
    "technology": "technology",
    "group": "group of applications",
    "summary": "more, not drawn",
}
LEGEND_FILL = {
    "active": "active", "planned": "planned", "phase-out": "in phase-out", "retired": "retired",
    "focus": "the focus", "distance-1": "depends directly", "distance-2": "2 steps away",
    "distance-3": "3 steps away", "distance-4": "4 or more steps away",
    "tech-end-of-life": "end of life passed", "tech-end-of-support": "end of support passed",
    "tech-support-ending": "support ends within 12 months", "tech-supported": "supported",
    "tech-unknown": "unknown (no technology or no dates)"
}
LEGEND_EDGE = {
    "integration": "integration (async/batch)", "sync": "synchronous integration",
    "support": "supports the step", "next": "next step", "master": "master of", "depends": "is depended on by",
    "added": "integration added", "removed": "integration removed", "changed": "integration changed",
    "flow": "integrations, data direction (count: standards)",
}
