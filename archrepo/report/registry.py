"""Every report and diff format, by name: what `check --format` and `diff --format` offer, and what
:func:`archrepo.report.render` and :func:`archrepo.report.changes.render_diff` dispatch on. Light: nothing of the
renderers is imported here."""

from __future__ import annotations

__all__ = ["DIFF_RENDERERS", "REPORTERS"]

# check results: pure functions (CheckResult, ReportOptions) -> text, one module each
REPORTERS: dict[str, str] = {
    "text": "archrepo.report.text:render_text",
    "json": "archrepo.report.json:render_json",
    "sarif": "archrepo.report.sarif:render_sarif",
    "junit": "archrepo.report.junit:render_junit",
    "markdown": "archrepo.report.markdown:render_markdown",
    "github": "archrepo.report.github:render_github",
}

# model and violation changes between two revisions: ModelDiff -> text
DIFF_RENDERERS: dict[str, str] = {
    "text": "archrepo.report.changes:diff_text",
    "json": "archrepo.report.changes:diff_json",
    "markdown": "archrepo.report.changes:diff_markdown",
}
