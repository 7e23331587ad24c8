"""Properties of an exchange-file element → archrepo fields, and the properties left over."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from archrepo.interop.archimate.exchange import ExchangeItem, Property
from archrepo.interop.archimate.terms import (
    ARCHREPO_EMPTY,
    ARCHREPO_ID,
    ARCHREPO_JSON,
    EMPTY_FIELDS,
    FIELDS,
    PREFIX,
    FieldSpec,
    decode_list,
)
from archrepo.interop.report import ImportReport
from archrepo.interop.slug import property_key, slugify

__all__ = ["FieldValues", "read_fields", "set_path", "typed_properties", "typed_value"]

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_INT = re.compile(r"^[+-]?[0-9]+$")
_TRUE, _FALSE = {"true", "yes", "ja", "1"}, {"false", "no", "nei", "0"}


@dataclass
class FieldValues:
    """What the properties of one element gave: field values by path, unresolved references, the rest."""

    values: dict[str, Any] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)  # path of a ref/reflist field → raw text
    leftover: list[Property] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)  # fields the exporter marked as written `{}`

    def apply(self, document: dict[str, Any]) -> None:
        """Set the decoded values (and the empty mappings) into ``document``."""
        for path, value in self.values.items():
            set_path(document, path, value)
        for name in self.empty:
            document.setdefault(name, {})


def read_fields(item: ExchangeItem, kind: str) -> FieldValues:
    """Read the archrepo fields of ``kind`` from the item's properties. Properties named ``archrepo:…`` are
    always read; a file from another tool (no ``archrepo:id``) may also use the aliases of :data:`FIELDS`."""
    native = item.property(ARCHREPO_ID) is not None
    specs = FIELDS.get(kind, ())
    by_property = {spec.property_name: spec for spec in specs}
    by_alias = {} if native else {alias: spec for spec in specs for alias in spec.aliases}
    result = FieldValues()
    for prop in item.properties:
        if prop.name == ARCHREPO_ID:
            continue
        if prop.name == ARCHREPO_EMPTY:
            result.empty.extend(name for name in decode_list(prop.value) if name in EMPTY_FIELDS)
            continue
        spec = by_property.get(prop.name) or by_alias.get(slugify(prop.name, ""))
        if spec is None or spec.path in result.values or spec.path in result.references:
            result.leftover.append(prop)
            continue
        if spec.encoding in ("ref", "reflist"):
            result.references[spec.path] = prop.value
            continue
        value, problem = _decode(spec, prop.value, exact=prop.name.startswith(PREFIX))
        if problem is None:
            result.values[spec.path] = value
        else:
            result.problems.append(f"property '{prop.name}' = '{prop.value}': {problem}")
            result.leftover.append(prop)
    return result


def _decode(spec: FieldSpec, text: str, exact: bool) -> tuple[Any, str | None]:
    if spec.encoding == "date":
        candidate = text.strip()
        return (candidate, None) if _DATE.match(candidate) else (None, "not a date YYYY-MM-DD")
    if spec.encoding == "boolean":
        lowered = text.strip().lower()
        if lowered in _TRUE or lowered in _FALSE:
            return lowered in _TRUE, None
        return None, "not true or false"
    if spec.encoding == "list":
        items = decode_list(text)
        if spec.values:
            items = [item if exact else slugify(str(item), "") for item in items]
            wrong = [item for item in items if item not in spec.values]
            if wrong:
                return None, f"not one of {', '.join(spec.values)}"
        return items, None
    if spec.values:
        candidate = text if exact else slugify(text, "")
        return (candidate, None) if candidate in spec.values else (None, f"not one of {', '.join(spec.values)}")
    if not text.strip() and (spec.nonempty or not exact):
        return None, "empty"
    if exact:
        return text, None
    return text.strip(), None


def set_path(document: dict[str, Any], path: str, value: Any) -> None:
    """``set_path(doc, "lifecycle.status", "active")`` sets ``doc["lifecycle"]["status"]``."""
    head, _, rest = path.partition(".")
    if rest:
        inner = document.setdefault(head, {})
        set_path(inner, rest, value)
    else:
        document[head] = value


def typed_value(prop: Property) -> tuple[str, Any]:
    """(key, value) of a leftover property as a ``properties:`` entry, typed by its definition."""
    if prop.name.startswith(ARCHREPO_JSON):
        try:
            return property_key(prop.name[len(ARCHREPO_JSON):]), json.loads(prop.value)
        except ValueError:
            return property_key(prop.name[len(ARCHREPO_JSON):]), prop.value
    key = property_key(prop.name)
    text = prop.value
    if prop.datatype == "number":
        if _INT.match(text.strip()):
            return key, int(text.strip())
        try:
            return key, float(text)
        except ValueError:
            return key, text
    if prop.datatype == "boolean":
        lowered = text.strip().lower()
        if lowered in ("true", "false"):
            return key, lowered == "true"
    return key, text


def typed_properties(item: ExchangeItem, leftover: list[Property], report: ImportReport) -> dict[str, Any]:
    """The properties no archrepo field took, as ``properties:`` entries typed by their definitions."""
    properties: dict[str, Any] = {}
    for prop in leftover:
        key, value = typed_value(prop)
        if key in properties:
            report.note(f"{item.type} '{item.name}': property '{prop.name}' given twice; the first is kept")
            continue
        properties[key] = value
    return properties
