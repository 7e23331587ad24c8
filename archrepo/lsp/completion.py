"""Completion from the schemas and the model: field names for the element's kind (and inside ``lifecycle``,
``security``, ``steps``), allowed values of enums, and ids in reference fields filtered by the kind the field
expects. Read from the editor's text as typed, which is often not valid YAML yet: the kind, the field and its
parents are found by indentation, line by line."""

from __future__ import annotations

import re
from typing import Any

from lsprotocol import types

from archrepo.lsp.workspace import RepositoryWorkspace
from archrepo.model.elements import KINDS
from archrepo.model.references import REFERENCE_FIELDS
from archrepo.model.schema import load_schema

__all__ = ["complete"]

_KEY_LINE = re.compile(r"^(\s*)(-\s+)?(?:([A-Za-z_][\w-]*)\s*:(?:\s+|$))?(.*)$")
_KIND = re.compile(r"^kind:\s*['\"]?(\w+)")
# kind -> field name -> the kind its ids must have (the last part of each reference path)
_TARGETS = {kind: {spec.split(".")[-1].removesuffix("[]"): target for spec, target in specs}
            for kind, specs in REFERENCE_FIELDS.items()}
_VIA_ROLES = {"integration-platform", "national-component"}


def complete(workspace: RepositoryWorkspace | None, text: str, position: types.Position) -> list[types.CompletionItem]:
    lines = text.splitlines()
    if position.line >= len(lines):
        lines += [""] * (position.line - len(lines) + 1)
    start, end = _document_bounds(lines, position.line)
    kind = next((m.group(1) for line in lines[start:end] if (m := _KIND.match(line))), None)
    before = lines[position.line][:position.character]
    if re.fullmatch(r"kind:\s*\w*", before):
        return _kinds()
    if kind is None:
        return _kinds(whole_line=True) if not before.strip() else []
    if kind not in KINDS:
        return []
    match = _KEY_LINE.match(before)
    assert match is not None
    indent, dash, key, rest = match.group(1), match.group(2), match.group(3), match.group(4)
    column = len(indent) + (len(dash) if dash else 0)
    parents = _parents(lines, start, position.line, column, bool(dash))
    schema = _schema_at(load_schema(kind.lower()), parents)
    if key is not None:  # after `key:` — its value (or an item of a flow list)
        partial_start = position.character - len(re.split(r"[\[,\s]", rest)[-1])
        return _values(workspace, kind, key, _property(schema, key), lines[start:end], position, partial_start)
    if dash and parents and parents[-1] == "[]" and not _is_object(schema):  # `- ` item of a list of values
        field = next((p for p in reversed(parents) if p != "[]"), "")
        return _values(workspace, kind, field, schema, lines[start:end], position, column)
    present = _siblings(lines, start, end, position.line, column)
    return _fields(schema, present)


def _document_bounds(lines: list[str], row: int) -> tuple[int, int]:
    start = row
    while start > 0 and not lines[start - 1].startswith("---"):
        start -= 1
    end = row + 1
    while end < len(lines) and not lines[end].startswith("---"):
        end += 1
    return start, end


def _parents(lines: list[str], start: int, row: int, column: int, item: bool) -> list[str]:
    """The keys (and ``[]`` for list items) above a position, found by indentation."""
    path: list[str] = ["[]"] if item else []
    need = len(lines[row]) - len(lines[row].lstrip()) if item else column  # a parent starts left of this
    allow_equal = item  # `steps:` may have its `- ` items at its own indentation
    for number in range(row - 1, start - 1, -1):
        content = lines[number]
        if not content.strip() or content.lstrip().startswith("#") or content.startswith("---"):
            continue
        match = _KEY_LINE.match(content)
        assert match is not None
        indent, dash, key, rest = len(match.group(1)), match.group(2), match.group(3), match.group(4)
        inner = indent + (len(dash) if dash else 0)
        if dash and not allow_equal and inner == need and indent < need:  # a sibling key opened this item
            path.insert(0, "[]")
            need, allow_equal = indent, True
            continue
        if key and not rest.strip() and (indent < need or (allow_equal and indent == need and not dash)):
            path.insert(0, key)
            need, allow_equal = indent, False
            if dash:  # `- key:` opens a mapping inside a list item
                path.insert(0, "[]")
        if need == 0 and not allow_equal:
            break
    return path


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    reference = schema.get("$ref")
    if isinstance(reference, str) and reference.startswith("#/$defs/"):
        merged = dict(root["$defs"][reference.split("/")[-1]])
        merged.update({k: v for k, v in schema.items() if k != "$ref"})
        return merged
    return schema


def _schema_at(root: dict[str, Any], path: list[str]) -> dict[str, Any]:
    schema = root
    for part in path:
        schema = _resolve(schema, root)
        if part == "[]":
            schema = _resolve(schema.get("items") or {}, root)
        else:
            schema = _resolve((schema.get("properties") or {}).get(part) or {}, root)
    return {**_resolve(schema, root), "__root__": root}  # a copy: the cached schema is never changed


def _property(schema: dict[str, Any], key: str) -> dict[str, Any]:
    root = schema.get("__root__", schema)
    found = _resolve((schema.get("properties") or {}).get(key) or {}, root)
    if found.get("type") == "array":
        found = {**_resolve(found.get("items") or {}, root), "description": found.get("description", "")}
    return found


def _is_object(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "object" or "properties" in schema


def _siblings(lines: list[str], start: int, end: int, row: int, column: int) -> set[str]:
    """Keys already written at the cursor's level of its mapping (not offered again)."""
    found: set[str] = set()
    for step in (-1, 1):
        number = row + step
        while start <= number < end:
            match = _KEY_LINE.match(lines[number])
            assert match is not None
            indent = len(match.group(1)) + (len(match.group(2)) if match.group(2) else 0)
            if lines[number].strip() and indent < column:
                break
            if match.group(3) and indent == column:
                found.add(match.group(3))
            if match.group(2) and indent == column and step == -1:
                break  # the first key of this list item: the item starts here
            number += step
    return found


def _fields(schema: dict[str, Any], present: set[str]) -> list[types.CompletionItem]:
    root = schema.get("__root__", schema)
    required = set(schema.get("required") or ())
    items = []
    for name, spec in (schema.get("properties") or {}).items():
        if name in present:
            continue
        spec = _resolve(spec, root)
        nested = _is_object(spec) or (spec.get("type") == "array" and _is_object(_resolve(spec.get("items") or {},
                                                                                            root)))
        items.append(types.CompletionItem(
            label=name, kind=types.CompletionItemKind.Field, detail=("required · " if name in required else "")
            + _type_text(spec), documentation=_documentation(spec), insert_text=f"{name}:" + ("\n" if nested else " "),
            sort_text=("0" if name in required else "1") + name))
    return items


def _type_text(spec: dict[str, Any]) -> str:
    if "enum" in spec:
        return " | ".join(map(str, spec["enum"]))
    if "const" in spec:
        return str(spec["const"])
    return str(spec.get("type") or ("id" if "pattern" in spec else "value"))


def _documentation(spec: dict[str, Any]) -> types.MarkupContent:
    text = str(spec.get("description") or "")
    if "default" in spec:
        text += f"\n\nDefault: `{spec['default']}`"
    if spec.get("examples"):
        text += f"\n\nExample: `{spec['examples'][0]}`"
    return types.MarkupContent(types.MarkupKind.Markdown, text.strip())


def _kinds(whole_line: bool = False) -> list[types.CompletionItem]:
    return [types.CompletionItem(label=f"kind: {kind}" if whole_line else kind, kind=types.CompletionItemKind.Class,
                                 documentation=str(load_schema(kind.lower()).get("description") or ""))
            for kind in KINDS]


def _values(workspace: RepositoryWorkspace | None, kind: str, key: str, spec: dict[str, Any], chunk: list[str],
            position: types.Position, partial_start: int) -> list[types.CompletionItem]:
    where = types.Range(types.Position(position.line, partial_start), position)
    if key == "next" and kind == "Process":
        steps = [m.group(1) for line in chunk if (m := re.match(r"^\s*-?\s*id:\s*['\"]?([\w-]+)", line))
                 and line.startswith((" ", "-"))]
        return [_item(step, "step of this process", where, types.CompletionItemKind.EnumMember) for step in steps]
    target = _TARGETS.get(kind, {}).get(key)
    if target is not None and workspace is not None:
        elements = [e for e in workspace.index.elements.values() if e.kind == target
                    and (key != "via" or _VIA_ROLES & set(e.data.get("roles") or ()))]
        return [_item(e.id, e.name, where, types.CompletionItemKind.Reference,
                      f"{e.kind} in {e.location.file}") for e in sorted(elements, key=lambda e: e.id)]
    options = spec.get("enum") or ([spec["const"]] if "const" in spec else None)
    if options is None and spec.get("type") == "boolean":
        options = [True, False]
    if options is None and key == "standard" and workspace is not None and workspace.config is not None:
        options = list(workspace.config.approved_standards)
    return [_item(str(value).lower() if isinstance(value, bool) else str(value), str(spec.get("description") or ""),
                  where, types.CompletionItemKind.EnumMember) for value in options or ()]


def _item(label: str, detail: str, where: types.Range, kind: types.CompletionItemKind,
          documentation: str | None = None) -> types.CompletionItem:
    return types.CompletionItem(label=label, kind=kind, detail=detail, documentation=documentation,
                                text_edit=types.TextEdit(where, label), filter_text=label)
