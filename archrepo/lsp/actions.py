"""Code actions: apply a 'did you mean' fix; add a waiver for a violation to the waivers file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from lsprotocol import types

from archrepo.lsp.positions import find_token
from archrepo.lsp.workspace import FIX, NAMED, RepositoryWorkspace

__all__ = ["WAIVER_DAYS", "code_actions"]

WAIVER_DAYS = 90  # the expiry a new waiver is given, to be set by whoever approves it


def code_actions(workspace: RepositoryWorkspace, uri: str, diagnostics: Sequence[types.Diagnostic],
                 uri_of: Callable[[str], str], document_changes: bool = True) -> list[types.CodeAction]:
    """Quick fixes for ``diagnostics``. ``document_changes``: whether the editor takes versioned edits and
    file creation in a WorkspaceEdit (else plain ``changes``)."""
    actions: list[types.CodeAction] = []
    lines = _text_of(workspace, uri, uri_of).splitlines()
    for diagnostic in diagnostics:
        if diagnostic.source != "archrepo":
            continue
        data = diagnostic.data if isinstance(diagnostic.data, dict) else _data_of(workspace, diagnostic, lines)
        if data.get("fix") and data.get("wrong"):
            where = find_token(lines, diagnostic.range.start.line, str(data["wrong"])) or diagnostic.range
            actions.append(types.CodeAction(
                title=f"Change '{data['wrong']}' to '{data['fix']}'", kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic], is_preferred=True,
                edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(where, str(data["fix"]))]})))
        elif data.get("rule") and data.get("element") and not data.get("waived"):
            actions.append(_waiver_action(workspace, diagnostic, str(data["rule"]), str(data["element"]), uri_of,
                                          document_changes))
    return actions


def _data_of(workspace: RepositoryWorkspace, diagnostic: types.Diagnostic, lines: list[str]) -> dict[str, Any]:
    """What the server put in ``data``, found again for an editor that does not keep it: a violation's rule is
    its code and its element the id it underlines; a suggestion is in the message."""
    start, end = diagnostic.range.start, diagnostic.range.end
    line = lines[start.line] if start.line < len(lines) else ""
    underlined = line[start.character:end.character] if start.line == end.line else ""
    if isinstance(diagnostic.code, str) and underlined in workspace.index.elements:
        return {"rule": diagnostic.code, "element": underlined,
                "waived": diagnostic.severity == types.DiagnosticSeverity.Hint}
    named, fix = NAMED.search(diagnostic.message), FIX.search(diagnostic.message)
    if named and fix:
        return {"fix": fix.group(1), "wrong": named.group(1).rsplit(".", 1)[-1]}
    return {}


def _text_of(workspace: RepositoryWorkspace, uri: str, uri_of: Callable[[str], str]) -> str:
    for file in workspace.texts:
        if uri_of(file) == uri:
            return workspace.texts[file]
    return ""


def _waiver_action(workspace: RepositoryWorkspace, diagnostic: types.Diagnostic, rule: str, element: str,
                   uri_of: Callable[[str], str], document_changes: bool) -> types.CodeAction:
    """Append an entry to the waivers file (created when there is none), to be completed and approved."""
    file = (workspace.config.waivers if workspace.config else None) or "waivers.yaml"
    uri = uri_of(file)
    expires = dt.date.today() + dt.timedelta(days=WAIVER_DAYS)
    entry = (f"- rule: {rule}\n  element: {element}\n  reason: \"TODO: why\"\n"
             f"  approved_by: \"TODO\"\n  expires: {expires.isoformat()}\n")
    text = workspace.text(file)
    edits: list[types.TextDocumentEdit | types.CreateFile | types.RenameFile | types.DeleteFile] = []
    if text is None:
        edits.append(types.CreateFile(uri=uri, options=types.CreateFileOptions(ignore_if_exists=True)))
        start = end = types.Position(0, 0)
    elif not text.strip() or text.strip() in ("[]", "---"):  # no entry yet: the list starts here
        lines = text.splitlines()
        start, end = types.Position(0, 0), types.Position(len(lines), 0)
        entry = "".join(line + "\n" for line in lines if line.lstrip().startswith("#")) + entry
    else:
        lines = text.splitlines()
        start = end = types.Position(len(lines), 0)
        if not text.endswith("\n"):
            entry = "\n" + entry
            start = end = types.Position(len(lines) - 1, len(lines[-1]))
    edit = types.TextEdit(types.Range(start, end), entry)
    if document_changes:
        document = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None)
        edits.append(types.TextDocumentEdit(text_document=document, edits=[edit]))
        workspace_edit = types.WorkspaceEdit(document_changes=edits)
    else:  # an editor without versioned edits creates the file, if missing, as it applies the text
        workspace_edit = types.WorkspaceEdit(changes={uri: [edit]})
    return types.CodeAction(title=f"Waive {rule} for '{element}' (adds an entry to {file})",
                            kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic], edit=workspace_edit)
