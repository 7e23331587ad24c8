"""Exporting a Process: one BusinessProcess for the process and one per step, or the process alone when its
only step is itself; composition (or what the import recorded) from the process to each step, serving from
the applications that support a step, triggering along ``next``."""

from __future__ import annotations

import re
from typing import Any

from archrepo.interop.archimate.concepts import Concept, ConceptSet, properties_of, recorded_type
from archrepo.interop.archimate.terms import ARCHIMATE_ID, ARCHIMATE_RELATIONSHIPS, ARCHIMATE_STEPS, ARCHREPO_ID
from archrepo.model.elements import Element

__all__ = ["add_process_relationships", "add_steps", "merged_step", "step_records"]

_XML_ID = re.compile(r"[A-Za-z_][A-Za-z0-9._-]*")
_PART_OF = ("Composition", "Aggregation", "none")


def step_records(process: Element) -> dict[str, dict[str, Any]]:
    """What an import recorded per step under ``properties: archimate_steps`` (step id → mapping)."""
    raw = (process.data.get("properties") or {}).get(ARCHIMATE_STEPS)
    return {str(k): v for k, v in raw.items() if isinstance(v, dict)} if isinstance(raw, dict) else {}


def merged_step(process: Element) -> str | None:
    """The step that is the process element itself: it has the process's id and name, and every other step
    is linked to it by triggering only (``part_of: none``, as in a chain of stand-alone processes)."""
    steps = process.data.get("steps") or []
    records = step_records(process)
    own = [s for s in steps if s.get("id") == process.id and s.get("name") == process.data.get("name")]
    if not own:
        return None
    others = [s for s in steps if s is not own[0]]
    if all(_part_of(records.get(str(s.get("id")), {})) == "none" for s in others):
        return process.id
    return None


def _part_of(record: dict[str, Any]) -> str:
    return recorded_type(record.get(ARCHIMATE_RELATIONSHIPS), "part_of", _PART_OF)


def add_steps(concepts: ConceptSet, process: Element, own: str, folder: tuple[str, ...]) -> None:
    """One BusinessProcess per step (none for the merged step, which is ``own``, the process element)."""
    merged = merged_step(process)
    records = step_records(process)
    for step in process.data.get("steps") or []:
        step_id = str(step["id"])
        if step_id == merged:
            concepts.step_ids[(process.id, step_id)] = own
            continue
        record = records.get(step_id, {})
        wanted = record.get(ARCHIMATE_ID)
        if isinstance(wanted, str) and _XML_ID.fullmatch(wanted) and concepts.free(wanted):
            identifier = concepts.unique(wanted)
        else:
            identifier = concepts.unique(f"id-{process.id}.{step_id}")
        description = record.get("description")
        concepts.step_ids[(process.id, step_id)] = concepts.add_element(Concept(
            identifier, "BusinessProcess", str(step.get("name") or step_id),
            description if isinstance(description, str) else "",
            [(ARCHREPO_ID, "string", step_id), *properties_of(record.get("properties"))], folder))


def add_process_relationships(concepts: ConceptSet, process: Element, ids: dict[str, str]) -> None:
    data, own = process.data, ids[process.id]
    if data.get("owner") in ids:
        concepts.relationship("Assignment", ids[data["owner"]], own)
    if data.get("capability") in ids:
        concepts.relationship("Realization", own, ids[data["capability"]])
    steps = data.get("steps") or []
    records = step_records(process)
    step_ids = {str(s["id"]): concepts.step_ids[(process.id, str(s["id"]))] for s in steps}
    for step_id, identifier in step_ids.items():
        record = records.get(step_id, {})
        part_of = _part_of(record)
        if identifier == own or part_of == "none":
            continue
        parent = record.get("parent")
        whole = step_ids[parent] if isinstance(parent, str) and parent in step_ids and parent != step_id else own
        concepts.relationship(part_of, whole, identifier)
    for step in steps:
        record = records.get(str(step["id"]), {})
        for application in step.get("supported_by") or []:
            if application in ids:
                kind = recorded_type(record.get(ARCHIMATE_RELATIONSHIPS), f"supported_by/{application}",
                                     ("Serving", "Realization"))
                concepts.relationship(kind, ids[application], step_ids[str(step["id"])])
    for step in steps:
        for following in step.get("next") or []:
            if following in step_ids:
                concepts.relationship("Triggering", step_ids[str(step["id"])], step_ids[following])
