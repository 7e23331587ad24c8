"""Waivers: approved, reasoned, expiring exceptions. Expired and stale ones are reported, never silently kept."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from archrepo.config import Config
from archrepo.errors import ConfigError, DiagnosticSink
from archrepo.model.elements import Location
from archrepo.model.reading import Unreadable, read_regular
from archrepo.model.schema import suggest, validate_document
from archrepo.model.yamlsource import decode_source, parse_documents
from archrepo.rules.violation import Violation, WaiverRef

__all__ = ["Waiver", "WaiverFinding", "apply_waivers", "load_waivers"]


@dataclass(frozen=True)
class Waiver:
    rule: str
    element: str
    reason: str
    approved_by: str
    expires: dt.date
    location: Location
    related: tuple[str, ...] | None = None

    def matches(self, violation: Violation) -> bool:
        return (violation.rule == self.rule and violation.element == self.element
                and (self.related is None or tuple(sorted(self.related)) == violation.related))

    def ref(self) -> WaiverRef:
        return WaiverRef(self.reason, self.approved_by, self.expires.isoformat(), self.location)

    def as_dict(self) -> dict[str, object]:
        return {"rule": self.rule, "element": self.element, "reason": self.reason, "approved_by": self.approved_by,
                "expires": self.expires.isoformat(), "file": self.location.file, "line": self.location.line}


@dataclass(frozen=True, order=True)
class WaiverFinding:
    """A waiver that no longer does what it says: ``expired`` (past its date) or ``stale`` (matches nothing)."""

    status: str
    waiver: Waiver

    @property
    def message(self) -> str:
        w = self.waiver
        if self.status == "expired":
            return (f"waiver for {w.rule} on '{w.element}' expired on {w.expires.isoformat()}; the violation "
                    "counts again until the waiver is renewed (with a new approval) or the cause is fixed")
        return (f"waiver for {w.rule} on '{w.element}' matches no violation; remove it from the waivers file "
                "(the problem is fixed, or the rule or element id is wrong)")

    def as_dict(self) -> dict[str, object]:
        return {"status": self.status, "message": self.message, **self.waiver.as_dict()}


def load_waivers(config: Config, rule_ids: set[str] | None) -> list[Waiver]:
    """The waivers file of the config ([] when there is none). Reason, approver and expiry are required; the
    rule must be one of ``rule_ids`` (not checked when None)."""
    if not config.waivers:
        return []
    path = config.path(config.waivers)
    if not path.exists():
        raise ConfigError(f"waivers file '{config.waivers}' named in {config.display_file} does not exist",
                          file=config.display_file, line=config.line_of("waivers"),
                          hint="Create it (a YAML list of waivers), or remove the `waivers:` setting.")
    display = config.waivers
    try:
        raw = read_regular(path)
    except Unreadable as error:
        raise ConfigError(f"waivers file '{display}' cannot be read: {error.reason}", file=config.display_file,
                          line=config.line_of("waivers"), hint="Make it a readable YAML file.") from None
    sink = DiagnosticSink()
    text = decode_source(raw, display, sink)
    documents = parse_documents(text, display, sink) if text is not None else []
    waivers: list[Waiver] = []
    if documents and not sink.errors:
        document = documents[0]
        data = document.data if document.data is not None else []
        if validate_document("waivers", data, document, display, sink, what="waivers file"):
            for index, entry in enumerate(data):
                if rule_ids is not None and entry["rule"] not in rule_ids:
                    close = suggest(entry["rule"], sorted(rule_ids))
                    sink.error(display, document.line_of(f"[{index}].rule"), f"waiver names rule "
                               f"'{entry['rule']}', which does not exist",
                               f"Did you mean '{close}'?" if close else "Fix the rule id.")
                    continue
                related = tuple(entry["related"]) if "related" in entry else None
                waivers.append(Waiver(entry["rule"], entry["element"], entry["reason"].strip(),
                                      entry["approved_by"], dt.date.fromisoformat(entry["expires"]),
                                      Location(display, document.line_of(f"[{index}]")), related))
    if sink.errors:
        raise ConfigError("the waivers file is invalid", diagnostics=sink.items)
    return waivers


def apply_waivers(violations: list[Violation], waivers: list[Waiver],
                  as_of: dt.date) -> tuple[list[Violation], list[WaiverFinding]]:
    """Mark waived violations; report expired waivers and waivers that match nothing."""
    findings: list[WaiverFinding] = []
    active = []
    for waiver in waivers:
        if waiver.expires < as_of:
            findings.append(WaiverFinding("expired", waiver))
        else:
            active.append(waiver)
    used: set[int] = set()
    result = []
    for violation in violations:
        for index, waiver in enumerate(active):
            if waiver.matches(violation):
                used.add(index)
                violation = violation.with_waiver(waiver.ref())
                break
        result.append(violation)
    findings += [WaiverFinding("stale", w) for i, w in enumerate(active) if i not in used]
    return result, sorted(findings, key=lambda f: (f.status, f.waiver.location))
