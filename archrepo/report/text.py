"""The report for people: grouped by severity, principle and rule, with file:line and the fix.

Coloured on a terminal, plain otherwise. Whatever a model, rule or waiver says reaches the terminal only as
visible text: every line is passed through :func:`~archrepo.escaping.terminal_text` as a whole (a newline, ESC,
BEL, CSI, OSC or a bidirectional override in a name shows as ``\\n``, ``\\x1b``, …). archrepo's own colours are
written as markers holding a random key while the report is built and become escape sequences only after that
pass, so no model text can produce or imitate them.
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from itertools import groupby

from archrepo.escaping import terminal_text
from archrepo.report.options import ReportOptions
from archrepo.rules.check import CheckResult
from archrepo.rules.definitions import Severity
from archrepo.rules.violation import Violation

__all__ = ["render_text"]

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


class _Paint:
    """Colour markers (private-use characters around a per-report random key and the SGR code)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.key = secrets.token_hex(8)
        self.marker = re.compile(f"\ue000{self.key}([0-9;]+)\ue001")

    def __call__(self, text: str, code: str) -> str:
        return f"\ue000{self.key}{code}\ue001{text}\ue000{self.key}0\ue001" if self.enabled else text

    def finish(self, lines: list[str]) -> str:
        """The report: each line made terminal-safe, then the markers turned into colours."""
        text = "\n".join(terminal_text(line) for line in lines) + "\n"
        return self.marker.sub(lambda match: f"\x1b[{match.group(1)}m", text) if self.enabled else text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render_text(result: CheckResult, options: ReportOptions) -> str:
    paint = _Paint(options.color)
    if result.errors:  # no element counted, no rule ran: "0 elements … 0 errors" would read as a clean model
        lines = [paint(f"archrepo check as of {result.as_of.isoformat()}: the model is invalid "
                       f"({_plural(len(result.errors), 'error')}); no rule ran", "1"), ""]
        lines += [f"  {part}" for d in result.errors for part in _diagnostic_lines(d.file, d.line, d.message,
                                                                                    d.level.value, d.hint)]
        lines += ["", f"{_plural(len(result.errors), 'error')} in the model files (see `archrepo validate`): "
                      + paint("FAILED: invalid model", "31;1")]
        return paint.finish(lines)
    lines = [paint(f"archrepo check as of {result.as_of.isoformat()}: {_plural(result.elements, 'element')}, "
                   f"{_plural(len(result.rules), 'rule')}", "1"), ""]
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
                    # prose written over several lines in YAML reads as one line here
                    lines.append(f"      {paint('fix:', '2')} {' '.join(rule.remediation.split())}")
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
    return paint.finish(lines)


def _diagnostic_lines(file: str, line: int, message: str, level: str, hint: str | None) -> list[str]:
    """A validation error as its lines (each escaped on its own: a newline in the message stays visible)."""
    where = f"{file}:{line}" if line else file
    return [f"{where}: {level}: {message}", *([f"  hint: {hint}"] if hint else [])]


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
