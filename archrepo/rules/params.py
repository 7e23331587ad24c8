"""Rule parameters: thresholds a rule declares (``params:`` in its YAML, each with a default) and a repository
sets in ``archrepo.yaml`` (``rules_config: {RES001: {params: {level: high}}}``).

A SPARQL rule sees each as a variable bound like ``?asOf`` (``?level``); a Python rule as ``context.params``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archrepo.config import Config
from archrepo.errors import DiagnosticSink
from archrepo.model.schema import suggest
from archrepo.model.yamlsource import ParsedDocument

if TYPE_CHECKING:
    from archrepo.rules.definitions import RuleDefinition

__all__ = ["ParamSpec", "describe_value", "explain_params", "param_specs", "resolve_params"]

_TYPES = {bool: "true or false", int: "a whole number", float: "a number", str: "a text"}


@dataclass(frozen=True)
class ParamSpec:
    """One parameter as the rule declares it."""

    name: str
    default: Any
    description: str
    choices: tuple[Any, ...] | None = None


def param_specs(data: Mapping[str, Any], document: ParsedDocument, file: str,
                sink: DiagnosticSink) -> tuple[ParamSpec, ...]:
    """The parameters a rule document declares (its schema already checked their shape); a default outside its
    own ``enum`` is an error."""
    specs = []
    for name, spec in (data.get("params") or {}).items():
        choices = tuple(spec["enum"]) if "enum" in spec else None
        if choices is not None and spec["default"] not in choices:
            sink.error(file, document.line_of(f"params.{name}.default"), f"the default of parameter '{name}' "
                       f"({describe_value(spec['default'])}) is not one of its `enum`",
                       f"Use one of: {', '.join(map(describe_value, choices))}.")
        specs.append(ParamSpec(name, spec["default"], spec["description"].strip(), choices))
    return tuple(specs)


def resolve_params(rule_id: str, specs: tuple[ParamSpec, ...], config: Config,
                   sink: DiagnosticSink) -> tuple[tuple[str, Any], ...]:
    """(name, value) of every parameter: the default, or what ``rules_config`` sets. A name the rule does not
    declare, a value of another type than the default, or one outside the ``enum`` is a config error."""
    override = config.rules_config.get(rule_id)
    given = dict(override.params) if override is not None else {}
    known = {spec.name: spec for spec in specs}
    for name in given:
        if name not in known:
            close = suggest(name, known)
            declared = f"{rule_id} takes {', '.join(sorted(known))}" if known else f"{rule_id} takes no parameters"
            sink.error(config.display_file, config.line_of(f"rules_config.{rule_id}.params.{name}"),
                       f"rules_config sets parameter '{name}' of {rule_id}, which the rule does not declare",
                       (f"Did you mean '{close}'? " if close else "") + f"{declared} (`archrepo rules --explain "
                       f"{rule_id}`).")
    values = []
    for spec in specs:
        value = given.get(spec.name, spec.default)
        if spec.name in given and not _fits(value, spec):
            expected = (f"one of {', '.join(map(describe_value, spec.choices))}" if spec.choices is not None
                        else _TYPES.get(type(spec.default), "a value like the default"))
            sink.error(config.display_file, config.line_of(f"rules_config.{rule_id}.params.{spec.name}"),
                       f"parameter '{spec.name}' of {rule_id} is {describe_value(value)}, not {expected}",
                       f"The default is {describe_value(spec.default)}: {spec.description}")
        values.append((spec.name, value))
    return tuple(values)


def _fits(value: Any, spec: ParamSpec) -> bool:
    if spec.choices is not None:
        return value in spec.choices and type(value) is type(spec.choices[0])
    if isinstance(spec.default, bool) or isinstance(value, bool):
        return type(value) is type(spec.default)
    if isinstance(spec.default, float):
        return isinstance(value, int | float)
    return type(value) is type(spec.default)


def explain_params(rule: RuleDefinition) -> list[str]:
    """Lines for `archrepo rules --explain`: each parameter, its value (and default), what it sets."""
    values = dict(rule.params)
    lines = []
    for spec in rule.param_specs:
        value = values.get(spec.name, spec.default)
        default = "" if value == spec.default else f" (default {describe_value(spec.default)})"
        setting = describe_value(value) + default
        choices = f" [one of {', '.join(map(describe_value, spec.choices))}]" if spec.choices is not None else ""
        lines += [f"  {spec.name} = {setting}{choices}", f"    {spec.description}"]
    return lines


def describe_value(value: Any) -> str:
    """A value as people read it in a message (YAML spelling, text quoted)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"'{value}'" if isinstance(value, str) else str(value)
