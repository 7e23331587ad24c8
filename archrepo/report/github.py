"""GitHub Actions workflow commands: one annotation per counting violation, shown on the changed lines.

Model text can neither end a command nor start one: in the message ``%``, CR and LF are percent-encoded, in
properties also ``,`` and ``:`` (GitHub's escaping of workflow commands), and every other character a terminal
or the log viewer would act on is written as a visible escape (``\\x1b``), over the whole output.
"""

from __future__ import annotations

from archrepo.escaping import terminal_text
from archrepo.report.options import ReportOptions
from archrepo.rules.check import CheckResult
from archrepo.rules.definitions import Severity

__all__ = ["render_github"]

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result: CheckResult, options: ReportOptions) -> str:
    rules = {rule.id: rule for rule in result.rules}
    lines = []
    for diagnostic in result.errors:
        lines.append(f"::error file={_property(diagnostic.file)},line={diagnostic.line},title=invalid model::"
                     f"{_data(diagnostic.message + (' — ' + diagnostic.hint if diagnostic.hint else ''))}")
    for failure in result.failures:
        lines.append(f"::error file={_property(failure.location.file)},line={failure.location.line},"
                     f"title={_property(failure.rule + ' failed to run')}::{_data(failure.message)}")
    for violation in result.counting():
        rule = rules.get(violation.rule)
        title = f"{violation.rule} {rule.name}" if rule else violation.rule
        text = f"{violation.message} (principle {violation.principle})"
        if rule:
            text += f"\nFix: {rule.remediation}"
        lines.append(f"::{_COMMAND[violation.severity]} file={_property(violation.location.file)},"
                     f"line={violation.location.line},title={_property(title)}::{_data(text)}")
    for finding in result.waivers:
        location = finding.waiver.location
        lines.append(f"::warning file={_property(location.file)},line={location.line},"
                     f"title={_property('waiver ' + finding.status)}::{_data(finding.message)}")
    summary = result.summary()
    lines.append(f"archrepo: {summary['error']} error(s), {summary['warning']} warning(s), {summary['info']} info, "
                 f"{summary['waived']} waived")
    return "\n".join(terminal_text(line) for line in lines) + "\n"
