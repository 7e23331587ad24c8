"""`archrepo import archimate`: an ArchiMate 3.x Open Exchange file → archrepo model files and a report.

Elements: ApplicationComponent → Application (lifecycle ``active`` unless a property says otherwise),
BusinessActor → Organisation, Capability → Capability, DataObject → DataObject (classification
``internal`` unless a property says otherwise), BusinessProcess → Process or one of its steps (see
:mod:`archrepo.interop.archimate_processes`). Relationships: see :mod:`archrepo.interop.archimate_links`.
Fields ArchiMate has no place for come from properties (:mod:`archrepo.interop.archimate_terms`); other
properties of an Application go under its ``properties:`` (with ``archimate_id``), those of other elements
into the sidecar ``.archimate-ids.yaml``, which also maps every archrepo id to its exchange identifier.
Everything else is counted as not mapped in the report; defaults applied are counted too.

Files: ``<kind directory>/<folder>/<sub-folder>.yaml`` following the file's organizations (the top-level
layer folder left out), ``<kind directory>.yaml`` for what sits in no folder.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from archrepo.interop.archimate_exchange import ExchangeFile, ExchangeItem, Property, read_exchange
from archrepo.interop.archimate_fields import read_fields, set_path, typed_value
from archrepo.interop.archimate_links import DEFAULT_STANDARD, INTEGRATION_TYPES, ImportState, link_model
from archrepo.interop.archimate_processes import ProcessTree
from archrepo.interop.archimate_terms import ARCHREPO_ID, LAYER_FOLDERS
from archrepo.interop.report import ImportReport
from archrepo.interop.slug import IdAllocator, slugify
from archrepo.interop.sources import DEFAULT_MAX_BYTES
from archrepo.interop.writer import KIND_DIRS, ImportResult

__all__ = ["ARCHIMATE_SIDECAR", "DEFAULT_STANDARD", "ELEMENT_KINDS", "INTEGRATION_TYPES", "convert_archimate",
           "file_for", "import_archimate"]

ELEMENT_KINDS: dict[str, str] = {"ApplicationComponent": "Application", "BusinessActor": "Organisation",
                                 "Capability": "Capability", "DataObject": "DataObject",
                                 "BusinessProcess": "Process"}
DEFAULT_CLASSIFICATION = "internal"
DEFAULT_STATUS = "active"
ARCHIMATE_SIDECAR = ".archimate-ids.yaml"


def convert_archimate(path: Path | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ImportResult:
    """Read an exchange file and map it; nothing is written. Raises InteropError for unusable input."""
    path = Path(path)
    exchange = read_exchange(path, max_bytes)
    report = ImportReport(path.name, "archimate")
    return _Importer(exchange, report).run()


def import_archimate(path: Path | str, out_dir: Path | str, *, force: bool = False,
                     max_bytes: int = DEFAULT_MAX_BYTES) -> ImportReport:
    """Map an exchange file and write the model files under ``out_dir``; returns the import report."""
    result = convert_archimate(path, max_bytes=max_bytes)
    result.write(out_dir, force=force)
    return result.report


class _Importer:
    def __init__(self, exchange: ExchangeFile, report: ImportReport) -> None:
        self.state = ImportState(exchange, report, IdAllocator())
        self.sidecar_properties: dict[str, dict[str, str]] = {}

    def run(self) -> ImportResult:
        state = self.state
        tree = ProcessTree.build(state.exchange)
        mapped = [item for item in state.exchange.elements.values() if item.type in ELEMENT_KINDS
                  and (item.type != "BusinessProcess" or item.identifier in tree.roots)]
        self._allocate_ids(mapped)
        for item in mapped:
            state.kinds[item.identifier] = ELEMENT_KINDS[item.type]
            state.documents[item.identifier] = self._document(item)
        for note in tree.notes:
            state.report.note(note)
        if state.exchange.views:
            state.report.note(f"{state.exchange.views} view(s) not imported: archrepo draws its own diagrams")
        used = tree.used | link_model(state, tree)
        self._count(used)
        return self._result(tree)

    def _allocate_ids(self, mapped: list[ExchangeItem]) -> None:
        state = self.state
        for item in mapped:
            wanted = item.property(ARCHREPO_ID)
            if wanted is None:
                continue
            if state.allocator.reserve(wanted):
                state.ids[item.identifier] = wanted
            else:
                state.report.note(f"{item.type} '{item.name}' ({item.identifier}): archrepo:id '{wanted}' is "
                                  "invalid or used twice; a new id was derived from the name")
        for item in sorted(mapped, key=lambda i: i.identifier):
            if item.identifier not in state.ids:
                state.ids[item.identifier] = state.allocator.allocate(item.name or item.type, slugify(item.type))

    def _document(self, item: ExchangeItem) -> dict[str, Any]:
        kind = ELEMENT_KINDS[item.type]
        report = self.state.report
        document: dict[str, Any] = {"kind": kind, "id": self.state.ids[item.identifier], "name": item.display_name}
        if item.documentation:
            document["description"] = item.documentation
        if kind == "Process":
            return document  # steps, owner and capability come from relationships
        fields = read_fields(item, kind)
        fields.apply(document)
        for problem in fields.problems:
            report.note(f"{item.type} '{item.name}' ({item.identifier}): {problem}; kept as a property")
        for path in fields.references:
            report.note(f"{item.type} '{item.name}': property for '{path}' ignored (not a field of {kind})")
        if kind == "Application":
            self._application(item, document, fields.leftover)
            fields.apply(document)  # again, for `properties: {}`
        else:
            if fields.leftover:
                self.sidecar_properties[document["id"]] = {p.name: p.value for p in fields.leftover}
                report.note(f"{item.type} '{item.name}': {len(fields.leftover)} propert"
                            f"{'y' if len(fields.leftover) == 1 else 'ies'} kept in {ARCHIMATE_SIDECAR} "
                            "(only Applications have properties: in archrepo)")
            if kind == "DataObject" and "classification" not in document:
                document["classification"] = DEFAULT_CLASSIFICATION
                report.default(f"DataObject classification = {DEFAULT_CLASSIFICATION} (no classification property)")
        return document

    def _application(self, item: ExchangeItem, document: dict[str, Any], leftover: list[Property]) -> None:
        report = self.state.report
        if "status" not in document.get("lifecycle", {}):
            set_path(document, "lifecycle.status", DEFAULT_STATUS)
            report.default(f"Application lifecycle.status = {DEFAULT_STATUS} (no lifecycle property)")
        native = item.property(ARCHREPO_ID) is not None
        properties: dict[str, Any] = {} if native else {"archimate_id": item.identifier}
        for prop in leftover:
            key, value = typed_value(prop)
            if key in properties:
                report.note(f"{item.type} '{item.name}': property '{prop.name}' given twice; the first is kept")
                continue
            properties[key] = value
        if properties:
            document["properties"] = properties

    def _count(self, used: set[str]) -> None:
        exchange, report = self.state.exchange, self.state.report
        for item in exchange.elements.values():
            report.element(item.type or "(no type)", item.type in ELEMENT_KINDS)
        for relationship in exchange.relationships:
            report.relationship(relationship.type or "(no type)", relationship.identifier in used)

    def _result(self, tree: ProcessTree) -> ImportResult:
        state = self.state
        files: dict[str, list[dict[str, Any]]] = defaultdict(list)
        created: dict[str, int] = {kind: 0 for kind in KIND_DIRS}
        for identifier, document in state.documents.items():
            item = state.exchange.elements.get(identifier) or state.integrations[identifier]
            files[file_for(document["kind"], item.folder)].append(document)
            created[document["kind"]] += 1
        state.report.created = created
        sidecar: dict[str, Any] = {
            "source": state.report.source,
            "elements": dict(sorted((state.ids[i], i) for i in state.documents)),
        }
        steps = {f"{state.ids[root]}/{step}": identifier for root, pairs in tree.step_ids.items()
                 for identifier, step in pairs.items()}
        if steps:
            sidecar["steps"] = dict(sorted(steps.items()))
        if self.sidecar_properties:
            sidecar["properties"] = dict(sorted(self.sidecar_properties.items()))
        header = f"# Imported from {state.report.source} by `archrepo import archimate`.\n"
        return ImportResult(dict(files), state.report, sidecar, ARCHIMATE_SIDECAR, header)


def file_for(kind: str, folder: tuple[str, ...]) -> str:
    """``applications/<folder>/<sub-folder>.yaml`` from the item's folders (layer folders left out), or
    ``applications.yaml`` for items outside any folder."""
    segments = [slugify(label, "folder") for label in folder]
    if segments and segments[0] in LAYER_FOLDERS:
        segments = segments[1:]
    return KIND_DIRS[kind] + ("/" + "/".join(segments) if segments else "") + ".yaml"
