"""The pages above the elements: the index, a list per kind, principles, rules, and all violations."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from archrepo.model.elements import KINDS, Element
from archrepo.rules.definitions import Principle, RuleDefinition
from archrepo.site.content import SEVERITIES, SiteContent, plural, severity_counts, violation_table
from archrepo.site.links import (
    KIND_LABELS,
    Field,
    Item,
    Page,
    Section,
    list_path,
    principle_path,
    rule_path,
)
from archrepo.site.technology_pages import technology_state

__all__ = ["explorer_page", "index_page", "list_page", "principle_page", "rule_page", "violations_page"]

LANDSCAPE = "index"  # the diagram key of the landscape on the index page
ELEMENT_KINDS: tuple[str, ...] = ("Application", "Process", "Integration", "DataObject", "Organisation",
                                  "Capability", "Technology")


def index_page(content: SiteContent) -> Page:
    summary = content.result.summary()
    page = Page("index", "Architecture repository", "index", subtitle=f"As of {content.as_of.isoformat()}",
                summary=f"{len(content.model)} elements checked against {len(content.enabled)} rules "
                        f"of {len(content.principles)} principles.")
    page.badges = (*(Item(_severity_total(summary[label], label), path="violations",
                          badge=label if summary[label] else "none") for label in SEVERITIES),
                   Item(f"{summary['waived']} waived", path="violations", badge="waived"))
    counts = content.model.counts()
    rows = [((Item(KIND_LABELS[kind][1], list_path(kind)),), (Item(str(counts[kind])),))
            for kind in ELEMENT_KINDS if kind in KINDS]
    rows += [((Item("Principles", list_path("Principle")),), (Item(str(len(content.principles))),)),
             ((Item("Rules", list_path("Rule")),), (Item(str(len(content.rules))),))]
    page.sections.append(Section("Model", "model", "table", columns=("Kind", "Count"), rows=tuple(rows),
                                 counted=False, css="compact"))
    page.sections.append(_compliance(content))
    if content.result.failures:
        page.sections.append(Section("Rules that failed to run", "failures", "table", columns=("Rule", "Problem"),
                                     rows=tuple(((content.rule_ref(f.rule),), (Item(f.message),))
                                                for f in sorted(content.result.failures))))
    landscape = content.diagram_section(LANDSCAPE, title="Application landscape", anchor="landscape",
                                        explore=Item("Explore the landscape", "explorer"))
    if landscape is not None:
        drawn = landscape.diagram is not None
        page.sections.append(dataclasses.replace(
            landscape, note=landscape.note or ("Click an application to open its page." if drawn else "")))
    browse = [Item(KIND_LABELS[kind][1], list_path(kind)) for kind in (*ELEMENT_KINDS, "Principle", "Rule")]
    browse.append(Item("All violations", "violations"))
    page.sections.append(Section("Browse", "browse", "list", items=tuple(browse)))
    return page


def _severity_total(count: int, label: str) -> str:
    return f"{count} info" if label == "info" else plural(count, label)


def _compliance(content: SiteContent) -> Section:
    """Violations per principle and severity; waived (and baselined) ones apart."""
    baselined = any(v.baselined and not v.waived for v in content.result.violations)
    columns = ("Principle", "Rules", "Error", "Warning", "Info", "Waived") + (("Baselined",) if baselined else ())
    keys = (*SEVERITIES, "waived") + (("baselined",) if baselined else ())
    rows = []
    totals = dict.fromkeys(keys, 0)
    for principle in content.sorted_principles():
        counts = severity_counts(content.xref.by_principle.get(principle.id, []))
        rules = [r for r in content.rules if r.principle == principle.id and r.id in content.enabled]
        rows.append(((content.principle_ref(principle.id),), (Item(str(len(rules))),),
                     *((_count(counts[key], key),) for key in keys)))
        for key in keys:
            totals[key] += counts[key]
    rows.append(((Item("Total", badge="total"),), (Item(str(len(content.enabled))),),
                 *((_count(totals[key], key),) for key in keys)))
    return Section("Principle compliance", "compliance", "table", columns=columns, rows=tuple(rows), counted=False,
                   note="Counting violations per principle and severity; waived ones are not counted.")


def _count(count: int, key: str) -> Item:
    return Item(str(count), badge=key if count else "none")


def list_page(content: SiteContent, kind: str) -> Page:
    singular, plural_label = KIND_LABELS[kind]
    page = Page(list_path(kind), plural_label, "list")
    if kind == "Principle":
        page.subtitle = plural(len(content.principles), "principle")
        section = _principle_list(content)
    elif kind == "Rule":
        page.subtitle = plural(len(content.rules), "rule")
        section = _rule_list(content)
    else:
        elements = content.model.of_kind(kind)
        page.subtitle = f"{len(elements)} {plural_label.lower() if len(elements) != 1 else singular.lower()}"
        columns, row = _LIST_COLUMNS[kind]
        section = Section(plural_label, "list", "table", columns=(*columns, "Violations"),
                          rows=tuple((*row(content, e), content.violation_count(
                              content.xref.by_element.get(e.id, []))) for e in elements))
    page.sections.append(section)
    return page


def _maybe(content: SiteContent, element_id: object) -> tuple[Item, ...]:
    return (content.ref(str(element_id)),) if element_id else ()


def _badge(value: object) -> tuple[Item, ...]:
    return (Item(str(value), badge=str(value)),) if value else ()


Row = tuple[tuple[Item, ...], ...]
_LIST_COLUMNS: dict[str, tuple[tuple[str, ...], Callable[[SiteContent, Element], Row]]] = {
    "Application": (("Application", "Owner", "Status", "Criticality", "Classification"), lambda c, e: (
        (c.ref(e.id, note=e.id),), _maybe(c, e.get("owner")), (c.status(e),), _badge(e.get("criticality")),
        _badge(e.get("classification")))),
    "Process": (("Process", "Owner", "Steps"), lambda c, e: (
        (c.ref(e.id, note=e.id),), _maybe(c, e.get("owner")), (Item(str(len(e.get("steps") or []))),))),
    "Integration": (("Integration", "Source", "Target", "Standard", "Mode", "Status"), lambda c, e: (
        (c.ref(e.id, note=e.id),), _maybe(c, e.get("source")), _maybe(c, e.get("target")),
        (Item(str(e.get("standard")), code=True),), (Item(str(e.get("mode", "async"))),),
        _badge(e.get("status", "active")))),
    "DataObject": (("Data object", "Classification", "Master"), lambda c, e: (
        (c.ref(e.id, note=e.id),), _badge(e.get("classification")), _maybe(c, e.get("master")))),
    "Organisation": (("Organisation", "Type", "Parent", "Applications"), lambda c, e: (
        (c.ref(e.id, note=e.id),), (Item(str(e.get("type") or "")),), _maybe(c, e.get("parent")),
        (Item(str(sum(1 for a in c.xref.owned.get(e.id, []) if a.kind == "Application"))),))),
    "Technology": (("Technology", "Type", "Version", "Lifecycle", "Applications"), lambda c, e: (
        (c.ref(e.id, note=e.id),), (Item(str(e.get("type") or "")),), (Item(str(e.get("version") or ""), code=True),),
        (technology_state(c, e),), (Item(str(len(c.technology_use.users(e.id)[0]))),))),
    "Capability": (("Capability", "Parent", "Applications"), lambda c, e: (
        (c.ref(e.id, note=e.id),), _maybe(c, e.get("parent")),
        (Item(str(sum(1 for a in c.xref.realising.get(e.id, []) if a.kind == "Application"))),))),
}


def _principle_list(content: SiteContent) -> Section:
    rows = []
    for principle in content.sorted_principles():
        rules = [r for r in content.rules if r.principle == principle.id]
        rows.append(((Item(principle.id, principle_path(principle.id)),), (Item(principle.name),),
                     (Item(principle.statement),), tuple(content.rule_ref(r.id) for r in rules),
                     content.violation_count(content.xref.by_principle.get(principle.id, []))))
    return Section("Principles", "list", "table", columns=("Id", "Name", "Statement", "Rules", "Violations"),
                   rows=tuple(rows))


def _rule_list(content: SiteContent) -> Section:
    rows = []
    for rule in content.rules:
        rows.append(((content.rule_ref(rule.id),), (Item(rule.name),), _rule_severity(content, rule),
                     (content.principle_ref(rule.principle),), (Item(rule.description),),
                     content.violation_count(content.xref.by_rule.get(rule.id, []))))
    return Section("Rules", "list", "table",
                   columns=("Id", "Name", "Severity", "Principle", "What it finds", "Violations"), rows=tuple(rows))


def _rule_severity(content: SiteContent, rule: RuleDefinition) -> tuple[Item, ...]:
    if rule.id not in content.enabled:
        return (Item("disabled", badge="none"),)
    note = f"default {rule.default_severity.label}" if rule.severity != rule.default_severity else ""
    return (Item(rule.severity.label, badge=rule.severity.label, note=note),)


def principle_page(content: SiteContent, principle: Principle) -> Page:
    page = Page(principle_path(principle.id), principle.name, "Principle", id=principle.id,
                subtitle=f"Principle · {principle.id}",
                summary=principle.statement, badges=(Item("Principle", badge="kind"),))
    fields = [Field("Id", (Item(principle.id, code=True),))]
    if principle.source:
        fields.append(Field("Source", (Item(principle.source),)))
    fields.append(Field("Defined in", (Item(str(principle.location), code=True),)))
    page.sections.append(Section("Details", "details", "fields", fields=tuple(fields)))
    if principle.rationale:
        page.sections.append(Section("Rationale", "rationale", "text", text=(principle.rationale,)))
    page.sections.append(Section("Implications", "implications", "list",
                                 items=tuple(Item(text) for text in principle.implications)))
    rules = [r for r in content.rules if r.principle == principle.id]
    page.sections.append(Section("Rules", "rules", "table", columns=("Rule", "Name", "Severity", "Violations"),
                                 rows=tuple(((content.rule_ref(r.id),), (Item(r.name),), _rule_severity(content, r),
                                             _linked_count(content, r)) for r in rules),
                                 empty="No rule checks this principle yet."))
    page.sections.append(violation_table(content, content.xref.by_principle.get(principle.id, []), by="both"))
    return page


def _linked_count(content: SiteContent, rule: RuleDefinition) -> tuple[Item, ...]:
    items = content.violation_count(content.xref.by_rule.get(rule.id, []))
    return tuple(Item(i.text, rule_path(rule.id), "violations", i.badge) for i in items)


def rule_page(content: SiteContent, rule: RuleDefinition) -> Page:
    page = Page(rule_path(rule.id), f"{rule.id} {rule.name}", "Rule", id=rule.id, subtitle=f"Rule · {rule.engine}",
                summary=rule.description, badges=(Item("Rule", badge="kind"), *_rule_severity(content, rule)))
    fields = [Field("Principle", (content.principle_ref(rule.principle),)),
              Field("Severity", _rule_severity(content, rule)),
              Field("Engine", (Item(rule.engine, code=True),))]
    if rule.tags:
        fields.append(Field("Tags", tuple(Item(t, code=True) for t in rule.tags)))
    fields.append(Field("Defined in", (Item(str(rule.location), code=True),)))
    page.sections.append(Section("Details", "details", "fields", fields=tuple(fields)))
    page.sections.append(Section("How to fix", "remediation", "text", text=(rule.remediation,)))
    what = {"sparql": "SPARQL query", "shacl": "SHACL shapes", "python": "Python rule"}.get(rule.engine, rule.engine)
    page.sections.append(Section(what, "query", "code", text=(rule.body.rstrip(),),
                                 language={"sparql": "sparql", "shacl": "turtle"}.get(rule.engine, "")))
    empty = "No violations." if rule.id in content.enabled else "The rule is disabled in archrepo.yaml."
    page.sections.append(violation_table(content, content.xref.by_rule.get(rule.id, []), by="element",
                                         empty=empty))
    return page


def violations_page(content: SiteContent) -> Page:
    violations = sorted(content.result.violations)
    page = Page("violations", "All violations", "violations", subtitle=f"As of {content.as_of.isoformat()}")
    page.sections.append(violation_table(content, violations, by="both"))
    return page


def explorer_page(content: SiteContent) -> Page:
    """The explorer (HTML only): its own template and script draw it from explorer-data.js."""
    counts = content.model.counts()
    return Page("explorer", "Explorer", "explorer", subtitle=f"As of {content.as_of.isoformat()}",
                summary=f"{plural(counts['Application'], 'application')} and "
                        f"{plural(counts['Integration'], 'integration')}: drag to pan, scroll to zoom, find an "
                        "application or click one to see its neighbourhood (1 or 2 hops, through integration "
                        "platforms); filter by owner, lifecycle, standard and violations.")
