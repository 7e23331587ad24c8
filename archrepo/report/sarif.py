"""SARIF 2.1.0 for code-scanning tools (GitHub code scanning accepts it): one rule per rule id, a physical
location per violation, stable partial fingerprints, waivers as accepted suppressions."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from archrepo.escaping import json_text, markdown_code, markdown_inline
from archrepo.report.options import ReportOptions
from archrepo.rules.check import CheckResult
from archrepo.rules.definitions import RuleDefinition, Severity

__all__ = ["render_sarif"]

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_SEVERITY_SCORE = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.INFO: "1.0"}


def _rule(rule: RuleDefinition, result: CheckResult) -> dict[str, Any]:
    principle = result.principles.get(rule.principle)
    principle_text = f"{rule.principle} {principle.name}: {principle.statement}" if principle else rule.principle
    help_text = f"{rule.description}\n\nFix: {rule.remediation}\n\nPrinciple: {principle_text}"
    # rules come with the merge request like the model: their text is shown as text, never as markup
    help_markdown = (f"{markdown_inline(rule.description)}\n\n**Fix:** {markdown_inline(rule.remediation)}\n\n"
                     f"**Principle:** {markdown_inline(principle_text)}\n\n"
                     f"Defined in {markdown_code(rule.location.file)}.")
    entry: dict[str, Any] = {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": f"{rule.id} {rule.name}"},
        "fullDescription": {"text": rule.description},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"principle": rule.principle, "tags": ["architecture", rule.principle, *rule.tags],
                       "security-severity": _SEVERITY_SCORE[rule.severity],
                       "precision": "very-high", "problem.severity": rule.severity.label
                       if rule.severity is not Severity.INFO else "recommendation"},
    }
    if rule.help_uri:
        entry["helpUri"] = rule.help_uri
    return entry


def _uri(file: str) -> str:
    """A file path as a relative URI reference (RFC 3986): every byte but unreserved characters and '/'
    percent-encoded (spaces, '#', '%', ':', non-ASCII; a name that is not UTF-8 keeps its bytes)."""
    return quote(file.encode("utf-8", "surrogateescape"), safe="/")


def _location(file: str, line: int) -> dict[str, Any]:
    return {"physicalLocation": {"artifactLocation": {"uri": _uri(file), "uriBaseId": "%SRCROOT%"},
                                 "region": {"startLine": max(line, 1)}}}


def render_sarif(result: CheckResult, options: ReportOptions) -> str:
    rules = sorted(result.rules, key=lambda r: r.id)
    index = {rule.id: position for position, rule in enumerate(rules)}
    results = []
    for violation in result.violations:
        item: dict[str, Any] = {
            "ruleId": violation.rule,
            "ruleIndex": index[violation.rule],
            "level": _LEVEL[violation.severity],
            "message": {"text": violation.message},
            "locations": [{**_location(violation.location.file, violation.location.line),
                           "logicalLocations": [{"name": violation.element, "kind": violation.kind.lower()}]}],
            "partialFingerprints": {"archrepoFingerprint/v1": violation.fingerprint},
            "properties": {"element": violation.element, "kind": violation.kind, "related": list(violation.related),
                           "principle": violation.principle},
        }
        if violation.related:
            item["relatedLocations"] = [{"id": n, "message": {"text": r}} for n, r in enumerate(violation.related)]
        if violation.waived and violation.waiver:
            item["suppressions"] = [{"kind": "external", "status": "accepted",
                                     "justification": f"{violation.waiver.reason} (approved by "
                                                      f"{violation.waiver.approved_by}, expires "
                                                      f"{violation.waiver.expires})"}]
        if result.baseline is not None:
            item["baselineState"] = "unchanged" if violation.baselined else "new"
        results.append(item)
    notifications = [{"level": "error", "message": {"text": d.message + (f" ({d.hint})" if d.hint else "")},
                      "locations": [_location(d.file, d.line)]} for d in result.errors]
    notifications += [{"level": "warning", "message": {"text": f.message},
                       "locations": [_location(f.waiver.location.file, f.waiver.location.line)]}
                      for f in result.waivers]
    configuration = [{"level": "error", "message": {"text": f"{f.rule} failed to run: {f.message}"},
                      "descriptor": {"id": f.rule}, "locations": [_location(f.location.file, f.location.line)]}
                     for f in result.failures]
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "archrepo", "version": options.tool_version,
                                "semanticVersion": options.tool_version,
                                "informationUri": "https://archrepo.dev/", "rules": [_rule(r, result) for r in rules]}},
            "automationDetails": {"id": "archrepo/check/"},
            "invocations": [{"executionSuccessful": not result.errors and not result.failures,
                             "toolExecutionNotifications": notifications,
                             "toolConfigurationNotifications": configuration}],
            "results": results,
            "columnKind": "unicodeCodePoints",
            "properties": {"asOf": result.as_of.isoformat(), "summary": result.summary()},
        }],
    }
    return json_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
