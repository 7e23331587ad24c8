"""Reading a Backstage catalog: the catalog files (``catalog-info.yaml``, Location targets), entities and
entity references. Files written for Backstage are read as Backstage reads them (:mod:`.yamlread`)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archrepo.errors import DiagnosticSink
from archrepo.interop.backstage.yamlread import CatalogYamlError, load_documents
from archrepo.interop.report import ImportReport
from archrepo.interop.sources import InteropError, check_source
from archrepo.model.yamlsource import decode_source

__all__ = ["Catalog", "Entity", "EntityRef", "as_list", "read_catalog"]

_CATALOG_INFO = ("catalog-info.yaml", "catalog-info.yml")
# Scaffolder templates: `${{ values.name }}` (current) and nunjucks `{% if %}` / `{{ }}` (older skeletons).
_TEMPLATE = re.compile(r"\$\{\{|\{%|\{\{")


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


@dataclass
class Catalog:
    """The entities read (each reference once), the directory Locations may not leave, and the files that
    could not be read (file → why)."""

    root: Path
    entities: list[Entity] = field(default_factory=list)
    broken: dict[str, str] = field(default_factory=dict)


def read_catalog(source: Path, max_bytes: int, report: ImportReport) -> Catalog:
    """Entities of the catalog ``source``: a catalog file, or a directory (its ``catalog-info.yaml`` files, or
    every YAML file when it has none), and of the files its Location entities name inside that directory.

    A file that cannot be read (broken YAML, a duplicate key, a template skeleton, an alias bomb) is listed
    in the report and skipped; only when nothing at all could be read is the import refused."""
    if not source.exists():
        raise InteropError(f"{source} does not exist", hint="Give a catalog file or the directory that holds "
                                                             "the catalog files.")
    catalog = Catalog(source.resolve() if source.is_dir() else source.resolve().parent)
    queue = [source.resolve()] if not source.is_dir() else _start_files(catalog.root, report)
    seen = set(queue)
    known: dict[EntityRef, Entity] = {}
    while queue:
        path = queue.pop(0)
        relative = path.relative_to(catalog.root).as_posix()
        for document_line, data in _documents(path, relative, max_bytes, catalog, report):
            entity = _entity(data, relative, document_line, report)
            if entity is None:
                continue
            if entity.ref.kind == "location":
                for target in _location_targets(entity, path, catalog.root, report):
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
            catalog.entities.append(entity)
    if not catalog.entities and catalog.broken:
        first = next(iter(catalog.broken))
        raise InteropError(f"no catalog entity could be read; {first}: {catalog.broken[first]}",
                           file=str(source), hint="Fix the file, or give the catalog file to start from.")
    return catalog


def _start_files(root: Path, report: ImportReport) -> list[Path]:
    """The ``catalog-info.yaml`` files under ``root`` (Backstage's discovery convention); every YAML file when
    there is none (a folder of catalog files such as Backstage's examples)."""
    files = _yaml_files(root)
    infos = [path for path in files if path.name in _CATALOG_INFO]
    if infos:
        return infos
    report.note(f"no catalog-info.yaml under {root.name}/: every YAML file in it was read (give a catalog file, "
                "e.g. all.yaml, to follow its Locations only)")
    return files


def _yaml_files(root: Path) -> list[Path]:
    found: list[Path] = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d != "node_modules")
        found.extend(Path(directory, name) for name in sorted(files)
                     if name.endswith((".yaml", ".yml")) and not name.startswith("."))
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def _documents(path: Path, relative: str, max_bytes: int, catalog: Catalog,
               report: ImportReport) -> list[tuple[int, Any]]:
    """The documents of one file; [] (and the file listed as not read) when it cannot be read."""
    try:
        check_source(path, max_bytes, "YAML file")
        sink = DiagnosticSink()
        text = decode_source(path.read_bytes(), relative, sink)
        if text is None:
            raise CatalogYamlError(sink.errors[0].line if sink.errors else 1,
                                   sink.errors[0].message if sink.errors else "not UTF-8 text")
        if _TEMPLATE.search(text):
            report.routine("template files (scaffolder skeletons), not read",
                           f"{relative}: holds template syntax (${{{{ … }}}} or {{% … %}}); not read")
            return []
        return load_documents(text)
    except CatalogYamlError as error:
        why = f"line {error.line}: {error.message}"
    except (InteropError, OSError) as error:
        why = getattr(error, "message", None) or str(error)
    catalog.broken[relative] = why
    report.note(f"{relative} was not read ({why}); the other files were imported")
    return []


def _entity(data: Any, relative: str, line: int, report: ImportReport) -> Entity | None:
    metadata = data.get("metadata") if isinstance(data, dict) else None
    kind = data.get("kind") if isinstance(data, dict) else None
    name = metadata.get("name") if isinstance(metadata, dict) else None
    api_version = data.get("apiVersion") if isinstance(data, dict) else None
    if not isinstance(kind, str) or not isinstance(name, str) or not name.strip():
        report.element("(not an entity)", False)
        report.routine("documents that are not catalog entities, skipped",
                       f"{relative}:{line}: not a catalog entity (no kind or metadata.name); skipped")
        return None
    if not isinstance(api_version, str) or "backstage.io/" not in api_version:
        report.element(f"{kind} (not Backstage)", False)
        report.routine("objects of other tools (apiVersion not backstage.io), ignored",
                       f"{relative}:{line}: {kind} '{name}' has apiVersion '{api_version}', not Backstage's; "
                       "ignored", str(api_version))
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


def as_list(value: Any) -> list[Any]:
    """A field that may hold one value or a list of them, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
