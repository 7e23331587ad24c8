"""What every page builder shares: the check result, the cross references, and items for common values
(a link to an element, a violation table, a violation count)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx

from archrepo.model.elements import Element, Model, effective_status
from archrepo.rules.check import CheckResult
from archrepo.rules.definitions import Principle, RuleDefinition
from archrepo.rules.violation import Violation
from archrepo.site.crossref import CrossReference
from archrepo.site.links import Item, Section, element_path, principle_path, rule_path
from archrepo.views.impact import TechnologyUse, in_service
from archrepo.views.technology import TechnologyStates

__all__ = ["SEVERITIES", "SiteContent", "natural_key", "plural", "severity_counts", "status_item", "violation_table"]

SEVERITIES: tuple[str, ...] = ("error", "warning", "info")


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts EH-2 before EH-11."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@dataclass
class SiteContent:
    """The inputs of every page, loaded once."""

    model: Model
    result: CheckResult
    xref: CrossReference
    as_of: dt.date
    rules: list[RuleDefinition]  # every rule, the disabled ones too
    enabled: frozenset[str]  # ids of the rules that ran
    # page path -> (whether a diagram is drawn, a note on what it leaves out or why there is none)
    diagrams: Mapping[str, tuple[bool, str]]
    approved_standards: tuple[str, ...]
    explorer: bool = False  # the site has an explorer page (HTML) that pages can link to
    dependencies: nx.DiGraph | None = None  # for impact lists (technology pages)
    _refs: dict[str, Item] = field(default_factory=dict, init=False, repr=False, compare=False)

    @cached_property
    def technology_use(self) -> TechnologyUse:
        """Which applications use which technology, read from the model once."""
        return TechnologyUse(self.model)

    @cached_property
    def serving(self) -> set[str]:
        """The applications not retired as of the site's date."""
        return in_service(self.model, self.as_of)

    @cached_property
    def technology_states(self) -> TechnologyStates:
        """Lifecycle states of the technology as of the site's date, each closure computed once."""
        return TechnologyStates(self.model, self.as_of)

    def diagram_section(self, path: str, *, title: str = "Diagram", anchor: str = "diagram",
                        explore: Item | None = None) -> Section | None:
        """The section showing the diagram planned for ``path`` (or saying why there is none), with a link
        into the explorer when the site has one."""
        planned = self.diagrams.get(path)
        if planned is None:
            return None
        drawn, note = planned
        links = (explore,) if explore is not None and self.explorer else ()
        return Section(title, anchor, "diagram", diagram=path if drawn else None, note=note, items=links)

    @property
    def principles(self) -> dict[str, Principle]:
        return self.result.principles

    def sorted_principles(self) -> list[Principle]:
        return sorted(self.principles.values(), key=lambda p: natural_key(p.id))

    def ref(self, element_id: str | None, note: str = "") -> Item:
        """A link to an element's page, named by the element's name."""
        if not note and element_id and (known := self._refs.get(element_id)) is not None:
            return known  # (an Item cannot change: one serves every page that names the element)
        element = self.model.get(element_id) if element_id else None
        if element is None:
            return Item(element_id or "—", note=note)
        item = Item(element.name, element_path(element.kind, element.id), note=note)
        if not note:
            self._refs[element.id] = item
        return item

    def refs(self, element_ids: Iterable[str]) -> tuple[Item, ...]:
        return tuple(self.ref(element_id) for element_id in element_ids)

    def principle_ref(self, principle_id: str) -> Item:
        principle = self.principles.get(principle_id)
        if principle is None:
            return Item(principle_id)
        return Item(f"{principle.id} {principle.name}", principle_path(principle.id))

    def rule_ref(self, rule_id: str, *, anchor: str = "") -> Item:
        return Item(rule_id, rule_path(rule_id), anchor=anchor)

    def status(self, application: Element) -> Item:
        """An application's lifecycle status as of the site date, as a badge."""
        status = effective_status(application, self.as_of)
        written = str((application.get("lifecycle") or {}).get("status", "active"))
        note = f"written as {written}; its retire date has passed" if status != written else ""
        return Item(status, badge=status, note=note)

    def violation_count(self, violations: list[Violation]) -> tuple[Item, ...]:
        """The counting violations, as a badge of the worst severity, and how many are waived or baselined."""
        counting = [v for v in violations if v.counts]
        items: list[Item] = []
        if counting:
            worst = max(counting, key=lambda v: int(v.severity)).severity.label
            items.append(Item(str(len(counting)), badge=worst))
        waived = sum(1 for v in violations if v.waived)
        baselined = sum(1 for v in violations if v.baselined and not v.waived)
        if waived:
            items.append(Item(f"{waived} waived", badge="waived"))
        if baselined:
            items.append(Item(f"{baselined} baselined", badge="baselined"))
        return tuple(items) or (Item("0", badge="none"),)


def status_item(violation: Violation) -> Item:
    if violation.waived:
        waiver = violation.waiver
        note = (f"{waiver.reason} (approved by {waiver.approved_by}, expires {waiver.expires})"
                if waiver else "")
        return Item("waived", badge="waived", note=note)
    if violation.baselined:
        return Item("baselined", badge="baselined", note="known from the baseline")
    return Item("open", badge="open")


def violation_table(content: SiteContent, violations: list[Violation], *, title: str = "Violations",
                    anchor: str = "violations", by: str = "rule", empty: str = "No violations.") -> Section:
    """A table of violations. ``by``: what the first column names: ``rule`` (element pages), ``element``
    (rule pages), or ``both`` (the list of all violations)."""
    columns: tuple[str, ...] = {"rule": ("Rule",), "element": ("Element",), "both": ("Rule", "Element")}[by]
    columns += ("Severity", "Message", "Related", "Location", "Status")
    rows = []
    for violation in violations:
        first: list[tuple[Item, ...]] = []
        if by in ("rule", "both"):
            first.append((content.rule_ref(violation.rule),))
        if by in ("element", "both"):
            first.append((content.ref(violation.element, note=violation.kind),))
        rows.append((
            *first,
            (Item(violation.severity.label, badge=violation.severity.label),),
            (Item(violation.message),),
            content.refs(r for r in violation.related if r != violation.element),
            (Item(str(violation.location), code=True),),
            (status_item(violation),),
        ))
    counting = sum(1 for v in violations if v.counts)
    note = f"{counting} counting, {len(violations) - counting} waived or baselined" if violations else ""
    return Section(title, anchor, "table", columns=columns, rows=tuple(rows), empty=empty, note=note)


def severity_counts(violations: list[Violation]) -> dict[str, int]:
    """Counting violations per severity, plus ``waived`` and ``baselined``."""
    counts = {label: 0 for label in (*SEVERITIES, "waived", "baselined")}
    for violation in violations:
        if violation.waived:
            counts["waived"] += 1
        elif violation.baselined:
            counts["baselined"] += 1
        else:
            counts[violation.severity.label] += 1
    return counts
