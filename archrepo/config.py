"""archrepo.yaml: found by walking up from the working directory, validated, read once at the edge."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from archrepo.errors import ConfigError, DiagnosticSink, excerpt
from archrepo.model.reading import Unreadable, read_regular
from archrepo.model.schema import validate_document
from archrepo.model.yamlsource import decode_source, parse_documents

__all__ = ["CONFIG_NAME", "DEFAULT_APPROVED_STANDARDS", "DEFAULT_BASE_IRI", "DEFAULT_RULE_TIMEOUT", "Config",
           "RuleOverride", "find_config", "load_config"]

CONFIG_NAME = "archrepo.yaml"
DEFAULT_APPROVED_STANDARDS: tuple[str, ...] = (
    "HL7v2", "FHIR-R4", "KITH-XML", "DICOM", "IHE-XDS", "ebXML", "REST", "SOAP")
DEFAULT_BASE_IRI = "https://archrepo.dev/id/"
DEFAULT_RULE_TIMEOUT = 60.0  # seconds one rule may take; the standard rules take well under one at 10,000 apps


@dataclass(frozen=True)
class RuleOverride:
    """Per-rule settings from ``rules_config``."""

    severity: str | None = None
    enabled: bool = True
    params: MappingProxyType[str, Any] = field(default_factory=lambda: MappingProxyType({}))  # see rules/params.py


@dataclass(frozen=True)
class Config:
    """The settings of one architecture repository. Paths are relative to ``root``."""

    root: Path
    file: Path | None = None
    models: tuple[str, ...] = ("models",)
    principles: tuple[str, ...] = ("principles",)
    rules: tuple[str, ...] = ("rules",)
    waivers: str | None = None
    baseline: str | None = None
    approved_standards: tuple[str, ...] = DEFAULT_APPROVED_STANDARDS
    python_rules: tuple[str, ...] = ()
    rule_tests: str = "tests/rules"  # the rule cases `archrepo rules --test` runs (archrepo.testing)
    rules_config: MappingProxyType[str, RuleOverride] = field(default_factory=lambda: MappingProxyType({}))
    base_iri: str = DEFAULT_BASE_IRI
    rule_timeout: float = DEFAULT_RULE_TIMEOUT
    lines: MappingProxyType[str, int] = field(default_factory=lambda: MappingProxyType({}))

    def line_of(self, path: str) -> int:
        """Line in archrepo.yaml of a setting (``rules_config.AR001``), 1 when unknown."""
        return self.lines.get(path, 1)

    def path(self, relative: str) -> Path:
        """A config path resolved against the repository root."""
        return (self.root / relative).resolve()

    @property
    def display_file(self) -> str:
        return self.file.name if self.file else CONFIG_NAME


def find_config(start: Path) -> Path | None:
    """The nearest ``archrepo.yaml`` in ``start`` or one of its parents. Whatever has that name counts, a
    FIFO or a dangling link too (``load_config`` refuses them): a repository must not be able to make
    archrepo skip its own config and pick up one from a folder above it."""
    start = start.resolve()
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_NAME
        if os.path.lexists(candidate):
            return candidate
    return None


def load_config(config_path: Path | None = None, *, cwd: Path | None = None) -> Config:
    """Read and validate the config; without one, defaults rooted at the working directory."""
    cwd = cwd or Path.cwd()
    discovered = config_path is None
    if config_path is None:
        config_path = find_config(cwd)
        if config_path is None:
            return _defaults_without_file(cwd)
    config_path = Path(config_path)
    if config_path.is_dir() and not discovered:
        config_path = config_path / CONFIG_NAME
    if not discovered and not config_path.is_file():
        raise ConfigError(f"config file not found: {config_path}",
                          hint="Pass the path of an archrepo.yaml to --config, or run `archrepo init`.")
    display = config_path.name
    raw = _read_config(config_path, discovered)
    sink = DiagnosticSink()
    text = decode_source(raw, display, sink)
    documents = parse_documents(text, display, sink) if text is not None else []
    if sink.errors:
        raise ConfigError("archrepo.yaml is invalid", diagnostics=sink.items)
    if len(documents) > 1:
        raise ConfigError("archrepo.yaml holds more than one YAML document", file=display,
                          line=documents[1].line, hint="Keep the whole configuration in one document.")
    data: Any = documents[0].data if documents else {}
    if not isinstance(data, dict):
        raise ConfigError("archrepo.yaml must be a mapping of settings", file=display,
                          line=documents[0].line if documents else 1,
                          hint="Start from the example in the documentation: `models: [models]` …")
    validate_document("config", data, documents[0], display, sink, what="archrepo.yaml") if documents else None
    if sink.errors:
        raise ConfigError("archrepo.yaml is invalid", diagnostics=sink.items)
    config = _from_data(config_path.parent.resolve(), config_path.resolve(), data,
                        documents[0].lines if documents else {})
    _check_paths(config, documents[0] if documents else None, display)
    return config


def _read_config(path: Path, discovered: bool) -> bytes:
    """The config's bytes: a regular file, and when found by walking up (it is part of the repository), not a
    link to a file outside the repository's folder."""
    if discovered:
        try:
            outside = not path.resolve(strict=True).is_relative_to(path.parent.resolve())
        except (OSError, RuntimeError):
            outside = False  # dangling or a loop: read_regular says which
        if outside:
            raise ConfigError(f"{path.name} is a symbolic link to a file outside the repository; it was not read",
                              file=path.name, hint="Keep the configuration in the repository, or pass --config.")
    try:
        return read_regular(path)
    except Unreadable as error:
        raise ConfigError(f"{path.name} cannot be read: {error.reason}", file=path.name,
                          hint="Make it a readable YAML file, or pass the path of one to --config.") from None


def _from_data(root: Path, file: Path, data: dict[str, Any], lines: Mapping[str, int]) -> Config:
    overrides = {rule_id: RuleOverride(severity=value.get("severity"), enabled=value.get("enabled", True),
                                       params=MappingProxyType(dict(value.get("params") or {})))
                 for rule_id, value in (data.get("rules_config") or {}).items()}
    waivers = data.get("waivers")
    if "waivers" not in data and (root / "waivers.yaml").is_file():
        waivers = "waivers.yaml"
    return Config(
        root=root,
        file=file,
        models=tuple(data.get("models") or ("models",)),
        principles=tuple(data.get("principles", ("principles",)) or ()),
        rules=tuple(data.get("rules", ("rules",)) or ()),
        waivers=waivers,
        baseline=data.get("baseline"),
        approved_standards=tuple(data.get("approved_standards", DEFAULT_APPROVED_STANDARDS)),
        python_rules=tuple(data.get("python_rules") or ()),
        rule_tests=data.get("rule_tests") or "tests/rules",
        rules_config=MappingProxyType(overrides),
        base_iri=data.get("base_iri", DEFAULT_BASE_IRI),
        rule_timeout=float(data.get("rule_timeout", DEFAULT_RULE_TIMEOUT)),
        lines=MappingProxyType(dict(lines)),
    )


def _defaults_without_file(cwd: Path) -> Config:
    root = cwd.resolve()
    if not (root / "models").is_dir():
        raise ConfigError(f"no {CONFIG_NAME} in {root} or any parent directory, and no models/ directory here",
                          hint="Run archrepo inside an architecture repository, pass --config PATH, "
                               "or create one with `archrepo init DIR`.")
    waivers = "waivers.yaml" if (root / "waivers.yaml").is_file() else None
    config = Config(root=root, waivers=waivers)
    _check_paths(config, None, CONFIG_NAME)
    return config


def _check_paths(config: Config, document: Any, display: str) -> None:
    """Every path of the config is inside the repository, links resolved (everything in it may come from a
    merge request: ``models: [/etc]`` must not make archrepo read, and echo, files of the machine), and the
    model paths exist."""
    sink = DiagnosticSink()
    settings = [(f"{name}[{index}]", value) for name in ("models", "principles", "rules", "python_rules")
                for index, value in enumerate(getattr(config, name))]
    settings += [(name, getattr(config, name)) for name in ("waivers", "baseline", "rule_tests")
                 if getattr(config, name)]
    for where, relative in settings:
        line = document.line_of(where) if document else 1
        problem = _outside(config, relative)
        if problem:
            sink.error(display, line, f"'{where}' ({excerpt(relative)}) {problem}; it is not read",
                       "Use a path relative to the repository root that stays inside it (no '..' out of it, "
                       "no absolute path, no link to elsewhere); copy what you need into the repository.")
        elif where.startswith("models[") and not config.path(relative).exists():
            sink.error(display, line, f"model path '{excerpt(relative)}' does not exist (relative to {config.root})",
                       "Create the directory, or fix the path under `models:`.")
    if sink.errors:
        raise ConfigError("archrepo.yaml is invalid", diagnostics=sink.items)


def _outside(config: Config, relative: str) -> str | None:
    """Why ``relative`` is not a path inside the repository, or None when it is."""
    if "\0" in relative:
        return "contains a NUL character, which no path can hold"
    if os.path.isabs(relative):
        return "is an absolute path"
    try:
        resolved = config.path(relative)
    except (OSError, RuntimeError):
        return "is a loop of symbolic links"
    if not resolved.is_relative_to(config.root):
        return "leads outside the repository"
    return None
