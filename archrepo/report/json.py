"""The JSON report of the contract (version 1)."""

from __future__ import annotations

import orjson

from archrepo.escaping import json_text
from archrepo.report.options import ReportOptions
from archrepo.rules.check import CheckResult

__all__ = ["render_json"]


def render_json(result: CheckResult, options: ReportOptions) -> str:
    """Indented by two spaces, UTF-8 as written (the text ``json.dumps(indent=2, ensure_ascii=False)`` gives), but
    for the characters a terminal could act on (C1 controls, bidirectional overrides …), written as ``\\u`` escapes."""
    return json_text(orjson.dumps(result.as_dict(), option=orjson.OPT_INDENT_2).decode()) + "\n"
