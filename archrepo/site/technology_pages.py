"""The page of a Technology: what it is, its lifecycle dates and state as of the site's date, what it runs on
and what runs on it, the applications that rely on it, and the impact of losing it."""

from __future__ import annotations

from archrepo.model.elements import Element
from archrepo.site.content import SiteContent
from archrepo.site.links import Field, Item, Section
from archrepo.views.impact import analyse_impact
from archrepo.views.technology import STATE_LABELS

__all__ = ["LIST_LIMIT", "technology_fields", "technology_state"]

LIST_LIMIT = 500  # rows of a technology's application and impact tables; the CLI lists the rest
_STATE_BADGES = {"end-of-life": "error", "end-of-support": "warning", "support-ending": "phase-out",
                 "supported": "active", "unknown": "none"}


def technology_state(content: SiteContent, technology: Element) -> Item:
    """Its lifecycle state as of the site's date, as a badge."""
    state = content.technology_states.of_technology(technology)
    return Item(STATE_LABELS[state], badge=_STATE_BADGES[state])


def technology_fields(content: SiteContent, element: Element) -> tuple[list[Field], list[Section]]:
    owner = element.get("owner")
    dates = [Item(f"{label} {element.get(key)}") for key, label in
             (("end_of_support", "end of support"), ("end_of_life", "end of life")) if element.get(key)]
    fields = [
        *([Field("Type", (Item(str(element.get("type"))),))] if element.get("type") else []),
        *([Field("Vendor", (Item(str(element.get("vendor"))),))] if element.get("vendor") else []),
        *([Field("Version", (Item(str(element.get("version")), code=True),))] if element.get("version") else []),
        *([Field("Owner", (content.ref(owner),))] if owner else []),
        Field("Lifecycle", (technology_state(content, element), *dates,
                            Item(f"as of {content.as_of.isoformat()}", note=""))),
    ]
    if element.get("ring"):
        since = f"since {element.get('ring_since')}" if element.get("ring_since") else ""
        fields.append(Field("Ring", (Item(str(element.get("ring")), badge=str(element.get("ring")), note=since),)))
    chain = sorted(content.technology_states.closure(element.id) - {element.id})
    if element.get("runs_on"):
        fields.append(Field("Runs on", content.refs(element.get("runs_on"))))
    if chain and set(chain) != set(element.get("runs_on") or ()):
        fields.append(Field("Runs on, all the way down", content.refs(chain)))
    users, above = content.technology_use.users(element.id)
    direct = content.technology_use.direct(element.id)
    sections = [
        Section("Technology running on it", "above", "list", items=content.refs(above),
                empty="No other technology runs on it."),
        _users_table(content, users, direct),
        _impact_table(content, element),
    ]
    return fields, sections


def _users_table(content: SiteContent, users: list[str], direct: set[str]) -> Section:
    rows = []
    for application_id in users[:LIST_LIMIT]:
        application = content.model.elements[application_id]
        how = "directly" if application_id in direct else "through technology that runs on it"
        owner = application.get("owner")
        rows.append(((content.ref(application_id),), (content.status(application),),
                     (content.ref(owner),) if owner else (), (Item(how),)))
    note = (f"The first {LIST_LIMIT} of {len(users)}; `archrepo impact` lists them all."
            if len(users) > LIST_LIMIT else "")
    return Section("Applications relying on it", "applications", "table",
                   columns=("Application", "Status", "Owner", "How"), rows=tuple(rows), note=note,
                   empty="No application relies on it (TEC003 reports this).")


def _impact_table(content: SiteContent, element: Element) -> Section:
    """Every application in service that depends on it, nearest first (those relying on it at distance 1)."""
    result = analyse_impact(content.model, content.dependencies, element.id, content.as_of,
                            use=content.technology_use, serving=content.serving)
    rows = tuple(((content.ref(impacted.id),), (Item(str(impacted.distance)),),
                  tuple(content.ref(step) for step in impacted.path[1:-1]))
                 for impacted in result.applications[:LIST_LIMIT])
    steps = len(result.process_steps)
    note = (f"{len(result.applications)} applications and {steps} process step{'s' if steps != 1 else ''} "
            f"depend on it, directly or transitively.")
    if len(result.applications) > LIST_LIMIT:
        note += f" The nearest {LIST_LIMIT} are listed; `archrepo impact {element.id}` lists them all."
    return Section("Impact: what depends on it", "impact", "table", columns=("Application", "Distance", "Through"),
                   rows=rows, note=note, empty="Nothing in service depends on it.")
