"""`archrepo import backstage`: Backstage catalog entities → archrepo model files.

Component → Application; Resource → Technology (a database, bucket, cluster …: what applications rely on);
Group → Organisation (``parent`` from spec.parent / spec.children, members kept as a property); Domain →
Capability; System → Capability (parent: its domain), and a component's ``spec.system`` → its
``capabilities``. Relations (:mod:`.relations`): an API provided by P and consumed by C → Integration with
source P (the provider sends the data), target C, initiator target (the consumer calls); ``dependsOn``
(X depends on Y) likewise, between components; on a resource, it becomes ``technologies`` (a component
relying on it) or ``runs_on`` (a resource relying on it). Users, Locations, Templates and anything else are
counted in the report, not mapped. References to entities that are not in the imported files are reported,
never invented. Every element keeps its entity reference, annotations, links and labels under
``properties:``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archrepo.interop.backstage.catalog import Entity, EntityRef, as_list, read_catalog
from archrepo.interop.backstage.relations import Mapped, link_entities
from archrepo.interop.formats import ImportOptions
from archrepo.interop.report import ImportReport
from archrepo.interop.slug import IdAllocator
from archrepo.interop.writer import KIND_DIRS, ImportResult

__all__ = ["LIFECYCLES", "RESOURCE_TYPES", "convert_backstage"]

LIFECYCLES = {"experimental": "planned", "production": "active", "deprecated": "phase-out"}
# A Resource's spec.type → Technology type (by the words it holds); others get no type.
RESOURCE_TYPES = (("database", ("database", "db", "postgres", "postgresql", "mysql", "mariadb", "oracle", "mongodb",
                                "redis", "cassandra", "sql")),
                  ("network", ("network", "vpc", "subnet", "dns", "cdn", "load-balancer", "loadbalancer")),
                  ("platform", ("cluster", "kubernetes", "k8s", "vm", "server", "host", "openshift")),
                  ("middleware", ("queue", "topic", "kafka", "rabbitmq", "broker", "message")),
                  ("infrastructure-service", ("bucket", "s3", "storage", "cache", "blob", "service")))
_KIND_OF = {"group": "Organisation", "domain": "Capability", "system": "Capability", "component": "Application",
            "resource": "Technology"}
_ORDER = ["group", "domain", "system", "component", "resource"]
_DEPARTMENT_TYPES = {"team", "department", "sub-department", "business-unit", "product-area"}


def convert_backstage(source: Path | str, options: ImportOptions | None = None, *,
                      max_bytes: int | None = None) -> ImportResult:
    """Read the catalog ``source`` (a file, or a directory's catalog-info.yaml files), follow its Locations
    inside that directory, and map the entities; nothing is written."""
    options = options or ImportOptions()
    source = Path(source)
    report = ImportReport(str(source), "backstage", "entity kinds", "relations")
    catalog = read_catalog(source, max_bytes or options.max_bytes, report)
    allocator = IdAllocator(existing=options.existing)
    mapped: dict[EntityRef, Mapped] = {}
    for entity in sorted((e for e in catalog.entities if e.ref.kind in _KIND_OF),
                         key=lambda e: (_ORDER.index(e.ref.kind), e.ref.namespace, e.ref.name)):
        element_id = allocator.allocate(entity.ref.name if entity.ref.namespace == "default"
                                        else f"{entity.ref.namespace}-{entity.ref.name}")
        mapped[entity.ref] = Mapped(entity, _document(entity, element_id, report))
    _members(catalog.entities, mapped)
    integrations, used_apis = link_entities(catalog.entities, mapped, allocator, report)
    for entity in catalog.entities:
        imported = entity.ref in mapped and mapped[entity.ref].entity is entity
        report.element(entity.kind, imported or any(api is entity for api in used_apis))
        if not imported and entity.ref.kind not in ("api", "location"):
            report.routine("entities of a kind with no archrepo equivalent, not imported",
                           f"{entity.file}:{entity.line}: {entity.ref}: no archrepo kind; not imported", entity.kind)
    allocator.note_renamed(report)
    return _result(mapped, integrations, report, source)


def _document(entity: Entity, element_id: str, report: ImportReport) -> dict[str, Any]:
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
            report.default(f"Application lifecycle.status = active (Backstage lifecycle '{lifecycle or 'none'}')")
    if kind == "Technology":
        technology_type = resource_type(str(spec.get("type") or ""))
        if technology_type:
            document["type"] = technology_type
    tags = [str(t).strip() for t in as_list(metadata.get("tags")) if str(t).strip()]
    if tags:
        document["tags"] = list(dict.fromkeys(tags))
    document["properties"] = _properties(entity)
    return document


def resource_type(backstage_type: str) -> str | None:
    """The Technology type a Resource's ``spec.type`` names (``database``, ``s3-bucket`` …), if any."""
    words = {word for word in backstage_type.lower().replace("_", "-").split("-") if word} | {backstage_type.lower()}
    return next((name for name, keys in RESOURCE_TYPES if words & set(keys)), None)


def _properties(entity: Entity) -> dict[str, Any]:
    """What the entity holds beyond the archrepo fields: its reference, spec.type, annotations, labels, links
    (kept whole: annotation keys hold '/' and ':', which property names may not)."""
    metadata, spec = entity.metadata, entity.spec
    properties: dict[str, Any] = {"backstage_ref": str(entity.ref)}
    if spec.get("type"):
        properties["backstage_type"] = str(spec["type"])
    for key in ("annotations", "labels"):
        if isinstance(metadata.get(key), dict) and metadata[key]:
            properties[f"backstage_{key}"] = {str(k): v for k, v in metadata[key].items()}
    links = [link for link in as_list(metadata.get("links")) if isinstance(link, dict) and link.get("url")]
    if links:
        properties["backstage_links"] = links
    profile = spec.get("profile")
    if entity.ref.kind == "group" and isinstance(profile, dict):
        for key in ("email", "picture"):
            if isinstance(profile.get(key), str):
                properties[f"backstage_{key}"] = profile[key]
    return properties


def _members(entities: list[Entity], mapped: dict[EntityRef, Mapped]) -> None:
    """A group's members (its spec.members and the users whose memberOf names it), kept as a property."""
    members: dict[EntityRef, set[str]] = {}
    for entity in entities:
        if entity.ref.kind == "group":
            for raw in as_list(entity.spec.get("members")):
                ref = EntityRef.parse(raw, "user", entity.ref.namespace)
                if ref is not None:
                    members.setdefault(entity.ref, set()).add(str(ref))
        elif entity.ref.kind == "user":
            for raw in as_list(entity.spec.get("memberOf")):
                ref = EntityRef.parse(raw, "group", entity.ref.namespace)
                if ref is not None:
                    members.setdefault(ref, set()).add(str(entity.ref))
    for ref, names in members.items():
        if ref in mapped:
            mapped[ref].document["properties"]["backstage_members"] = sorted(names)


def _result(mapped: dict[EntityRef, Mapped], integrations: list[dict[str, Any]], report: ImportReport,
            source: Path) -> ImportResult:
    documents: dict[str, list[dict[str, Any]]] = {}
    created = {kind: 0 for kind in KIND_DIRS}
    for document in [*(item.document for item in mapped.values()), *integrations]:
        documents.setdefault(f"{KIND_DIRS[document['kind']]}.yaml", []).append(document)
        created[document["kind"]] += 1
    report.created = created
    name = source.resolve().name
    header = f"# Imported from the Backstage catalog {name} by `archrepo import backstage`.\n"
    return ImportResult(documents, report, header)
