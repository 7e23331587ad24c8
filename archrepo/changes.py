"""What changed between two versions of the model: elements added, removed and changed field by field,
integrations added and removed, violations introduced and resolved."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from archrepo.config import Config
from archrepo.errors import ModelError
from archrepo.model.elements import Element, Model
from archrepo.model.gitsource import read_files_at, resolve_revision
from archrepo.model.loader import FileResult, discover_files, parse_model_file, validate_model
from archrepo.rules.check import CheckOptions, run_check
from archrepo.rules.violation import Violation

__all__ = ["ModelDiff", "diff_revisions", "flatten"]

WORKTREE = "worktree"


@dataclass
class ModelDiff:
    base: str
    head: str
    base_model: Model
    head_model: Model
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[tuple[str, str, dict[str, tuple[Any, Any]]]] = field(default_factory=list)
    moved: list[tuple[str, str, str]] = field(default_factory=list)  # id, old file, new file
    introduced: list[Violation] = field(default_factory=list)
    resolved: list[Violation] = field(default_factory=list)

    def integrations(self, which: str) -> list[Element]:
        model, ids = (self.head_model, self.added) if which == "added" else (self.base_model, self.removed)
        return [model.elements[i] for i in ids if model.elements[i].kind == "Integration"]

    def as_dict(self) -> dict[str, object]:
        def integration(e: Element) -> dict[str, str]:
            return {"id": e.id, "source": e.data["source"], "target": e.data["target"]}

        return {
            "base": self.base, "head": self.head,
            "added": self.added, "removed": self.removed,
            "changed": [{"id": element_id, "kind": kind,
                         "fields": {path: {"old": old, "new": new} for path, (old, new) in fields.items()}}
                        for element_id, kind, fields in self.changed],
            "moved": [{"id": i, "from": old, "to": new} for i, old, new in self.moved],
            "integrations": {"added": [integration(e) for e in self.integrations("added")],
                             "removed": [integration(e) for e in self.integrations("removed")]},
            "violations": {"introduced": [v.as_dict() for v in self.introduced],
                           "resolved": [v.as_dict() for v in self.resolved]},
        }


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Field paths to values: nested mappings by dots, lists of id'd mappings (steps) by id, other lists whole."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list) and data and all(isinstance(i, dict) and isinstance(i.get("id"), str) for i in data):
        for item in data:
            out.update(flatten({k: v for k, v in item.items() if k != "id"}, f"{prefix}[{item['id']}]"))
            out.setdefault(f"{prefix}[{item['id']}]", "present")
    else:
        out[prefix] = data
    return out


def _field_changes(old: Element, new: Element) -> dict[str, tuple[Any, Any]]:
    before, after = flatten(old.data), flatten(new.data)
    return {path: (before.get(path), after.get(path)) for path in sorted(set(before) | set(after))
            if before.get(path) != after.get(path)}


def _files(config: Config, revision: str | None) -> tuple[str, list[FileResult]]:
    if revision is None:
        return WORKTREE, [parse_model_file(path.read_bytes(), relative) for path, relative in discover_files(config)]
    resolved = resolve_revision(config, revision)
    return resolved.commit, read_files_at(config, resolved)


def diff_revisions(config: Config, base: str, head: str | None, as_of: dt.date) -> ModelDiff:
    """Compare the model at ``base`` with ``head`` (None: the work tree), with the work tree's rules for both."""
    base_name, base_files = _files(config, base)
    head_name, head_files = _files(config, head)
    models = {}
    for label, name, files in (("base", base, base_files), ("head", head or WORKTREE, head_files)):
        model, diagnostics = validate_model(config, files)
        if model is None:
            errors = [d for d in diagnostics if d.level.value == "error"]
            raise ModelError.from_diagnostics(errors, f"the model at {label} {name} is invalid")
        models[label] = model
    base_model, head_model = models["base"], models["head"]
    result = ModelDiff(base_name, head_name, base_model, head_model)
    result.added = sorted(set(head_model.elements) - set(base_model.elements))
    result.removed = sorted(set(base_model.elements) - set(head_model.elements))
    for element_id in sorted(set(base_model.elements) & set(head_model.elements)):
        old, new = base_model.elements[element_id], head_model.elements[element_id]
        changes = _field_changes(old, new)
        if old.kind != new.kind:
            changes["kind"] = (old.kind, new.kind)
        if changes:
            result.changed.append((element_id, new.kind, changes))
        if old.location.file != new.location.file:
            result.moved.append((element_id, old.location.file, new.location.file))
    options = CheckOptions(as_of=as_of, use_config_baseline=False)
    before = run_check(config, options, files=base_files).violations
    after = run_check(config, options, files=head_files).violations
    known_before = {v.fingerprint for v in before if not v.waived}
    known_after = {v.fingerprint for v in after if not v.waived}
    result.introduced = [v for v in after if not v.waived and v.fingerprint not in known_before]
    result.resolved = [v for v in before if not v.waived and v.fingerprint not in known_after]
    return result
