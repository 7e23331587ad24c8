"""The model of one repository as an editor sees it, kept in memory and changed one file at a time.

Every model file's parse (``FileResult``) by path; the elements they define (the first definition of an id
wins, as in ``validate_model``); every element's references both ways; and the problems ``validate`` would
report, kept per element so that an edit re-checks only the elements it can affect: those of the edited file
and those referring to an id the file defined before or defines now (a renamed id breaks references
elsewhere). Cycle checks (parents, ``runs_on``) look at a few kinds only and run again in full.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from archrepo.errors import Diagnostic, DiagnosticSink
from archrepo.model.elements import KINDS, Element, Location, Model, SourceMap
from archrepo.model.loader import FileResult
from archrepo.model.references import REFERENCE_FIELDS, check_cycles, check_references, element_references
from archrepo.model.yamlsource import ParsedDocument
from archrepo.rules.incremental import References

__all__ = ["Definition", "IndexChange", "ModelIndex"]

# every field name a reference can be made in (the backward index is keyed by field and target)
_FIELDS = sorted({spec.split(".")[-1].removesuffix("[]") for specs in REFERENCE_FIELDS.values() for spec, _ in specs})


@dataclass(frozen=True)
class Definition:
    """One document defining an id: where, of which kind, and whether it passed its schema."""

    file: str
    kind: str
    document: ParsedDocument
    valid: bool

    @property
    def key(self) -> tuple[str, int]:
        return self.file, self.document.index


@dataclass
class IndexChange:
    """What replacing files changed: the elements whose data changed and the references they had before (what
    rules look near), every element of the files, and the files whose validation problems may differ."""

    changed: set[str] = field(default_factory=set)  # elements whose data changed
    # their references before the change (walked beside the present ones: what they pointed to is not changed)
    old_references: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    moved: set[str] = field(default_factory=set)  # every element of the files (their lines may have moved)
    files: set[str] = field(default_factory=set)


class ModelIndex:
    """Files, elements, references and validation problems of one repository (see the module docstring)."""

    def __init__(self) -> None:
        self.files: dict[str, FileResult] = {}
        self.ids_by_file: dict[str, list[str]] = {}
        self.definitions: dict[str, list[Definition]] = {}
        self.elements: dict[str, Element] = {}  # the first definition of every id
        self.valid: dict[str, Element] = {}  # those of them that passed their schema: what rules see
        self.source_map = SourceMap()
        self.references = References({})
        self.reference_problems: dict[str, list[Diagnostic]] = {}  # element id -> its reference problems
        self.duplicate_problems: dict[str, list[Diagnostic]] = {}  # id -> its definitions after the first
        self.cycle_problems: list[Diagnostic] = []
        self._by_kind: dict[str, list[Element]] | None = None  # see rule_model
        self._graph_changes: list[tuple[Element | None, Element | None]] = []

    # -- changing it ---------------------------------------------------------------------------------------

    def load(self, files: Iterable[FileResult]) -> None:
        """Every file at once (the first analysis): references are checked in one pass."""
        for result in files:
            self._add_file(result)
        for element_id in self.definitions:
            self._settle(element_id)
        self._recheck(list(self.elements))
        self._recheck_cycles()

    def replace(self, results: dict[str, FileResult | None]) -> IndexChange:
        """Replace files' parses (``None``: the file is gone); re-check what they can affect."""
        change = IndexChange(files=set(results))
        touched: set[str] = set()
        for file, result in results.items():
            touched.update(self.ids_by_file.get(file, ()))
            if result is not None:
                touched.update(i for _, d, _ in result.documents if isinstance(i := d.data.get("id"), str))
        before = {element_id: self.elements.get(element_id) for element_id in touched}
        old_references = {element_id: list(self.references.references.get(element_id, ())) for element_id in touched}
        for file, result in results.items():
            self._remove_file(file)
            if result is not None:
                self._add_file(result)
        for element_id in touched:
            change.files.update(d.file for d in self.duplicate_problems.get(element_id, ()))
            self._settle(element_id)
            change.files.update(d.file for d in self.duplicate_problems.get(element_id, ()))
        known: set[str] = set()  # ids that appeared, went, or changed kind or roles: their referrers see it
        for element_id in touched:
            old, new = before[element_id], self.elements.get(element_id)
            if old is None or new is None or old.kind != new.kind or old.data != new.data:
                change.changed.add(element_id)
                change.old_references[element_id] = old_references[element_id]
            if old is None or new is None or old.kind != new.kind or old.data.get("roles") != new.data.get("roles"):
                known.add(element_id)
        change.moved = touched
        recheck = {element_id for element_id in touched if element_id in self.elements}  # their lines may move
        for element_id in known:
            recheck.update(self.referrers(element_id))
        change.files.update(self._file_of(element_id) for element_id in recheck if element_id in self.elements)
        change.files.update(d.file for element_id in recheck for d in self.reference_problems.get(element_id, ()))
        for element_id in touched:
            if element_id not in self.elements:
                change.files.update(d.file for d in self.reference_problems.pop(element_id, ()))
        self._recheck(sorted(recheck))
        change.files.update(d.file for d in self.cycle_problems)
        self._recheck_cycles()
        change.files.update(d.file for d in self.cycle_problems)
        return change

    def _defined_in(self, element_id: str, file: str) -> bool:
        element = self.elements.get(element_id)
        return element is not None and element.location.file == file

    def _file_of(self, element_id: str) -> str:
        return self.elements[element_id].location.file

    def _add_file(self, result: FileResult) -> None:
        self.files[result.file] = result
        ids: list[str] = []
        for kind, document, valid in result.documents:
            element_id = document.data.get("id")
            if not isinstance(element_id, str):
                continue  # the schema error says so; without an id nothing can refer to it
            definition = Definition(result.file, kind, document, valid)
            found = self.definitions.setdefault(element_id, [])
            bisect.insort(found, definition, key=lambda d: d.key)
            ids.append(element_id)
        self.ids_by_file[result.file] = ids

    def _remove_file(self, file: str) -> None:
        self.files.pop(file, None)
        for element_id in self.ids_by_file.pop(file, []):
            kept = [d for d in self.definitions.get(element_id, ()) if d.file != file]
            if kept:
                self.definitions[element_id] = kept
            else:
                self.definitions.pop(element_id, None)

    def _settle(self, element_id: str) -> None:
        """Make the index agree with the definitions of one id (its first one is the element)."""
        found = self.definitions.get(element_id)
        if not found:
            self._index_kind(element_id, self.valid.get(element_id), None)
            for table in (self.elements, self.valid, self.duplicate_problems):
                table.pop(element_id, None)
            self.source_map.discard(element_id)
            self.references.update(element_id, None)
            return
        first = found[0]
        element = Element(first.kind, element_id, first.document.data, Location(first.file, first.document.line))
        self.elements[element_id] = element
        before = self.valid.get(element_id)
        if first.valid:
            self.valid[element_id] = element
        else:
            self.valid.pop(element_id, None)
        self._index_kind(element_id, before, element if first.valid else None)
        self.source_map.add(element_id, first.file, first.document)
        # the file's references of the id, unless it defines the id twice (then they are of its last definition)
        alone = len(found) == 1 or sum(1 for d in found if d.file == first.file) == 1
        known = self.files[first.file].references.get(element_id) if alone else None
        self.references.update(element_id, known if known is not None else element_references(element))
        if len(found) == 1:
            self.duplicate_problems.pop(element_id, None)
            return
        self.duplicate_problems[element_id] = [
            Diagnostic(d.file, d.document.line_of("id"), f"duplicate id '{element_id}': already defined as a "
                       f"{first.kind} at {element.location}", "Ids are unique across the whole model; rename one "
                       "of them.", element=element_id) for d in found[1:]]

    def _index_kind(self, element_id: str, old: Element | None, new: Element | None) -> None:
        """Keep the valid elements by kind, sorted by id (``Model.of_kind``), as one changes, and note the
        change for the graph (``take_graph_changes``)."""
        if self._by_kind is None or old is new:
            return  # not made yet (the first load sorts them once)
        self._graph_changes.append((old, new))
        if old is not None:
            found = self._by_kind[old.kind]
            at = bisect.bisect_left(found, element_id, key=_id)
            if at < len(found) and found[at].id == element_id:
                del found[at]
        if new is not None:
            bisect.insort(self._by_kind[new.kind], new, key=_id)

    def _recheck(self, element_ids: list[str]) -> None:
        sink = DiagnosticSink()
        check_references(self.elements, self.source_map, sink, self.references.references, only=element_ids)
        for element_id in element_ids:
            self.reference_problems.pop(element_id, None)
        for diagnostic in sink.items:
            if diagnostic.element is not None:
                self.reference_problems.setdefault(diagnostic.element, []).append(diagnostic)

    def _recheck_cycles(self) -> None:
        sink = DiagnosticSink()
        check_cycles(self.elements, self.source_map, sink)
        self.cycle_problems = sink.items

    # -- reading it ----------------------------------------------------------------------------------------

    def referrers(self, element_id: str) -> set[str]:
        """The elements that refer to ``element_id`` (in any field)."""
        backward = self.references.backward
        return {referrer for name in _FIELDS for referrer in backward.get((name, element_id), ())}

    def problems(self, file: str) -> list[Diagnostic]:
        """What ``validate`` reports in ``file``: its parse and schema problems, duplicate ids, references."""
        result = self.files.get(file)
        found = list(result.diagnostics) if result is not None else []
        for element_id in self.ids_by_file.get(file, ()):
            found += [d for d in self.duplicate_problems.get(element_id, ()) if d.file == file]
            if self._defined_in(element_id, file):
                found += self.reference_problems.get(element_id, ())
        found += [d for d in self.cycle_problems if d.file == file]
        return sorted(set(found))

    def elements_in(self, file: str) -> list[Element]:
        """The elements ``file`` defines (first definitions only), in file order."""
        return [self.elements[i] for i in dict.fromkeys(self.ids_by_file.get(file, ())) if self._defined_in(i, file)]

    def take_graph_changes(self) -> list[tuple[Element | None, Element | None]]:
        """The (old, new) valid elements changed since the last call (since rules first saw the model)."""
        changes, self._graph_changes = self._graph_changes, []
        return changes

    def has_duplicates(self) -> bool:
        return bool(self.duplicate_problems) and any(self.duplicate_problems.values())

    def rule_model(self, root: Path) -> Model:
        """The schema-valid elements as a ``Model`` for rules (made per evaluation: a view, not a copy), with
        its elements by kind kept here rather than sorted again for every edit."""
        if self._by_kind is None:
            self._by_kind = {kind: [] for kind in KINDS}
            for element in sorted(self.valid.values(), key=_id):
                self._by_kind.setdefault(element.kind, []).append(element)
        model = Model(root, self.valid, self.source_map, sorted(self.files), [], self.references.references)
        model.__dict__["_by_kind"] = self._by_kind  # the slot functools.cached_property fills on first use
        return model


def _id(element: Element) -> str:
    return element.id
