"""The canonical key order of every kind of file, and putting a parsed document into it.

Top-level keys, per kind (``EXAMPLES.md`` decides where it shows a kind; elsewhere ``kind, id, name,
description`` come first and the remaining fields follow the schema's property order)::

    Organisation  kind id name type parent external description
    Capability    kind id name parent description
    Application   kind id name description owner vendor hosting lifecycle criticality classification
                  roles capabilities tags properties
    DataObject    kind id name description classification master
    Integration   kind id name description source target via standard data mode status since until security
    Process       kind id name owner description capability steps
    Principle     kind id name statement rationale implications source url
    Rule          kind id name principle severity description remediation reach params sparql shacl python tags
                  help_uri

Nested mappings::

    Application.lifecycle   status since phase_out retire
    Integration.security    encrypted authentication
    Process.steps[*]        id name supported_by next

Capability has no example; it follows Organisation (and the reference model): ``parent`` before
``description``. Keys a kind does not know (the loader reports them as errors) keep their relative order
after the known ones; the contents of ``properties:`` and of any other mapping keep the user's order.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

__all__ = ["KEY_ORDER", "NESTED_ORDER", "canonical_keys", "reorder_document"]

KEY_ORDER: Mapping[str, tuple[str, ...]] = {
    "Organisation": ("kind", "id", "name", "type", "parent", "external", "description", "tags", "properties"),
    "Capability": ("kind", "id", "name", "parent", "description", "tags", "properties"),
    "Application": ("kind", "id", "name", "description", "owner", "vendor", "hosting", "lifecycle", "criticality",
                    "classification", "roles", "capabilities", "technologies", "tags", "properties"),
    "DataObject": ("kind", "id", "name", "description", "classification", "master", "tags", "properties"),
    "Integration": ("kind", "id", "name", "description", "source", "target", "initiator", "via", "standard", "data",
                    "mode", "status", "since", "until", "security", "tags", "properties"),
    "Process": ("kind", "id", "name", "owner", "description", "capability", "steps", "tags", "properties"),
    "Technology": ("kind", "id", "name", "description", "owner", "vendor", "version", "type", "end_of_support",
                   "end_of_life", "ring", "ring_since", "runs_on", "tags", "properties"),
    "Principle": ("kind", "id", "name", "statement", "rationale", "implications", "source", "url"),
    "Rule": ("kind", "id", "name", "principle", "severity", "description", "remediation", "reach", "params", "sparql",
             "shacl", "python", "tags", "help_uri"),
}

# (kind, field) -> order of the keys of that field's mapping, or of each mapping in that field's list
NESTED_ORDER: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("Application", "lifecycle"): ("status", "since", "phase_out", "retire"),
    ("Integration", "security"): ("encrypted", "authentication"),
    ("Process", "steps"): ("id", "name", "supported_by", "next"),
}


def canonical_keys(keys: Sequence[Any], order: Sequence[str]) -> list[Any]:
    """``keys`` in canonical order: the known ones as in ``order``, then the others as they came."""
    known = set(order)
    present = set(keys)
    return [key for key in order if key in present] + [key for key in keys if key not in known]


def reorder_document(document: Any) -> None:
    """Put the keys of one element document (a ruamel mapping) into its kind's canonical order, in place."""
    if not isinstance(document, MutableMapping):
        return
    kind = document.get("kind")
    order = KEY_ORDER.get(kind) if isinstance(kind, str) else None
    if order is None:
        return
    _reorder(document, order)
    for (nested_kind, field), nested_order in NESTED_ORDER.items():
        if nested_kind != kind:
            continue
        value = document.get(field)
        if isinstance(value, MutableMapping):
            _reorder(value, nested_order)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, MutableMapping):
                    _reorder(item, nested_order)


def _reorder(mapping: MutableMapping[Any, Any], order: Sequence[str]) -> None:
    wanted = canonical_keys(list(mapping), order)
    if wanted == list(mapping):
        return
    for key in wanted:  # CommentedMap is an OrderedDict: moving keeps values, styles and line info
        mapping.move_to_end(key)  # type: ignore[attr-defined]
