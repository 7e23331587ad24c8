"""JUnit XML for GitLab and Jenkins: one testcase per rule that ran, a failure listing its violations.

Model text may hold characters XML 1.0 cannot (ESC, BEL, …): the whole tree is cleaned before it is written,
so the report is always well-formed."""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree as ET

from archrepo.escaping import xml_tree
from archrepo.report.options import ReportOptions
from archrepo.rules.check import CheckResult
from archrepo.rules.violation import Violation

__all__ = ["render_junit"]


def _line(violation: Violation) -> str:
    related = f" [related: {', '.join(violation.related)}]" if violation.related else ""
    return f"{violation.location}: {violation.severity.label}: {violation.element}: {violation.message}{related}"


def render_junit(result: CheckResult, options: ReportOptions) -> str:
    by_rule: dict[str, list[Violation]] = defaultdict(list)
    for violation in result.violations:
        by_rule[violation.rule].append(violation)
    failed = {f.rule: f for f in result.failures}
    suite = ET.Element("testsuite", name="archrepo", timestamp=result.as_of.isoformat() + "T00:00:00")
    failures = errors = 0
    if result.errors:
        case = ET.SubElement(suite, "testcase", classname="archrepo.model", name="model is valid", file="")
        error = ET.SubElement(case, "error", message=f"{len(result.errors)} validation error(s)", type="invalid-model")
        error.text = "\n".join(d.format() for d in result.errors)
        errors += 1
    for rule in sorted(result.rules, key=lambda r: r.id):
        case = ET.SubElement(suite, "testcase", classname=f"archrepo.{rule.principle}", name=f"{rule.id} {rule.name}",
                             file=rule.location.file)
        violations = by_rule.get(rule.id, [])
        gating = [v for v in violations if v.counts and v.severity >= options.threshold]
        others = [v for v in violations if v not in gating]
        if rule.id in failed:
            error = ET.SubElement(case, "error", message=failed[rule.id].message, type="rule-failed")
            error.text = f"{failed[rule.id].location}: {failed[rule.id].message}"
            errors += 1
        elif gating:
            failure = ET.SubElement(case, "failure", type=rule.severity.label,
                                    message=f"{len(gating)} violation(s) of {rule.id} {rule.name}")
            failure.text = "\n".join(_line(v) for v in gating) + f"\n\nFix: {rule.remediation}"
            failures += 1
        if others:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(_line(v) + (" (waived)" if v.waived else " (in baseline)" if v.baselined else "")
                                 for v in others)
    tests = len(suite.findall("testcase"))
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", "0")
    root = ET.Element("testsuites", name="archrepo check", tests=str(tests), failures=str(failures),
                      errors=str(errors))
    root.append(suite)
    xml_tree(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
