"""Reporters: pure functions from a CheckResult to text, one module each, chosen from an explicit registry."""

from __future__ import annotations

from collections.abc import Callable

from archrepo.report.github import render_github
from archrepo.report.json import render_json
from archrepo.report.junit import render_junit
from archrepo.report.markdown import render_markdown
from archrepo.report.options import ReportOptions
from archrepo.report.sarif import render_sarif
from archrepo.report.text import render_text
from archrepo.rules.check import CheckResult

__all__ = ["REPORTERS", "ReportOptions", "render"]

Reporter = Callable[[CheckResult, ReportOptions], str]

REPORTERS: dict[str, Reporter] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "junit": render_junit,
    "markdown": render_markdown,
    "github": render_github,
}


def render(fmt: str, result: CheckResult, options: ReportOptions) -> str:
    return REPORTERS[fmt](result, options)
