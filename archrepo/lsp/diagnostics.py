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
        line = max(problem.line - 1, 0)
        if problem.key is not None:
            line = _key_line(lines, line, problem.key)
        diagnostic = types.Diagnostic(
            range=token_range(lines, line, problem.token),
            message=problem.message, severity=SEVERITIES[problem.severity], source="archrepo",
            code=problem.code, data=problem.data or None)
        if problem.severity == "hint" and problem.code:  # a waived violation: shown, but faded
            diagnostic.tags = [types.DiagnosticTag.Unnecessary]
        found.append(diagnostic)
    return sorted(found, key=lambda d: (d.range.start.line, d.range.start.character, d.message))


def _key_line(lines: list[str], start: int, key: str) -> int:
    """The first line of ``key:`` at the top level of the document that starts at ``start`` (else ``start``)."""
    for number in range(start, len(lines)):
        content = lines[number]
        if content.startswith(f"{key}:"):
            return number
        if number > start and content.startswith("---"):
            break
    return start
