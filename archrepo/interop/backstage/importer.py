"""`archrepo import backstage`: Backstage catalog entities → archrepo model files.

Component → Application; Resource → Application tagged ``backstage-resource``; Group → Organisation
(``parent`` from spec.parent / spec.children); Domain → Capability; System → Capability (parent: its
domain), and a component's or resource's ``spec.system`` → its ``capabilities``. An API provided by P and
consumed by C → Integration P → C; ``dependsOn`` (X depends on Y) → Integration Y → X. Users, Locations,
Templates and anything else are counted in the report, not mapped. References to entities that are not in
the imported files are reported, never invented.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archrepo.interop.backstage.catalog import Entity, EntityRef, read_catalog
from archrepo.interop.formats import ImportOptions
from archrepo.interop.report import ImportReport
from archrepo.interop.slug import IdAllocator
from archrepo.interop.writer import KIND_DIRS, ImportResult

__all__ = ["BACKSTAGE_SIDECAR", "LIFECYCLES", "convert_backstage"]

BACKSTAGE_SIDECAR = ".backstage-refs.yaml"
LIFECYCLES = {"experimental": "planned", "production": "active", "deprecated": "phase-out"}
API_STANDARDS = {"openapi": "REST", "asyncapi": "AsyncAPI", "graphql": "GraphQL", "grpc": "gRPC",
                 "trpc": "tRPC"}
DEFAULT_STANDARD = "unknown"
_KIND_OF = {"group": "Organisation", "domain": "Capability", "system": "Capability", "component": "Application",
            "resource": "Application"}
_ORDER = ["group", "domain", "system", "component", "resource"]
_PARENT_FIELDS = {"system": (("domain", "domain"),), "domain": (("subdomainOf", "domain"),),
                  "group": (("parent", "group"),)}
_DEPARTMENT_TYPES = {"team", "department", "sub-department", "business-unit", "product-area"}


def convert_backstage(directory: Path | str, options: ImportOptions | None = None, *,
                      max_bytes: int | None = None) -> ImportResult:
    """Read every catalog file under ``directory`` (following Location entities that stay inside it) and
    map the entities; nothing is written."""
    options = options or ImportOptions()
    directory = Path(directory)
    report = ImportReport(str(directory), "backstage", "entity kinds", "relations")
    entities = read_catalog(directory, max_bytes or options.max_bytes, report)
    return _Mapper(entities, report, IdAllocator(existing=options.existing)).run()


@dataclass
class _Mapped:
    entity: Entity
    document: dict[str, Any]


class _Mapper:
    def __init__(self, entities: list[Entity], report: ImportReport, allocator: IdAllocator) -> None:
        self.report = report
        self.entities = entities
        self.by_ref: dict[EntityRef, _Mapped] = {}
        self.allocator = allocator
        self.integrations: list[dict[str, Any]] = []
        self.sidecar: dict[str, str] = {}

    def run(self) -> ImportResult:
        mapped = sorted((e for e in self.entities if e.ref.kind in _KIND_OF),
                        key=lambda e: (_ORDER.index(e.ref.kind), e.ref.namespace, e.ref.name))
        for entity in mapped:
            element_id = self.allocator.allocate(entity.ref.name if entity.ref.namespace == "default"
                                                 else f"{entity.ref.namespace}-{entity.ref.name}")
            self.by_ref[entity.ref] = _Mapped(entity, self._document(entity, element_id))
            self.sidecar[element_id] = str(entity.ref)
        for item in self.by_ref.values():
            self._references(item)
        used_apis = self._api_integrations()
        self._dependency_integrations()
        for entity in self.entities:
            imported = entity.ref in self.by_ref and self.by_ref[entity.ref].entity is entity
            self.report.element(entity.kind, imported or any(api is entity for api in used_apis))
        return self._result()

    def _document(self, entity: Entity, element_id: str) -> dict[str, Any]:
        kind = _KIND_OF[entity.ref.kind]
        metadata, spec = entity.metadata, entity.spec
        document: dict[str, Any] = {"kind": kind, "id": element_id, "name": entity.title}
        if isinstance(metadata.get("description"), str) and metadata["description"].strip():
            document["description"] = metadata["description"].strip()
        if kind == "Organisation" and str(spec.get("type", "")).lower() in _DEPARTMENT_TYPES:
            document["type"] = "department"
        if kind == "Application":
            lifecycle = str(spec.get("lifecycle", "")).lower()
            if lifecycle in LIFECYCLES:
                document["lifecycle"] = {"status": LIFECYCLES[lifecycle]}
            else:
                document["lifecycle"] = {"status": "active"}
                self.report.default(f"Application lifecycle.status = active (Backstage lifecycle "
                                    f"'{lifecycle or 'none'}')")
            tags = [str(t).strip() for t in _as_list(metadata.get("tags")) if str(t).strip()]
            if entity.ref.kind == "resource":
                tags.insert(0, "backstage-resource")
            if tags:
                document["tags"] = list(dict.fromkeys(tags))
            properties: dict[str, Any] = {"backstage_ref": str(entity.ref)}
            if spec.get("type"):
                properties["backstage_type"] = str(spec["type"])
            document["properties"] = properties
        return document

    def _resolve(self, entity: Entity, field: str, raw: Any, default_kind: str,
                 kinds: tuple[str, ...]) -> _Mapped | None:
        """The imported entity a reference names; counted as a relation, reported when it cannot be used."""
        ref = EntityRef.parse(raw, default_kind, entity.ref.namespace)
        target = self.by_ref.get(ref) if ref is not None and ref.kind in kinds else None
        if target is None:
            self.report.relationship(field, False)
            what = "not an entity reference" if ref is None else (
                f"a {ref.kind}, not mapped" if ref.kind not in kinds or ref.kind not in _KIND_OF
                else "not in the imported files")
            self.report.note(f"{entity.ref} {field}: '{raw}' is {what}")
        return target

    def _references(self, item: _Mapped) -> None:
        entity, document, spec = item.entity, item.document, item.entity.spec
        kind = entity.ref.kind
        if "owner" in spec:
            if document["kind"] == "Application":
                owner = self._resolve(entity, "spec.owner", spec["owner"], "group", ("group",))
                if owner is not None:
                    document["owner"] = owner.document["id"]
                    self.report.relationship("spec.owner", True)
            else:
                self.report.relationship("spec.owner", False)
                self.report.note(f"{entity.ref} spec.owner: a {document['kind']} has no owner in archrepo")
        if kind in ("component", "resource") and "system" in spec:
            system = self._resolve(entity, "spec.system", spec["system"], "system", ("system",))
            if system is not None:
                document["capabilities"] = [system.document["id"]]
                self.report.relationship("spec.system", True)
        if kind == "component" and "subcomponentOf" in spec:
            parent = self._resolve(entity, "spec.subcomponentOf", spec["subcomponentOf"], "component", ("component",))
            if parent is not None:
                document["properties"]["subcomponent_of"] = parent.document["id"]
                self.report.relationship("spec.subcomponentOf", True)
        for field, parent_kind in _PARENT_FIELDS.get(kind, ()):
            if field in spec:
                self._set_parent(entity, document, f"spec.{field}", spec[field], parent_kind)
        if kind == "group":
            for child in _as_list(spec.get("children")):
                target = self._resolve(entity, "spec.children", child, "group", ("group",))
                if target is not None:
                    self._adopt(document, target.document, "spec.children", entity)

    def _set_parent(self, entity: Entity, document: dict[str, Any], field: str, raw: Any, default: str) -> None:
        target = self._resolve(entity, field, raw, default, (default,))
        if target is not None:
            self._adopt(target.document, document, field, entity)

    def _adopt(self, parent: dict[str, Any], child: dict[str, Any], field: str, entity: Entity) -> None:
        """Make ``parent`` the parent of ``child`` unless it has one (the same: fine) or it would be a cycle."""
        if child.get("parent") == parent["id"]:
            self.report.relationship(field, True)
            return
        node: dict[str, Any] | None = parent
        while node is not None and node is not child:
            node = self._by_id(node.get("parent"))
        if "parent" in child or node is child:
            self.report.relationship(field, False)
            self.report.note(f"{entity.ref} {field}: '{child['id']}' has another parent or this would be a cycle")
            return
        child["parent"] = parent["id"]
        self.report.relationship(field, True)

    def _by_id(self, element_id: Any) -> dict[str, Any] | None:
        return next((m.document for m in self.by_ref.values() if m.document["id"] == element_id), None)

    def _api_integrations(self) -> list[Entity]:
        """Integrations provider → consumer for every API; returns the API entities that gave one."""
        apis = {e.ref: e for e in self.entities if e.ref.kind == "api"}
        used: list[Entity] = []
        providers: dict[EntityRef, list[_Mapped]] = defaultdict(list)
        consumers: dict[EntityRef, list[_Mapped]] = defaultdict(list)
        for item in self.by_ref.values():
            for field, table in (("providesApis", providers), ("consumesApis", consumers)):
                for raw in _as_list(item.entity.spec.get(field)):
                    ref = EntityRef.parse(raw, "api", item.entity.ref.namespace)
                    if ref is not None:
                        table[ref].append(item)
                    else:
                        self.report.relationship(f"spec.{field}", False)
                        self.report.note(f"{item.entity.ref} spec.{field}: '{raw}' is not an entity reference")
        for ref in sorted(set(providers) | set(consumers), key=str):
            pairs = [(p, c) for p in providers.get(ref, []) for c in consumers.get(ref, []) if p is not c]
            for side, items in (("providesApis", providers.get(ref, [])), ("consumesApis", consumers.get(ref, []))):
                for item in items:
                    self.report.relationship(f"spec.{side}", any(item in pair for pair in pairs))
            if not pairs:
                missing = "no consumer" if ref in providers else "no provider"
                self.report.note(f"{ref}: {missing} among the imported entities; no integration")
                continue
            api = apis.get(ref)
            if api is None:
                self.report.note(f"{ref}: provided and consumed, but the API entity is not in the imported files; "
                                 "standard unknown")
            else:
                used.append(api)
            for provider, consumer in pairs:
                name = f"{api.title if api is not None else ref.name} to {consumer.document['name']}"
                self._integration(provider, consumer, api, str(ref), name)
        for ref, api in apis.items():
            if api not in used and ref not in providers and ref not in consumers:
                self.report.note(f"{ref}: neither provided nor consumed by an imported entity; no integration")
        return used

    def _integration(self, source: _Mapped, target: _Mapped, api: Entity | None, origin: str, name: str) -> None:
        source_id, target_id = source.document["id"], target.document["id"]
        document: dict[str, Any] = {"kind": "Integration",
                                    "id": self.allocator.allocate(f"{source_id}-to-{target_id}")}
        document["name"] = name
        if api is not None and isinstance(api.metadata.get("description"), str):
            document["description"] = api.metadata["description"].strip()
        document["source"], document["target"] = source_id, target_id
        api_type = str(api.spec.get("type", "")).lower() if api is not None else ""
        document["standard"] = API_STANDARDS.get(api_type, DEFAULT_STANDARD)
        if document["standard"] == DEFAULT_STANDARD:
            self.report.default(f"Integration standard = {DEFAULT_STANDARD} (no API type to go by)")
        if api_type == "asyncapi":
            document["mode"] = "async"
        self.integrations.append(document)
        self.sidecar[document["id"]] = origin

    def _dependency_integrations(self) -> None:
        seen: set[tuple[str, str]] = set()
        for item in self.by_ref.values():
            for field, reverse in (("dependsOn", True), ("dependencyOf", False)):
                for raw in _as_list(item.entity.spec.get(field)):
                    other = self._resolve(item.entity, f"spec.{field}", raw, "component", ("component", "resource"))
                    if other is None:
                        continue
                    # X dependsOn Y: Y's data reaches X (the dependent), so the integration runs Y → X.
                    source, target = (other, item) if reverse else (item, other)
                    self.report.relationship(f"spec.{field}", True)
                    key = (source.document["id"], target.document["id"])
                    if key not in seen and source is not target:
                        seen.add(key)
                        self._integration(source, target, None, f"{target.entity.ref} dependsOn {source.entity.ref}",
                                          f"{target.document['name']} depends on {source.document['name']}")

    def _result(self) -> ImportResult:
        documents: dict[str, list[dict[str, Any]]] = defaultdict(list)
        created = {kind: 0 for kind in KIND_DIRS}
        for item in [*self.by_ref.values()]:
            documents[f"{KIND_DIRS[item.document['kind']]}.yaml"].append(item.document)
            created[item.document["kind"]] += 1
        for document in self.integrations:
            documents["integrations.yaml"].append(document)
            created["Integration"] += 1
        self.report.created = created
        name = Path(self.report.source).resolve().name
        header = f"# Imported from the Backstage catalog {name}/ by `archrepo import backstage`.\n"
        return ImportResult(dict(documents), self.report, header)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
