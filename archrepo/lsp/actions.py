"""Code actions: apply a 'did you mean' fix; add a waiver for a violation to the waivers file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from lsprotocol import types

from archrepo.lsp.positions import find_token
from archrepo.lsp.workspace import RepositoryWorkspace

__all__ = ["WAIVER_DAYS", "code_actions"]

WAIVER_DAYS = 90  # the expiry a new waiver is given, to be set by whoever approves it


def code_actions(workspace: RepositoryWorkspace, uri: str, diagnostics: Sequence[types.Diagnostic],
                 uri_of: Callable[[str], str]) -> list[types.CodeAction]:
    actions: list[types.CodeAction] = []
    lines = None
    for diagnostic in diagnostics:
        data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
        if data.get("fix") and data.get("wrong"):
            if lines is None:
                lines = _text_of(workspace, uri, uri_of).splitlines()
            where = find_token(lines, diagnostic.range.start.line, str(data["wrong"])) or diagnostic.range
            actions.append(types.CodeAction(
                title=f"Change '{data['wrong']}' to '{data['fix']}'", kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic], is_preferred=True,
                edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(where, str(data["fix"]))]})))
        elif data.get("rule") and data.get("element") and not data.get("waived"):
            actions.append(_waiver_action(workspace, diagnostic, str(data["rule"]), str(data["element"]), uri_of))
    return actions


def _text_of(workspace: RepositoryWorkspace, uri: str, uri_of: Callable[[str], str]) -> str:
    for file in workspace.texts:
        if uri_of(file) == uri:
            return workspace.texts[file]
    return ""


def _waiver_action(workspace: RepositoryWorkspace, diagnostic: types.Diagnostic, rule: str, element: str,
                   uri_of: Callable[[str], str]) -> types.CodeAction:
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
    document = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None)
    edits.append(types.TextDocumentEdit(text_document=document,
                                        edits=[types.TextEdit(types.Range(start, end), entry)]))
    return types.CodeAction(title=f"Waive {rule} for '{element}' (adds an entry to {file})",
                            kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                            edit=types.WorkspaceEdit(document_changes=edits))
