"""The one rule loop: every rule isolated and bounded, findings stamped with id, severity, principle, place.

:func:`evaluate` takes a :class:`RulePlan` ("everything", or "these rules for these elements", as a re-check
near a change or an editor asks for) and applies one failure policy to every rule, whatever its engine:

* a rule that raises anything (its own bug, a broken query, ``SystemExit``) is a :class:`RuleFailure`, and
  contributes no violations; the other rules still run;
* a rule past its time budget (``rule_timeout`` in archrepo.yaml, ``check --rule-timeout``) is a failure too.
  Each rule runs in a worker thread that the loop waits for with a deadline (Oxigraph and pySHACL cannot be
  cancelled from outside; Oxigraph releases the GIL while it evaluates, so two rule threads at a time keep two
  cores busy). A rule past its budget is abandoned:
  a Python rule is asked to stop (an exception raised in its thread), a query runs on in the background. The
  command line leaves with ``os._exit``, so an abandoned thread never keeps it alive; a long-lived library
  caller (a language server) should know that an abandoned query keeps one core busy until it ends;
* Ctrl-C (KeyboardInterrupt in the waiting thread) stops the loop at once and propagates.

A check from nothing begins the SPARQL rules' queries before the loop, as soon as the graph is complete
(:class:`QueriesAhead`); the loop takes up what was begun, under the same policy.

Rules are read-only towards each other: SPARQL rules cannot update (see ``graph/sparql_text.py``), SHACL
rules run on a private copy of the graph (``rules/shacl.py``); Python rules are trusted code, see
``rules/python.py``.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import heapq
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from archrepo.api import Repository
from archrepo.rules.context import RuleContext
from archrepo.rules.definitions import RuleDefinition
from archrepo.rules.python import run_python_rule
from archrepo.rules.schedule import scheduled
from archrepo.rules.shacl import run_shacl_rule
from archrepo.rules.sparql import Solution, findings, run_sparql_rule, solutions
from archrepo.rules.violation import Finding, RuleFailure, RuleRunError, Violation, fingerprint

if TYPE_CHECKING:
    from archrepo.graph.rdf import ModelGraph

__all__ = ["RULES_AT_ONCE", "Evaluation", "QueriesAhead", "RulePlan", "evaluate", "run_rules", "stamp"]

Adapter = Callable[[RuleDefinition, RuleContext], Iterator[Finding]]
ADAPTERS: dict[str, Adapter] = {"sparql": run_sparql_rule, "shacl": run_shacl_rule, "python": run_python_rule}


@dataclass(frozen=True)
class RulePlan:
    """What to evaluate. Empty: every rule in full. ``scopes`` names rules to evaluate for some elements only:
    a SPARQL rule then runs on ``graph`` (a graph of what those elements' paths reach) restricted to them, a
    Python rule on the whole model with them in ``context.scope``; its findings elsewhere come from ``kept``."""

    scopes: Mapping[str, frozenset[str]] = field(default_factory=dict)
    graph: Repository | None = None
    kept: Mapping[str, list[Finding]] = field(default_factory=dict)
    memos: Mapping[str, dict[str, Any]] = field(default_factory=dict)  # rule id -> its notes, updated in place
    # the SPARQL rules' queries on the whole embedded graph, evaluated ahead (``QueriesAhead``), if they were
    ahead: QueriesAhead | None = None


@dataclass
class Evaluation:
    """The violations (sorted), the rules that failed, and the findings each rule that ran was stamped from."""

    violations: list[Violation]
    failures: list[RuleFailure]
    findings: dict[str, list[Finding]]


class _Abandoned(BaseException):
    """Raised in the thread of a rule past its budget (a BaseException: a rule's ``except Exception`` must not
    swallow it)."""


def run_rules(repository: Repository, rules: Iterable[RuleDefinition], as_of: dt.date,
              budget: float | None = None, ahead: QueriesAhead | None = None
              ) -> tuple[list[Violation], list[RuleFailure]]:
    """Every violation of every rule (sorted), and the rules that failed to run. A failing rule never stops
    the others. ``budget``: seconds per rule (default: the config's ``rule_timeout``); ``ahead``: queries
    begun before (see ``QueriesAhead``)."""
    result = evaluate(repository, rules, RulePlan(ahead=ahead), as_of, budget)
    return result.violations, result.failures


def evaluate(repository: Repository, rules: Iterable[RuleDefinition], plan: RulePlan, as_of: dt.date,
             budget: float | None = None) -> Evaluation:
    """Run ``rules`` as ``plan`` says, each within ``budget`` seconds (default: the config's ``rule_timeout``),
    up to ``RULES_AT_ONCE`` at a time."""
    seconds = budget if budget is not None else repository.config.rule_timeout
    rules = list(rules)
    if plan.ahead is not None:
        plan.ahead.stop()  # from here on the loop evaluates what was not begun ahead itself
    jobs: list[_Job | RuleRunError] = []
    for rule in rules:
        try:
            jobs.append(_job(repository, rule, plan, as_of))
        except RuleRunError as error:
            jobs.append(error)
    # each rule's findings made violations as soon as it ends, while the others still run
    settled: list[tuple[list[Finding], list[Violation]] | RuleRunError | None] = [None] * len(rules)

    def settle(index: int, outcome: _Outcome | None) -> None:
        job = jobs[index]
        try:
            if isinstance(job, RuleRunError):
                raise job
            if isinstance(outcome, RuleRunError):
                raise outcome
            found = job.finish(outcome or [])
            # sorted here, while the other rules run, and merged at the end (22,500 violations: the sort of all
            # at once took 0.07 s after the last rule, the merge takes 0.02 s)
            stamped = {stamp(rules[index], finding, repository) for finding in found}
            settled[index] = (found, sorted(stamped, key=Violation.order))
        except RuleRunError as error:
            settled[index] = error

    works = [job.work if isinstance(job, _Job) else None for job in jobs]
    _run_all([(index, works[index]) for index in scheduled(rules)], seconds, settle)
    each: list[list[Violation]] = []  # each rule's violations, sorted
    failures: list[RuleFailure] = []
    findings: dict[str, list[Finding]] = {}
    for index, rule in enumerate(rules):
        if settled[index] is None:  # nothing to evaluate (or it could not be prepared)
            settle(index, None)
        outcome = settled[index]
        if isinstance(outcome, RuleRunError):
            failures.append(RuleFailure(rule.id, str(outcome), rule.location))
        elif outcome is not None:
            findings[rule.id] = outcome[0]
            each.append(outcome[1])
    if plan.ahead is not None:
        plan.ahead.close()
    if len({rule.id for rule in rules}) == len(rules):  # no violation of one rule equals one of another
        violations = list(heapq.merge(*each, key=Violation.order))
    else:
        violations = sorted({violation for found in each for violation in found}, key=Violation.order)
    return Evaluation(violations, sorted(failures), findings)


@dataclass(frozen=True)
class _Job:
    """One rule as the plan asks for it: the work for a rule thread (None: nothing to evaluate), and what
    makes its findings of what that work returns."""

    work: Callable[[], list[Finding]] | None
    finish: Callable[[list[Finding]], list[Finding]]


def _job(repository: Repository, rule: RuleDefinition, plan: RulePlan, as_of: dt.date) -> _Job:
    """One rule's job; RuleRunError when it cannot even be prepared."""
    scope = plan.scopes.get(rule.id)
    memo = plan.memos.get(rule.id)
    kept = list(plan.kept.get(rule.id, ()))
    context = RuleContext(repository, as_of, None, memo if memo is not None else {}, rule.param_values)
    definition = rule
    if scope is not None and not scope:
        return _Job(None, lambda _found: kept)
    if scope is not None and rule.engine == "sparql" and plan.graph is not None:
        from archrepo.graph.rdf import restrict_variable

        iris = sorted(plan.graph.rdf.iri(element) for element in scope)
        definition = replace(rule, body=_guarded(lambda: restrict_variable(rule.body, "element", iris)))
        context = replace(context, repository=plan.graph)
    elif scope is not None:
        context = replace(context, scope=scope)
    _prepare(context, rule)
    adapter = ADAPTERS[rule.engine]
    begun = plan.ahead.begun(rule.id) if plan.ahead is not None and scope is None and rule.engine == "sparql" \
        and plan.ahead.graph is context.sparql_graph else None
    if begun is not None:  # its query was evaluated ahead (or still is): its solutions are read, not queried again
        adapter = _answered(begun)
    bounded = context

    def finish(found: list[Finding]) -> list[Finding]:
        if bounded.scope is not None:
            found = [finding for finding in found if finding.element in bounded.scope]
        return [*kept, *found] if scope is not None else found

    return _Job(lambda: list(adapter(definition, bounded)), finish)


def _answered(begun: Future[list[Solution]]) -> Adapter:
    def adapter(_rule: RuleDefinition, context: RuleContext) -> Iterator[Finding]:
        return findings(begun.result(), context.model)  # an error of the query ahead is raised here, as its own
    return adapter


# one query at a time beside the validation (itself a Python thread): two shortened the tail of a check at 10,000
# applications less than one, the queries slowing each other down on two cores
_QUERIES_AHEAD_AT_ONCE = 1


class QueriesAhead:
    """The queries of SPARQL rules evaluated on the embedded graph before the rule loop runs: while a check
    writes its parse cache and validates the model (0.4 s at 10,000 applications in which one core had little
    else to do). Their solutions are read without the model (``rules.sparql.solutions``); the loop makes the
    findings of them once the model is known, with the same failure policy: an error of a query ahead is the
    rule's failure, and a rule's time budget counts from when the loop takes it up (so it can only be more
    lenient). One query at a time, the costliest first (as the loop orders them, ``rules/schedule.py``); the
    loop stops them from starting more when it begins (``stop``), and evaluates the rest itself."""

    def __init__(self, rules: Iterable[RuleDefinition], as_of: dt.date) -> None:
        self.graph: ModelGraph | None = None
        self._as_of = as_of
        rules = list(rules)
        self._waiting = deque(rules[index] for index in scheduled(rules) if rules[index].engine == "sparql")
        self._begun: dict[str, Future[list[Solution]]] = {}
        self._lock = threading.Lock()
        self._stopped = False
        self._threads: list[threading.Thread] = []

    def begin(self, graph: ModelGraph | None) -> None:
        """Begin the queries on ``graph`` (the complete graph of the model; None: there is none yet)."""
        with self._lock:  # (from another thread than the loop's, which may stop or close meanwhile)
            if graph is None or self.graph is not None or self._stopped:
                return
            self.graph = graph
            threads = [threading.Thread(target=self._work, name="archrepo-query-ahead", daemon=True)
                       for _ in range(min(_QUERIES_AHEAD_AT_ONCE, len(self._waiting)))]
            for thread in threads:
                thread.start()
            self._threads = threads

    def _work(self) -> None:
        while True:
            with self._lock:
                if self._stopped or not self._waiting:
                    return
                rule = self._waiting.popleft()
                begun = self._begun[rule.id] = Future()
                begun.set_running_or_notify_cancel()
            try:
                assert self.graph is not None
                begun.set_result(solutions(rule, self.graph, self._as_of))
            except BaseException as error:  # the rule's failure, reported by the loop
                _forget_frames(error)
                begun.set_exception(error)

    def stop(self) -> None:
        """Start no more queries (those begun run on)."""
        with self._lock:
            self._stopped = True

    def begun(self, rule_id: str) -> Future[list[Solution]] | None:
        """The solutions of the rule's query, if it was begun ahead (then possibly still running)."""
        with self._lock:
            return self._begun.get(rule_id)

    def close(self) -> None:
        """Stop, and wait for the threads whose queries have ended (a query past its budget runs on alone)."""
        self.stop()
        with self._lock:
            threads = list(self._threads)
            begun = list(self._begun.values())
        if all(future.done() for future in begun):
            for thread in threads:
                thread.join()


def _prepare(context: RuleContext, rule: RuleDefinition) -> None:
    """Build the embedded graph outside the rule's budget: it is shared, and built once, on first use."""
    if rule.engine == "shacl" or (rule.engine == "sparql" and getattr(context.repository, "store", None) is None):
        _guarded(lambda: context.rdf)


def _guarded(work: Callable[[], Any]) -> Any:
    """``work()``, any exception of it a RuleRunError."""
    try:
        return work()
    except RuleRunError:
        raise
    except Exception as error:
        raise RuleRunError(_raised(error)) from None


def _raised(error: BaseException) -> str:
    text = str(error)
    return f"the rule raised {type(error).__name__}" + (f": {text}" if text else "")


# Rules are independent queries, and Oxigraph releases the GIL while it evaluates one: two rule threads keep
# two cores busy (Python rules, which hold the GIL, simply take turns)
RULES_AT_ONCE = 2

_Outcome = list[Finding] | RuleRunError


def _run_all(works: list[tuple[int, Callable[[], list[Finding]] | None]], budget: float,
             settle: Callable[[int, _Outcome], None]) -> None:
    """Each (index, work), in the order given, in a worker thread of its own, ``RULES_AT_ONCE`` at a time, each
    waited for at most ``budget`` seconds from its start; ``settle`` (index, outcome) is called here as each
    ends. Whatever one raises (SystemExit too) and a timeout become its RuleRunError; KeyboardInterrupt while
    waiting abandons the running ones and propagates at once."""
    finished: queue.SimpleQueue[tuple[int, list[Finding] | BaseException]] = queue.SimpleQueue()
    running: dict[int, tuple[threading.Thread, float]] = {}
    waiting = iter([(index, work) for index, work in works if work is not None])

    def start(index: int, work: Callable[[], list[Finding]]) -> None:
        def run() -> None:
            try:
                result: list[Finding] | BaseException = work()
            except BaseException as error:  # the rule's, whatever it is: reported, never raised in the loop
                _forget_frames(error)
                result = error
            finished.put((index, result))

        worker = threading.Thread(target=run, name="archrepo-rule", daemon=True)
        running[index] = (worker, time.monotonic() + budget)
        worker.start()

    ended: list[tuple[int, _Outcome]] = []
    try:
        while True:
            while len(running) < RULES_AT_ONCE and (following := next(waiting, None)) is not None:
                start(*following)
            for index, outcome in ended:  # (once the next rules have begun)
                settle(index, outcome)
            ended.clear()
            if not running:
                return
            first = min(deadline for _, deadline in running.values())
            try:
                index, result = finished.get(timeout=min(max(first - time.monotonic(), 0), threading.TIMEOUT_MAX))
            except queue.Empty:
                ended += _abandon_late(running, budget)
                continue
            if running.pop(index, None) is not None:  # (an abandoned rule that ends later is not heard)
                ended.append((index, _outcome(result)))
    except KeyboardInterrupt:  # Ctrl-C: stop waiting at once, and ask the rules to stop too
        for worker, _ in running.values():
            _abandon(worker)
        raise


def _abandon_late(running: dict[int, tuple[threading.Thread, float]], budget: float) -> list[tuple[int, _Outcome]]:
    """The running rules past their deadline, abandoned, each with the error that says so."""
    late: list[tuple[int, _Outcome]] = []
    now = time.monotonic()
    for index, (worker, deadline) in list(running.items()):
        if deadline <= now:
            _abandon(worker)
            del running[index]
            late.append((index, RuleRunError(f"the rule did not finish within its time budget of {budget:g} s "
                                             "(rule_timeout in archrepo.yaml, or check --rule-timeout)")))
    return late


def _outcome(result: list[Finding] | BaseException) -> _Outcome:
    if isinstance(result, RuleRunError):
        return result
    if isinstance(result, BaseException):
        return RuleRunError(_raised(result))
    return result


def _forget_frames(error: BaseException | None) -> None:
    """Drop the tracebacks of an error and the errors it came from, in the rule's own thread: their frames hold
    the rule's query results, which pyoxigraph lets only the thread that made them free (the collector would
    otherwise find them in a cycle later, on another thread, and could not free them)."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        error.__traceback__ = None
        error = error.__cause__ or error.__context__


def _abandon(worker: threading.Thread) -> None:
    """Ask a worker thread to stop: the exception is raised when it next runs Python code (a Python rule's
    loop stops at once; a query in Oxigraph only when it returns a result, or never)."""
    if worker.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident), ctypes.py_object(_Abandoned))


def stamp(rule: RuleDefinition, finding: Finding, repository: Repository) -> Violation:
    """The violation a finding is: severity, principle and location added by the engine, not the rule."""
    element = repository.model.get(finding.element)
    if element is None:
        raise RuleRunError(f"the rule reported '{finding.element}', which is not an element of the model")
    related = tuple(sorted(set(finding.related) - {finding.element}))
    # a finding's own grade counts unless archrepo.yaml sets the rule's severity
    severity = finding.severity if finding.severity is not None and rule.severity == rule.default_severity \
        else rule.severity
    return Violation(rule=rule.id, severity=severity, principle=rule.principle, element=element.id,
                     kind=element.kind, related=related, location=element.location, message=finding.message,
                     fingerprint=fingerprint(rule.id, element.id, related))
