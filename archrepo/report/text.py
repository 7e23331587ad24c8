"""The report for people: grouped by severity, principle and rule, with file:line and the fix.

Coloured on a terminal, plain otherwise."""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby

from archrepo.report.options import ReportOptions
from archrepo.rules.check import CheckResult
from archrepo.rules.definitions import Severity
from archrepo.rules.violation import Violation

__all__ = ["render_text"]

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


class _Paint:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled else text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render_text(result: CheckResult, options: ReportOptions) -> str:
    paint = _Paint(options.color)
    lines = [paint(f"archrepo check as of {result.as_of.isoformat()}: {_plural(result.elements, 'element')}, "
                   f"{_plural(len(result.rules), 'rule')}", "1"), ""]
    if result.errors:
        lines.append(paint("The model is invalid; no rule ran:", "31;1"))
        lines += [f"  {d.format()}".replace("\n", "\n  ") for d in result.errors]
        lines.append("")
    rules = {rule.id: rule for rule in result.rules}
    counting = result.counting()
    for severity, group in groupby(sorted(counting), key=lambda v: v.severity):
        items = list(group)
        lines.append(paint(f"{severity.label.upper()} ({len(items)})", _COLOURS[severity] + ";1"))
        by_principle: dict[str, list[Violation]] = defaultdict(list)
        for violation in items:
            by_principle[violation.principle].append(violation)
        for principle_id in sorted(by_principle):
            principle = result.principles.get(principle_id)
            title = f"{principle_id} {principle.name}" if principle else principle_id
            lines.append(f"  {paint('principle', '2')} {title}")
            for rule_id, rule_items in groupby(by_principle[principle_id], key=lambda v: v.rule):
                listed = list(rule_items)
                rule = rules.get(rule_id)
                lines.append(f"    {paint(rule_id, _COLOURS[severity])} {rule.name if rule else ''} ({len(listed)})")
                if rule:
                    lines.append(f"      {paint('fix:', '2')} {rule.remediation}")
                for violation in sorted(listed, key=lambda v: (v.location, v.element, v.related)):
                    lines.append(f"      {paint(str(violation.location), '2')}: {violation.message}"
                                 + (f" [related: {', '.join(violation.related)}]" if violation.related else ""))
        lines.append("")
    waived = [v for v in result.violations if v.waived]
    if waived:
        lines.append(paint(f"WAIVED ({len(waived)})", "2;1"))
        for violation in waived:
            waiver = violation.waiver
            assert waiver is not None
            lines.append(f"  {violation.location}: {violation.rule} {violation.element}: waived until "
                         f"{waiver.expires}, approved by {waiver.approved_by}: {waiver.reason}")
        lines.append("")
    if result.waivers:
        lines.append(paint(f"WAIVERS TO REVIEW ({len(result.waivers)})", "33;1"))
        lines += [f"  {f.waiver.location}: {f.status}: {f.message}" for f in result.waivers]
        lines.append("")
    if result.baseline:
        base = result.baseline
        known = sum(1 for v in result.violations if v.baselined)
        lines.append(paint("BASELINE", "2;1") + f" {base.file}: {known} known violation(s) not counted, "
                     f"{len(base.fixed)} fixed since the baseline")
        lines += [f"  fixed: {entry.get('rule')} {entry.get('element')}" for entry in base.fixed]
        lines.append("")
    if result.failures:
        lines.append(paint(f"RULES THAT FAILED TO RUN ({len(result.failures)})", "31;1"))
        lines += [f"  {f.location}: {f.rule}: {f.message}" for f in result.failures]
        lines.append("")
    lines.append(_summary_line(result, options, paint))
    return "\n".join(lines) + "\n"


def _summary_line(result: CheckResult, options: ReportOptions, paint: _Paint) -> str:
    summary = result.summary()
    parts = [_plural(summary["error"], "error"), _plural(summary["warning"], "warning"), f"{summary['info']} info"]
    extra = [f"{summary['waived']} waived"] if summary["waived"] else []
    extra += [f"{summary['baselined']} in baseline"] if result.baseline else []
    text = ", ".join(parts) + (f" ({', '.join(extra)})" if extra else "")
    code = result.exit_code(options.fail_on)
    if code == 2:
        verdict = paint("FAILED: invalid input" if result.errors else "FAILED: rules could not run", "31;1")
    elif code == 1:
        verdict = paint(f"FAILED: violations at or above '{options.threshold.label}'", "31;1")
    else:
        gate = f"--fail-on {options.fail_on.label}" if options.fail_on else "--fail-on never"
        verdict = paint(f"passed ({gate})", "32;1")
    return f"{text}: {verdict}"
