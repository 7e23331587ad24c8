"""`archrepo check` as a library call: config → rules → model → violations → waivers → baseline."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archrepo.api import Repository, read_files
from archrepo.config import Config
from archrepo.errors import Diagnostic, Level, UsageError
from archrepo.graph.loading import GraphLoader
from archrepo.model.cache import CACHE_DIR
from archrepo.model.loader import FileResult, ReadStats, validate_model
from archrepo.model.schema import suggest
from archrepo.rules.baseline import BaselineComparison, apply_baseline, read_baseline
from archrepo.rules.definitions import Principle, RuleDefinition, Severity, load_principles, load_rules
from archrepo.rules.engine import QueriesAhead, run_rules
from archrepo.rules.incremental import run_rules_incrementally
from archrepo.rules.violation import RuleFailure, Violation
from archrepo.rules.waivers import WaiverFinding, apply_waivers, load_waivers

if TYPE_CHECKING:
    from collections.abc import Callable

    from archrepo.graph.remote import SparqlGraph

__all__ = ["CheckOptions", "CheckResult", "run_check"]

REPORT_VERSION = 1


@dataclass(frozen=True)
class CheckOptions:
    as_of: dt.date = field(default_factory=dt.date.today)
    rule_ids: tuple[str, ...] = ()
    baseline: Path | None = None  # explicit --baseline; otherwise the config's, when that file exists
    use_config_baseline: bool = True
    new_since: str | None = None  # a git revision: only violations not already there count
    use_cache: bool = True  # the parse cache in .archrepo-cache/
    store: str | None = None  # a SPARQL endpoint holding the published model: SPARQL rules run there
    graph: str | None = None  # the repository's graph in that store (default: derived from base_iri)
    rule_timeout: float | None = None  # seconds each rule may run (default: the config's rule_timeout)


@dataclass
class CheckResult:
    """Everything a reporter needs; reporters are pure functions of this."""

    as_of: dt.date
    elements: int
    rules: list[RuleDefinition]
    principles: dict[str, Principle]
    violations: list[Violation] = field(default_factory=list)
    failures: list[RuleFailure] = field(default_factory=list)
    waivers: list[WaiverFinding] = field(default_factory=list)
    baseline: BaselineComparison | None = None
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    # the repository that was checked (model and graphs), for whoever goes on with it; None when invalid
    repository: Repository | None = field(default=None, repr=False, compare=False)

    @property
    def valid(self) -> bool:
        return not self.errors

    def counting(self) -> list[Violation]:
        """Violations that count against the gate (not waived, not in the baseline)."""
        return [v for v in self.violations if v.counts]

    def summary(self) -> dict[str, int]:
        counts = {s.label: 0 for s in sorted(Severity, reverse=True)}
        for violation in self.counting():
            counts[violation.severity.label] += 1
        return {"elements": self.elements, "rules": len(self.rules), **counts,
                "waived": sum(1 for v in self.violations if v.waived),
                "baselined": sum(1 for v in self.violations if v.baselined and not v.waived),
                "failed_rules": len(self.failures)}

    def exit_code(self, fail_on: Severity | None) -> int:
        """0 clean, 1 violations at or above ``fail_on`` (None = never), 2 invalid input or a rule that failed."""
        if self.errors or self.failures:
            return 2
        if fail_on is not None and any(v.severity >= fail_on for v in self.counting()):
            return 1
        return 0

    def as_dict(self) -> dict[str, object]:
        """The JSON report (version 1) of the contract, with waivers, baseline and rule failures added."""
        return {
            "version": REPORT_VERSION,
            "as_of": self.as_of.isoformat(),
            "summary": self.summary(),
            "violations": [v.as_dict() for v in self.violations],
            "errors": [{"file": d.file, "line": d.line, "message": d.message, **({"hint": d.hint} if d.hint else {})}
                       for d in self.errors],
            "rule_failures": [f.as_dict() for f in self.failures],
            "waivers": [w.as_dict() for w in self.waivers],
            "baseline": self.baseline.as_dict() if self.baseline else None,
        }


def select_rules(rules: list[RuleDefinition], wanted: tuple[str, ...]) -> list[RuleDefinition]:
    if not wanted:
        return rules
    by_id = {rule.id: rule for rule in rules}
    for rule_id in wanted:
        if rule_id not in by_id:
            close = suggest(rule_id, by_id)
            raise UsageError(f"--rule {rule_id}: no such enabled rule",
                             hint=(f"Did you mean {close}? " if close else "") + "`archrepo rules` lists them.")
    return [by_id[rule_id] for rule_id in sorted(set(wanted))]


def run_check(config: Config, options: CheckOptions, files: list[FileResult] | None = None) -> CheckResult:
    """Check the repository of ``config`` (the work tree, or the given parsed ``files``, e.g. of a git revision).
    Invalid models give a result with ``errors`` (for the JSON report); invalid config, rules, waivers or
    baseline raise ArchrepoError."""
    principles = load_principles(config)
    enabled = load_rules(config, principles)
    rules = select_rules(enabled, options.rule_ids)
    waivers = load_waivers(config, {r.id for r in load_rules(config, principles, include_disabled=True)})
    baseline_path, baseline_display = _baseline_path(config, options)
    known = read_baseline(baseline_path, baseline_display) if baseline_path else None
    if options.new_since:
        known, baseline_display = _known_at_revision(config, options)
    stats = ReadStats()
    loader = ahead = None
    if files is None:
        # the triples of each file go into the store while the others are parsed (a re-check that needs no
        # full graph loads only those of the files it parsed)
        loader = GraphLoader(config.base_iri, config.approved_standards, release=True) if not options.store else None
        ahead = QueriesAhead(rules, options.as_of) if loader is not None else None
        files = read_files(config, use_cache=options.use_cache, stats=stats, loader=loader,
                           all_parsed=_begin(ahead, loader))
    model, diagnostics = validate_model(config, files)
    errors = [d for d in diagnostics if d.level.value == "error"]
    warnings = [d for d in diagnostics if d.level.value == "warning"]
    if model is None:
        if ahead is not None:
            ahead.stop()
        return CheckResult(options.as_of, 0, rules, principles, errors=errors, warnings=warnings)
    repository = Repository(config, model, files, loader)
    if options.store:
        repository = _on_store(StoreRepository(config, model, files), options.store, options.graph, warnings)
        violations, failures = run_rules(repository, rules, options.as_of, options.rule_timeout)
    elif stats.keys:  # the work tree, read through the cache: rules are evaluated again only near the change
        violations, failures = run_rules_incrementally(repository, rules, options.as_of, stats.keys,
                                                       config.root / CACHE_DIR, budget=options.rule_timeout,
                                                       ahead=ahead)
    else:
        violations, failures = run_rules(repository, rules, options.as_of, options.rule_timeout, ahead)
    ran = {rule.id for rule in rules}
    violations, waiver_findings = apply_waivers(violations, [w for w in waivers if w.rule in ran], options.as_of)
    comparison = None
    if known is not None:
        violations, comparison = apply_baseline(violations, known, baseline_display)
    return CheckResult(options.as_of, len(model), rules, principles, violations, failures, waiver_findings,
                       comparison, warnings=warnings, repository=repository)


def _begin(ahead: QueriesAhead | None, loader: GraphLoader | None) -> Callable[[], None] | None:
    """What to do once every file was parsed in this run (no parse came from the cache, so no re-check near a
    change: every rule runs in full): on a thread of its own, wait for the store to load the last triples, then
    begin the SPARQL rules' queries on the complete graph, while this thread writes the cache and validates the
    model."""
    if ahead is None or loader is None:
        return None

    def complete_then_query() -> None:
        try:
            graph = loader.complete()
        except Exception:  # no graph: the rules say why when they need it (each one's failure, as without this)
            return
        ahead.begin(graph)

    def begin() -> None:
        threading.Thread(target=complete_then_query, name="archrepo-graph-complete", daemon=True).start()

    return begin


def _known_at_revision(config: Config, options: CheckOptions) -> tuple[dict[str, dict[str, Any]], str]:
    """Fingerprints of the violations at a git revision, with the same rules and date: what a change inherited."""
    from archrepo.errors import ModelError
    from archrepo.model.gitsource import read_files_at, resolve_revision

    revision = resolve_revision(config, str(options.new_since))
    # the store holds the model of the work tree, not of the revision: the revision is checked here
    base = run_check(config, replace(options, new_since=None, baseline=None, use_config_baseline=False, store=None),
                     files=read_files_at(config, revision))
    if base.errors:
        raise ModelError.from_diagnostics(base.errors, f"the model at {revision} is invalid, so --new-since cannot "
                                                       "tell which violations are new")
    known = {v.fingerprint: {"fingerprint": v.fingerprint, "rule": v.rule, "element": v.element,
                             "related": list(v.related)} for v in base.violations if not v.waived}
    return known, f"--new-since {revision}"


@dataclass
class StoreRepository(Repository):
    """A repository whose SPARQL rules run on its graph in a remote store (``RuleContext.sparql_graph``)."""

    store: SparqlGraph | None = None


def _on_store(repository: StoreRepository, store: str, graph: str | None,
              warnings: list[Diagnostic]) -> StoreRepository:
    """The repository with its graph in the store; a warning when that graph was published from another model
    than the files here (the violations then name the store's model, the locations the files')."""
    from archrepo.graph.remote import StoreError, graph_ntriples, model_digest, open_store, repository_graph_iri

    config = repository.config
    graph_iri = repository_graph_iri(config.base_iri, graph)
    remote = open_store(store, config.base_iri, graph_iri)
    published = remote.published_digest()
    if published is None:
        raise StoreError(f"the store at {store} holds no graph <{graph_iri}> published by archrepo",
                         hint=f"Publish it first: archrepo publish --endpoint {store} --graph {graph_iri}")
    if published != model_digest(graph_ntriples(repository.rdf)):
        warnings.append(Diagnostic(config.display_file, 0, f"the graph <{graph_iri}> in the store was published "
                                   "from another version of the model than the files here",
                                   hint="Publish again (archrepo publish) before checking against the store.",
                                   level=Level.WARNING))
    repository.store = remote
    return repository


def _baseline_path(config: Config, options: CheckOptions) -> tuple[Path | None, str]:
    if options.baseline is not None:
        return options.baseline, str(options.baseline)
    if options.use_config_baseline and config.baseline and config.path(config.baseline).is_file():
        return config.path(config.baseline), config.baseline
    return None, ""
