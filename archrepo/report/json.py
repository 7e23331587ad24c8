"""The JSON report of the contract (version 1)."""

from __future__ import annotations

import json

from archrepo.report.options import ReportOptions
from archrepo.rules.check import CheckResult

__all__ = ["render_json"]


def render_json(result: CheckResult, options: ReportOptions) -> str:
    return json.dumps(result.as_dict(), indent=2, ensure_ascii=False) + "\n"
