"""The data of the explorer page: every application, integration and organisation as one script that sets a
global (a page opened from file:// may not fetch a JSON file), with an overview layout made here.

Rows are arrays and references are positions in other arrays, so that 10,000 applications and 60,000
integrations stay a few megabytes. Every string is one printable line, JSON-encoded with ``<``, ``>``, ``&``
and the line separators U+2028/2029 as escapes: nothing in it can end the script (``</script>``) or be read as
markup; the page's script shows it only through ``textContent`` and Cytoscape's canvas.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Mapping

from archrepo.escaping import one_line
from archrepo.model.elements import Element, Model, effective_status
from archrepo.rules.violation import Violation
from archrepo.site.links import element_path

__all__ = ["EXPLORER_GLOBAL", "explorer_data", "explorer_script"]

EXPLORER_GLOBAL = "ARCHREPO_EXPLORER"
_TILE_W, _TILE_H, _HEAD, _GAP = 170, 56, 40, 60  # overview tiles and group boxes, in layout pixels
_ROLES = ("core-system", "integration-platform", "national-component", "external-channel")
_SAFE_JSON = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _text(value: object) -> str:
    return one_line(str(value)) if value is not None else ""


def _worst(violations: list[Violation]) -> tuple[str, int]:
    counting = [v for v in violations if v.counts]
    if not counting:
        return "", 0
    return max(counting, key=lambda v: int(v.severity)).severity.label, len(counting)


def explorer_data(model: Model, violations: Mapping[str, list[Violation]], as_of: dt.date,
                  ext: str = ".html") -> dict[str, object]:
    """The explorer's data (see the module docstring); ``violations``: the violations of each element."""
    organisations = model.of_kind("Organisation")
    org_index = {o.id: n for n, o in enumerate(organisations)}
    orgs = [[o.id, _text(o.name), org_index.get(o.get("parent") or "", -1), element_path("Organisation", o.id) + ext]
            for o in organisations]
    applications = model.of_kind("Application")
    app_index = {a.id: n for n, a in enumerate(applications)}
    positions, groups = _overview(applications, model)
    apps = []
    for application in applications:
        worst, count = _worst(violations.get(application.id, []))
        roles = [role for role in _ROLES if role in (application.get("roles") or ())]
        x, y, group = positions[application.id]
        apps.append([application.id, _text(application.name), org_index.get(application.get("owner") or "", -1),
                     effective_status(application, as_of), _text(application.get("criticality") or ""), roles,
                     worst, count, element_path("Application", application.id) + ext, x, y, group])
    standards: dict[str, int] = {}
    ints = []
    for integration in model.of_kind("Integration"):
        standard = _text(integration.get("standard"))
        worst, count = _worst(violations.get(integration.id, []))
        via = integration.get("via")
        ints.append([app_index[integration.get("source")], app_index[integration.get("target")],
                     app_index.get(via, -1), standards.setdefault(standard, len(standards)),
                     _text(integration.get("mode", "async")), "t" if integration.get("initiator") == "target" else "s",
                     integration.id, _text(integration.name), _text(integration.get("status", "active")), worst,
                     count, element_path("Integration", integration.id) + ext])
    return {"version": 1, "asOf": as_of.isoformat(), "orgs": orgs, "apps": apps, "ints": ints,
            "standards": list(standards), "groups": groups}


def explorer_script(data: Mapping[str, object], marker: str) -> str:
    """``window.ARCHREPO_EXPLORER = {…};`` with the markup-safe JSON encoding of the module docstring."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in _SAFE_JSON.items():
        body = body.replace(char, escape)
    return f"/* {marker} */\nwindow.{EXPLORER_GLOBAL} = {body};\n"


def _overview(applications: list[Element], model: Model) -> tuple[dict[str, tuple[int, int, int]], list[list[object]]]:
    """A map of the landscape: one box per owner (ordered by the organisation tree, so departments sit beside
    their trust), applications as tiles in it, boxes packed in shelves about as wide as the whole is tall.
    Returns each application's centre and box number, and the boxes as [label, x, y, width, height]."""
    by_owner: dict[str, list[Element]] = defaultdict(list)
    for application in applications:
        by_owner[application.get("owner") or ""].append(application)
    owners = sorted(by_owner, key=lambda owner: _tree_key(model, owner))
    sizes = []
    for owner in owners:
        count = len(by_owner[owner])
        columns = max(1, math.ceil(math.sqrt(count * 1.5)))
        rows = math.ceil(count / columns)
        sizes.append((columns, rows, columns * _TILE_W, _HEAD + rows * _TILE_H))
    area = sum(width * height for _, _, width, height in sizes)
    shelf_width = max([int(math.sqrt(area) * 1.6), *(width for _, _, width, _ in sizes)])
    positions: dict[str, tuple[int, int, int]] = {}
    groups: list[list[object]] = []
    x = y = shelf_height = 0
    for number, owner in enumerate(owners):
        columns, _, width, height = sizes[number]
        if x and x + width > shelf_width:
            x, y, shelf_height = 0, y + shelf_height + _GAP, 0
        owner_element = model.get(owner) if owner else None
        groups.append([_text(owner_element.name) if owner_element else "(no owner)", x, y, width, height])
        members = sorted(by_owner[owner], key=lambda a: (_text(a.name).casefold(), a.id))
        for place, application in enumerate(members):
            column, row = place % columns, place // columns
            positions[application.id] = (x + column * _TILE_W + _TILE_W // 2,
                                         y + _HEAD + row * _TILE_H + _TILE_H // 2, number)
        x += width + _GAP
        shelf_height = max(shelf_height, height)
    return positions, groups


def _tree_key(model: Model, owner: str) -> tuple[str, ...]:
    """The names from the top organisation down to ``owner`` (a parent cycle is cut where it closes)."""
    chain: list[str] = []
    current = model.get(owner) if owner else None
    while current is not None and current.id not in chain:
        chain.append(current.id)
        parent = current.get("parent")
        current = model.get(parent) if parent else None
    names = [_text(model.elements[o].name).casefold() for o in reversed(chain)]
    return (*names, owner) if owner else ("\uffff",)
