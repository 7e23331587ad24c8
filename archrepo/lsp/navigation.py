"""Hover, go to definition, find references, rename, and the symbols of a file and of the workspace."""

from __future__ import annotations

import re
from collections.abc import Callable

from lsprotocol import types

from archrepo.lsp.positions import find_token, word_at
from archrepo.lsp.workspace import RepositoryWorkspace
from archrepo.model.elements import Element
from archrepo.model.references import iter_references

__all__ = ["SYMBOL_KINDS", "definition", "document_symbols", "hover", "occurrences", "rename", "workspace_symbols"]

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SYMBOL_KINDS = {"Organisation": types.SymbolKind.Namespace, "Capability": types.SymbolKind.Package,
                "Application": types.SymbolKind.Class, "DataObject": types.SymbolKind.Struct,
                "Integration": types.SymbolKind.Interface, "Process": types.SymbolKind.Function,
                "Technology": types.SymbolKind.Module}
Uri = Callable[[str], str]  # a repository path -> its URI


def _lines(workspace: RepositoryWorkspace, file: str, cache: dict[str, list[str]]) -> list[str]:
    if file not in cache:
        cache[file] = (workspace.text(file) or "").splitlines()
    return cache[file]


def occurrences(workspace: RepositoryWorkspace, element_id: str, declaration: bool = True
                ) -> list[tuple[str, types.Range]]:
    """Where ``element_id`` is written: its definitions, every reference to it, and waivers naming it."""
    index = workspace.index
    cache: dict[str, list[str]] = {}
    found: list[tuple[str, types.Range]] = []
    for definition in index.definitions.get(element_id, []) if declaration else []:
        line = definition.document.line_of("id") - 1
        where = find_token(_lines(workspace, definition.file, cache), line, element_id)
        if where is not None:
            found.append((definition.file, where))
    for referrer in sorted(index.referrers(element_id)):
        element = index.elements.get(referrer)
        document = index.source_map.document(referrer)
        if element is None or document is None:
            continue
        for path, target, _kind in iter_references(element):
            if target == element_id:
                line = document.line_of(path) - 1
                where = find_token(_lines(workspace, element.location.file, cache), line, element_id)
                if where is not None:
                    found.append((element.location.file, where))
    waivers = workspace.config.waivers if workspace.config else None
    if waivers:
        pattern = re.compile(rf"^\s*(?:-\s+)?element:\s*['\"]?{re.escape(element_id)}['\"]?\s*(?:#.*)?$")
        for number, content in enumerate(_lines(workspace, waivers, cache)):
            if pattern.match(content):
                where = find_token(cache[waivers], number, element_id)
                if where is not None:
                    found.append((waivers, where))
    unique: dict[tuple[str, int, int], tuple[str, types.Range]] = {}
    for where_file, where in found:  # a flow list may name an id twice on one line: once is enough
        unique.setdefault((where_file, where.start.line, where.start.character), (where_file, where))
    return list(unique.values())


def _word(workspace: RepositoryWorkspace, file: str, position: types.Position) -> tuple[str, types.Range] | None:
    return word_at((workspace.text(file) or "").splitlines(), position)


def hover(workspace: RepositoryWorkspace, file: str, position: types.Position) -> types.Hover | None:
    found = _word(workspace, file, position)
    if found is None:
        return None
    word, where = found
    element = workspace.index.elements.get(word)
    if element is not None:
        return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, _element_text(workspace, element)), where)
    results = workspace.results
    rule = results.by_id.get(word) if results is not None else None
    if rule is not None:
        principle = workspace.principles.get(rule.principle)
        text = (f"**{rule.id}** {rule.name} · {rule.severity.label}\n\n{rule.description}\n\n"
                f"**Principle** {rule.principle}" + (f": {principle.name}" if principle else "")
                + f"\n\n**How to fix:** {rule.remediation}\n\n*{rule.location}*")
        return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, text), where)
    return None


def _element_text(workspace: RepositoryWorkspace, element: Element) -> str:
    data = element.data
    lines = [f"**{element.kind}** `{element.id}` — {element.name}", ""]
    owner = data.get("owner")
    if isinstance(owner, str):
        owner_element = workspace.index.elements.get(owner)
        lines.append(f"- owner: `{owner}`" + (f" ({owner_element.name})" if owner_element else ""))
    lifecycle = data.get("lifecycle")
    if isinstance(lifecycle, dict):
        lines.append("- lifecycle: " + ", ".join(f"{k} {v}" for k, v in lifecycle.items()))
    for key in ("criticality", "classification", "standard", "mode", "status"):
        if data.get(key) is not None:
            lines.append(f"- {key}: {data[key]}")
    if element.kind == "Integration":
        lines.append(f"- {data.get('source')} → {data.get('target')}" + (f" via {data['via']}" if data.get("via")
                                                                          else ""))
    lines.append(f"- defined in {element.location}")
    violations = workspace.results.of(element.id) if workspace.results is not None else []
    open_ones = [v for v in violations if not v.waived]
    lines += ["", f"**Open violations:** {len(open_ones)}" + (f" ({len(violations) - len(open_ones)} waived)"
                                                              if len(violations) > len(open_ones) else "")]
    lines += [f"- {v.rule} ({v.severity.label}): {v.message}" for v in open_ones]
    return "\n".join(lines)


def definition(workspace: RepositoryWorkspace, file: str, position: types.Position, uri: Uri
               ) -> list[types.Location]:
    found = _word(workspace, file, position)
    if found is None:
        return []
    word = found[0]
    if word in workspace.index.elements:
        return [types.Location(uri(f), where) for f, where in occurrences(workspace, word)
                if (f, where.start.line + 1) in {(d.file, d.document.line_of("id"))
                                                 for d in workspace.index.definitions.get(word, [])}]
    results = workspace.results
    target = results.by_id[word].location if results is not None and word in results.by_id else None
    if target is None and word in workspace.principles:
        target = workspace.principles[word].location
    if target is None:
        return []
    line = max(target.line - 1, 0)
    return [types.Location(uri(target.file), types.Range(types.Position(line, 0), types.Position(line, 0)))]


def references(workspace: RepositoryWorkspace, file: str, position: types.Position, declaration: bool,
               uri: Uri) -> list[types.Location]:
    found = _word(workspace, file, position)
    if found is None or found[0] not in workspace.index.elements:
        return []
    return [types.Location(uri(f), where) for f, where in occurrences(workspace, found[0], declaration)]


def rename(workspace: RepositoryWorkspace, file: str, position: types.Position, new_id: str, uri: Uri
           ) -> types.WorkspaceEdit:
    """Every occurrence of the id under the cursor renamed; ``ValueError`` when the new id is not valid or
    already taken."""
    found = _word(workspace, file, position)
    if found is None or found[0] not in workspace.index.elements:
        raise ValueError("put the cursor on an element id to rename it")
    old_id = found[0]
    if not ID_PATTERN.match(new_id):
        raise ValueError(f"'{new_id}' is not a valid id: ids use lowercase letters, digits and '-', starting "
                         "with a letter or digit")
    if new_id in workspace.index.definitions:
        existing = workspace.index.elements[new_id]
        raise ValueError(f"'{new_id}' already exists ({existing.kind} at {existing.location}); pick another id")
    changes: dict[str, list[types.TextEdit]] = {}
    for where_file, where in occurrences(workspace, old_id):
        changes.setdefault(uri(where_file), []).append(types.TextEdit(where, new_id))
    return types.WorkspaceEdit(changes=changes)


def document_symbols(workspace: RepositoryWorkspace, file: str) -> list[types.DocumentSymbol]:
    result = workspace.index.files.get(file)
    if result is None:
        return []
    lines = (workspace.text(file) or "").splitlines()
    documents = sorted(result.documents, key=lambda entry: entry[1].line)
    symbols = []
    for position, (kind, document, _valid) in enumerate(documents):
        element_id = document.data.get("id")
        if not isinstance(element_id, str):
            continue
        last = documents[position + 1][1].line - 2 if position + 1 < len(documents) else len(lines) - 1
        last = max(last, document.line - 1)
        whole = types.Range(types.Position(document.line - 1, 0),
                            types.Position(last, len(lines[last]) if last < len(lines) else 0))
        selection = find_token(lines, document.line_of("id") - 1, element_id) or whole
        children = [types.DocumentSymbol(name=str(step.get("id")), kind=types.SymbolKind.Event,
                                         range=_line(lines, document.line_of(f"steps[{i}]") - 1),
                                         selection_range=_line(lines, document.line_of(f"steps[{i}]") - 1),
                                         detail=str(step.get("name") or ""))
                    for i, step in enumerate(document.data.get("steps") or []) if isinstance(step, dict)]
        symbols.append(types.DocumentSymbol(name=element_id, kind=SYMBOL_KINDS.get(kind, types.SymbolKind.Object),
                                            range=whole, selection_range=_within(selection, whole),
                                            detail=f"{kind} · {document.data.get('name') or ''}".rstrip(" ·"),
                                            children=children or None))
    return symbols


def _line(lines: list[str], line: int) -> types.Range:
    content = lines[line] if 0 <= line < len(lines) else ""
    return types.Range(types.Position(line, len(content) - len(content.lstrip())), types.Position(line, len(content)))


def _within(inner: types.Range, outer: types.Range) -> types.Range:
    return inner if outer.start.line <= inner.start.line <= outer.end.line else outer


def workspace_symbols(workspaces: list[RepositoryWorkspace], query: str, uri: Callable[[RepositoryWorkspace, str],
                      str], limit: int = 500) -> list[types.SymbolInformation]:
    wanted = query.lower()
    found: list[types.SymbolInformation] = []
    for workspace in workspaces:
        cache: dict[str, list[str]] = {}
        for element in sorted(workspace.index.elements.values(), key=lambda e: e.id):
            if wanted and wanted not in element.id and wanted not in element.name.lower():
                continue
            document = workspace.index.source_map.document(element.id)
            line = (document.line_of("id") if document else element.location.line) - 1
            lines = _lines(workspace, element.location.file, cache) if len(found) < limit else []
            where = find_token(lines, line, element.id) or types.Range(types.Position(line, 0),
                                                                        types.Position(line, 0))
            found.append(types.SymbolInformation(name=element.id, kind=SYMBOL_KINDS.get(element.kind,
                                                                                         types.SymbolKind.Object),
                                                 location=types.Location(uri(workspace, element.location.file), where),
                                                 container_name=f"{element.kind} · {element.name}"))
            if len(found) >= limit:
                return found
    return found
