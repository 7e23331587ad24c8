"""A Markdown summary fit for a merge-request comment: verdict, per-principle table, violations (capped).

Every value from the model, rules, waivers or file names is written with
:func:`~archrepo.escaping.markdown_inline` (or :func:`~archrepo.escaping.markdown_code`): it renders as
itself, never as a link, an image, HTML, a table cell break or a heading.
"""

from __future__ import annotations

from collections import Counter

from archrepo.escaping import markdown_code as _code
from archrepo.escaping import markdown_inline as _cell
from archrepo.report.options import ReportOptions
from archrepo.rules.check import CheckResult
from archrepo.rules.definitions import Severity

__all__ = ["render_markdown"]

_ICON = {Severity.ERROR: "🔴 error", Severity.WARNING: "🟠 warning", Severity.INFO: "🔵 info"}


def render_markdown(result: CheckResult, options: ReportOptions) -> str:
    summary = result.summary()
    code = result.exit_code(options.fail_on)
    verdict = {0: "✅ passed", 1: "❌ failed", 2: "⛔ could not check"}[code]
    out = [f"## archrepo check: {verdict}", "",
           f"As of {result.as_of.isoformat()} · {result.elements} elements · {len(result.rules)} rules · "
           f"**{summary['error']}** errors · **{summary['warning']}** warnings · **{summary['info']}** info"
           + (f" · {summary['waived']} waived" if summary["waived"] else "")
           + (f" · {summary['baselined']} in baseline" if result.baseline else ""), ""]
    if result.errors:
        out += ["### The model is invalid", ""]
        out += [f"- {_code(f'{d.file}:{d.line}')} {_cell(d.message)}" for d in result.errors[:options.max_rows]]
        out.append("")
    counting = result.counting()
    if counting:
        per = Counter((v.principle, v.severity) for v in counting)
        out += ["| Principle | Errors | Warnings | Info |", "|---|---:|---:|---:|"]
        for principle_id in sorted({p for p, _ in per}):
            principle = result.principles.get(principle_id)
            name = f"**{_cell(principle_id)}**" + (f" {_cell(principle.name)}" if principle else "")
            out.append(f"| {name} | {per[principle_id, Severity.ERROR]} | {per[principle_id, Severity.WARNING]}"
                       f" | {per[principle_id, Severity.INFO]} |")
        out.append("")
        shown = sorted(counting)[:options.max_rows]
        out += [f"<details><summary>Violations ({len(counting)})</summary>", "",
                "| Severity | Rule | Element | Where | Message |", "|---|---|---|---|---|"]
        out += [f"| {_ICON[v.severity]} | {_cell(v.rule)} | {_code(v.element)} | {_code(v.location)} | "
                f"{_cell(v.message)} |" for v in shown]
        if len(counting) > len(shown):
            out.append(f"| | | | | … and {len(counting) - len(shown)} more (see the full report) |")
        out += ["", "</details>", ""]
    if result.failures:
        out += ["### Rules that failed to run", ""]
        out += [f"- **{_cell(f.rule)}** ({_code(f.location)}): {_cell(f.message)}" for f in result.failures]
        out.append("")
    if result.waivers:
        out += ["### Waivers to review", ""]
        out += [f"- {_code(f.waiver.location)} {_cell(f.status)}: {_cell(f.message)}" for f in result.waivers]
        out.append("")
    if result.baseline and result.baseline.fixed:
        out += [f"Fixed since the baseline: {len(result.baseline.fixed)}", ""]
    return "\n".join(out)
