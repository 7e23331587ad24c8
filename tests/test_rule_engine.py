"""The rule loop's one policy: rules cannot change what other rules see, a rule that never ends is stopped at
its budget while the others still run, Ctrl-C ends a check at once with exit 130, a rule's SystemExit is a rule
failure; and the library API a re-check or an editor calls (evaluate with a plan)."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest

import archrepo
from archrepo.rules.definitions import load_principles, load_rules
from archrepo.rules.schedule import scheduled
from tests.conftest import copy_fixture, interrupt_process, run_cli, run_process, write_repo
from tests.test_validation_defects import BASE

AS_OF = "2026-11-26"


def rule(rule_id: str, engine: str, body: str) -> str:
    text = "".join(f"  {line}\n" for line in body.strip("\n").splitlines())
    return (f"kind: Rule\nid: {rule_id}\nname: test-rule\nprinciple: DIGDIR-P4\nseverity: error\n"
            f"description: A test rule.\nremediation: None.\n"
            + (f"python: {body}\n" if engine == "python" else f"{engine}: |\n{text}"))


# a cross join of every triple with itself eight times (20^8 rows on the base model), and a FILTER that never
# holds: a query that does not end in any reasonable time
NEVER_ENDING = rule("X001", "sparql", """
SELECT ?element ?message WHERE {
  ?element ?p1 ?o1 . ?s2 ?p2 ?o2 . ?s3 ?p3 ?o3 . ?s4 ?p4 ?o4 . ?s5 ?p5 ?o5 . ?s6 ?p6 ?o6 . ?s7 ?p7 ?o7 . ?s8 ?p8 ?o8 .
  FILTER(STRLEN(CONCAT(STR(?o1), STR(?o2), STR(?o3), STR(?o4), STR(?o5), STR(?o6), STR(?o7), STR(?o8))) < 0)
  BIND("never" AS ?message)
}""")
FINDS_DIPS = rule("X002", "sparql", """
SELECT ?element ?message WHERE { ?element a arch:Application . BIND("found by X002" AS ?message) }""")


def repo_with(tmp_path: Path, rules: dict[str, str], files: dict[str, str] | None = None,
              extra_config: str = "") -> Path:
    config = "models: [models]\nprinciples: [principles]\nrules: [myrules]\n" + extra_config
    return write_repo(tmp_path / "repo", {**BASE, **{f"myrules/{k}.yaml": v for k, v in rules.items()},
                                          **(files or {})}, config=config)


def report_of(stdout: str) -> dict:
    return json.loads(stdout)


# --- rules are read-only ------------------------------------------------------------------------------------

HIDING_RULE = rule("A000", "shacl", """
arch:HideEverything a sh:NodeShape ;
  sh:targetClass arch:Integration ;
  sh:rule [ a sh:TripleRule ; sh:subject sh:this ; sh:predicate arch:status ; sh:object "retired" ] .
""")


def test_a_shacl_rule_cannot_hide_the_violations_of_other_rules(tmp_path: Path) -> None:
    """The attack: a SHACL-AF rule, run first (A000), marks every integration retired in the graph the other
    rules then read; SEC001 and the like skip retired integrations, and the gate passes. (Two copies of the
    repository: a re-check would answer the unchanged rules from the first run's findings.)"""
    reports = {}
    for name, hostile in (("honest", False), ("attacked", True)):
        repo = copy_fixture("violations", tmp_path / name)
        config = (repo / "archrepo.yaml").read_text()
        if hostile:
            (repo / "hostile").mkdir()
            (repo / "hostile" / "A000.yaml").write_text(HIDING_RULE)
            config = config.replace("rules: [rules]", "rules: [rules, hostile]")
        (repo / "archrepo.yaml").write_text(config)
        outcome = run_cli(["check", "--as-of", AS_OF, "--format", "json"], repo)
        reports[name] = (outcome.exit_code, report_of(outcome.stdout))
    (honest_code, honest), (attacked_code, attacked) = reports["honest"], reports["attacked"]
    assert attacked["summary"]["rules"] == honest["summary"]["rules"] + 1 and attacked["rule_failures"] == []
    assert any(v["rule"] == "SEC001" for v in honest["violations"])
    assert attacked["violations"] == honest["violations"]
    assert attacked_code == honest_code == 1


# --- bounded rules ------------------------------------------------------------------------------------------

SPIN = "def spin(model):\n    while True:\n        pass\n    yield from ()\n"


@pytest.mark.parametrize("how", ["option", "config"])
def test_a_query_that_never_ends_is_a_failure_and_the_others_still_run(tmp_path: Path, how: str) -> None:
    repo = repo_with(tmp_path, {"X001": NEVER_ENDING, "X002": FINDS_DIPS},
                     extra_config="rule_timeout: 1.5\n" if how == "config" else "")
    started = time.monotonic()
    args = ["check", "--format", "json"] + (["--rule-timeout", "1.5"] if how == "option" else [])
    outcome = run_process(args, repo)
    assert time.monotonic() - started < 60
    assert outcome.exit_code == 2, outcome.stderr
    report = report_of(outcome.stdout)
    assert [(f["rule"], "did not finish within its time budget of 1.5 s" in f["message"])
            for f in report["rule_failures"]] == [("X001", True)]
    assert [(v["rule"], v["element"]) for v in report["violations"]] == [("X002", "dips-arena")]
    assert "Traceback" not in outcome.stderr


def test_a_python_rule_that_never_ends_is_stopped(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, {"X001": rule("X001", "python", "spinning_rule:spin"), "X002": FINDS_DIPS},
                     files={"extra/spinning_rule.py": SPIN}, extra_config="python_rules: [extra]\nrule_timeout: 1\n")
    outcome = run_process(["check", "--format", "json"], repo)
    assert outcome.exit_code == 2, outcome.stderr
    report = report_of(outcome.stdout)
    assert [f["rule"] for f in report["rule_failures"]] == ["X001"]
    assert "time budget of 1 s" in report["rule_failures"][0]["message"]
    assert [v["rule"] for v in report["violations"]] == ["X002"]


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_a_rule_timeout_that_is_no_positive_number_is_refused(tmp_path: Path, value: str) -> None:
    repo = repo_with(tmp_path, {"X002": FINDS_DIPS})
    assert run_cli(["check", "--rule-timeout", value], repo).exit_code == 2
    (repo / "archrepo.yaml").write_text((repo / "archrepo.yaml").read_text() + f"rule_timeout: {value}\n")
    outcome = run_cli(["check"], repo)
    assert outcome.exit_code == 2 and "archrepo.yaml:4" in outcome.stderr and "rule_timeout" in outcome.stderr


MARKER_RULE = "from pathlib import Path\ndef started(model):\n    Path({marker!r}).write_text('started')\n" \
              "    yield from ()\n"
SPIN_WITH_MARKER = "from pathlib import Path\ndef spin(model):\n    Path({marker!r}).write_text('started')\n" \
                   "    while True:\n        pass\n    yield from ()\n"


@pytest.mark.parametrize("engine", ["sparql", "python"])
def test_ctrl_c_during_a_rule_that_never_ends_exits_130_at_once(tmp_path: Path, engine: str) -> None:
    marker = tmp_path / "started"
    if engine == "sparql":  # X000 says when the rules started; X001 is the query that never ends
        rules = {"X000": rule("X000", "python", "marker_rule:started"), "X001": NEVER_ENDING}
        files = {"extra/marker_rule.py": MARKER_RULE.format(marker=str(marker))}
    else:
        rules = {"X001": rule("X001", "python", "spinning_rule:spin")}
        files = {"extra/spinning_rule.py": SPIN_WITH_MARKER.format(marker=str(marker))}
    repo = repo_with(tmp_path, rules, files=files, extra_config="python_rules: [extra]\n")
    # a second after the rules started: well inside the rule that never ends (its budget is the default 60 s)
    outcome, seconds = interrupt_process(["check"], repo, ready=marker.exists, after=1.0)
    assert marker.exists()
    assert outcome.exit_code == 130, outcome.stderr
    assert seconds < 10
    assert "interrupted" in outcome.stderr and "Traceback" not in outcome.stderr


def test_a_rule_calling_sys_exit_is_a_rule_failure_and_the_report_is_written(tmp_path: Path) -> None:
    exiting = "import sys\ndef leave(model):\n    sys.exit(3)\n    yield from ()\n"
    repo = repo_with(tmp_path, {"X001": rule("X001", "python", "exiting_rule:leave"), "X002": FINDS_DIPS},
                     files={"extra/exiting_rule.py": exiting}, extra_config="python_rules: [extra]\n")
    outcome = run_process(["check", "--format", "json"], repo)
    assert outcome.exit_code == 2, outcome.stderr
    report = report_of(outcome.stdout)
    assert [(f["rule"], f["message"]) for f in report["rule_failures"]] == [("X001", "the rule raised SystemExit: 3")]
    assert [v["rule"] for v in report["violations"]] == ["X002"]


# --- the library API ----------------------------------------------------------------------------------------

def test_evaluate_with_a_plan_of_some_elements(tmp_path: Path) -> None:
    """What an editor asks for: these rules, for these elements only (a Python rule sees them in
    ``context.scope``, and findings elsewhere are dropped unless kept from before)."""
    from archrepo.rules.engine import RulePlan, evaluate

    module = ("def every_app(model):\n"
              "    for app in model.of_kind('Application'):\n"
              "        yield app.id, f'scope={sorted(model.scope) if model.scope is not None else None}'\n")
    files = {"models/more.yaml": "kind: Application\nid: other-app\nname: Other\n"
                                 "lifecycle: {status: active}\n",
             "extra/plan_rule.py": module}
    repo = repo_with(tmp_path, {"X003": rule("X003", "python", "plan_rule:every_app"), "X002": FINDS_DIPS},
                     files=files, extra_config="python_rules: [extra]\n")
    repository = archrepo.load(repo / "archrepo.yaml", use_cache=False)
    rules = load_rules(repository.config, load_principles(repository.config))
    everything = evaluate(repository, rules, RulePlan(), dt.date(2026, 11, 26))
    assert sorted((v.rule, v.element) for v in everything.violations) == [
        ("X002", "dips-arena"), ("X002", "other-app"), ("X003", "dips-arena"), ("X003", "other-app")]
    plan = RulePlan(scopes={"X003": frozenset({"other-app"})})
    near = evaluate(repository, rules, plan, dt.date(2026, 11, 26), budget=30)
    assert near.failures == []
    assert [(v.rule, v.element, v.message) for v in near.violations if v.rule == "X003"] == [
        ("X003", "other-app", "scope=['other-app']")]
    assert len([v for v in near.violations if v.rule == "X002"]) == 2  # not in the plan's scopes: in full


def test_a_rules_findings_are_made_violations_while_the_other_rules_run(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Stamping 22,500 findings took 0.1 s after the last rule: each rule's are stamped as soon as it ends. Here a
    rule waits for the violations of the one that ends before it (it would wait in vain for 10 s were they
    stamped only once every rule has ended)."""
    import archrepo.rules.engine as engine
    from archrepo.rules.engine import RulePlan, evaluate

    marker = tmp_path / "stamped"
    module = ("import os, time\n"
              f"MARKER = {str(marker)!r}\n"
              "def waiting(model):\n"
              "    deadline = time.monotonic() + 10\n"
              "    while not os.path.exists(MARKER) and time.monotonic() < deadline:\n"
              "        time.sleep(0.01)\n"
              "    yield 'dips-arena', f'saw the violations of X002: {os.path.exists(MARKER)}'\n")
    repo = repo_with(tmp_path, {"X002": FINDS_DIPS, "X005": rule("X005", "python", "waiting_rule:waiting")},
                     files={"extra/waiting_rule.py": module}, extra_config="python_rules: [extra]\n")
    repository = archrepo.load(repo / "archrepo.yaml", use_cache=False)
    rules = load_rules(repository.config, load_principles(repository.config))
    real = engine.stamp

    def stamping(rule, finding, repository):  # type: ignore[no-untyped-def]
        if rule.id == "X002":
            marker.touch()
        return real(rule, finding, repository)

    monkeypatch.setattr(engine, "stamp", stamping)
    result = evaluate(repository, rules, RulePlan(), dt.date(2026, 11, 26), budget=60)
    assert result.failures == []
    assert [(v.rule, v.message) for v in result.violations] == [
        ("X002", "found by X002"), ("X005", "saw the violations of X002: True")]


# --- queries begun ahead ------------------------------------------------------------------------------------

def _check_twice(repo: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object, list[tuple[str, str]]]:
    """A check from nothing (every file parsed: the SPARQL rules' queries begin while the model is validated),
    and the same check with nothing begun ahead; and which thread evaluated each query of the first."""
    import threading

    import archrepo.rules.check as checking
    import archrepo.rules.engine as engine
    import archrepo.rules.sparql as sparql
    from archrepo.config import load_config
    from archrepo.rules.check import CheckOptions, run_check

    evaluated: list[tuple[str, str]] = []
    real = engine.solutions
    first_ahead = threading.Event()
    validate = checking.validate_model

    def traced(rule, graph, as_of):  # type: ignore[no-untyped-def]
        evaluated.append((rule.id, threading.current_thread().name))
        first_ahead.set()
        return real(rule, graph, as_of)

    def validating(*args, **kwargs):  # type: ignore[no-untyped-def]
        """Validation as long as a larger model's: until the store is complete and the first query begun."""
        first_ahead.wait(timeout=30)
        return validate(*args, **kwargs)

    monkeypatch.setattr(engine, "solutions", traced)  # ahead
    monkeypatch.setattr(sparql, "solutions", traced)  # in the loop
    monkeypatch.setattr(checking, "validate_model", validating)
    options = CheckOptions(as_of=dt.date(2026, 11, 26), use_cache=False)
    ahead = run_check(load_config(repo / "archrepo.yaml"), options)
    queried = list(evaluated)
    monkeypatch.setattr(checking, "_begin", lambda *args: None)
    alone = run_check(load_config(repo / "archrepo.yaml"), options)
    return ahead, alone, queried


def test_queries_begun_ahead_give_the_report_of_a_check_without_them(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    repo = copy_fixture("violations", tmp_path)
    ahead, alone, queried = _check_twice(repo, monkeypatch)
    assert ahead.as_dict() == alone.as_dict()  # type: ignore[attr-defined]
    assert ahead.violations  # type: ignore[attr-defined]
    sparql = [r.id for r in ahead.rules if r.engine == "sparql"]  # type: ignore[attr-defined]
    assert sorted(rule_id for rule_id, _ in queried) == sorted(sparql)  # each query evaluated once
    first = next(r.id for r in (ahead.rules[i] for i in scheduled(ahead.rules)) if r.engine == "sparql")  # type: ignore[attr-defined]
    assert queried[0] == (first, "archrepo-query-ahead")  # the costliest first, while the model was validated


ODD_MESSAGES = rule("X004", "sparql", r'''
SELECT ?element ?message ?related ?severity WHERE {
  VALUES (?element ?message ?related ?severity) {
    ("dips-arena" "tab\there, a line\nbreak, \"quotes\", a back\\slash, æøå ✓" id:dips-arena "warning")
    (id:dips-arena "same element, other message" "dips-arena" UNDEF)
  }
}''')
NO_MESSAGE = rule("X005", "sparql", "SELECT ?element WHERE { ?element a arch:Application }")
NOT_AN_ELEMENT = rule("X006", "sparql", 'SELECT ?element ?message WHERE { BIND(<urn:x> AS ?element) '
                                        'BIND("m" AS ?message) }')
BAD_GRADE = rule("X007", "sparql", 'SELECT ?element ?message ?severity WHERE { ?element a arch:Application '
                                   'BIND("m" AS ?message) BIND("fatal" AS ?severity) }')


def test_solutions_read_whole_keep_every_character_and_fail_as_before(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A query's solutions are read in one piece (TSV, in pyoxigraph): texts with tabs, line breaks, quotes and
    non-ASCII letters come back as written, ids from literals and IRIs alike; a query that fails, ahead or not,
    is the same rule failure."""
    repo = repo_with(tmp_path, {"X004": ODD_MESSAGES, "X005": NO_MESSAGE, "X006": NOT_AN_ELEMENT, "X007": BAD_GRADE})
    ahead, alone, _ = _check_twice(repo, monkeypatch)
    assert ahead.as_dict() == alone.as_dict()  # type: ignore[attr-defined]
    assert sorted((v.element, v.message, v.related, v.severity.label)
                  for v in ahead.violations) == [  # type: ignore[attr-defined]
        ("dips-arena", "same element, other message", (), "error"),
        ("dips-arena", 'tab\there, a line\nbreak, "quotes", a back\\slash, æøå ✓', (), "warning")]
    assert [(f.rule, f.message) for f in ahead.failures] == [  # type: ignore[attr-defined]
        ("X005", "the SELECT must return ?element and ?message (it returns ?element)"),
        ("X006", "?element <urn:x> is not an element of the model"),
        ("X007", "?severity must be \"error\", \"warning\" or \"info\", not 'fatal'")]


def test_solutions_read_in_one_call_are_the_terms_pyoxigraph_reads() -> None:
    """``_read`` (the JSON results decoded by orjson) against pyoxigraph's own reader, on every kind of term a
    query can return, unbound variables and a literal with a base direction (which pyoxigraph reads for it)."""
    import pyoxigraph as ox

    from archrepo.rules.sparql import _read

    iri = ox.NamedNode("http://example.org/é?q=1#x")
    objects = [ox.Literal("plain"), ox.Literal('tab\there, a line\nbreak, "quotes", \\, æøå ✓, \u202e'),
               ox.Literal("nb", language="nb-NO"), ox.Literal("2026-11-26", datatype=ox.NamedNode(XSD_DATE)),
               ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
               ox.Literal("", datatype=ox.NamedNode("urn:odd")), ox.BlankNode("b1"), iri,
               ox.Triple(iri, iri, ox.Literal("inner")),
               ox.Literal("rtl", language="ar", direction=ox.BaseDirection.RTL)]
    for chosen in (objects[:-1], objects):
        store = ox.Store()
        for index, term in enumerate(chosen):
            store.add(ox.Quad(ox.NamedNode(f"http://example.org/s{index}"), iri, term))
        store.add(ox.Quad(ox.BlankNode("subject"), ox.NamedNode("http://example.org/other"), iri))
        query = "SELECT ?s ?o ?unbound WHERE { ?s ?p ?o OPTIONAL { ?s <urn:none> ?unbound } } ORDER BY STR(?s)"
        written = store.query(query).serialize(format=ox.QueryResultsFormat.JSON)
        by_pyoxigraph = ox.parse_query_results(written, format=ox.QueryResultsFormat.JSON)
        expected = [{name: solution[name] for name in ("s", "o", "unbound") if solution[name] is not None}
                    for solution in by_pyoxigraph]
        read = _read(written)
        assert read == expected and len(read) == len(chosen) + 1
        assert [str(row["o"]) for row in read] == [str(row["o"]) for row in expected]


XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"


def test_a_graph_that_cannot_be_completed_ahead_is_left_to_the_rules(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Completing the graph for the queries ahead failing (once) changes nothing: the rules complete it when they
    need it, and the check is the check without queries ahead."""
    from archrepo.config import load_config
    from archrepo.graph.loading import GraphLoader
    from archrepo.rules.check import CheckOptions, run_check

    repo = copy_fixture("violations", tmp_path)
    options = CheckOptions(as_of=dt.date(2026, 11, 26), use_cache=False)
    expected = run_check(load_config(repo / "archrepo.yaml"), options).as_dict()
    real, calls = GraphLoader.complete, []

    def failing_once(self, files=None):  # type: ignore[no-untyped-def]
        calls.append(files)
        if len(calls) == 1:
            raise OSError("the store could not be filled")
        return real(self, files)

    monkeypatch.setattr(GraphLoader, "complete", failing_once)
    assert run_check(load_config(repo / "archrepo.yaml"), options).as_dict() == expected
    assert len(calls) == 2  # ahead (failed), then for the rules
