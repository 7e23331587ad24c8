"""A page per model element: its fields, its diagram, the elements it relates to, its violations."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from archrepo.model.elements import Element
from archrepo.rules.violation import Violation
from archrepo.site.content import SiteContent, plural, violation_table
from archrepo.site.links import KIND_LABELS, Field, Item, Page, Section, element_path
from archrepo.site.technology_pages import technology_fields, technology_state

__all__ = ["element_page"]

Row = tuple[tuple[Item, ...], ...]


def element_page(content: SiteContent, element: Element) -> Page:
    """The page of one element of any kind."""
    path = element_path(element.kind, element.id)
    page = Page(path, element.name, element.kind, id=element.id,
                subtitle=f"{KIND_LABELS[element.kind][0]} · {element.id}",
                summary=str(element.get("description") or ""))
    fields, related = _BUILDERS[element.kind](content, element)
    fields.append(Field("Defined in", (Item(str(element.location), code=True),)))
    own = content.xref.by_element.get(element.id, [])
    page.badges = _badges(content, element, own)
    page.sections.append(Section("Details", "details", "fields", fields=tuple(fields)))
    diagram = content.diagram_section(path, explore=_explore(element))
    if diagram is not None:
        page.sections.append(diagram)
    page.sections += related
    page.sections.append(violation_table(content, own))
    involving = content.xref.involving.get(element.id, [])
    if involving:
        page.sections.append(violation_table(content, involving, title="Involved in violations of other elements",
                                             anchor="involved", by="both"))
    return page


def _explore(element: Element) -> Item | None:
    """Where the explorer shows this element's surroundings (its state is in the fragment)."""
    if element.kind == "Application":
        return Item("Explore its neighbourhood", "explorer", anchor=f"app={element.id}")
    if element.kind == "Organisation":
        return Item("Explore its applications", "explorer", anchor=f"owner={element.id}")
    return None


def _badges(content: SiteContent, element: Element, own: list[Violation]) -> tuple[Item, ...]:
    badges = [Item(KIND_LABELS[element.kind][0], badge="kind")]
    if element.kind == "Application":
        badges.append(content.status(element))
    elif element.kind == "Integration":
        status = str(element.get("status", "active"))
        badges.append(Item(status, badge=status))
    counting = [v for v in own if v.counts]
    for label in ("error", "warning", "info"):
        count = sum(1 for v in counting if v.severity.label == label)
        if count:
            badges.append(Item(plural(count, label), path=element_path(element.kind, element.id),
                               anchor="violations", badge=label))
    waived = sum(1 for v in own if v.waived)
    if waived:
        badges.append(Item(f"{waived} waived", badge="waived"))
    return tuple(badges)


def _text(label: str, value: object, *, badge: bool = False, code: bool = False) -> list[Field]:
    if value is None or value == "" or value == []:
        return []
    text = str(value)
    return [Field(label, (Item(text, badge=text if badge else None, code=code),))]


def _texts(label: str, values: object, *, code: bool = False) -> list[Field]:
    if not values or not isinstance(values, list | tuple):
        return []
    return [Field(label, tuple(Item(str(v), code=code) for v in values))]


def _properties(content: SiteContent, element: Element) -> list[Field]:
    """The organisation's own attributes; a value that is the id of an element links to it."""
    properties = element.get("properties") or {}
    fields = []
    for key in sorted(properties):
        value = properties[key]
        values = value if isinstance(value, list) else [value]
        fields.append(Field(str(key), tuple(content.ref(v, note=v) if isinstance(v, str) and v in content.model
                                            else Item(str(v)) for v in values)))
    return fields


def _table(title: str, anchor: str, columns: tuple[str, ...], rows: Sequence[tuple[tuple[Item, ...], ...]],
           empty: str = "None.") -> Section:
    return Section(title, anchor, "table", columns=columns, rows=tuple(rows), empty=empty)


def _initiator(integration: Element) -> str:
    """The application that opens the call or transfer: the source (a push) unless ``initiator: target``."""
    return str(integration.get("target") if integration.get("initiator") == "target" else integration.get("source"))


def _integration_rows(content: SiteContent, integrations: list[Element], end: str) -> list[Row]:
    return [((content.ref(i.id),), (content.ref(i.get(end)),), (Item(str(i.get("standard")), code=True),),
             (Item(str(i.get("mode", "async"))),), (content.ref(_initiator(i)),),
             (content.ref(i.get("via")),) if i.get("via") else (),
             (Item(str(i.get("status", "active")), badge=str(i.get("status", "active"))),))
            for i in integrations]


def _application(content: SiteContent, element: Element) -> tuple[list[Field], list[Section]]:
    lifecycle = element.get("lifecycle") or {}
    dates = [Item(f"{label} {lifecycle[key]}") for key, label in
             (("since", "since"), ("phase_out", "phase-out"), ("retire", "retire")) if lifecycle.get(key)]
    owner = element.get("owner")
    fields = [
        Field("Owner", (content.ref(owner),) if owner else (Item("no owner", badge="missing"),)),
        Field("Lifecycle", (content.status(element), *dates)),
        *_text("Criticality", element.get("criticality"), badge=True),
        *_text("Classification", element.get("classification"), badge=True),
        *_texts("Roles", element.get("roles")),
        *_text("Vendor", element.get("vendor")),
        *_text("Hosting", element.get("hosting")),
    ]
    if element.get("capabilities"):
        fields.append(Field("Capabilities", content.refs(element.get("capabilities"))))
    if element.get("technologies"):
        fields.append(Field("Technologies", tuple(
            Item(t.name, element_path("Technology", t.id), note=technology_state(content, t).text)
            for t in (content.model.elements[i] for i in element.get("technologies")))))
    fields += _texts("Tags", element.get("tags"), code=True) + _properties(content, element)
    xref = content.xref
    columns = ("Integration", "{}", "Standard", "Mode", "Initiated by", "Via", "Status")
    sections = [
        _table("Sends data to (integrations out)", "integrations-out", _cols(columns, "Receiver"),
               _integration_rows(content, xref.outgoing.get(element.id, []), "target")),
        _table("Receives data from (integrations in)", "integrations-in", _cols(columns, "Sender"),
               _integration_rows(content, xref.incoming.get(element.id, []), "source")),
    ]
    routed = xref.routed.get(element.id, [])
    if routed:
        sections.append(_table("Integrations routed through it", "routed", ("Integration", "Source", "Target"),
                               [((content.ref(i.id),), (content.ref(i.get("source")),),
                                 (content.ref(i.get("target")),)) for i in routed]))
    sections.append(_table("Process steps it supports", "processes", ("Process", "Step"),
                           [((content.ref(p.id),), (Item(str(s["name"]), note=str(s["id"])),))
                            for p, s in xref.steps.get(element.id, [])]))
    sections.append(_table("Data it masters", "data", ("Data object", "Classification"),
                           [((content.ref(d.id),), _badge(d.get("classification")))
                            for d in xref.masters.get(element.id, [])]))
    return fields, sections


def _cols(columns: tuple[str, ...], other: str) -> tuple[str, ...]:
    return tuple(other if c == "{}" else c for c in columns)


def _badge(value: object) -> tuple[Item, ...]:
    return (Item(str(value), badge=str(value)),) if value else ()


def _integration(content: SiteContent, element: Element) -> tuple[list[Field], list[Section]]:
    standard = str(element.get("standard"))
    approved = standard in content.approved_standards
    security = element.get("security") or {}
    data = element.get("data") or []
    source, target, via = element.get("source"), element.get("target"), element.get("via")
    pull = element.get("initiator") == "target"
    fields = [
        Field("In short", (Item(_flow_sentence(content, element)),)),
        Field("Source", (content.ref(source, note="sends the data"),)),
        Field("Target", (content.ref(target, note="receives it"),)),
        Field("Initiated by", (content.ref(_initiator(element), note=(
            "the target: it asks the source for the data (a pull or lookup)" if pull
            else "the source: it pushes the data to the target")),)),
        Field("Via", (content.ref(via, note="carries it between the two"),) if via else (Item("point-to-point"),)),
        Field("Standard", (Item(standard, code=True, note="" if approved else "not an approved standard"),)),
        Field("Mode", (Item(str(element.get("mode", "async"))),)),
        Field("Status", _badge(element.get("status", "active"))),
        *_text("Since", element.get("since")),
        *_text("Until", element.get("until")),
        Field("Encrypted", (Item("yes" if security.get("encrypted") else "no",
                                 badge="yes" if security.get("encrypted") else "no"),)),
        Field("Authentication", (Item(str(security.get("authentication", "none")), code=True),)),
        *_properties(content, element),
    ]
    sections = [_table("Data it carries", "data", ("Data object", "Classification", "Master"),
                       [((content.ref(d),), _badge(_get(content, d, "classification")),
                         (content.ref(_get(content, d, "master")),) if _get(content, d, "master") else ())
                        for d in data])]
    return fields, sections


def _flow_sentence(content: SiteContent, integration: Element) -> str:
    """The integration in one sentence: who sends what to whom, through what, and who opens the call."""
    def name(element_id: object) -> str:
        element = content.model.get(str(element_id)) if element_id else None
        return element.name if element is not None else str(element_id)

    data = [name(d) for d in integration.get("data") or ()]
    what = ", ".join(data) if data else "data"
    via = f" through {name(integration.get('via'))}" if integration.get("via") else ""
    opener = (f"{name(integration.get('target'))} opens the call (a pull)" if integration.get("initiator") == "target"
              else f"{name(integration.get('source'))} opens the call (a push)")
    mode = str(integration.get("mode", "async"))
    return f"{name(integration.get('source'))} sends {what} to {name(integration.get('target'))}{via}; {opener}, " \
           f"{mode}."


def _get(content: SiteContent, element_id: str, key: str) -> str | None:
    element = content.model.get(element_id)
    value = element.get(key) if element else None
    return str(value) if value else None


def _data_object(content: SiteContent, element: Element) -> tuple[list[Field], list[Section]]:
    master = element.get("master")
    fields = [
        Field("Classification", _badge(element.get("classification"))),
        Field("Master", (content.ref(master),) if master else (Item("no master", badge="missing"),)),
        *_properties(content, element),
    ]
    carriers = content.xref.carriers.get(element.id, [])
    sections = [_table("Integrations that carry it", "integrations", ("Integration", "Source", "Target", "Standard"),
                       [((content.ref(i.id),), (content.ref(i.get("source")),), (content.ref(i.get("target")),),
                         (Item(str(i.get("standard")), code=True),)) for i in carriers])]
    return fields, sections


def _process(content: SiteContent, element: Element) -> tuple[list[Field], list[Section]]:
    steps = element.get("steps") or []
    names = {str(s["id"]): str(s["name"]) for s in steps}
    fields = [
        Field("Owner", (content.ref(element.get("owner")),) if element.get("owner") else (Item("no owner"),)),
        *([Field("Capability", (content.ref(element.get("capability")),))] if element.get("capability") else []),
        Field("Steps", (Item(str(len(steps))),)),
        *_properties(content, element),
    ]
    rows = [((Item(str(position)),), (Item(str(step["name"]), note=str(step["id"])),),
             content.refs(step.get("supported_by") or ()),
             tuple(Item(names.get(str(n), str(n))) for n in step.get("next") or ()))
            for position, step in enumerate(steps, start=1)]
    supporting = sorted({a for s in steps for a in s.get("supported_by") or ()})
    sections = [_table("Steps", "steps", ("#", "Step", "Supported by", "Next"), rows),
                Section("Applications that support it", "applications", "list", items=content.refs(supporting))]
    return fields, sections


def _organisation(content: SiteContent, element: Element) -> tuple[list[Field], list[Section]]:
    xref = content.xref
    fields = [
        *_text("Type", element.get("type")),
        *([Field("Parent", (content.ref(element.get("parent")),))] if element.get("parent") else []),
        Field("External", (Item("yes" if element.get("external") else "no"),)),
        *_properties(content, element),
    ]
    owned = xref.owned.get(element.id, [])
    sections = [
        Section("Organisations below it", "children", "list",
                items=content.refs(c.id for c in xref.children.get(element.id, []))),
        _table("Applications it owns", "applications", ("Application", "Status", "Criticality"),
               [((content.ref(a.id),), (content.status(a),), _badge(a.get("criticality")))
                for a in owned if a.kind == "Application"]),
        Section("Processes it owns", "processes", "list",
                items=content.refs(p.id for p in owned if p.kind == "Process")),
    ]
    return fields, sections


def _capability(content: SiteContent, element: Element) -> tuple[list[Field], list[Section]]:
    xref = content.xref
    fields = [*([Field("Parent", (content.ref(element.get("parent")),))] if element.get("parent") else []),
              *_properties(content, element)]
    realising = xref.realising.get(element.id, [])
    sections = [
        Section("Capabilities below it", "children", "list",
                items=content.refs(c.id for c in xref.children.get(element.id, []))),
        _table("Applications that provide it", "applications", ("Application", "Status", "Owner"),
               [((content.ref(a.id),), (content.status(a),),
                 (content.ref(a.get("owner")),) if a.get("owner") else ())
                for a in realising if a.kind == "Application"]),
        Section("Processes that realise it", "processes", "list",
                items=content.refs(p.id for p in realising if p.kind == "Process")),
    ]
    return fields, sections


_BUILDERS: dict[str, Callable[[SiteContent, Element], tuple[list[Field], list[Section]]]] = {
    "Application": _application,
    "Integration": _integration,
    "DataObject": _data_object,
    "Process": _process,
    "Organisation": _organisation,
    "Capability": _capability,
    "Technology": technology_fields,
}
