"""Options every reporter receives (and nothing else: reporters read no config and print nothing)."""

from __future__ import annotations

from dataclasses import dataclass

from archrepo.rules.severity import Severity

__all__ = ["ReportOptions"]


@dataclass(frozen=True)
class ReportOptions:
    fail_on: Severity | None = Severity.ERROR  # None: never fail
    color: bool = False
    tool_version: str = "0"
    max_rows: int = 200  # Markdown: merge-request comments have size limits

    @property
    def threshold(self) -> Severity:
        """The severity from which a violation fails the gate (error when the gate never fails)."""
        return self.fail_on or Severity.ERROR
