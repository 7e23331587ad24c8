"""`archrepo import archimate`: an ArchiMate 3.x Open Exchange file → archrepo model files and a report.

Elements (:data:`~archrepo.interop.archimate.terms.ELEMENT_KINDS`): ApplicationComponent → Application
(lifecycle ``active`` unless a property says otherwise), BusinessActor → Organisation, Capability →
Capability, DataObject → DataObject (classification ``internal`` unless a property says otherwise),
BusinessProcess → Process or one of its steps (:mod:`~archrepo.interop.archimate.processes`), Node, Device,
SystemSoftware, TechnologyService, CommunicationNetwork and Artifact → Technology. Relationships:
:mod:`~archrepo.interop.archimate.links` and :mod:`~archrepo.interop.archimate.technology`. Fields ArchiMate
has no place for come from properties (:mod:`~archrepo.interop.archimate.terms`); every other property goes
under the element's ``properties:``, with what the exporter needs to write the file back as it was
(``archimate_id``, ``archimate_type``, …). Everything else is listed in the report; defaults applied are
counted.

Files: ``<kind directory>/<folder>/<sub-folder>.yaml`` following the file's organizations (the top-level
layer folder left out), ``<kind directory>.yaml`` for what sits in no folder.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from archrepo.interop.archimate.exchange import ExchangeFile, ExchangeItem, read_exchange
from archrepo.interop.archimate.fields import read_fields, set_path, typed_properties
from archrepo.interop.archimate.links import DEFAULT_STANDARD, INTEGRATION_TYPES, ImportState, link_model
from archrepo.interop.archimate.processes import ProcessTree
from archrepo.interop.archimate.terms import (
    ARCHIMATE_ID,
    ARCHIMATE_TYPE,
    ARCHREPO_ID,
    ELEMENT_KINDS,
    LAYER_FOLDERS,
    TECHNOLOGY_TYPES,
    element_type,
)
from archrepo.interop.formats import ImportOptions
from archrepo.interop.report import ImportReport
from archrepo.interop.slug import IdAllocator, slugify
from archrepo.interop.writer import KIND_DIRS, ImportResult

__all__ = ["DEFAULT_STANDARD", "ELEMENT_KINDS", "INTEGRATION_TYPES", "convert_archimate", "file_for",
           "import_archimate"]

DEFAULT_CLASSIFICATION = "internal"
DEFAULT_STATUS = "active"


def convert_archimate(path: Path | str, options: ImportOptions | None = None, *,
                      max_bytes: int | None = None) -> ImportResult:
    """Read an exchange file and map it; nothing is written. Raises InteropError for unusable input."""
    options = options or ImportOptions()
    path = Path(path)
    exchange = read_exchange(path, max_bytes or options.max_bytes)
    report = ImportReport(path.name, "archimate")
    return _Importer(exchange, report, IdAllocator(existing=options.existing)).run()


def import_archimate(path: Path | str, out_dir: Path | str, *, force: bool = False,
                     max_bytes: int | None = None) -> ImportReport:
    """Map an exchange file and write the model files under ``out_dir``; returns the import report."""
    result = convert_archimate(path, max_bytes=max_bytes)
    result.write(out_dir, force=force)
    return result.report


class _Importer:
    def __init__(self, exchange: ExchangeFile, report: ImportReport, allocator: IdAllocator) -> None:
        self.state = ImportState(exchange, report, allocator)

    def run(self) -> ImportResult:
        state = self.state
        tree = ProcessTree.build(state.exchange)
        mapped = [item for item in state.exchange.elements.values() if item.type in ELEMENT_KINDS
                  and (item.type != "BusinessProcess" or item.identifier in tree.roots)]
        self._allocate_ids(mapped)
        for item in mapped:
            state.kinds[item.identifier] = ELEMENT_KINDS[item.type]
            state.documents[item.identifier] = self._document(item)
        if state.exchange.views:
            state.report.note(f"{state.exchange.views} view(s) not imported: archrepo draws its own diagrams")
        used = tree.used | link_model(state, tree)
        self._count(used, tree)
        state.allocator.note_renamed(state.report)
        return self._result()

    def _allocate_ids(self, mapped: list[ExchangeItem]) -> None:
        state = self.state
        refused: dict[str, str] = {}
        for item in mapped:
            wanted = item.property(ARCHREPO_ID)
            if wanted is None:
                continue
            if state.allocator.reserve(wanted):
                state.ids[item.identifier] = wanted
            else:
                refused[item.identifier] = wanted
        for item in sorted(mapped, key=lambda i: i.identifier):
            if item.identifier not in state.ids:
                state.ids[item.identifier] = state.allocator.allocate(item.name or item.type, slugify(item.type),
                                                                      wanted=refused.get(item.identifier))
            if item.identifier in refused and refused[item.identifier] not in state.allocator.existing:
                state.report.note(f"{item.type} '{item.name}' ({item.identifier}): archrepo:id "
                                  f"'{refused[item.identifier]}' is invalid or used twice; "
                                  f"it is '{state.ids[item.identifier]}'")

    def _document(self, item: ExchangeItem) -> dict[str, Any]:
        kind = ELEMENT_KINDS[item.type]
        report = self.state.report
        element_id = self.state.ids[item.identifier]
        document: dict[str, Any] = {"kind": kind, "id": element_id, "name": item.display_name}
        if item.documentation:
            document["description"] = item.documentation
        fields = read_fields(item, kind)
        fields.apply(document)
        for problem in fields.problems:
            report.note(f"{item.type} '{item.name}' ({item.identifier}): {problem}; kept as a property")
        for path in fields.references:
            report.note(f"{item.type} '{item.name}': property for '{path}' ignored (not a field of {kind})")
        properties = typed_properties(item, fields.leftover, report)
        if item.identifier != f"id-{element_id}":
            properties.setdefault(ARCHIMATE_ID, item.identifier)
        self._defaults(item, kind, document)
        if element_type(kind, document) != item.type:
            properties.setdefault(ARCHIMATE_TYPE, item.type)
        if properties:  # the identifier first, where people look for it
            document["properties"] = dict(sorted(properties.items(), key=lambda entry: entry[0] != ARCHIMATE_ID))
        fields.apply(document)  # again, for an empty `properties: {}` the exporter marked
        return document

    def _defaults(self, item: ExchangeItem, kind: str, document: dict[str, Any]) -> None:
        report = self.state.report
        if kind == "Application" and "status" not in document.get("lifecycle", {}):
            set_path(document, "lifecycle.status", DEFAULT_STATUS)
            report.default(f"Application lifecycle.status = {DEFAULT_STATUS} (no lifecycle property)")
        elif kind == "DataObject" and "classification" not in document:
            document["classification"] = DEFAULT_CLASSIFICATION
            report.default(f"DataObject classification = {DEFAULT_CLASSIFICATION} (no classification property)")
        elif kind == "Technology" and "type" not in document and item.property(ARCHREPO_ID) is None:
            technology_type = TECHNOLOGY_TYPES.get(item.type)
            if technology_type is not None:
                document["type"] = technology_type

    def _count(self, used: set[str], tree: ProcessTree) -> None:
        state = self.state
        exchange, report = state.exchange, state.report
        for item in exchange.elements.values():
            mapped = item.type in ELEMENT_KINDS
            report.element(item.type or "(no type)", mapped)
            if not mapped:
                report.routine("elements of a type with no archrepo kind, not imported",
                               f"{item.type} '{item.name}' ({item.identifier}): no archrepo kind; not imported",
                               item.type or "(no type)")
        for relationship in exchange.relationships:
            imported = relationship.identifier in used
            report.relationship(relationship.type or "(no type)", imported)
            if not imported and relationship.identifier not in state.explained:
                report.routine("relationships no archrepo field stands for, not mapped",
                               f"{relationship.type} {relationship.identifier}: {state.describe(relationship)}: "
                               "no archrepo field stands for it between these; not mapped",
                               relationship.type or "(no type)")

    def _result(self) -> ImportResult:
        state = self.state
        files: dict[str, list[dict[str, Any]]] = defaultdict(list)
        created: dict[str, int] = {kind: 0 for kind in KIND_DIRS}
        for identifier, document in state.documents.items():
            item = state.exchange.elements.get(identifier) or state.integrations[identifier]
            files[file_for(document["kind"], item.folder)].append(document)
            created[document["kind"]] += 1
        state.report.created = created
        header = f"# Imported from {state.report.source} by `archrepo import archimate`.\n"
        return ImportResult(dict(files), state.report, header)


def file_for(kind: str, folder: tuple[str, ...]) -> str:
    """``applications/<folder>/<sub-folder>.yaml`` from the item's folders (layer folders left out), or
    ``applications.yaml`` for items outside any folder."""
    segments = [slugify(label, "folder") for label in folder]
    if segments and segments[0] in LAYER_FOLDERS:
        segments = segments[1:]
    return KIND_DIRS[kind] + ("/" + "/".join(segments) if segments else "") + ".yaml"
