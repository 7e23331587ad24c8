"""Renderings of a model diff: text for people, Markdown (with a Mermaid diagram) for merge requests.

Model text is shown, never obeyed: each line of the text form is made terminal-safe as a whole, and every value in
the Markdown form is escaped (:func:`~archrepo.escaping.markdown_inline`, code in ``<code>``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from archrepo.changes import ModelDiff
from archrepo.escaping import json_text, terminal_text
from archrepo.escaping import markdown_code as _code
from archrepo.escaping import markdown_inline as _cell
from archrepo.model.elements import Element
from archrepo.registry import resolve
from archrepo.report.registry import DIFF_RENDERERS
from archrepo.rules.violation import Violation
from archrepo.views.graph import ViewEdge, ViewGraph, ViewNode

__all__ = ["change_view", "diff_json", "diff_markdown", "diff_text", "render_diff"]
_ROLE_ORDER = ("core-system", "integration-platform", "national-component", "external-channel")


def _value(value: Any) -> str:
    if value is None:
        return "∅"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _name(diff: ModelDiff, element_id: str) -> str:
    element = diff.head_model.get(element_id) or diff.base_model.get(element_id)
    return element.name if element else element_id


def _violation(v: Violation) -> str:
    return f"{v.severity.label} {v.rule} {v.element} ({v.location}): {v.message}"


def render_diff(diff: ModelDiff, fmt: str) -> str:
    """The diff in format ``fmt`` (a key of :data:`archrepo.report.registry.DIFF_RENDERERS`)."""
    renderer: Callable[[ModelDiff], str] = resolve(DIFF_RENDERERS[fmt])
    return renderer(diff)


def diff_json(diff: ModelDiff) -> str:
    return json_text(json.dumps(diff.as_dict(), indent=2, ensure_ascii=False, default=str)) + "\n"


def diff_markdown(diff: ModelDiff) -> str:
    return _markdown(diff)


def diff_text(diff: ModelDiff) -> str:
    lines = [f"archrepo diff {diff.base[:12]} → {diff.head[:12] if diff.head != 'worktree' else 'work tree'}", ""]
    for title, ids, model in (("ADDED", diff.added, diff.head_model), ("REMOVED", diff.removed, diff.base_model)):
        if ids:
            lines.append(f"{title} ({len(ids)})")
            for element_id in ids:
                element = model.elements[element_id]
                lines.append(f"  {element.kind} {element_id}: {element.name}" + _ends(element))
            lines.append("")
    if diff.changed:
        lines.append(f"CHANGED ({len(diff.changed)})")
        for element_id, kind, fields in diff.changed:
            lines.append(f"  {kind} {element_id}:")
            lines += [f"    {path}: {_value(old)} → {_value(new)}" for path, (old, new) in fields.items()]
        lines.append("")
    if diff.moved:
        lines.append(f"MOVED, unchanged ({len(diff.moved)})")
        lines += [f"  {i}: {old} → {new}" for i, old, new in diff.moved]
        lines.append("")
    for title, items in (("VIOLATIONS INTRODUCED", diff.introduced), ("VIOLATIONS RESOLVED", diff.resolved)):
        if items:
            lines.append(f"{title} ({len(items)})")
            lines += [f"  {_violation(v)}" for v in items]
            lines.append("")
    if len(lines) == 2:
        lines.append("no model changes")
    return "\n".join(terminal_text(line) for line in lines).rstrip() + "\n"


def _ends(element: Element) -> str:
    if element.kind != "Integration":
        return ""
    return f" ({element.data['source']} → {element.data['target']}, {element.data['standard']})"


def _kind(diff: ModelDiff, element_id: str) -> str:
    element = diff.head_model.get(element_id) or diff.base_model.get(element_id)
    return element.kind if element else ""


def change_view(diff: ModelDiff) -> ViewGraph:
    """The changed neighbourhood: applications touched by the change, integrations added, removed or changed."""
    graph = ViewGraph("changes", "Changed neighbourhood")
    changed_ids = {element_id for element_id, _, _ in diff.changed}
    edges: list[tuple[Element, str]] = [(e, "added") for e in diff.integrations("added")]
    edges += [(e, "removed") for e in diff.integrations("removed")]
    edges += [(diff.head_model.elements[i], "changed") for i in sorted(changed_ids)
              if diff.head_model.elements[i].kind == "Integration"]
    applications = {i for i in [*diff.added, *diff.removed, *changed_ids] if _kind(diff, i) == "Application"}
    for integration, _ in edges:
        applications |= {integration.data["source"], integration.data["target"]}
    for application_id in sorted(applications):
        element = diff.head_model.get(application_id) or diff.base_model.elements[application_id]
        roles = element.data.get("roles") or ()
        category = next((r for r in _ROLE_ORDER if r in roles), "application")
        state = ("added" if application_id in diff.added else "removed" if application_id in diff.removed
                 else "changed" if application_id in changed_ids else "unchanged")
        fill = {"added": "planned", "removed": "retired", "changed": "phase-out"}.get(state, "active")
        graph.add_node(ViewNode(application_id, element.name, category, fill, tooltip=state,
                                focus=state != "unchanged"))
    for integration, state in edges:
        graph.add_edge(ViewEdge(integration.data["source"], integration.data["target"],
                                f"{state}: {integration.data['standard']}", state))
    return graph


def _markdown(diff: ModelDiff) -> str:
    from archrepo.views.render_mermaid import render_mermaid

    head = "the work tree" if diff.head == "worktree" else _code(diff.head[:12])
    out = [f"## archrepo diff: {_code(diff.base[:12])} → {head}", "",
           f"{len(diff.added)} added · {len(diff.removed)} removed · {len(diff.changed)} changed · "
           f"**{len(diff.introduced)}** violations introduced · {len(diff.resolved)} resolved", ""]
    if diff.introduced:
        out += ["### Violations introduced", "", "| Severity | Rule | Element | Where | Message |",
                "|---|---|---|---|---|"]
        out += [f"| {v.severity.label} | {_cell(v.rule)} | {_code(v.element)} | {_code(v.location)} | "
                f"{_cell(v.message)} |" for v in diff.introduced]
        out.append("")
    if diff.resolved:
        out += ["### Violations resolved", ""]
        out += [f"- ~~{_cell(v.rule)} {_code(v.element)}~~ {_cell(v.message)}" for v in diff.resolved]
        out.append("")
    if diff.added or diff.removed or diff.changed:
        out += ["### Elements", "", "| Change | Kind | Id | Name | Details |", "|---|---|---|---|---|"]
        for element_id in diff.added:
            element = diff.head_model.elements[element_id]
            out.append(f"| added | {element.kind} | {_code(element_id)} | {_cell(element.name)} | "
                       f"{_cell(_ends(element))} |")
        for element_id in diff.removed:
            element = diff.base_model.elements[element_id]
            out.append(f"| removed | {element.kind} | {_code(element_id)} | {_cell(element.name)} | "
                       f"{_cell(_ends(element))} |")
        for element_id, kind, fields in diff.changed:
            details = "<br>".join(f"{_code(p)}: {_cell(_value(o))} → {_cell(_value(n))}"
                                  for p, (o, n) in fields.items())
            out.append(f"| changed | {kind} | {_code(element_id)} | {_cell(_name(diff, element_id))} | {details} |")
        out.append("")
    view = change_view(diff)
    if view.nodes:
        out += ["### Changed neighbourhood", "", "```mermaid", render_mermaid(view, legend=False).rstrip(), "```", ""]
    return "\n".join(out)
