"""Problems as LSP diagnostics: severities mapped, the rule id as the code, the id or key underlined."""

from __future__ import annotations

from lsprotocol import types

from archrepo.lsp.positions import token_range
from archrepo.lsp.workspace import Problem

__all__ = ["SEVERITIES", "to_lsp"]

SEVERITIES = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
              "information": types.DiagnosticSeverity.Information, "hint": types.DiagnosticSeverity.Hint}


def to_lsp(problems: list[Problem], text: str | None) -> list[types.Diagnostic]:
    lines = text.splitlines() if text else []
    found = []
    for problem in problems:
        diagnostic = types.Diagnostic(
            range=token_range(lines, max(problem.line - 1, 0), problem.token),
            message=problem.message, severity=SEVERITIES[problem.severity], source="archrepo",
            code=problem.code, data=problem.data or None)
        if problem.severity == "hint" and problem.code:  # a waived violation: shown, but faded
            diagnostic.tags = [types.DiagnosticTag.Unnecessary]
        found.append(diagnostic)
    return sorted(found, key=lambda d: (d.range.start.line, d.range.start.character, d.message))
