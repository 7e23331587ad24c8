"""Incremental re-checks give exactly the violations of a full check, edit after edit.

A generated model (bench/generate.py, with violations) is edited in ways that move violations around:
lifecycle and classification changes, removed and added integrations, an organisation turning external, an
owner dropped, a file deleted. After each edit the incremental run (rules near the change only) must equal
a full run, and must really have been incremental."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
import yaml

import archrepo
from archrepo.config import load_config
from archrepo.graph.rdf import ntriples_extra
from archrepo.model.cache import CACHE_DIR, DATABASE
from archrepo.model.loader import ReadStats, read_model_files, validate_model
from archrepo.rules.definitions import load_principles, load_rules
from archrepo.rules.engine import run_rules
from archrepo.rules.incremental import STATE_FILE, IncrementalRun, run_rules_incrementally
from tests.test_generator import gen

AS_OF = dt.date(2026, 11, 26)


def _check(root: Path) -> tuple[list, list, IncrementalRun]:
    config = load_config(root / "archrepo.yaml")
    stats = ReadStats()
    files = read_model_files(config, stats=stats, extra=ntriples_extra(config.base_iri))
    model, diagnostics = validate_model(config, files)
    assert model is not None, diagnostics[:3]
    repository = archrepo.Repository(config, model, files)
    rules = load_rules(config, load_principles(config))
    run = IncrementalRun()
    incremental, failures = run_rules_incrementally(repository, rules, AS_OF, stats.keys, root / ".archrepo-cache",
                                                    run)
    assert not failures
    full, failures = run_rules(archrepo.Repository(config, model, files), rules, AS_OF)
    assert not failures
    return incremental, full, run


def _key(violations: list) -> list:
    return sorted((v.rule, v.element, v.related, v.message, v.severity, str(v.location)) for v in violations)


def _edit(root: Path, rng: random.Random, kind: str, change) -> str:
    """Apply ``change`` to one random element of ``kind``; returns its id."""
    files = sorted((root / "models").rglob("*.yaml"))
    rng.shuffle(files)
    for path in files:
        documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        indexes = [i for i, d in enumerate(documents) if isinstance(d, dict) and d.get("kind") == kind]
        if indexes:
            index = rng.choice(indexes)
            element_id = documents[index]["id"]
            result = change(documents[index])
            if result is None:
                del documents[index]
            path.write_text(yaml.safe_dump_all(documents, sort_keys=False, allow_unicode=True), encoding="utf-8")
            return str(element_id)
    raise AssertionError(f"no {kind} to edit")


def _set(key: str, value: object):
    def change(document: dict) -> dict:
        document[key] = value
        return document
    return change


def _without(key: str):
    def change(document: dict) -> dict:
        document.pop(key, None)
        return document
    return change


def _unsupported_first_step(document: dict) -> dict:
    document["steps"][0]["supported_by"] = []
    return document


EDITS = {
    "retire an application": ("Application", _set("lifecycle", {"status": "retired"})),
    "phase out an application": ("Application", _set("lifecycle", {"status": "phase-out", "since": "2010-01-01",
                                                                   "phase_out": "2020-01-01"})),
    "drop an owner": ("Application", _without("owner")),
    "declassify an application": ("Application", _set("classification", "open")),
    "make data sensitive": ("DataObject", _set("classification", "sensitive")),
    "drop a master": ("DataObject", _without("master")),
    "remove an integration": ("Integration", lambda document: None),
    "unencrypt an integration": ("Integration", _set("security", {"encrypted": False})),
    "drop a via": ("Integration", _without("via")),
    "make an organisation external": ("Organisation", _set("external", True)),
    "remove a description": ("Capability", _without("description")),
    "remove a process step's support": ("Process", _unsupported_first_step),
    # a reference removed: what the element pointed to is not itself changed, but paths ran over the reference
    "drop an application's technologies": ("Application", _without("technologies")),
    "take a technology off its platform": ("Technology", _without("runs_on")),
    "end a technology's support": ("Technology", _set("end_of_support", "2020-01-01")),
}


@pytest.fixture(scope="module")
def model_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("incremental")
    gen.generate(root, applications=150, seed=7, violation_rate=0.05)
    return root


def test_incremental_equals_full_after_every_edit(model_root: Path) -> None:
    incremental, full, run = _check(model_root)
    assert _key(incremental) == _key(full) and run.mode == "full"
    rng = random.Random(20261126)
    seen = {tuple(_key(full))}
    for name, (kind, change) in EDITS.items():
        for _ in range(2):
            edited = _edit(model_root, rng, kind, change)
            incremental, full, run = _check(model_root)
            assert _key(incremental) == _key(full), f"{name} ({edited}): incremental differs from full"
            if kind != "Organisation":
                assert run.mode == "incremental", f"{name}: expected an incremental run"
            seen.add(tuple(_key(full)))
    assert len(seen) > 15, "the edits should move violations around, or the test proves nothing"


def test_python_rules_near_the_change_equal_full(model_root: Path) -> None:
    """DAT003 (a Python rule with a reach) is evaluated for the elements near the change only, and still
    finds exactly what a full run finds when data flows and masters move."""
    _check(model_root)
    rng = random.Random(7)
    applications = [d["id"] for _, d in _documents(model_root) if d.get("kind") == "Application"]

    def narrow(document: dict) -> dict:
        document["data"] = (document.get("data") or [])[-1:]
        return document

    def move_master(document: dict) -> dict:
        document["master"] = rng.choice(applications)
        return document

    edits = [("Integration", narrow), ("DataObject", move_master), ("Integration", _set("mode", "sync")),
             ("Integration", _set("status", "retired"))]
    scoped = 0
    for kind, change in edits * 3:
        edited = _edit(model_root, rng, kind, change)
        incremental, full, run = _check(model_root)
        assert _key(incremental) == _key(full), f"{change} on {edited}: incremental differs from full"
        scoped += "DAT003" in (run.evaluated or {})
    assert scoped >= 6, "DAT003 should have run near the change, not in full"
    # the master's name is in DAT003's message: renaming it (in a file of its own) changes a violation elsewhere
    where = {d["id"]: (path, d) for path, d in _documents(model_root)}
    lineage = next(v for v in full if v.rule == "DAT003"
                   and where[where[v.related[0]][1]["master"]][0] != where[where[v.element][1]["source"]][0])
    _rename(model_root, where[lineage.related[0]][1]["master"])
    incremental, full, run = _check(model_root)
    assert "DAT003" in (run.evaluated or {}) and _key(incremental) == _key(full)


def _documents(root: Path) -> list[tuple[Path, dict]]:
    return [(path, d) for path in sorted((root / "models").rglob("*.yaml"))
            for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if isinstance(d, dict)]


def _rename(root: Path, element_id: str) -> None:
    for path in sorted((root / "models").rglob("*.yaml")):
        documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        for document in documents:
            if isinstance(document, dict) and document.get("id") == element_id:
                document["name"] = f"{document['name']} (renamed)"
                path.write_text(yaml.safe_dump_all(documents, sort_keys=False, allow_unicode=True), encoding="utf-8")
                return
    raise AssertionError(f"{element_id} not found")


def test_deleting_a_file_and_unchanged_reruns(model_root: Path) -> None:
    _check(model_root)
    incremental, full, run = _check(model_root)  # nothing changed
    assert _key(incremental) == _key(full) and run.changed == 0
    victim = sorted((model_root / "models" / "integrations").rglob("*.yaml"))[0]
    victim.unlink()
    incremental, full, run = _check(model_root)
    assert _key(incremental) == _key(full) and run.changed > 0


def test_a_damaged_state_means_a_full_run(model_root: Path) -> None:
    _check(model_root)
    (model_root / ".archrepo-cache" / STATE_FILE).write_text("{not json")
    incremental, full, run = _check(model_root)
    assert _key(incremental) == _key(full) and run.mode == "full"


def test_without_the_old_parse_of_a_changed_file_the_run_is_full(model_root: Path) -> None:
    """What a changed file held before comes from the parse cache; if that entry is gone, nothing is guessed."""
    _check(model_root)

    def flip(document: dict) -> dict:  # a real change even if the integration was retired by an earlier edit
        document["status"] = "active" if document.get("status") == "retired" else "retired"
        return document

    _edit(model_root, random.Random(3), "Integration", flip)
    for database in (model_root / CACHE_DIR).glob(f"{DATABASE}*"):
        database.unlink()
    incremental, full, run = _check(model_root)
    assert _key(incremental) == _key(full) and run.mode == "full"


_COUNTER = '''
def rule(context):
    """Counts its runs in its memo; leaves something JSON cannot keep beside it."""
    context.memo["runs"] = context.memo.get("runs", 0) + 1
    context.memo["unkeepable"] = object() if context.memo["runs"] > 1 else None
    element = sorted(context.model.elements)[0]
    yield element, f"run {context.memo['runs']}"
'''


def _runs(root: Path) -> str:
    incremental, full, _ = _check(root)
    assert _key(incremental) == _key([v for v in full if v.rule != "ZZZ001"] + [v for v in incremental
                                                                                   if v.rule == "ZZZ001"])
    return next(v.message for v in incremental if v.rule == "ZZZ001")


def test_python_rule_memo_is_kept_until_the_rule_changes(tmp_path: Path) -> None:
    """A Python rule's memo survives between runs (JSON values only); editing the rule's module starts over,
    and so do its findings (an edited rule is never answered from the last run)."""
    root = tmp_path / "repo"
    gen.generate(root, applications=100, seed=5, violation_rate=0.05)
    (root / "extra").mkdir()
    (root / "extra" / "counter.py").write_text(_COUNTER)
    with (root / "archrepo.yaml").open("a") as config:
        config.write("python_rules: [extra]\n")
    principle = yaml.safe_load((root / "rules" / "AR001-application-has-owner.yaml").read_text())["principle"]
    (root / "rules" / "ZZZ001-counter.yaml").write_text(
        f"kind: Rule\nid: ZZZ001\nname: counter\nprinciple: {principle}\nseverity: info\n"
        "description: Counts.\nremediation: None.\npython: counter:rule\n")
    assert _runs(root) == "run 1"
    assert _runs(root) == "run 2"  # the memo was kept; this run leaves a value JSON cannot hold in it
    assert _runs(root) == "run 1"  # so that memo was dropped, not stored (and nothing failed)
    assert _runs(root) == "run 2"
    (root / "extra" / "counter.py").write_text(_COUNTER + "\n# edited\n")
    assert _runs(root) == "run 1"  # the rule's module changed: its memo and findings start over


def drop_lone_technology(root: Path) -> str:
    """Remove from its application the technology only that application uses (on disk); returns the technology."""
    users: dict[str, list[tuple[Path, str]]] = {}
    for path in sorted((root / "models").rglob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(document, dict) and document.get("kind") == "Application":
                for technology in document.get("technologies") or ():
                    users.setdefault(technology, []).append((path, document["id"]))
    lone = sorted(t for t, found in users.items() if len(found) == 1)
    assert lone, "the generated model should have a technology with one user"
    path, application = users[lone[0]][0]
    documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    for document in documents:
        if isinstance(document, dict) and document.get("id") == application:
            document["technologies"] = [t for t in document["technologies"] if t != lone[0]]
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return lone[0]


def test_a_removed_reference_reaches_what_it_pointed_to(model_root: Path) -> None:
    """An application drops the technology only it used: the technology (not itself edited) is now used by
    nobody (TEC003), and the re-check finds it by walking the reference the application had."""
    _check(model_root)
    technology = drop_lone_technology(model_root)
    incremental, full, run = _check(model_root)
    assert any(v.rule == "TEC003" and v.element == technology for v in full)
    assert _key(incremental) == _key(full) and run.mode == "incremental"


def test_a_change_near_many_elements_runs_the_sparql_rules_in_full(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A SPARQL rule evaluated near a change looks at each element near it on its own: past a number of them
    (a large file edited), the rule runs in full, on the whole graph, with the same result."""
    import archrepo.rules.incremental as incremental_module

    root = tmp_path / "model"
    gen.generate(root, applications=150, seed=7, violation_rate=0.05)
    _check(root)
    rng = random.Random(3)
    python_rules = {"DAT003", "INT003"}
    _edit(root, rng, "Integration", _set("mode", "sync"))
    incremental, full, run = _check(root)
    assert _key(incremental) == _key(full) and set(run.evaluated or {}) - python_rules
    monkeypatch.setattr(incremental_module, "_LARGE_SPARQL_CHANGE", 0)
    _edit(root, rng, "Integration", _set("mode", "async"))
    incremental, full, run = _check(root)
    assert _key(incremental) == _key(full)
    assert run.mode == "incremental" and not set(run.evaluated or {}) - python_rules
