r"""JSON Schema validation (Draft 2020-12) of model documents and config, with errors for people.

The schemas are data files in ``archrepo/schemas/``. A compiled validator (jsonschema-rs) answers
"valid?" fast; only a failing document goes through ``jsonschema`` to learn every reason, which is
then explained with the line of the offending field and a fix hint.

The compiled validator decides. The two must agree on what a pattern means: JSON Schema patterns are
ECMA-262 regular expressions, where ``$`` matches only at the end of the text, while Python's ``re``
also matches before a final newline (so ``id: "abc\n"`` would pass). The explaining validator therefore
reads ``$`` as ``\Z``; and should it still find nothing wrong in a document the compiled one refused,
the compiled validator's own messages are reported: a refused document is never taken as valid.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs

from archrepo.errors import DiagnosticSink, excerpt
from archrepo.model.lifecycle import CrossSpelling, cross_spelling
from archrepo.model.yamlsource import ParsedDocument

__all__ = ["load_schema", "suggest", "validate_document"]

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# an end-of-text '$' (not escaped): at the end of the pattern, of an alternative or of a group
_END_ANCHOR = re.compile(r"(?<!\\)\$(?=\Z|\||\))")


@cache
def _ecma_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(_END_ANCHOR.sub(r"\\Z", pattern))


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The schema ``archrepo/schemas/<name>.schema.json``."""
    text = resources.files("archrepo").joinpath("schemas", f"{name}.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _fast_validator(name: str) -> Any:
    return jsonschema_rs.Draft202012Validator(load_schema(name), validate_formats=True)


@cache
def _full_validator(name: str) -> Any:
    import jsonschema  # only a failing document needs it, for every reason in words (a slow import)

    def pattern(validator: Any, regex: str, instance: Any, schema: Any) -> Iterable[Any]:
        if validator.is_type(instance, "string") and not _ecma_regex(regex).search(instance):
            yield jsonschema.ValidationError(f"{instance!r} does not match {regex!r}")

    validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": pattern})
    return validator(load_schema(name), format_checker=jsonschema.FormatChecker())


def validate_document(schema_name: str, data: Any, document: ParsedDocument, file: str, sink: DiagnosticSink,
                      *, what: str, element: str | None = None) -> bool:
    """Check ``data`` against the named schema; report every problem to ``sink``. True when valid."""
    if _fast_validator(schema_name).is_valid(data):
        return True
    schema = load_schema(schema_name)
    reported: set[tuple[str, str]] = set()
    errors = sorted(_full_validator(schema_name).iter_errors(data),
                    key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    for error in _leaves(errors):
        path = _path(error.absolute_path)
        for line_path, message, hint in _explain(error, path, schema, what):
            key = (line_path, message)
            if key in reported:
                continue
            reported.add(key)
            sink.error(file, document.line_of(line_path), message, hint, element)
    if not reported:  # the explaining validator saw nothing: the compiled one's reasons, never "valid"
        for fast_error in _fast_validator(schema_name).iter_errors(data):
            path = _path(fast_error.instance_path)
            sink.error(file, document.line_of(path), f"{_field(path)}: {fast_error.message}", None, element)
            reported.add((path, fast_error.message))
    if not reported:
        sink.error(file, document.line, f"{what} does not match its schema", None, element)
        reported.add(("", ""))
    return not reported


def _leaves(errors: Iterable[Any]) -> Iterable[Any]:
    """Errors with their combinator context flattened, so `$ref` chains give the concrete reason."""
    for error in errors:
        if error.context and error.validator != "oneOf":
            yield from _leaves(error.context)
        else:
            yield error


def _path(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _field(path: str) -> str:
    return f"'{excerpt(path)}'" if path else "the document"


def suggest(value: str, choices: Iterable[str]) -> str | None:
    """The closest of ``choices`` to ``value``, if any is close enough to be a likely typo."""
    found = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ('{excerpt(value)}')"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


_JSON_TYPES = {"string": "a string", "boolean": "true or false", "array": "a list", "object": "a mapping",
               "integer": "a whole number", "number": "a number", "null": "empty"}


Explained = list[tuple[str, str, str | None]]


def _explain(error: Any, path: str, schema: dict[str, Any], what: str) -> Explained:
    validator, instance = error.validator, error.instance
    if validator == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(error.schema.get("properties", {}))
        spelling = cross_spelling(instance) if not path else None
        out: Explained = [_explain_spelling(spelling, what)] if spelling else []
        for name in sorted(set(instance) - set(allowed) - set(spelling.written if spelling else ())):
            close = suggest(name, allowed)
            advice = f"Did you mean '{close}'? " if close else ""
            advice += f"Allowed fields here: {', '.join(allowed)}."
            if not path and "properties" in allowed:
                advice += " Put attributes of your own under `properties:`."
            out.append((_join(path, name), f"unknown field '{excerpt(_join(path, name))}' in {what}", advice))
        return out
    if validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        if not path and missing == ["lifecycle"] and cross_spelling(instance):
            return []  # the cross-spelled lifecycle is the one error to report (additionalProperties)
        if path.startswith("["):  # an item of a top-level list (waivers): name the field and the entry
            entry = f" (entry {int(path[1:path.index(']')]) + 1})"
            return [(path, f"missing required field '{name}' in {what}{entry}", f"Add `{name}:` to this entry.")
                    for name in missing]
        return [(path, f"missing required field '{_join(path, name)}' in {what}",
                 f"Add `{name}:` to this {'element' if not path else 'entry'}.") for name in missing]
    if validator in ("enum", "const"):
        options = error.validator_value if validator == "enum" else [error.validator_value]
        close = suggest(str(instance), [str(o) for o in options]) if isinstance(instance, str) else None
        choices = (f"Did you mean '{close}'? " if close else "") + f"Use one of: {', '.join(map(str, options))}."
        shown = f"'{excerpt(instance)}'" if isinstance(instance, str) else _describe(instance)
        return [(path, f"{_field(path)} has an invalid value {shown}", choices)]
    if validator == "type":
        expected = error.validator_value
        expected_list = expected if isinstance(expected, list) else [expected]
        expected_text = " or ".join(_JSON_TYPES.get(str(t), str(t)) for t in expected_list)
        hint: str | None = None
        if isinstance(instance, bool) and "string" in str(expected):
            hint = "YAML reads yes/no/on/off/true/false (and NO, the country code) as booleans: quote the value."
        elif instance is None:
            hint = "Give a value, or remove the key."
        elif isinstance(instance, int | float) and "string" in str(expected):
            hint = "Quote the value to make it text."
        return [(path, f"{_field(path)} must be {expected_text}, not {_describe(instance)}", hint)]
    if validator in ("pattern", "format") and isinstance(instance, str):
        if "date" in json.dumps(error.schema):
            return [(path, f"{_field(path)} is not a valid date: '{excerpt(instance)}'",
                     "Write dates as YYYY-MM-DD, for example 2026-03-31.")]
        if error.schema.get("pattern") == _ID_RE.pattern or path.endswith(("id", "]")):
            slug = excerpt(re.sub(r"[^a-z0-9]+", "-", instance.lower()).strip("-"), 60).rstrip("…")
            hint = "Ids use lowercase letters, digits and '-', starting with a letter or digit"
            hint += f", e.g. '{slug}'." if slug and _ID_RE.match(slug) else "."
            where = "" if path == "id" else f" in {_field(path)}"
            return [(path, f"malformed id '{excerpt(instance)}'{where}", hint)]
        return [(path, f"{_field(path)} does not have the expected form: '{excerpt(instance)}'", None)]
    if validator == "oneOf":
        alternatives = [name for branch in error.validator_value for name in branch.get("required", [])]
        present = [name for name in alternatives if isinstance(instance, dict) and name in instance]
        listed = ", ".join(f"'{name}'" for name in alternatives)
        found = f" (found {', '.join(present)})" if present else ""
        return [(path, f"{what} must have exactly one of {listed}{found}", None)]
    if validator == "minLength":
        return [(path, f"{_field(path)} is empty", "Give it a value, or remove the key if it is optional.")]
    if validator == "minItems":
        return [(path, f"{_field(path)} must list at least {error.validator_value} item(s)", None)]
    if validator == "uniqueItems":
        return [(path, f"{_field(path)} lists the same value more than once", "Remove the repeated value.")]
    if validator == "propertyNames":
        return [(path, f"{_field(path)}: name '{excerpt(instance, 40)}' is not allowed here",
                 "Use names of letters, digits, '_', '-' and '.'.")]
    return [(path, f"{_field(path)}: {excerpt(error.message, 160)}", None)]


def _explain_spelling(spelling: CrossSpelling, what: str) -> tuple[str, str, str | None]:
    """One error for a lifecycle spelled the other kind's way, with the YAML to write instead."""
    fix = "" if spelling.problem else "; `archrepo fmt` rewrites it"
    problem = f" Resolve this first: {spelling.problem}." if spelling.problem else ""
    if spelling.kind == "Application":
        keys = ", ".join(f"`{key}:`" for key in spelling.written)
        return (spelling.written[0], f"{what}: Applications write their lifecycle under `lifecycle:`, not as "
                f"top-level {keys}", f"Write {spelling.suggestion} (instead of top-level {keys}){fix}.{problem}")
    flat = f": {spelling.suggestion}" if spelling.moves else ""
    return ("lifecycle", f"{what}: Integrations write their lifecycle flat (`status:`, `since:`, `until:`), not "
            "under `lifecycle:`", f"Integrations write their lifecycle flat{flat} (instead of `lifecycle:`){fix}."
            f"{problem}")
