"""Reading a Backstage catalog: every YAML file under a directory, entity references, Location targets."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archrepo.errors import DiagnosticSink
from archrepo.interop.report import ImportReport
from archrepo.interop.sources import InteropError, check_source
from archrepo.model.yamlsource import decode_source, parse_documents

__all__ = ["Entity", "EntityRef", "read_catalog"]


@dataclass(frozen=True, order=True)
class EntityRef:
    """``kind:namespace/name``, lower-cased (Backstage compares references case-insensitively)."""

    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.namespace}/{self.name}"

    @classmethod
    def parse(cls, raw: Any, default_kind: str, default_namespace: str = "default") -> EntityRef | None:
        if isinstance(raw, dict):
            name = raw.get("name")
            if not isinstance(name, str) or not name:
                return None
            return cls(str(raw.get("kind", default_kind)).lower(),
                       str(raw.get("namespace", default_namespace)).lower(), name.lower())
        if not isinstance(raw, str) or not raw.strip():
            return None
        text = raw.strip()
        kind, colon, rest = text.partition(":")
        if not colon:
            kind, rest = default_kind, text
        namespace, slash, name = rest.partition("/")
        if not slash:
            namespace, name = default_namespace, rest
        if not name or not kind or not namespace:
            return None
        return cls(kind.lower(), namespace.lower(), name.lower())


@dataclass
class Entity:
    ref: EntityRef
    kind: str  # as written (Component, API, …)
    metadata: dict[str, Any]
    spec: dict[str, Any]
    file: str
    line: int

    @property
    def title(self) -> str:
        profile = self.spec.get("profile") if isinstance(self.spec.get("profile"), dict) else {}
        for candidate in (self.metadata.get("title"), (profile or {}).get("displayName"), self.metadata.get("name")):
            if isinstance(candidate, str) and candidate.strip():
                return candidate.strip()
        return self.ref.name


def read_catalog(directory: Path, max_bytes: int, report: ImportReport) -> list[Entity]:
    """Entities of every ``*.yaml``/``*.yml`` under ``directory`` and of Location targets inside it, each
    entity once (a second definition of the same reference is reported and skipped)."""
    if not directory.is_dir():
        raise InteropError(f"{directory} is not a directory", hint="Give the directory that holds the catalog files.")
    root = directory.resolve()
    queue = _yaml_files(root)
    seen = set(queue)
    entities: list[Entity] = []
    known: dict[EntityRef, Entity] = {}
    while queue:
        path = queue.pop(0)
        relative = path.relative_to(root).as_posix()
        for document_line, data in _documents(path, relative, max_bytes):
            entity = _entity(data, relative, document_line, report)
            if entity is None:
                continue
            if entity.ref.kind == "location":
                for target in _location_targets(entity, path, root, report):
                    if target not in seen:
                        seen.add(target)
                        queue.append(target)
            previous = known.get(entity.ref)
            if previous is not None:
                report.element(entity.kind, False)
                report.note(f"{relative}:{document_line}: {entity.ref} is defined again (first in "
                            f"{previous.file}:{previous.line}); the first definition is kept")
                continue
            known[entity.ref] = entity
            entities.append(entity)
    return entities


def _yaml_files(root: Path) -> list[Path]:
    found: list[Path] = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        found.extend(Path(directory, name) for name in sorted(files)
                     if name.endswith((".yaml", ".yml")) and not name.startswith("."))
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def _documents(path: Path, relative: str, max_bytes: int) -> list[tuple[int, Any]]:
    check_source(path, max_bytes, "YAML file")
    sink = DiagnosticSink()
    text = decode_source(path.read_bytes(), relative, sink)
    documents = parse_documents(text, relative, sink) if text is not None else []
    if sink.errors:
        raise InteropError(f"{relative} is not valid YAML", diagnostics=sink.errors)
    return [(document.line, document.data) for document in documents]


def _entity(data: Any, relative: str, line: int, report: ImportReport) -> Entity | None:
    metadata = data.get("metadata") if isinstance(data, dict) else None
    kind = data.get("kind") if isinstance(data, dict) else None
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if not isinstance(kind, str) or not isinstance(name, str) or not name.strip():
        report.element("(not an entity)", False)
        report.note(f"{relative}:{line}: not a catalog entity (no kind or metadata.name); skipped")
        return None
    assert isinstance(metadata, dict)
    namespace = metadata.get("namespace") if isinstance(metadata.get("namespace"), str) else "default"
    spec = data.get("spec") if isinstance(data.get("spec"), dict) else {}
    return Entity(EntityRef(kind.lower(), str(namespace).lower(), name.strip().lower()), kind, metadata, spec,
                  relative, line)


def _location_targets(entity: Entity, path: Path, root: Path, report: ImportReport) -> list[Path]:
    """Files a Location points to that lie inside the imported directory (globs expanded)."""
    targets = entity.spec.get("targets")
    raw = [entity.spec.get("target"), *(targets if isinstance(targets, list) else [targets])]
    found: list[Path] = []
    for target in [t for t in raw if isinstance(t, str) and t.strip()]:
        where = f"{entity.file}:{entity.line}: Location target '{target}'"
        if "://" in target:
            report.relationship("Location.target", False)
            report.note(f"{where} is a URL; not followed")
            continue
        candidate = (path.parent / target)
        matches = sorted(candidate.parent.glob(candidate.name)) if "*" in candidate.name else [candidate]
        inside = [m.resolve() for m in matches if m.resolve().is_relative_to(root)]
        if not matches or (len(matches) == 1 and not matches[0].exists()):
            report.relationship("Location.target", False)
            report.note(f"{where} does not exist; not followed")
        elif not inside:
            report.relationship("Location.target", False)
            report.note(f"{where} lies outside {root.name}/; not followed")
        else:
            report.relationship("Location.target", True)
            found.extend(m for m in inside if m.is_file())
    return found
