"""Backstage relations → archrepo references and integrations.

One meaning of an integration (ARCHITECTURE.md): the source sends the data, the target receives it, the
initiator opens the call. A consumer of an API calls its provider and gets data back, so an API provided by
P and consumed by C is an Integration with source P, target C, initiator target; ``X dependsOn Y`` between
components is read the same way (Y provides, X calls). A component depending on a resource relies on it
(``technologies``); a resource depending on another runs on it (``runs_on``). ``dependsOn`` on a system,
domain or group has no archrepo meaning (they are capabilities and organisations): reported, and kept as a
property.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from archrepo.interop.backstage.catalog import Entity, EntityRef, as_list
from archrepo.interop.report import ImportReport
from archrepo.interop.slug import IdAllocator

__all__ = ["API_STANDARDS", "Mapped", "link_entities"]

API_STANDARDS = {"openapi": "REST", "asyncapi": "AsyncAPI", "graphql": "GraphQL", "grpc": "gRPC", "trpc": "tRPC"}
DEFAULT_STANDARD = "unknown"
_PARENT_FIELDS = {"system": (("domain", "domain"),), "domain": (("subdomainOf", "domain"),),
                  "group": (("parent", "group"),)}
_MAPPED_KINDS = {"group", "domain", "system", "component", "resource"}
_PROVIDER_READING = ("source = the provider (sends the data), target = the consumer, which calls it: "
                     "initiator: target")


@dataclass
class Mapped:
    """An entity and the archrepo document made of it."""

    entity: Entity
    document: dict[str, Any]


class _Linker:
    def __init__(self, entities: list[Entity], mapped: dict[EntityRef, Mapped], allocator: IdAllocator,
                 report: ImportReport) -> None:
        self.entities, self.mapped, self.allocator, self.report = entities, mapped, allocator, report
        self.by_id = {item.document["id"]: item.document for item in mapped.values()}
        self.integrations: list[dict[str, Any]] = []

    def resolve(self, entity: Entity, field: str, raw: Any, default_kind: str,
                kinds: tuple[str, ...]) -> Mapped | None:
        """The imported entity a reference names; counted as a relation, reported when it cannot be used."""
        ref = EntityRef.parse(raw, default_kind, entity.ref.namespace)
        target = self.mapped.get(ref) if ref is not None and ref.kind in kinds else None
        if target is None:
            self.report.relationship(field, False)
            what = "not an entity reference" if ref is None else (
                f"a {ref.kind}, not mapped" if ref.kind not in kinds or ref.kind not in _MAPPED_KINDS
                else "not in the imported files")
            self.report.note(f"{entity.ref} {field}: '{raw}' is {what}")
        return target

    def unmapped(self, item: Mapped, field: str, raw: Any, why: str) -> None:
        """A relation with no archrepo field on this kind: counted, noted, kept as a property."""
        self.report.relationship(field, False)
        self.report.routine(f"{field} on entities whose archrepo kind has no such field, kept as a property",
                            f"{item.entity.ref} {field}: {why}; kept as the property backstage_{field[5:]}",
                            item.entity.kind)
        properties = item.document["properties"]
        key = f"backstage_{field[5:]}"
        properties[key] = [*as_list(properties.get(key)), *as_list(raw)] if key in properties else raw

    def references(self, item: Mapped) -> None:
        entity, document, spec = item.entity, item.document, item.entity.spec
        kind = entity.ref.kind
        if "owner" in spec:
            if document["kind"] in ("Application", "Technology"):
                owner = self.resolve(entity, "spec.owner", spec["owner"], "group", ("group",))
                if owner is not None:
                    document["owner"] = owner.document["id"]
                    self.report.relationship("spec.owner", True)
            else:
                self.unmapped(item, "spec.owner", spec["owner"], f"a {document['kind']} has no owner in archrepo")
        if kind in ("component", "resource") and "system" in spec:
            if kind == "resource":
                self.unmapped(item, "spec.system", spec["system"], "a Technology has no capabilities in archrepo")
            else:
                system = self.resolve(entity, "spec.system", spec["system"], "system", ("system",))
                if system is not None:
                    document["capabilities"] = [system.document["id"]]
                    self.report.relationship("spec.system", True)
        if kind == "component" and "subcomponentOf" in spec:
            parent = self.resolve(entity, "spec.subcomponentOf", spec["subcomponentOf"], "component", ("component",))
            if parent is not None:
                document["properties"]["subcomponent_of"] = parent.document["id"]
                self.report.relationship("spec.subcomponentOf", True)
        for field, parent_kind in _PARENT_FIELDS.get(kind, ()):
            if field in spec:
                target = self.resolve(entity, f"spec.{field}", spec[field], parent_kind, (parent_kind,))
                if target is not None:
                    self.adopt(target.document, document, f"spec.{field}", entity)
        if kind == "group":
            for child in as_list(spec.get("children")):
                target = self.resolve(entity, "spec.children", child, "group", ("group",))
                if target is not None:
                    self.adopt(document, target.document, "spec.children", entity)

    def adopt(self, parent: dict[str, Any], child: dict[str, Any], field: str, entity: Entity) -> None:
        """Make ``parent`` the parent of ``child`` unless it has one (the same: fine) or it would be a cycle."""
        if child.get("parent") == parent["id"]:
            self.report.relationship(field, True)
            return
        node: dict[str, Any] | None = parent
        while node is not None and node is not child:
            node = self.by_id.get(node.get("parent", ""))
        if "parent" in child or node is child:
            self.report.relationship(field, False)
            self.report.note(f"{entity.ref} {field}: '{child['id']}' has another parent or this would be a cycle")
            return
        child["parent"] = parent["id"]
        self.report.relationship(field, True)

    def apis(self) -> list[Entity]:
        """Integrations provider → consumer for every API; returns the API entities that gave one."""
        apis = {e.ref: e for e in self.entities if e.ref.kind == "api"}
        used: list[Entity] = []
        providers: dict[EntityRef, list[Mapped]] = defaultdict(list)
        consumers: dict[EntityRef, list[Mapped]] = defaultdict(list)
        for item in self.mapped.values():
            for field, table in (("providesApis", providers), ("consumesApis", consumers)):
                for raw in as_list(item.entity.spec.get(field)):
                    ref = EntityRef.parse(raw, "api", item.entity.ref.namespace)
                    if ref is not None and item.document["kind"] == "Application":
                        table[ref].append(item)
                    else:
                        self.report.relationship(f"spec.{field}", False)
                        why = "not an entity reference" if ref is None else "only components provide and consume"
                        self.report.note(f"{item.entity.ref} spec.{field}: '{raw}': {why}")
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
                self.integration(provider, consumer, api, str(ref), name)
                self.report.reading(f"API provided and consumed: {_PROVIDER_READING}")
        for ref, api in apis.items():
            if api not in used and ref not in providers and ref not in consumers:
                self.report.note(f"{ref}: neither provided nor consumed by an imported entity; no integration")
        return used

    def integration(self, source: Mapped, target: Mapped, api: Entity | None, origin: str, name: str) -> None:
        source_id, target_id = source.document["id"], target.document["id"]
        document: dict[str, Any] = {"kind": "Integration", "id": self.allocator.allocate(f"{source_id}-to-{target_id}"),
                                    "name": name}
        if api is not None and isinstance(api.metadata.get("description"), str) and api.metadata["description"].strip():
            document["description"] = api.metadata["description"].strip()
        document.update(source=source_id, target=target_id, initiator="target")
        api_type = str(api.spec.get("type", "")).lower() if api is not None else ""
        document["standard"] = API_STANDARDS.get(api_type, DEFAULT_STANDARD)
        if document["standard"] == DEFAULT_STANDARD:
            self.report.default(f"Integration standard = {DEFAULT_STANDARD} (no API type to go by)")
        if api_type == "asyncapi":
            document["mode"] = "async"
        document["properties"] = {"backstage_origin": origin}
        self.integrations.append(document)

    def dependencies(self) -> None:
        """``dependsOn`` / ``dependencyOf`` (``Y dependencyOf X`` is ``X dependsOn Y``)."""
        seen: set[tuple[str, str]] = set()
        for item in self.mapped.values():
            for field, forward in (("dependsOn", True), ("dependencyOf", False)):
                raws = as_list(item.entity.spec.get(field))
                if raws and item.document["kind"] not in ("Application", "Technology"):
                    self.unmapped(item, f"spec.{field}", item.entity.spec.get(field),
                                  f"a {item.document['kind']} depends on nothing in archrepo")
                    continue
                for raw in raws:
                    other = self.resolve(item.entity, f"spec.{field}", raw, "component", ("component", "resource"))
                    if other is not None:
                        dependent, dependency = (item, other) if forward else (other, item)
                        self.depend(dependent, dependency, f"spec.{field}", seen)

    def depend(self, dependent: Mapped, dependency: Mapped, field: str, seen: set[tuple[str, str]]) -> None:
        kinds = (dependent.document["kind"], dependency.document["kind"])
        if dependent is dependency or kinds == ("Technology", "Application"):
            self.report.relationship(field, False)
            self.report.note(f"{dependent.entity.ref} depends on {dependency.entity.ref}: "
                             f"{'itself' if dependent is dependency else 'a resource depending on a component'}"
                             "; not mapped")
            return
        self.report.relationship(field, True)
        if kinds[1] == "Technology":
            name = "technologies" if kinds[0] == "Application" else "runs_on"
            if name == "runs_on" and self.reaches(dependency.document, dependent.document["id"]):
                self.report.note(f"{dependent.entity.ref} depends on {dependency.entity.ref}: runs_on would form "
                                 "a cycle; not mapped")
                return
            listed = dependent.document.setdefault(name, [])
            if dependency.document["id"] not in listed:
                listed.append(dependency.document["id"])
            self.report.reading(f"dependsOn a resource: the {'component' if name == 'technologies' else 'resource'}"
                                f" relies on it ({name})")
            return
        key = (dependency.document["id"], dependent.document["id"])
        if key not in seen:
            seen.add(key)
            self.integration(dependency, dependent, None, f"{dependent.entity.ref} dependsOn {dependency.entity.ref}",
                             f"{dependent.document['name']} depends on {dependency.document['name']}")
            self.report.reading(f"dependsOn between components: the one depended on is the provider; "
                                f"{_PROVIDER_READING}")

    def reaches(self, start: dict[str, Any], goal: str) -> bool:
        stack, seen = [start], set()
        while stack:
            document = stack.pop()
            if document["id"] == goal:
                return True
            if document["id"] not in seen:
                seen.add(document["id"])
                stack.extend(self.by_id[i] for i in document.get("runs_on", []) if i in self.by_id)
        return False


def link_entities(entities: list[Entity], mapped: dict[EntityRef, Mapped], allocator: IdAllocator,
                  report: ImportReport) -> tuple[list[dict[str, Any]], list[Entity]]:
    """Fill references into the mapped documents; returns the integrations made and the API entities used."""
    linker = _Linker(entities, mapped, allocator, report)
    for item in mapped.values():
        linker.references(item)
    used_apis = linker.apis()
    linker.dependencies()
    return linker.integrations, used_apis
