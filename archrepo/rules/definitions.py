"""Rules and principles as data: read from YAML, validated like model files, nothing hard-coded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archrepo.config import Config
from archrepo.errors import DiagnosticSink, RuleError, excerpt
from archrepo.model.elements import Location
from archrepo.model.loader import find_yaml_files
from archrepo.model.reading import Unreadable, read_regular
from archrepo.model.schema import suggest, validate_document
from archrepo.model.yamlsource import decode_source, parse_documents
from archrepo.rules.params import ParamSpec, param_specs, resolve_params
from archrepo.rules.severity import Severity

__all__ = ["Principle", "RuleDefinition", "Severity", "load_principles", "load_rules"]


@dataclass(frozen=True)
class Principle:
    id: str
    name: str
    statement: str
    rationale: str
    implications: tuple[str, ...]
    source: str
    location: Location


@dataclass(frozen=True)
class RuleDefinition:
    """One rule as written in ``rules/*.yaml``, with the severity after ``rules_config`` overrides."""

    id: str
    name: str
    principle: str
    severity: Severity
    description: str
    remediation: str
    engine: str  # "sparql" | "shacl" | "python"
    body: str
    location: Location
    default_severity: Severity
    tags: tuple[str, ...] = ()
    help_uri: str | None = None
    reach: tuple[str, ...] | None = None  # see rule.schema.json: lets a re-check evaluate the rule near the change
    param_specs: tuple[ParamSpec, ...] = ()  # the parameters the rule declares
    params: tuple[tuple[str, Any], ...] = ()  # (name, value) after rules_config

    @property
    def param_values(self) -> dict[str, Any]:
        """The parameters' values by name (what a Python rule sees as ``context.params``)."""
        return dict(self.params)

    @property
    def title(self) -> str:
        return f"{self.id} {self.name}"


def _documents(config: Config, paths: tuple[str, ...], kind: str, sink: DiagnosticSink) -> list[tuple[str, Any]]:
    out = []
    walk = find_yaml_files(config, paths)
    sink.items.extend(walk.problems)
    for display in sorted(walk.files):
        try:
            raw = read_regular(walk.files[display])
        except Unreadable as error:
            sink.error(display, 0, f"cannot be read: {error.reason}", "Keep only regular, readable YAML files here.")
            continue
        text = decode_source(raw, display, sink)
        if text is None:
            continue
        for document in parse_documents(text, display, sink):
            data = document.data
            if not isinstance(data, dict) or data.get("kind") != kind:
                found = data.get("kind") if isinstance(data, dict) else type(data).__name__
                sink.error(display, document.line, f"expected a {kind} here, found {excerpt(found, 40)}",
                           f"Files under this path hold `kind: {kind}` documents only.")
                continue
            what = f"{kind} '{data.get('id')}'" if isinstance(data.get("id"), str) else kind
            if validate_document(kind.lower(), data, document, display, sink, what=what):
                out.append((display, document))
    return out


def load_principles(config: Config) -> dict[str, Principle]:
    """Every principle under the configured paths, by id; RuleError listing every problem."""
    sink = DiagnosticSink()
    principles: dict[str, Principle] = {}
    for display, document in _documents(config, config.principles, "Principle", sink):
        data = document.data
        if data["id"] in principles:
            sink.error(display, document.line_of("id"), f"duplicate principle id '{data['id']}' "
                       f"(also at {principles[data['id']].location})", "Give each principle its own id.")
            continue
        principles[data["id"]] = Principle(
            data["id"], data["name"], data["statement"], data.get("rationale", ""),
            tuple(data.get("implications") or ()), data.get("source", ""), Location(display, document.line))
    if sink.errors:
        raise RuleError("the principles are invalid", diagnostics=sink.items)
    return principles


def load_rules(config: Config, principles: dict[str, Principle], *,
               include_disabled: bool = False) -> list[RuleDefinition]:
    """Every rule, validated, tied to an existing principle, with ``rules_config`` applied (rules it disables
    are left out unless ``include_disabled``). Raises RuleError listing every problem."""
    sink = DiagnosticSink()
    rules: dict[str, RuleDefinition] = {}
    for display, document in _documents(config, config.rules, "Rule", sink):
        data = document.data
        rule_id = data["id"]
        if rule_id in rules:
            sink.error(display, document.line_of("id"), f"duplicate rule id '{rule_id}' "
                       f"(also at {rules[rule_id].location})", "Give each rule its own id.")
            continue
        if principles and data["principle"] not in principles:
            close = suggest(data["principle"], principles)
            sink.error(display, document.line_of("principle"), f"rule {rule_id} names principle "
                       f"'{data['principle']}', which does not exist",
                       f"Did you mean '{close}'?" if close else "Add the principle under principles/, or fix the id.")
            continue
        engine = next(name for name in ("sparql", "shacl", "python") if name in data)
        default = Severity.parse(data["severity"])
        override = config.rules_config.get(rule_id)
        severity = Severity.parse(override.severity) if override and override.severity else default
        specs = param_specs(data, document, display, sink)
        rules[rule_id] = RuleDefinition(
            rule_id, data["name"], data["principle"], severity, data["description"].strip(),
            data["remediation"].strip(), engine, data[engine], Location(display, document.line), default,
            tuple(data.get("tags") or ()), data.get("help_uri"),
            tuple(data["reach"]) if data.get("reach") is not None else None,
            specs, resolve_params(rule_id, specs, config, sink))
    for rule_id in config.rules_config:
        if rule_id not in rules and not sink.errors:
            close = suggest(rule_id, rules)
            sink.error(config.display_file, config.line_of(f"rules_config.{rule_id}"),
                       f"rules_config names rule '{rule_id}', which does not exist",
                       f"Did you mean '{close}'?" if close else "Remove the entry, or fix the rule id.")
    if sink.errors:
        raise RuleError("the rules are invalid", diagnostics=sink.items)
    return [rules[key] for key in sorted(rules) if include_disabled or _enabled(config, key)]


def _enabled(config: Config, rule_id: str) -> bool:
    override = config.rules_config.get(rule_id)
    return override is None or override.enabled
