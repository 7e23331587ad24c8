"""One architecture repository as the language server holds it: config, rules and waivers, the model in memory
(``ModelIndex``), its violations (``RuleResults``), and what the editor has open.

Model files are read once through the parse cache (like ``archrepo check``); after that only the file being
edited is parsed again, from the editor's text, and a file changed on disk is read again when the editor
says so. Rules, principles, waivers and the config are read from disk when saved or changed on disk; while
one of them is being edited, its own text is checked (YAML and schema) as typed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archrepo.api import Repository, read_files
from archrepo.config import Config, load_config
from archrepo.errors import ArchrepoError, Diagnostic, DiagnosticSink, Level
from archrepo.graph.loading import GraphLoader
from archrepo.lsp.live_graph import LiveGraph
from archrepo.lsp.memory import server_allocation
from archrepo.lsp.model_index import ModelIndex
from archrepo.lsp.rule_results import RuleResults
from archrepo.model.loader import FileResult, parse_model_file
from archrepo.model.schema import validate_document
from archrepo.model.yamlsource import decode_source, parse_documents
from archrepo.rules.definitions import Principle, RuleDefinition, load_principles, load_rules
from archrepo.rules.violation import Violation
from archrepo.rules.waivers import Waiver, load_waivers

__all__ = ["FIX", "NAMED", "Problem", "RepositoryWorkspace"]

_SUFFIXES = (".yaml", ".yml")
# elements: from here the first load evaluates the rules for the open files first (on a small model the whole
# check takes no longer, and the editor hears about every file at once)
FIRST_FROM = 5_000
_SCHEMAS = {"rule": "rule", "principle": "principle", "waivers": "waivers", "config": "config"}


@dataclass(frozen=True)
class Problem:
    """One diagnostic for the editor, before it has a column: the line (1-based), the text on that line it
    is about (``token``; else the whole line), and what a code action needs (``data``)."""

    line: int
    message: str
    severity: str  # error | warning | information | hint
    code: str | None = None
    token: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    key: str | None = None  # the token is the value of this key, on ``line`` or further down its document


class RepositoryWorkspace:
    """See the module docstring. Not thread-safe: the server calls it from one task at a time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.config: Config | None = None
        self.index = ModelIndex()
        self.results: RuleResults | None = None
        self.live: LiveGraph | None = None
        self.principles: dict[str, Principle] = {}
        self.settings_problems: list[Diagnostic] = []
        self.drafts: dict[str, list[Diagnostic]] = {}  # settings files being edited -> their own problems
        self.texts: dict[str, str] = {}  # files open in the editor -> their text
        self._disk: dict[str, str] = {}  # other files' text, read for columns only
        self._roles: dict[tuple[int, str], str | None] = {}  # by (config, file): a reload makes a new config
        self._loader: GraphLoader | None = None  # the store filled by the last load, until the graph is made
        self.first_files: set[str] = set()  # the open files the first load evaluated every rule for (incomplete)

    # -- loading -------------------------------------------------------------------------------------------

    def load(self, first: bool = False) -> set[str]:
        """Read everything and evaluate the rules; returns every file that may have problems. ``first``: the
        rules with a reach are evaluated for the elements of the model files open in the editor only (their
        diagnostics are then complete: ``first_files``); :meth:`complete` evaluates them on the rest."""
        broken = self.read()
        return broken if broken is not None else self.evaluate(first)

    @server_allocation()  # the model lives as long as the server: no collector passes over it
    def read(self) -> set[str] | None:
        """The config, the model (with its graph) and the rules, read, no rule evaluated yet (:meth:`evaluate`);
        the files with problems when the config cannot be read (nothing else is then)."""
        self.settings_problems = []
        self.results = None
        try:
            self.config = load_config(self.root / "archrepo.yaml")
        except ArchrepoError as error:
            self.config = None
            self.settings_problems = _diagnostics_of(error, "archrepo.yaml")
            return {"archrepo.yaml"}
        self.index = ModelIndex()
        self.live = None
        # the store is filled while the files are parsed, as in `archrepo check`; it is the graph's start unless
        # the editor holds a model file as it is not on disk
        self._loader = GraphLoader(self.config.base_iri, self.config.approved_standards)
        self.index.load(read_files(self.config, loader=self._loader))
        edited = {file: _parse(file, text) for file, text in self._not_as_on_disk().items()}
        if edited:
            self._loader = None
            from archrepo.graph.rdf import ntriples_extra

            prepare = ntriples_extra(self.config.base_iri)[1]
            for result in edited.values():  # with their triples, as the cache has them: the graph is built from
                result.extras = prepare(result)  # the files' triples, much faster than from the model
            self.index.replace(dict(edited))
        self._load_rules()
        self.repository()  # the graph, from the store filled while the files were read
        return None

    def as_read(self) -> bool:
        """Whether every model file open in the editor holds what :meth:`read` read from disk."""
        return not self._not_as_on_disk()

    def _not_as_on_disk(self) -> dict[str, str]:
        """The model files open in the editor whose text is not what their file holds, with that text."""
        return {file: text for file, text in dict(self.texts).items()  # (a copy: see lsp.early)
                if self.role(file) == "model" and text != self._on_disk(file)}

    @server_allocation()
    def evaluate(self, first: bool = False) -> set[str]:
        """The rules on what :meth:`read` read (see :meth:`load`)."""
        if self.results is not None:
            opened_files = self.opened()
            opened = {element.id for file in opened_files for element in self.index.elements_in(file)}
            self.first_files = set()
            if first and opened and len(self.index.elements) >= FIRST_FROM:
                self.results.run_first(self.repository(), opened, self.index.references)
                self.first_files = opened_files
            else:
                self.results.run_all(self.repository())
        return self.all_files()

    def opened(self) -> set[str]:
        """The model files open in the editor."""
        return {file for file in list(self.texts) if self.role(file) == "model"}

    @property
    def incomplete(self) -> bool:
        """Whether some rules were evaluated for the files open at the first load only (:meth:`load` with
        ``first``): only those files' problems (``first_files``) are complete until :meth:`complete` is done."""
        return self.results is not None and bool(self.results.partial)

    @server_allocation(freeze=False)
    def complete(self, count: int | None = None) -> set[str]:
        """``count`` (default: all) of the rules the first load evaluated for the open files only, on the whole
        model; the files whose problems may have changed."""
        if self.results is None or not self.results.partial:
            return set()
        return self._files_of(self.results.complete(self.repository(), count))

    def abandon_completion(self) -> None:
        """Stop completing the first load (finishing it failed): what it evaluated stands and is published; the
        next edit or save goes on from there."""
        if self.results is not None:
            self.results.partial = set()

    def _load_rules(self) -> None:
        config = self.config
        assert config is not None
        principles: dict[str, Principle] = {}
        rules: list[RuleDefinition] = []
        waivers: list[Waiver] = []
        problems: list[Diagnostic] = []
        try:
            principles = load_principles(config)
        except ArchrepoError as error:
            problems += _diagnostics_of(error, config.display_file)
        try:
            rules = load_rules(config, principles)
            every = {rule.id for rule in load_rules(config, principles, include_disabled=True)}
            waivers = load_waivers(config, every)
        except ArchrepoError as error:
            problems += _diagnostics_of(error, config.display_file)
        self.principles = principles
        self.settings_problems = [d for d in self.settings_problems if d.file == "archrepo.yaml"] + problems
        self.results = RuleResults(rules, waivers)

    def repository(self) -> Repository:
        """The model as rules see it, with the whole graph kept in step with it (``LiveGraph``): built on
        first use from the files' cached triples (or from the model, when an id is defined twice: the files
        hold both definitions), then changed element by element."""
        assert self.config is not None
        repository = Repository(self.config, self.index.rule_model(self.config.root))
        if self.live is None:
            files = None if self.index.has_duplicates() else list(self.index.files.values())
            loader, self._loader = self._loader, None  # its store becomes the live graph, or is dropped
            self.live = LiveGraph(Repository(self.config, repository.model, files,
                                             loader if files is not None else None))
            self.index.take_graph_changes()  # the graph is of the model as it is now
        else:
            self.live.apply(self.index.take_graph_changes())
        return self.live.on(repository)

    # -- changes -------------------------------------------------------------------------------------------

    @server_allocation(freeze=False)
    def update(self, changes: dict[str, str | None]) -> set[str]:
        """Files changed (text from the editor, or ``None``: as on disk now); returns the files whose problems
        may have changed. Settings files changed on disk reload the rules (or everything, for the config)."""
        if self.config is None or ("archrepo.yaml" in changes and changes["archrepo.yaml"] is None):
            return self.load() | set(changes)
        model: dict[str, FileResult | None] = {}
        reload = False
        for file, text in changes.items():
            self._disk.pop(file, None)
            role = self.role(file)
            if role == "model":
                model[file] = _parse(file, text) if text is not None else self._read(file)
            elif role in _SCHEMAS and text is not None:
                self.drafts[file] = _check_draft(file, text, _SCHEMAS[role])
            elif role in _SCHEMAS or (file == "waivers.yaml" and self.config.waivers is None):
                self.drafts.pop(file, None)
                reload = True
        dirty = set(changes)
        if model:
            change = self.index.replace(model)
            dirty |= change.files
            if self.results is not None and not reload:
                touched = self.results.run_near(self.repository(), change.changed,
                                                self.index.references.with_old(change.old_references), change.moved)
                dirty |= self._files_of(touched)
        if reload:
            dirty |= self.reload_rules()
        return dirty

    def reload_rules(self) -> set[str]:
        """Rules, principles and waivers again from disk, and every rule on the whole model."""
        before = {d.file for d in self.settings_problems}
        try:  # the config names the waivers file, or finds waivers.yaml when it names none
            self.config = load_config(self.root / "archrepo.yaml")
        except ArchrepoError:
            return self.load() | before
        self._load_rules()
        assert self.results is not None
        self.results.run_all(self.repository())
        return self.all_files() | before

    def run_deferred(self) -> set[str]:
        """The rules that need the whole model (on save), when an edit made them stale."""
        if self.results is None or not self.results.deferred_stale:
            return set()
        before = {(v.rule, v.element) for v in self._deferred_violations()}
        touched = self.results.run_deferred(self.repository())
        files = self._files_of(touched | {element for _, element in before})
        return files | ({self.config.waivers} if self.config and self.config.waivers else set())

    def _deferred_violations(self) -> list[Violation]:
        assert self.results is not None
        return [v for rule in self.results.rules if not self.results.incremental(rule)
                for found in self.results.violations[rule.id].values() for v in found]

    def _read(self, file: str) -> FileResult | None:
        path = self.root / file
        try:
            raw = path.read_bytes()
        except OSError:
            return None  # deleted
        return parse_model_file(raw, file)

    def _files_of(self, element_ids: set[str]) -> set[str]:
        elements = self.index.elements
        return {elements[e].location.file for e in element_ids if e in elements}

    def all_files(self) -> set[str]:
        return set(self.index.files) | {d.file for d in self.settings_problems} | set(self.drafts) | (
            {self.config.waivers} if self.config and self.config.waivers else set())

    # -- files ---------------------------------------------------------------------------------------------

    def relative(self, path: Path) -> str:
        return Path(os.path.relpath(path, self.root)).as_posix()

    def role(self, file: str) -> str | None:
        """model | rule | principle | waivers | config, or None for files archrepo does not read."""
        key = (id(self.config), file)
        if key not in self._roles:
            self._roles[key] = self._role(file)
        return self._roles[key]

    def _role(self, file: str) -> str | None:
        if file == "archrepo.yaml":
            return "config"
        config = self.config
        if config is None or not file.endswith(_SUFFIXES) or any(p.startswith(".") for p in file.split("/")):
            return None
        if config.waivers and file == Path(config.waivers).as_posix():
            return "waivers"
        path = (self.root / file).resolve()
        for role, bases in (("model", config.models), ("rule", config.rules), ("principle", config.principles)):
            if any(path == config.path(b) or path.is_relative_to(config.path(b)) for b in bases):
                return role
        return None

    def text(self, file: str) -> str | None:
        """The file's text: the editor's, else from disk (kept until it changes)."""
        if file in self.texts:
            return self.texts[file]
        if file not in self._disk:
            try:
                self._disk[file] = (self.root / file).read_bytes().decode("utf-8-sig", errors="replace")
            except OSError:
                return None
        return self._disk[file]

    def _on_disk(self, file: str) -> str | None:
        try:
            return (self.root / file).read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None

    # -- what the editor shows -----------------------------------------------------------------------------

    def problems(self, file: str) -> list[Problem]:
        role = self.role(file)
        if file in self.drafts:
            return [_problem(d) for d in self.drafts[file]]
        found = [_problem(d) for d in self.settings_problems if d.file == file]
        if role == "model" and self.config is not None:
            found += [_problem(d) for d in self.index.problems(file)]
            if self.results is not None:
                for element in self.index.elements_in(file):
                    found += [self._violation(v) for v in self.results.of(element.id)]
        if role == "waivers" and self.results is not None:
            found += [Problem(f.waiver.location.line, f.message, "warning", f"waiver-{f.status}", f.waiver.element)
                      for f in self.results.waiver_findings()]
        if role == "rule" and self.results is not None:
            found += [Problem(f.location.line, f"rule {f.rule} failed to run: {f.message}", "error", f.rule, f.rule)
                      for f in self.results.failures.values() if f.location.file == file]
        return found

    def _violation(self, violation: Violation) -> Problem:
        assert self.results is not None
        rule = self.results.by_id[violation.rule]
        principle = self.principles.get(rule.principle)
        text = f"{violation.message}\nPrinciple {rule.principle}" + (f" ({principle.name})" if principle else "")
        text += f". How to fix: {rule.remediation}"
        severity = {3: "error", 2: "warning", 1: "information"}[int(violation.severity)]
        if violation.waived and violation.waiver is not None:
            text += f"\nWaived until {violation.waiver.expires}: {violation.waiver.reason}"
            severity = "hint"
        # the document's first line: its `id:` is found from there in the text (the field lines of a file read
        # from the cache would cost parsing it again)
        return Problem(violation.location.line, text, severity, violation.rule, violation.element,
                       {"rule": violation.rule, "element": violation.element, "waived": violation.waived}, "id")


def _parse(file: str, text: str) -> FileResult:
    return parse_model_file(text.encode("utf-8"), file)


def _check_draft(file: str, text: str, schema: str) -> list[Diagnostic]:
    """A settings file's own problems as typed (YAML and schema; what it refers to is checked on save)."""
    sink = DiagnosticSink()
    documents = parse_documents(text, file, sink) if decode_source(text.encode(), file, sink) is not None else []
    for document in documents:
        if schema in ("rule", "principle") and not isinstance(document.data, dict):
            continue  # the load on save says what is wrong with it
        validate_document(schema, document.data, document, file, sink, what=file)
    return sink.items


def _diagnostics_of(error: ArchrepoError, default_file: str) -> list[Diagnostic]:
    if error.diagnostics:
        return list(error.diagnostics)
    return [Diagnostic(error.file or default_file, error.line or 1, error.message, error.hint)]


# what a message names, to underline it on the line: the id or key in quotes after one of these
NAMED = re.compile(r"(?:refers to|unknown field|unknown kind|duplicate id|duplicate key|has next|malformed id|"
                    r"has an invalid value) '([^']+)'")
FIX = re.compile(r"[Dd]id you mean '([^']+)'")


def _problem(diagnostic: Diagnostic) -> Problem:
    """A validation problem, with the id or key it names as its token and the 'did you mean' fix as data."""
    named = NAMED.search(diagnostic.message)
    token = named.group(1).rsplit(".", 1)[-1] if named else None
    fix = FIX.search(diagnostic.hint or "")
    data: dict[str, Any] = {"fix": fix.group(1), "wrong": token} if fix and token else {}
    message = diagnostic.message + (f"\n{diagnostic.hint}" if diagnostic.hint else "")
    severity = "error" if diagnostic.level is Level.ERROR else "warning"
    return Problem(diagnostic.line, message, severity, None, token, data)
