"""Load every model file under the configured paths into a validated :class:`Model`."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from archrepo.config import Config
from archrepo.errors import Diagnostic, DiagnosticSink, ModelError
from archrepo.model.elements import KINDS, Element, Location, Model, SourceMap
from archrepo.model.references import check_references
from archrepo.model.schema import suggest, validate_document
from archrepo.model.yamlsource import ParsedDocument, decode_source, parse_documents

__all__ = ["FileResult", "discover_files", "load_model", "parse_model_file", "validate_model"]

_SUFFIXES = (".yaml", ".yml")
_KIND_ALIASES = {"Organization": "Organisation", "Component": "Application", "System": "Application"}


@dataclass
class FileResult:
    """What one model file holds: its element documents and the problems found in it alone."""

    file: str
    documents: list[tuple[str, ParsedDocument, bool]] = field(default_factory=list)  # (kind, document, valid)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def discover_files(config: Config) -> list[tuple[Path, str]]:
    """(absolute path, path relative to the root) of every model file, sorted, hidden folders skipped."""
    found: dict[str, Path] = {}
    for relative in config.models:
        base = config.path(relative)
        if base.is_file():
            found[_relative(base, config.root)] = base
            continue
        for directory, subdirs, files in os.walk(base):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
            for name in files:
                if name.endswith(_SUFFIXES) and not name.startswith("."):
                    path = Path(directory, name)
                    found[_relative(path, config.root)] = path
    return [(found[key], key) for key in sorted(found)]


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def parse_model_file(raw: bytes, file: str) -> FileResult:
    """Parse one file's bytes and check each document on its own (kind, schema). Pure: safe to run in parallel."""
    sink = DiagnosticSink()
    result = FileResult(file)
    text = decode_source(raw, file, sink)
    if text is not None:
        documents = parse_documents(text, file, sink)
        if not documents and not sink.errors:
            sink.warning(file, 1, "the file is empty: it defines no element",
                         "Add elements, or delete the file.")
        for document in documents:
            kind, valid = _check_document(document, file, sink)
            if kind is not None:
                result.documents.append((kind, document, valid))
    result.diagnostics = sink.items
    return result


def _check_document(document: ParsedDocument, file: str, sink: DiagnosticSink) -> tuple[str | None, bool]:
    """The document's kind (None if it has no usable kind) and whether it passed its schema."""
    data = document.data
    if isinstance(data, list):
        sink.error(file, document.line, "this document is a list; each document must be one element (a mapping "
                   "with `kind:` and `id:`)", "Separate elements with a line `---` instead of list items `- `.")
        return None, False
    if not isinstance(data, dict):
        sink.error(file, document.line, f"this document is a single value ({data!r}), not an element",
                   "Each document is a mapping with `kind:`, `id:` and the element's fields.")
        return None, False
    kind = data.get("kind")
    element = data.get("id") if isinstance(data.get("id"), str) else None
    if kind is None:
        sink.error(file, document.line, "missing 'kind': every element says what it is",
                   f"Add `kind:` with one of: {', '.join(KINDS)}.", element)
        return None, False
    if kind not in KINDS:
        close = _KIND_ALIASES.get(str(kind)) or suggest(str(kind), KINDS)
        hint = (f"Did you mean '{close}'? " if close else "") + f"Kinds: {', '.join(KINDS)}."
        sink.error(file, document.line_of("kind"), f"unknown kind '{kind}'", hint, element)
        return None, False
    what = f"{kind} '{element}'" if element else kind
    return str(kind), validate_document(kind.lower(), data, document, file, sink, what=what, element=element)


def validate_model(config: Config, files: Iterable[FileResult] | None = None) -> tuple[Model | None, list[Diagnostic]]:
    """Load and validate; returns the model (``None`` when there are errors) and every diagnostic."""
    if files is None:
        files = [parse_model_file(path.read_bytes(), relative) for path, relative in discover_files(config)]
    files = list(files)
    sink = DiagnosticSink()
    elements: dict[str, Element] = {}
    source_map = SourceMap()
    for result in files:
        sink.items.extend(result.diagnostics)
        for kind, document, _valid in result.documents:
            element_id = document.data.get("id")
            if not isinstance(element_id, str):
                continue  # the schema error already says so; without an id nothing can refer to it
            previous = elements.get(element_id)
            if previous is not None:
                sink.error(result.file, document.line_of("id"), f"duplicate id '{element_id}': already defined as "
                           f"a {previous.kind} at {previous.location}",
                           "Ids are unique across the whole model; rename one of them.", element_id)
                continue
            elements[element_id] = Element(kind, element_id, document.data, Location(result.file, document.line))
            source_map.add(element_id, result.file, document)
    check_references(elements, source_map, sink)
    diagnostics = sorted(sink.items)
    if sink.errors:
        return None, diagnostics
    warnings = [d for d in diagnostics if d.level.value == "warning"]
    return Model(config.root, elements, source_map, [r.file for r in files], warnings), diagnostics


def load_model(config: Config) -> Model:
    """The validated model, or :class:`ModelError` listing every problem found."""
    model, diagnostics = validate_model(config)
    if model is None:
        raise ModelError.from_diagnostics(diagnostics, "the model is invalid")
    return model
