"""Re-checks that evaluate rules only near what changed since the last check.

The last full set of findings of every rule is kept in ``.archrepo-cache/check-state-v1.json`` with the
content keys of the files it was computed from. On the next run, the elements of the files that changed
(before and after) are the change. A rule that declares ``reach: N`` (a violation of ``?element`` looks at
elements at most N references away; a parent chain counts as one step) is evaluated again only for the
elements within N of the change, on a graph of the elements within 2N of it; its other findings are kept.
Rules without ``reach``, Python and SHACL rules run in full. Anything unusual (a different archrepo, config,
rule text or date; no state; a change touching a large part of the model) falls back to a full run, and
the state is replaced atomically after every successful run, so a damaged or concurrent state only ever
costs a full run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson

from archrepo.api import Repository
from archrepo.model.elements import Element, Model
from archrepo.model.references import element_references
from archrepo.rules.definitions import RuleDefinition
from archrepo.rules.engine import run_findings, stamp
from archrepo.rules.violation import Finding, RuleFailure, Violation

__all__ = ["STATE_FILE", "IncrementalRun", "run_rules_incrementally"]

STATE_FILE = "check-state-v1.json"
_LARGE_CHANGE = 0.4  # a re-check touching more than this share of the model runs in full
_PARENT = "parent"


@dataclass
class IncrementalRun:
    """What the last run did (for the benchmark and the tests)."""

    mode: str = "full"  # full | incremental
    changed: int = 0  # elements in changed files
    evaluated: dict[str, int] | None = None  # rule id -> elements it was evaluated for, when incremental


def _namespace(repository: Repository, as_of: dt.date) -> str:
    from archrepo import __version__

    config = repository.config
    return "|".join([__version__, as_of.isoformat(), config.base_iri, ",".join(config.approved_standards)])


def _rule_hash(rule: RuleDefinition) -> str:
    return hashlib.blake2b(f"{rule.engine}\0{rule.body}\0{rule.reach}".encode(), digest_size=16).hexdigest()


def _file_ids(repository: Repository) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Per file: the ids of its elements, and the ids they refer to (a removed reference is a change too)."""
    ids: dict[str, list[str]] = defaultdict(list)
    refs: dict[str, set[str]] = defaultdict(set)
    for element in repository.model:
        ids[element.location.file].append(element.id)
        refs[element.location.file].update(target for _, target in element_references(element))
    return ids, {file: sorted(targets) for file, targets in refs.items()}


def _adjacency(model: Model) -> dict[str, list[tuple[str, int]]]:
    """Undirected reference graph: (neighbour, cost); parent links cost nothing (a chain is one step)."""
    edges: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for element in model:
        for field, target in element_references(element):
            if target in model.elements:
                cost = 0 if field == _PARENT else 1
                edges[element.id].append((target, cost))
                edges[target].append((element.id, cost))
    return edges


def _within(start: Iterable[str], limit: int, edges: dict[str, list[tuple[str, int]]]) -> set[str]:
    """Elements at most ``limit`` steps from ``start`` (0-1 breadth-first search)."""
    distance = {element: 0 for element in start}
    queue = deque(distance)
    while queue:
        current = queue.popleft()
        for neighbour, cost in edges.get(current, ()):
            reached = distance[current] + cost
            if reached <= limit and reached < distance.get(neighbour, limit + 1):
                distance[neighbour] = reached
                (queue.appendleft if cost == 0 else queue.append)(neighbour)
    return set(distance)


def _load_state(path: Path) -> dict[str, Any] | None:
    try:
        state = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return state if isinstance(state, dict) and state.get("version") == 1 else None


def _save_state(path: Path, state: dict[str, Any]) -> None:
    from archrepo.output import write_atomic

    with contextlib.suppress(OSError):  # a read-only checkout: the next run is a full one, nothing worse
        write_atomic(path, orjson.dumps(state))


def run_rules_incrementally(repository: Repository, rules: list[RuleDefinition], as_of: dt.date,
                            file_keys: dict[str, str], cache_dir: Path,
                            run: IncrementalRun | None = None) -> tuple[list[Violation], list[RuleFailure]]:
    """Like ``run_rules``, reusing the last run's findings away from what changed."""
    run = run if run is not None else IncrementalRun()
    path = cache_dir / STATE_FILE
    state = _load_state(path)
    namespace = _namespace(repository, as_of)
    model = repository.model
    file_ids, file_refs = _file_ids(repository)
    changed: set[str] | None = None
    if state is not None and state.get("namespace") == namespace:
        old_keys, old_ids, old_refs = state["files"], state["ids"], state["refs"]
        touched = {f for f in set(old_keys) | set(file_keys) if old_keys.get(f) != file_keys.get(f)}
        changed = {i for f in touched for i in [*old_ids.get(f, ()), *old_refs.get(f, ()), *file_ids.get(f, ())]}
    run.changed = len(changed) if changed is not None else len(model)
    edges = _adjacency(model) if changed is not None else {}
    findings: dict[str, list[Finding]] = {}
    failures: list[RuleFailure] = []
    graphs: dict[int, Repository] = {}
    evaluated: dict[str, int] = {}
    for rule in rules:
        previous = (state or {}).get("rules", {}).get(rule.id)
        reach = rule.reach
        scoped = (changed is not None and reach is not None and rule.engine == "sparql" and previous
                  and previous.get("hash") == _rule_hash(rule))
        candidates = set()
        if scoped and changed and reach is not None:
            candidates = _within(changed, reach, edges) & set(model.elements)
        if scoped and reach is not None and len(candidates) <= _LARGE_CHANGE * len(model):
            kept = [Finding(e, m, tuple(r)) for e, m, r in previous["findings"]
                    if e not in candidates and e in model.elements]
            fresh: list[Finding] = []
            if candidates:
                partial = graphs.get(reach)
                if partial is None:
                    partial = graphs[reach] = _partial(repository, _within(changed or (), 2 * reach, edges))
                iris = sorted(partial.rdf.iri(e) for e in candidates)
                restricted = replace(rule, body=_restrict(rule.body, iris))
                fresh, failure = run_findings(partial, restricted, as_of)
                if failure:
                    failures.append(replace(failure, location=rule.location))
                    continue
            findings[rule.id] = kept + fresh
            evaluated[rule.id] = len(candidates)
        else:
            result, failure = run_findings(repository, rule, as_of)
            if failure:
                failures.append(failure)
                continue
            findings[rule.id] = result
    run.mode = "incremental" if evaluated else "full"
    run.evaluated = evaluated or None
    violations: list[Violation] = []
    for rule in rules:
        for finding in findings.get(rule.id, ()):
            try:
                violations.append(stamp(rule, finding, repository))
            except Exception as error:  # a finding naming a missing element: the rule's fault
                failures.append(RuleFailure(rule.id, str(error), rule.location))
                break
    _save_state(path, {"version": 1, "namespace": namespace, "files": file_keys, "ids": file_ids, "refs": file_refs,
                       "rules": {r.id: {"hash": _rule_hash(r),
                                        "findings": [[f.element, f.message, list(f.related)]
                                                     for f in findings[r.id]]}
                                 for r in rules if r.id in findings}})
    return sorted(set(violations)), sorted(failures)


def _restrict(body: str, iris: list[str]) -> str:
    from archrepo.graph.rdf import restrict_variable

    return restrict_variable(body, "element", iris)


def _partial(repository: Repository, elements: set[str]) -> Repository:
    """The repository with a graph of only ``elements`` (and the settings and ontology graphs)."""
    from archrepo.graph.rdf import build_graph, elements_ntriples

    model = repository.model
    chosen: list[Element] = [model.elements[e] for e in sorted(elements) if e in model.elements]
    config = repository.config
    graph = build_graph(None, config.base_iri, config.approved_standards,
                        [elements_ntriples(chosen, config.base_iri)])
    return repository.with_graph(graph)
