"""A Markdown summary fit for a merge-request comment: verdict, per-principle table, violations (capped)."""

from __future__ import annotations

from collections import Counter

from archrepo.report.options import ReportOptions
from archrepo.rules.check import CheckResult
from archrepo.rules.definitions import Severity

__all__ = ["render_markdown"]

_ICON = {Severity.ERROR: "🔴 error", Severity.WARNING: "🟠 warning", Severity.INFO: "🔵 info"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


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
        out += [f"- `{d.file}:{d.line}` {_cell(d.message)}" for d in result.errors[:options.max_rows]]
        out.append("")
    counting = result.counting()
    if counting:
        per = Counter((v.principle, v.severity) for v in counting)
        out += ["| Principle | Errors | Warnings | Info |", "|---|---:|---:|---:|"]
        for principle_id in sorted({p for p, _ in per}):
            principle = result.principles.get(principle_id)
            name = f"**{principle_id}** {principle.name}" if principle else f"**{principle_id}**"
            out.append(f"| {_cell(name)} | {per[principle_id, Severity.ERROR]} | {per[principle_id, Severity.WARNING]}"
                       f" | {per[principle_id, Severity.INFO]} |")
        out.append("")
        shown = sorted(counting)[:options.max_rows]
        out += [f"<details><summary>Violations ({len(counting)})</summary>", "",
                "| Severity | Rule | Element | Where | Message |", "|---|---|---|---|---|"]
        out += [f"| {_ICON[v.severity]} | {v.rule} | `{v.element}` | `{v.location}` | {_cell(v.message)} |"
                for v in shown]
        if len(counting) > len(shown):
            out.append(f"| | | | | … and {len(counting) - len(shown)} more (see the full report) |")
        out += ["", "</details>", ""]
    if result.failures:
        out += ["### Rules that failed to run", ""]
        out += [f"- **{f.rule}** (`{f.location}`): {_cell(f.message)}" for f in result.failures]
        out.append("")
    if result.waivers:
        out += ["### Waivers to review", ""]
        out += [f"- `{f.waiver.location}` {f.status}: {_cell(f.message)}" for f in result.waivers]
        out.append("")
    if result.baseline and result.baseline.fixed:
        out += [f"Fixed since the baseline: {len(result.baseline.fixed)}", ""]
    return "\n".join(out)
