"""Structurizr relationships → Integrations.

A relationship between two different applications (or between elements inside them: containers and
components stand for their application) becomes an Integration. Where the workspace has no relationship
between two applications but their containers or components talk, the first such relationship stands for
them all. Implied relationships (``linkedRelationshipId``: copies Structurizr derives from another one) are
left out: the relationship they copy is already counted.

Direction (ARCHITECTURE.md: the source sends the data, the target receives it, the initiator opens the
call): "A uses B" means A calls B, so A is the initiator. Who sends the data is read from the description
where it says so: "gets … from", "reads from", "fetches" → B sends (source B, target A, initiator: target);
"sends", "writes to", "delivers", "publishes" → A sends (source A, target B, initiator: source). Otherwise
(or when it says both) the data direction is assumed to be A → B, and the report says so. The technology
gives the standard when it names a known one (``REST/HTTPS`` → REST), else ``unknown``; the interaction
style gives the mode.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from archrepo.interop.structurizr.workspace import Workspace

__all__ = ["EXAMPLE_STANDARDS", "data_direction", "link_relationships", "match_standard"]

DEFAULT_STANDARD = "unknown"
# The approved standards of archrepo's default config, and the other examples of ARCHITECTURE.md.
EXAMPLE_STANDARDS = ("HL7v2", "FHIR-R4", "KITH-XML", "DICOM", "IHE-XDS", "ebXML", "REST", "SOAP", "SFTP", "file")
_MODES = {"synchronous": "sync", "asynchronous": "async"}
_PULLS = re.compile(r"\b(gets?|getting|reads?|reading|fetch(es|ing)?|retriev(es?|ing)|loads?|loading|quer(y|ies)|"
                    r"pulls?|downloads?|looks? up|receives?|subscribes?|polls?|consumes?|obtains?|collects?)\b",
                    re.IGNORECASE)
_PUSHES = re.compile(r"\b(sends?|sending|writes?|writing|posts?|publish(es)?|push(es)?|uploads?|delivers?|"
                     r"notif(y|ies)|submits?|stores?|saves?|updates?|forwards?|emails?|e-mails?|exports?|"
                     r"produces?|reports?)\b", re.IGNORECASE)


def match_standard(technology: str, standards: tuple[str, ...]) -> str | None:
    """The standard a technology string names: the whole string, or one of its words (``REST/HTTPS``)."""
    def norm(text: str) -> str:
        return re.sub(r"[^a-z0-9]", "", text.lower())

    words = {norm(word) for word in re.split(r"[\s/,;+()]+", technology) if word}
    for standard in standards:
        if norm(standard) == norm(technology):
            return standard
    return next((standard for standard in standards if norm(standard) in words), None)


def data_direction(description: str, technology: str = "") -> str | None:
    """``"pull"`` (the one that uses receives the data), ``"push"`` (it sends it) or None (not said, or both)."""
    pulls = bool(_PULLS.search(description))
    pushes = bool(_PUSHES.search(description)) or technology.strip().upper() == "SMTP"
    if pulls == pushes:
        return None
    return "pull" if pulls else "push"


def link_relationships(workspace: Workspace) -> None:
    """One Integration per pair of applications that talk (see the module docstring)."""
    exact: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    lifted: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    unmapped: list[tuple[dict[str, Any], str]] = []
    for relationship in workspace.relationships:
        source, target = str(relationship.get("sourceId", "")), str(relationship.get("destinationId", ""))
        pair = (_represent(workspace, source), _represent(workspace, target))
        if relationship.get("linkedRelationshipId"):
            unmapped.append((relationship, "implied by another relationship (linkedRelationshipId)"))
        elif str(relationship.get("id")) in workspace.used:
            continue  # deployment made something of it
        elif pair[0] is None or pair[1] is None:
            unmapped.append((relationship, "an end is not an application"))
        elif pair[0] == pair[1]:
            unmapped.append((relationship, "inside one application"))
        elif pair == (source, target):
            exact[(pair[0], pair[1])].append(relationship)
        else:
            lifted[(pair[0], pair[1])].append(relationship)
    for pair in dict.fromkeys([*exact, *lifted]):
        chosen = exact.get(pair) or lifted[pair][:1]
        for relationship in [*exact.get(pair, []), *lifted.get(pair, [])]:
            workspace.report.relationship(_type_of(workspace, relationship), relationship in chosen)
        for relationship in chosen:
            _integration(workspace, relationship, pair)
        if len(lifted.get(pair, [])) > (0 if exact.get(pair) else 1):
            workspace.report.routine("container/component relationships represented by one integration",
                                     f"{workspace.ids[pair[0]]} → {workspace.ids[pair[1]]}: container/component "
                                     "relationships represented by one integration between the applications")
    for relationship, reason in unmapped:
        workspace.report.relationship(_type_of(workspace, relationship), False)
        workspace.report.routine(f"relationships not mapped: {reason}",
                                 f"relationship {relationship.get('id')} ({_type_of(workspace, relationship)}, "
                                 f"'{relationship.get('description') or ''}'): {reason}; not mapped",
                                 _type_of(workspace, relationship))


def _represent(workspace: Workspace, identifier: str) -> str | None:
    """The application an element stands for (its system, or its container with --containers)."""
    node = workspace.nodes.get(identifier)
    if node is None:
        return None
    if workspace.containers and node.container is not None and node.type in ("Container", "Component"):
        return node.container
    return node.system if node.type in ("SoftwareSystem", "Container", "Component") else None


def _type_of(workspace: Workspace, relationship: dict[str, Any]) -> str:
    def kind(identifier: Any) -> str:
        node = workspace.nodes.get(str(identifier))
        return node.type if node is not None else "(unknown)"
    return f"{kind(relationship.get('sourceId'))} → {kind(relationship.get('destinationId'))}"


def _integration(workspace: Workspace, relationship: dict[str, Any], pair: tuple[str, str]) -> None:
    user, used = workspace.ids[pair[0]], workspace.ids[pair[1]]
    technology = str(relationship.get("technology") or "").strip()
    description = str(relationship.get("description") or "").strip()
    direction = data_direction(description, technology)
    source, target = (used, user) if direction == "pull" else (user, used)
    document: dict[str, Any] = {"kind": "Integration", "id": workspace.allocator.allocate(f"{source}-to-{target}")}
    standard = match_standard(technology, workspace.standards) if technology else None
    if technology and standard != technology:
        description = f"{description} (technology: {technology})".strip()
    if description:
        document["description"] = description
    document.update(source=source, target=target, initiator="target" if direction == "pull" else "source")
    document["standard"] = standard or DEFAULT_STANDARD
    if standard is None:
        workspace.report.default(f"Integration standard = {DEFAULT_STANDARD} (technology names no known standard)")
    mode = _MODES.get(str(relationship.get("interactionStyle", "")).lower())
    if mode:
        document["mode"] = mode
    document["properties"] = {"structurizr_id": str(relationship.get("id", ""))}
    _report_reading(workspace, direction, user, used, description)
    workspace.add(document)


def _report_reading(workspace: Workspace, direction: str | None, user: str, used: str, description: str) -> None:
    report = workspace.report
    if direction == "pull":
        report.reading("'A uses B', the description says A gets data from B: source B, target A, initiator: target")
    elif direction == "push":
        report.reading("'A uses B', the description says A sends data to B: source A, target B, initiator: source")
    else:
        report.reading("'A uses B', data direction not stated: assumed source A, target B, initiator: source")
        report.routine("data direction assumed (A uses B: A sends to B); check these integrations",
                       f"{user} → {used} ('{description}'): the data direction is not stated; assumed {user} sends "
                       f"to {used}")
