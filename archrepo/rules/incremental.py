"""Re-checks that evaluate rules only near what changed since the last check.

The last full set of findings of every rule is kept in ``.archrepo-cache/check-state-v3.json`` with the
content keys of the files it was computed from, under a MAC made with the cache key (``model.cachekey``): a
state this machine did not write (committed to git, copied, edited to drop findings) is no state at all.
On the next run, the elements of the files that changed (before and after) are the change; their references
before it are walked as well as the present ones. A rule that declares its ``reach`` (the
reference paths a violation of ``?element`` follows: ``source``, ``target.owner.parent*``, ``^via``) is
evaluated again only for the elements whose paths lead to the change, on a graph of those elements and what
their paths reach (a Python rule: on the whole model, told the elements in ``context.scope``); its other
findings are kept. Rules without ``reach`` and SHACL rules run in full. What a changed file held before comes
from the parse cache. Anything unusual (a change of archrepo's code, config, rule text or Python rule
module, or date; no state; the old parse of a changed file gone; a change touching a large part of the model) falls
back to a full run, and the state is replaced atomically after every successful run, so a damaged or
concurrent state only ever costs a full run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson

from archrepo.api import Repository
from archrepo.model.cachekey import CacheKey, CacheUnavailable, code_digest, load_cache_key
from archrepo.model.elements import Element, Model
from archrepo.model.references import element_references
from archrepo.rules.definitions import RuleDefinition, Severity
from archrepo.rules.engine import QueriesAhead, RulePlan, evaluate
from archrepo.rules.violation import Finding, RuleFailure, Violation

__all__ = ["STATE_FILE", "IncrementalRun", "References", "candidates", "footprint", "partial_repository",
           "run_rules_incrementally"]

STATE_FILE = "check-state-v3.json"
_LARGE_CHANGE = 0.25  # a rule whose change touches more than this share of the model runs in full
# a SPARQL rule whose change touches more elements than this runs in full too: its query looks at the elements near
# the change one by one (a VALUES row each), 0.7 ms each for DAT002, and a file of 5,000 applications edited made a
# re-check at 10,000 applications take 14 s, three times a check from nothing (its graph of the elements looked at
# alone held 48,000 of 77,000)
_LARGE_SPARQL_CHANGE = 1000
_SCOPED = ("sparql", "python")  # engines that can evaluate a rule for some elements only


@dataclass
class IncrementalRun:
    """What the last run did (for the benchmark and the tests)."""

    mode: str = "full"  # full | incremental
    changed: int = 0  # elements in changed files
    evaluated: dict[str, int] | None = None  # rule id -> elements it was evaluated for, when incremental


def _namespace(repository: Repository, as_of: dt.date) -> str:
    config = repository.config
    return "|".join([code_digest(), as_of.isoformat(), config.base_iri, ",".join(config.approved_standards)])


def _rule_hash(rule: RuleDefinition, repository: Repository) -> str:
    """What a rule's findings depend on besides the model: its definition and, for a Python rule, the source
    of its module."""
    digest = hashlib.blake2b(f"{rule.engine}\0{rule.body}\0{rule.reach}\0{rule.params!r}".encode(), digest_size=16)
    if rule.engine == "python":
        from archrepo.rules.python import python_rule_source

        digest.update(python_rule_source(rule, repository.config.root, repository.config.python_rules))
    return digest.hexdigest()


def _file_references(repository: Repository, files: set[str]) -> dict[str, dict[str, list[tuple[str, str]]]]:
    """Of each of ``files``: its elements, each with its references (field, target)."""
    model = repository.model
    per_file: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(dict)
    if repository.files is not None:  # a valid model: every element, in the file that defines it
        per_file.update((result.file, result.references) for result in repository.files if result.file in files)
    else:
        for element in model:
            if element.location.file in files:
                per_file[element.location.file][element.id] = (model.references.get(element.id)
                                                               or element_references(element))
    return per_file


def _old_references(cache_dir: Path, key: CacheKey, scope: str, keys: dict[str, str]
                    ) -> dict[str, dict[str, list[tuple[str, str]]]] | None:
    """``_file_references`` of files as they were (by their content keys), from the parse cache; None if one
    is gone."""
    from archrepo.model.cache import ParseCache, decode_payload

    cache = ParseCache(cache_dir, key, scope)
    try:
        entries = cache.get_many(sorted(set(keys.values())))
    finally:
        cache.close()
    if len(entries) < len(set(keys.values())):
        return None
    return {file: decode_payload(entries[key][0]).get("references", {}) for file, key in keys.items()}


@dataclass(frozen=True)
class Change:
    """What changed since the last run: the elements of the files changed (as they were and as they are), and
    the references those elements had before (a removed reference is walked like a present one)."""

    elements: set[str]
    old_references: dict[str, list[tuple[str, str]]]

    def references(self, model: Model) -> References:
        """The model's references, with the old ones of the changed elements beside their present ones."""
        present = References(model.references or {e.id: element_references(e) for e in model})
        return present.with_old(self.old_references)


class References:
    """The model's references by field, both ways, for walking reach paths."""

    def __init__(self, references: dict[str, list[tuple[str, str]]]) -> None:
        self.references = references
        backward: dict[tuple[str, str], list[str]] = {}  # (field, target) -> referrers
        for element_id, found in references.items():
            for field, target in found:
                key = (field, target)
                referrers = backward.get(key)
                if referrers is None:
                    backward[key] = [element_id]
                else:
                    referrers.append(element_id)
        self.backward = backward

    def update(self, element_id: str, found: list[tuple[str, str]] | None) -> None:
        """Replace one element's references (``None``: the element is gone), keeping the backward index
        (an editor's model changes one file at a time)."""
        for field, target in self.references.pop(element_id, None) or ():
            referrers = self.backward.get((field, target))
            if referrers is not None and element_id in referrers:
                referrers.remove(element_id)
                if not referrers:
                    del self.backward[(field, target)]
        if found is None:
            return
        self.references[element_id] = found
        for field, target in found:  # pairs may be lists (as JSON keeps them in the cache)
            self.backward.setdefault((field, target), []).append(element_id)

    def _next(self, element: str, field: str, backward: bool) -> Iterable[str]:
        if backward:
            return self.backward.get((field, element), ())
        return (target for name, target in self.references.get(element, ()) if name == field)

    def with_old(self, old: dict[str, list[tuple[str, str]]]) -> References:
        """These references and, beside them, ``old`` (element -> the references it had before a change): a path
        is walked over a reference that was removed as over one that is there. A view: nothing is copied."""
        return _WithOld(self, old) if old else self

    def step(self, elements: set[str], step: str, reverse: bool) -> set[str]:
        """One step of a path from ``elements``; ``reverse`` walks it against its direction."""
        field = step.lstrip("^").rstrip("*")
        backward = step.startswith("^") != reverse
        star = step.endswith("*")
        reached = set(elements) if star else set()
        frontier = set(elements)
        while frontier:
            found = {n for e in frontier for n in self._next(e, field, backward)}
            if not star:
                return found
            frontier = found - reached
            reached |= frontier
        return reached


class _WithOld(References):
    """References with the old ones of some elements beside them (see ``References.with_old``)."""

    def __init__(self, present: References, old: dict[str, list[tuple[str, str]]]) -> None:
        self.references, self.backward = present.references, present.backward
        self._present = present
        self._old = {element_id: [(field, target) for field, target in pairs] for element_id, pairs in old.items()}
        self._old_backward: dict[tuple[str, str], list[str]] = {}
        for element_id, pairs in self._old.items():
            for pair in pairs:
                self._old_backward.setdefault(pair, []).append(element_id)

    def update(self, element_id: str, found: list[tuple[str, str]] | None) -> None:
        raise TypeError("a view of references with old ones beside them is not changed")

    def _next(self, element: str, field: str, backward: bool) -> Iterable[str]:
        yield from self._present._next(element, field, backward)
        if backward:
            yield from self._old_backward.get((field, element), ())
        else:
            yield from (target for name, target in self._old.get(element, ()) if name == field)


def _paths(reach: tuple[str, ...]) -> list[list[str]]:
    """Every prefix of every path: an element part-way along a path matters as much as its end."""
    prefixes = []
    for path in reach:
        steps = path.split(".")
        prefixes += [steps[:length] for length in range(1, len(steps) + 1)]
    return prefixes


def candidates(changed: set[str], reach: tuple[str, ...], references: References) -> set[str]:
    """Elements whose violations can change: the changed ones, and those whose paths lead to them."""
    found = set(changed)
    for steps in _paths(reach):
        current = set(changed)
        for step in reversed(steps):
            current = references.step(current, step, reverse=True)
        found |= current
    return found


def footprint(candidates: set[str], reach: tuple[str, ...], references: References) -> set[str]:
    """What evaluating the rule for ``candidates`` can look at: them, and every element along their paths."""
    found = set(candidates)
    for steps in _paths(reach):
        current = set(candidates)
        for step in steps:
            current = references.step(current, step, reverse=False)
        found |= current
    return found


def _state_mac(key: CacheKey, scope: str, body: bytes) -> bytes:
    return key.mac(b"check-state", scope.encode("utf-8", "surrogateescape"), body).encode()


def _load_state(path: Path, key: CacheKey | None, scope: str) -> dict[str, Any] | None:
    """The state this machine wrote for this repository: a MAC line, then the JSON it is of. Anything else
    (no key, a link, a FIFO, a MAC that does not verify, not a state) is None: a full run."""
    from archrepo.model.reading import Unreadable, read_regular

    if key is None:
        return None
    try:
        mac, _, body = read_regular(path, follow_symlinks=False).partition(b"\n")
        if not hmac.compare_digest(mac, _state_mac(key, scope, body)):
            return None
        state = orjson.loads(body)
    except (Unreadable, orjson.JSONDecodeError):
        return None
    return state if isinstance(state, dict) and state.get("version") == 3 else None


def _save_state(path: Path, key: CacheKey | None, scope: str, state: dict[str, Any]) -> None:
    from archrepo.output import replace_file

    if key is None:
        return
    body = orjson.dumps(state)
    with contextlib.suppress(OSError):  # a read-only checkout: the next run is a full one, nothing worse
        replace_file(path, _state_mac(key, scope, body) + b"\n" + body)


def _cache_key(repository: Repository) -> CacheKey | None:
    try:
        return load_cache_key(repository.config.root)
    except CacheUnavailable:
        return None


def run_rules_incrementally(repository: Repository, rules: list[RuleDefinition], as_of: dt.date,
                            file_keys: dict[str, str], cache_dir: Path, run: IncrementalRun | None = None,
                            budget: float | None = None, ahead: QueriesAhead | None = None
                            ) -> tuple[list[Violation], list[RuleFailure]]:
    """Like ``run_rules``, reusing the last run's findings away from what changed."""
    run = run if run is not None else IncrementalRun()
    path = cache_dir / STATE_FILE
    key, scope = _cache_key(repository), str(repository.config.root)
    state = _load_state(path, key, scope)
    namespace = _namespace(repository, as_of)
    hashes = {rule.id: _rule_hash(rule, repository) for rule in rules}
    valid = {rule_id: entry for rule_id, entry in (state or {}).get("rules", {}).items()
             if entry.get("hash") == hashes.get(rule_id)}  # the last run's findings, of rules unchanged since
    changed = _changed(repository, state, namespace, file_keys, (cache_dir, key, scope))
    run.changed = len(changed.elements) if changed is not None else len(repository.model)
    plan = replace(_plan(repository, rules, changed, valid), ahead=ahead)
    result = evaluate(repository, rules, plan, as_of, budget)
    evaluated = {rule_id: len(scope) for rule_id, scope in plan.scopes.items() if rule_id in result.findings}
    run.mode = "incremental" if evaluated else "full"
    run.evaluated = evaluated or None
    memos = plan.memos
    _save_state(path, key, scope, {"version": 3, "namespace": namespace, "files": file_keys,
                       "rules": {rule_id: {"hash": hashes[rule_id],
                                           "findings": [[f.element, f.message, list(f.related),
                                                         int(f.severity) if f.severity else None] for f in found],
                                           **({"memo": memos[rule_id]} if _storable(memos.get(rule_id)) else {})}
                                 for rule_id, found in result.findings.items()}})
    return result.violations, result.failures


def _changed(repository: Repository, state: dict[str, Any] | None, namespace: str, file_keys: dict[str, str],
             cache: tuple[Path, CacheKey | None, str]) -> Change | None:
    """The elements of the files changed since the last run, before (their parse is still in the cache:
    (folder, key, scope)) and after, with their old references; a file deleted, added or edited alike. None: no
    usable last run.

    What the changed elements refer to is not itself changed: an element whose paths reach it is evaluated again
    only if its path runs through a changed element (over its old references too), so a rename under a
    technology thousands of applications use is not a change for all of them."""
    cache_dir, key, scope = cache
    if state is None or state.get("namespace") != namespace or key is None:
        return None
    old_keys = state["files"]
    touched = {f for f in set(old_keys) | set(file_keys) if old_keys.get(f) != file_keys.get(f)}
    before = _old_references(cache_dir, key, scope, {f: old_keys[f] for f in touched if f in old_keys})
    if before is None:
        return None
    after = _file_references(repository, touched)
    elements = {i for per_file in (before, after) for f in touched for i in per_file.get(f, {})}
    old = {element_id: pairs for per_file in before.values() for element_id, pairs in per_file.items()}
    return Change(elements, old)


def _plan(repository: Repository, rules: list[RuleDefinition], changed: Change | None,
          valid: dict[str, Any]) -> RulePlan:
    """Which rules to evaluate only near ``changed`` (those with a ``reach``, unchanged since the last run,
    whose change is small), for which elements, and what to keep of their last findings."""
    memos = {rule.id: dict(valid.get(rule.id, {}).get("memo") or {}) for rule in rules if rule.engine == "python"}
    if changed is None:
        return RulePlan(memos=memos)
    model = repository.model
    references = changed.references(model)
    scopes: dict[str, frozenset[str]] = {}
    looked_at: set[str] = set()  # what the SPARQL rules evaluated near the change look at
    for rule in rules:
        if rule.reach is None or rule.engine not in _SCOPED or rule.id not in valid:
            continue
        near = {e for e in candidates(changed.elements, rule.reach, references) if e in model.elements}
        if len(near) <= _LARGE_CHANGE * len(model) and (rule.engine != "sparql" or len(near) <= _LARGE_SPARQL_CHANGE):
            scopes[rule.id] = frozenset(near)
            if rule.engine == "sparql":
                looked_at |= footprint(near, rule.reach, references)
    kept = {rule_id: [Finding(e, m, tuple(r), Severity(s) if s else None) for e, m, r, s in valid[rule_id]["findings"]
                      if e not in scope and e in model.elements] for rule_id, scope in scopes.items()}
    graph = partial_repository(repository, looked_at) if looked_at else None  # one graph for all such rules
    return RulePlan(scopes, graph, kept, memos)


def _storable(memo: dict[str, Any] | None) -> bool:
    """Whether a rule left notes that JSON can keep (anything else is dropped, and the rule computes again)."""
    if not memo:
        return False
    try:
        orjson.dumps(memo)
    except TypeError:
        return False
    return True


def partial_repository(repository: Repository, elements: set[str]) -> Repository:
    """The repository with a graph of only ``elements`` (and the settings and ontology graphs)."""
    from archrepo.graph.loading import build_graph
    from archrepo.graph.rdf import elements_ntriples

    model = repository.model
    chosen: list[Element] = [model.elements[e] for e in sorted(elements) if e in model.elements]
    config = repository.config
    graph = build_graph(None, config.base_iri, config.approved_standards,
                        [elements_ntriples(chosen, config.base_iri)])
    return repository.with_graph(graph)
