"""The field reference for people who write model files, read from the JSON Schemas (the same files the loader
validates with), so that the reference cannot say something the validator does not.

:func:`kind_fields` flattens a kind's schema into one :class:`FieldDoc` per field (nested mappings and list
items as ``lifecycle.status``, ``steps[].id``); :func:`render_text` is what ``archrepo schema [KIND]`` prints and
:func:`render_markdown` is ``docs/model.md``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from archrepo.model.elements import KINDS
from archrepo.model.lifecycle import yaml_scalar
from archrepo.model.schema import load_schema

__all__ = ["FieldDoc", "kind_fields", "kind_schema", "render_markdown", "render_text"]


@dataclass(frozen=True)
class FieldDoc:
    """One field of a kind, as the reference shows it."""

    path: str
    type: str
    required: bool
    description: str
    allowed: tuple[str, ...] = ()
    default: str | None = None
    example: str | None = None


def kind_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one model kind."""
    return load_schema(kind.lower())


def kind_fields(kind: str) -> list[FieldDoc]:
    """Every field of ``kind``, in the schema's order, nested fields after their parent."""
    schema = kind_schema(kind)
    return list(_fields(schema, schema, ""))


def _fields(node: Mapping[str, Any], root: Mapping[str, Any], prefix: str) -> Iterator[FieldDoc]:
    required = set(node.get("required", ()))
    for name, raw in node.get("properties", {}).items():
        spec = _resolved(raw, root)
        path = f"{prefix}{name}"
        yield FieldDoc(path, _type(spec, root), name in required, _description(spec), _allowed(spec, root),
                       _shown(spec["default"]) if "default" in spec else None,
                       _shown(spec["examples"][0]) if spec.get("examples") else _const(spec))
        if spec.get("type") == "object" and "properties" in spec:
            yield from _fields(spec, root, f"{path}.")
        items = _resolved(spec.get("items", {}), root)
        if spec.get("type") == "array" and "properties" in items:
            yield from _fields(items, root, f"{path}[].")


def _resolved(spec: Mapping[str, Any], root: Mapping[str, Any]) -> dict[str, Any]:
    """``spec`` with a local ``$ref`` filled in (the field's own keys win over the definition's)."""
    reference = spec.get("$ref")
    if not isinstance(reference, str) or not reference.startswith("#/$defs/"):
        return dict(spec)
    target = root.get("$defs", {}).get(reference.removeprefix("#/$defs/"), {})
    return {**_resolved(target, root), **{k: v for k, v in spec.items() if k != "$ref"}}


def _type(spec: Mapping[str, Any], root: Mapping[str, Any]) -> str:
    if "const" in spec:
        return "constant"
    if "enum" in spec:
        return "one of"
    kind = spec.get("type")
    if kind == "array":
        items = _resolved(spec.get("items", {}), root)
        if "enum" in items:
            return "list of (allowed values)"
        return f"list of {_type(items, root)}" if items else "list"
    if kind == "string" and (spec.get("format") == "date" or ("date" in spec.get("description", "").lower()
                             and "pattern" in spec and "[0-9]{4}" in spec["pattern"])):
        return "date (YYYY-MM-DD)"
    if kind == "string" and spec.get("pattern") == "^[a-z0-9][a-z0-9-]*$":
        return "id"
    names = {"string": "text", "boolean": "true/false", "object": "mapping", "integer": "whole number",
             "number": "number"}
    if isinstance(kind, list):
        return " or ".join(names.get(str(k), str(k)) for k in kind)
    return names.get(str(kind), "any value")


def _allowed(spec: Mapping[str, Any], root: Mapping[str, Any]) -> tuple[str, ...]:
    if "enum" in spec:
        return tuple(str(value) for value in spec["enum"])
    if "const" in spec:
        return (str(spec["const"]),)
    items = _resolved(spec.get("items", {}), root) if spec.get("type") == "array" else {}
    return tuple(str(value) for value in items.get("enum", ()))


def _description(spec: Mapping[str, Any]) -> str:
    return " ".join(str(spec.get("description", "")).split())


def _const(spec: Mapping[str, Any]) -> str | None:
    return _shown(spec["const"]) if "const" in spec else None


def _shown(value: Any) -> str:
    """A value as it is written in a model file: flow-style YAML on one line."""
    if isinstance(value, list):
        return "[" + ", ".join(_shown(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_shown(item)}" for key, item in value.items()) + "}"
    return yaml_scalar(value)


def render_text(kinds: tuple[str, ...] | None = None) -> str:
    """The reference of ``kinds`` (default: every kind) for a terminal: each field with its type, whether it is
    required, the allowed values, the default, an example and what it means."""
    out: list[str] = []
    for kind in kinds or KINDS:
        schema = kind_schema(kind)
        out += [f"{kind}: {_description(schema)}", ""]
        for field in kind_fields(kind):
            shown = f"one of {' | '.join(field.allowed)}" if field.type == "one of" else field.type
            flags = ", ".join(part for part in (shown, "required" if field.required else "optional",
                                                f"default {field.default}" if field.default else "") if part)
            out.append(f"  {field.path}  ({flags})")
            if field.allowed and field.type.startswith("list"):
                out.append(f"      allowed: {', '.join(field.allowed)}")
            if field.description:
                out.append(f"      {field.description}")
            if field.example is not None:
                out.append(f"      example: {field.path.rsplit('.', 1)[-1].removesuffix('[]')}: {field.example}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_markdown() -> str:
    """``docs/model.md``: the reference of every kind, generated from the schemas (``archrepo schema
    --markdown``)."""
    out = [_MARKDOWN_HEAD]
    for kind in KINDS:
        schema = kind_schema(kind)
        out += [f"## {kind}", "", _description(schema), "",
                "| field | type | required | allowed values | default | example | meaning |",
                "|---|---|---|---|---|---|---|"]
        for field in kind_fields(kind):
            cells = [f"`{field.path}`", field.type, "**yes**" if field.required else "no",
                     ", ".join(f"`{value}`" for value in field.allowed), _code(field.default), _code(field.example),
                     field.description]
            out.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _code(value: str | None) -> str:
    return f"`{value}`" if value is not None else ""


_MARKDOWN_HEAD = """\
# Model files: the field reference

<!-- Generated from archrepo/schemas/*.schema.json by `archrepo schema --markdown > docs/model.md`.
     Do not edit by hand: a test fails when this file and the schemas drift apart. -->

A model file is any `*.yaml`/`*.yml` under the model paths of `archrepo.yaml`. It holds one or more YAML
documents, separated by a line `---`; each document is one element with a `kind`. Ids are unique across the
whole model (lowercase letters, digits and `-`) and are what references use. Unknown fields are errors, except
under `properties:`, which every kind takes for attributes of your own (quote values YAML would read as
something else: `"NO"`, `"0123"`, `"yes"`). Dates are written `YYYY-MM-DD`. `archrepo schema KIND` prints
the same reference in the terminal.

## What an integration means

* `source` **sends the data** and `target` **receives it** (ArchiMate's flow direction), whoever opens the
  connection.
* `initiator` (`source`, the default, or `target`) says **who opens the call or transfer**: a push is
  initiated by the source; a lookup or pull (DIPS Arena fetching from Kjernejournal: `source: kjernejournal,
  target: dips-arena, mode: sync, initiator: target`) by the target.
* `via` names the integration platform or national component that **carries** the flow.
* Dependencies follow from this: the target depends on the source (it needs the data); with `mode: sync` the
  initiator also depends on the other end (it waits on it); both ends depend on the `via` platform. Impact
  analysis and RES001 use exactly this.

## Lifecycles

An Application writes its lifecycle as a mapping, `lifecycle: {status: active, since: 2016-03-01}` (with
`phase_out` and `retire` dates); an Integration writes it flat, `status: retired` and `since:`/`until:`; a
Technology has `end_of_support` and `end_of_life`. The other kind's spelling is an error that shows the
rewrite, and `archrepo fmt` rewrites it.

## Editor support

`archrepo schema --json` prints one JSON Schema (Draft 2020-12) for every kind, dispatching on `kind`, so an
editor validates and completes each document of a multi-document file. `archrepo init` writes it to
`.archrepo/schema.json` and maps the model files to it in `.vscode/settings.json` (for the YAML extension).
In other editors that use the YAML language server (Neovim, Helix, Emacs, JetBrains with the plugin), put this
modeline on the first line of a model file, or map `models/**/*.yaml` to the schema in the editor's settings:

```yaml
# yaml-language-server: $schema=../.archrepo/schema.json
```

The path is relative to the file. Regenerate the schema after upgrading archrepo:
`archrepo schema --json --output .archrepo/schema.json`.
"""
