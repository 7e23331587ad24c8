"""The remote store against a real Virtuoso (tests/virtuoso.py starts one on loopback): `publish`,
`query --store` and `check --store`, with the login read from the environment only.

The module skips, saying why, only where Virtuoso is not installed (`make virtuoso` installs it) or will not
start.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT, add_standard_library, module_copy
from test_rule_cases import collect_cases
from virtuoso import Virtuoso, VirtuosoUnavailable, start_virtuoso

import archrepo
from archrepo.cli import main
from archrepo.config import load_config
from archrepo.graph.remote import (
    Credentials,
    StoreClient,
    open_store,
    publish_model,
    store_endpoints,
)
from archrepo.rules.check import CheckOptions, run_check
from archrepo.rules.definitions import load_principles, load_rules

pytestmark = pytest.mark.slow

REFERENCE = ROOT / "archrepo.yaml"
VIOLATIONS = module_copy("violations") / "archrepo.yaml"
REFERENCE_GRAPH = "urn:archrepo:test:reference"
VIOLATIONS_GRAPH = "urn:archrepo:test:violations"
REPOSITORIES = {REFERENCE_GRAPH: REFERENCE, VIOLATIONS_GRAPH: VIOLATIONS}
AS_OF = "2026-11-26"
NO_LOGIN: dict[str, str | None] = {"ARCHREPO_STORE_USER": None, "ARCHREPO_STORE_PASSWORD": None}


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


def run(args: list[str], env: Mapping[str, str | None] | None = None) -> Result:
    """The CLI in process, with exactly the given login variables (none unless given)."""
    result = CliRunner().invoke(main, args, env={**NO_LOGIN, **(env or {})}, catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


def assert_refused(result: Result, message: str, secret: str | None = None) -> None:
    """Exit 2 with a message for people: no traceback, no secret."""
    assert result.exit_code == 2, result
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    if secret:
        assert secret not in result.stdout + result.stderr


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    try:
        server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    except VirtuosoUnavailable as reason:
        pytest.skip(str(reason))
    yield server
    server.stop(discard=True)


@pytest.fixture(scope="module")
def published(virtuoso: Virtuoso) -> Virtuoso:
    """The reference model and the violations fixture, each in its own graph."""
    for graph, config in REPOSITORIES.items():
        result = run(["publish", "--config", str(config), "--endpoint", virtuoso.endpoint, "--graph", graph],
                     virtuoso.environment)
        assert result.exit_code == 0, result.stderr
        assert f"into <{graph}>" in result.stderr and "Graph Store Protocol" in result.stderr
    return virtuoso


def local_triples(config: Path) -> set[str]:
    store = archrepo.load(config).rdf.store
    return {str(quad.triple) for quad in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}


def remote_triples(server: Virtuoso, graph: str) -> set[str]:
    return {str(triple) for triple in open_store(server.endpoint, "https://archrepo.dev/id/", graph)
            .query("CONSTRUCT WHERE { ?s ?p ?o }")}


def query_json(server: Virtuoso, sparql: str, *extra: str) -> list[dict[str, str]]:
    result = run(["query", "--config", str(REFERENCE), "--store", server.endpoint, "--format", "json", *extra, sparql])
    assert result.exit_code == 0, result.stderr
    return [{name: term["value"] for name, term in row.items()}
            for row in json.loads(result.stdout)["results"]["bindings"]]


def applications(config: Path) -> set[str]:
    repository = archrepo.load(config)
    return {repository.rdf.iri(element.id) for element in repository.model.of_kind("Application")}


# --- publish and query ------------------------------------------------------------------------------------------

def test_a_query_without_graph_sees_every_published_repository(published: Virtuoso) -> None:
    expected = {(graph, iri) for graph, config in REPOSITORIES.items() for iri in applications(config)}
    rows = query_json(published, "SELECT DISTINCT ?g ?a WHERE { GRAPH ?g { ?a a arch:Application } }")
    assert {(row["g"], row["a"]) for row in rows if row["g"] in REPOSITORIES} == expected
    # without GRAPH, Virtuoso's default graph is every graph: one query across both repositories
    rows = query_json(published, "SELECT DISTINCT ?a WHERE { ?a a arch:Application }")
    assert {iri for _, iri in expected} <= {row["a"] for row in rows}
    only_reference = applications(REFERENCE) - applications(VIOLATIONS)
    only_violations = applications(VIOLATIONS) - applications(REFERENCE)
    assert only_reference and only_violations


QUERIES = [
    "SELECT ?i ?name ?since ?encrypted ?level WHERE { ?i a arch:Integration ; arch:encrypted ?encrypted ; "
    "arch:target/arch:criticalityLevel ?level OPTIONAL { ?i arch:name ?name } OPTIONAL { ?i arch:since ?since } } "
    "ORDER BY ?i",
    "SELECT ?standard (COUNT(?i) AS ?n) WHERE { ?i arch:standard ?standard } GROUP BY ?standard ORDER BY ?standard",
    "SELECT ?s WHERE { GRAPH ?config { ?s arch:approvedStandard \"HL7v2\" } }",
    "ASK { ?i arch:encrypted false }",
]


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
@pytest.mark.parametrize("sparql", QUERIES, ids=["select", "aggregate", "settings-graph", "ask"])
def test_graph_limits_a_query_to_one_repository_with_the_local_output(published: Virtuoso, fmt: str,
                                                                       sparql: str) -> None:
    for graph, config in REPOSITORIES.items():
        local = run(["query", "--config", str(config), "--format", fmt, sparql])
        remote = run(["query", "--config", str(config), "--store", published.endpoint, "--graph", graph,
                      "--format", fmt, sparql])
        assert local.exit_code == 0, local.stderr
        assert (remote.exit_code, remote.stderr) == (0, "")
        if "approvedStandard" in sparql:
            # the settings node is the repository's own settings graph in the store (one node per repository)
            assert remote.stdout.count("\n") == local.stdout.count("\n")
        else:
            assert remote.stdout == local.stdout


def test_construct_on_the_store_gives_the_local_triples(published: Virtuoso) -> None:
    sparql = "CONSTRUCT { ?a arch:name ?n } WHERE { ?a a arch:Application ; arch:name ?n }"
    local = run(["query", "--config", str(VIOLATIONS), sparql])
    remote = run(["query", "--config", str(VIOLATIONS), "--store", published.endpoint, "--graph", VIOLATIONS_GRAPH,
                  sparql])
    assert remote.exit_code == 0, remote.stderr
    assert sorted(remote.stdout.splitlines()) == sorted(local.stdout.splitlines())


def test_the_store_holds_exactly_the_local_graph_and_publishing_again_replaces_it(published: Virtuoso) -> None:
    for graph, config in REPOSITORIES.items():
        assert remote_triples(published, graph) == local_triples(config)
    result = run(["publish", "--config", str(REFERENCE), "--endpoint", published.endpoint, "--graph",
                  REFERENCE_GRAPH], published.environment)
    assert result.exit_code == 0, result.stderr
    expected = local_triples(REFERENCE)
    assert f"published {len(expected)} triples" in result.stderr
    assert remote_triples(published, REFERENCE_GRAPH) == expected


def test_publishing_a_changed_model_leaves_nothing_of_the_old_one(virtuoso: Virtuoso, tmp_path: Path) -> None:
    # base_iri set: the graph is derived from it, for publish and check alike
    config = "models: [models]\nbase_iri: https://arch.example.org/hospital-a/\n" \
             "principles: [principles]\nrules: [rules]\n"
    repo = add_standard_library(tmp_path / "hospital-a")
    (repo / "models").mkdir(parents=True)
    (repo / "archrepo.yaml").write_text(config, encoding="utf-8")
    graph = "https://arch.example.org/hospital-a/_graph"
    apps = {"one": "Første system", "two": 'Second "system"'}
    for _ in range(2):
        (repo / "models" / "apps.yaml").write_text("---\n".join(
            textwrap.dedent(f"""\
                kind: Application
                id: {app_id}
                name: '{name.replace("'", "''")}'
                lifecycle: {{status: active}}
                """) for app_id, name in apps.items()), encoding="utf-8")
        result = run(["publish", "--config", str(repo), "--endpoint", virtuoso.endpoint], virtuoso.environment)
        assert result.exit_code == 0, result.stderr
        assert f"into <{graph}>" in result.stderr
        local = local_triples(repo / "archrepo.yaml")
        assert local and remote_triples(virtuoso, graph) == local
        apps = {"two": "Renamed"}  # the next round drops one application and renames the other
    published = remote_triples(virtuoso, graph)
    assert any('"Renamed"' in triple for triple in published)
    assert not any("hospital-a/one>" in triple or "Second" in triple for triple in published)
    check = run(["check", "--config", str(repo), "--store", virtuoso.endpoint, "--format", "json"])
    assert check.exit_code == 1, check.stderr  # "two" has no owner (AR001, an error)
    assert {v["element"] for v in json.loads(check.stdout)["violations"]} == {"two"}
    assert "another version" not in check.stderr


def test_publishing_by_sparql_update_gives_the_same_graph(virtuoso: Virtuoso) -> None:
    graph = "urn:archrepo:test:by-update"
    expected = local_triples(REFERENCE)  # over 4,000 triples: nine INSERT DATA requests
    for _ in range(2):  # the second time replaces, not adds
        result = run(["publish", "--config", str(REFERENCE), "--endpoint", virtuoso.endpoint, "--graph", graph,
                      "--protocol", "update"], virtuoso.environment)
        assert result.exit_code == 0, result.stderr
        assert "SPARQL Update" in result.stderr
        assert remote_triples(virtuoso, graph) == expected


def test_a_store_without_a_graph_store_is_published_to_by_sparql_update(virtuoso: Virtuoso) -> None:
    graph = "urn:archrepo:test:fallback"
    missing = virtuoso.endpoint.replace("/sparql", "/no-graph-store-here")  # Virtuoso: 501 to a PUT there
    result = run(["publish", "--config", str(VIOLATIONS), "--endpoint", virtuoso.endpoint, "--graph", graph,
                  "--graph-store", missing], virtuoso.environment)
    assert result.exit_code == 0, result.stderr
    assert "SPARQL Update" in result.stderr
    assert remote_triples(virtuoso, graph) == local_triples(VIOLATIONS)
    assert_refused(run(["publish", "--config", str(VIOLATIONS), "--endpoint", virtuoso.endpoint, "--graph", graph,
                        "--graph-store", missing, "--protocol", "graph-store"], virtuoso.environment),
                   "answered HTTP 501")


# --- check --store ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("graph", list(REPOSITORIES))
def test_check_on_the_store_reports_what_the_embedded_check_reports(published: Virtuoso, graph: str) -> None:
    config = str(REPOSITORIES[graph])
    local = run(["check", "--config", config, "--format", "json", "--as-of", AS_OF])
    remote = run(["check", "--config", config, "--format", "json", "--as-of", AS_OF,
                  "--store", published.endpoint, "--graph", graph])
    report = json.loads(remote.stdout)
    assert report["violations"] and report["rule_failures"] == [], remote.stderr
    assert (remote.exit_code, report, remote.stderr) == (local.exit_code, json.loads(local.stdout), local.stderr)
    if graph == VIOLATIONS_GRAPH:
        assert any(v["waived"] for v in report["violations"])


def test_every_sparql_rule_case_gives_the_same_violations_on_the_store(virtuoso: Virtuoso, tmp_path: Path) -> None:
    """The data-driven cases of the rule library (tests/fixtures/rules), each published into its own graph: the
    standard rules run on Virtuoso as written."""
    credentials = Credentials("dba", virtuoso.password)
    endpoints = store_endpoints(virtuoso.endpoint, authenticated=True)
    client = StoreClient(credentials, (virtuoso.endpoint, str(endpoints.graph_store)))
    engines: dict[str, str] = {}
    differences, compared = [], 0
    for index, param in enumerate(collect_cases()):
        case = param.values[0]
        rule, outcome, as_of = case.rule, case.outcome, case.as_of
        repo = tmp_path / f"case-{index}"
        (repo / "models").mkdir(parents=True)
        (repo / "models" / "model.yaml").write_text(case.model, encoding="utf-8")
        add_standard_library(repo)
        settings = {"models": ["models"], "principles": ["principles"], "rules": ["rules"], **case.config}
        (repo / "archrepo.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
        config = load_config(repo / "archrepo.yaml")
        if not engines:
            engines = {r.id: r.engine for r in load_rules(config, load_principles(config), include_disabled=True)}
        if engines[rule] != "sparql":
            continue
        graph = f"urn:archrepo:test:case:{index}"
        repository = archrepo.load(repo / "archrepo.yaml")
        publish_model(repository.rdf, config.approved_standards, graph, endpoints, client)
        options = CheckOptions(as_of=as_of, rule_ids=(rule,), use_cache=False)
        embedded = run_check(config, options)
        remote = run_check(config, CheckOptions(as_of=as_of, rule_ids=(rule,), use_cache=False,
                                                store=virtuoso.endpoint, graph=graph))
        assert not remote.failures and not remote.warnings, (rule, case.name, remote.failures, remote.warnings)
        seen = [(v.rule, v.element, v.related, v.message, v.severity, v.waived) for v in remote.violations]
        if seen != [(v.rule, v.element, v.related, v.message, v.severity, v.waived) for v in embedded.violations]:
            differences.append(f"{rule} {outcome} '{case.name}': store {seen}, embedded {embedded.violations}")
        compared += 1
    assert compared >= 60 and not differences, "\n".join(differences)


def test_check_against_a_graph_of_another_model_warns(published: Virtuoso) -> None:
    result = run(["check", "--config", str(REFERENCE), "--store", published.endpoint, "--graph", VIOLATIONS_GRAPH,
                  "--format", "json", "--as-of", AS_OF])
    assert "was published from another version of the model than the files here" in result.stderr
    assert "Traceback" not in result.stderr


# --- refusals: exit 2, a message for people, nothing secret -----------------------------------------------------

def test_wrong_credentials_are_refused_without_repeating_them(virtuoso: Virtuoso) -> None:
    wrong = {"ARCHREPO_STORE_USER": "dba", "ARCHREPO_STORE_PASSWORD": "not-the-password-x9"}
    for config in (VIOLATIONS, REFERENCE):  # a small upload, and one large enough to authenticate up front
        result = run(["publish", "--config", str(config), "--endpoint", virtuoso.endpoint, "--graph", "urn:x:wrong"],
                     wrong)
        assert_refused(result, "refused the credentials (HTTP 401)", secret="not-the-password-x9")
        assert "ARCHREPO_STORE_PASSWORD" in result.stderr


def test_publishing_without_credentials_says_where_they_come_from(virtuoso: Virtuoso) -> None:
    result = run(["publish", "--config", str(VIOLATIONS), "--endpoint", virtuoso.endpoint, "--graph", "urn:x:none"])
    assert_refused(result, "refused access (HTTP 403)")
    assert "ARCHREPO_STORE_USER and ARCHREPO_STORE_PASSWORD" in result.stderr


def test_credentials_come_from_the_environment_only(virtuoso: Virtuoso) -> None:
    help_text = run(["publish", "--help"]).stdout
    assert "ARCHREPO_STORE_USER" in help_text and "--user" not in help_text and "--password" not in help_text
    url = virtuoso.endpoint.replace("http://", f"http://dba:{virtuoso.password}@")
    for args in (["publish", "--config", str(VIOLATIONS), "--endpoint", url, "--graph", "urn:x:url"],
                 ["query", "--store", url, "ASK {}"]):
        assert_refused(run(args), "the URL must not carry a user name or password", secret=virtuoso.password)
    result = run(["publish", "--config", str(VIOLATIONS), "--endpoint", virtuoso.endpoint, "--graph", "urn:x:half"],
                 {"ARCHREPO_STORE_PASSWORD": virtuoso.password})
    assert_refused(result, "ARCHREPO_STORE_USER is not set", secret=virtuoso.password)


def test_an_unreachable_store_is_a_clear_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{probe.getsockname()[1]}/sparql"
    for args in (["publish", "--config", str(VIOLATIONS), "--endpoint", endpoint, "--graph", "urn:x:y"],
                 ["query", "--store", endpoint, "ASK {}"],
                 ["check", "--config", str(VIOLATIONS), "--store", endpoint, "--graph", "urn:x:y"]):
        assert_refused(run(args, {"ARCHREPO_STORE_USER": "u", "ARCHREPO_STORE_PASSWORD": "p"}),
                       "connection refused")


def test_a_store_that_does_not_answer_times_out() -> None:
    with socket.socket() as silent:  # accepts connections (the kernel does), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}/sparql"
        result = run(["publish", "--config", str(VIOLATIONS), "--endpoint", endpoint, "--graph", "urn:x:y",
                      "--timeout", "1"])
    assert_refused(result, "no answer from 127.0.0.1")


@pytest.mark.parametrize(("sparql", "message"), [
    ("SELECT ?s WHERE { ?s ?p }", "malformed SPARQL query"),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE (federated query) is refused"),
    (f"DROP GRAPH <{VIOLATIONS_GRAPH}>", "SPARQL updates are refused"),
    ("PREFIX x: <urn:x:> INSERT DATA { GRAPH <urn:x:g> { x:a x:b x:c } }", "SPARQL updates are refused"),
    # valid for Oxigraph (SPARQL 1.2's ADJUST), unknown to Virtuoso 7.2: the store's own message
    ('SELECT (ADJUST(NOW(), "PT1H"^^xsd:dayTimeDuration) AS ?x) WHERE {}',
     "the store rejected the query: Virtuoso 37000 Error SP030: SPARQL compiler, line 1"),
], ids=["malformed", "service", "drop", "insert", "unsupported-by-the-store"])
def test_queries_that_cannot_run_are_refused(published: Virtuoso, sparql: str, message: str) -> None:
    assert_refused(run(["query", "--config", str(VIOLATIONS), "--store", published.endpoint, sparql],
                       published.environment), message, secret=published.password)
    assert remote_triples(published, VIOLATIONS_GRAPH) == local_triples(VIOLATIONS)


def test_check_against_a_graph_never_published_is_refused(virtuoso: Virtuoso) -> None:
    result = run(["check", "--config", str(VIOLATIONS), "--store", virtuoso.endpoint, "--graph", "urn:x:never"])
    assert_refused(result, "holds no graph <urn:x:never> published by archrepo")
    assert "archrepo publish --endpoint" in result.stderr


def test_a_graph_is_named_when_the_base_iri_is_the_default(virtuoso: Virtuoso) -> None:
    for args in (["publish", "--config", str(VIOLATIONS), "--endpoint", virtuoso.endpoint],
                 ["check", "--config", str(VIOLATIONS), "--store", virtuoso.endpoint]):
        assert_refused(run(args, virtuoso.environment), "give --graph IRI, or set base_iri in archrepo.yaml")
    assert_refused(run(["check", "--config", str(VIOLATIONS), "--graph", VIOLATIONS_GRAPH]), "give --store URL too")


def test_results_cut_by_the_store_are_an_error_not_a_pass(published: Virtuoso) -> None:
    """Virtuoso stops at ResultSetMaxRows and says so only in a header: a check must not pass on part of the
    results."""
    published.set_result_limit(2)
    try:
        query = run(["query", "--config", str(VIOLATIONS), "--store", published.endpoint, "--graph",
                     VIOLATIONS_GRAPH, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"])
        check = run(["check", "--config", str(VIOLATIONS), "--store", published.endpoint, "--graph",
                     VIOLATIONS_GRAPH, "--rule", "QA001", "--as-of", AS_OF])
    finally:
        published.set_result_limit(1_000_000)
    assert_refused(query, "the store cut the results at 2 rows")
    assert check.exit_code == 2 and "QA001" in check.stdout + check.stderr
    assert "the store cut the results at 2 rows" in check.stdout + check.stderr


def test_a_real_process_reports_a_refused_login_without_traceback(virtuoso: Virtuoso) -> None:
    env = {"PATH": "/usr/bin:/bin", "ARCHREPO_STORE_USER": "dba", "ARCHREPO_STORE_PASSWORD": "wrong-password-7"}
    completed = subprocess.run([sys.executable, "-m", "archrepo", "publish", "--config", str(VIOLATIONS),
                                "--endpoint", virtuoso.endpoint, "--graph", "urn:x:process"],
                               capture_output=True, text=True, env=env, timeout=120, check=False)
    assert_refused(Result(completed.returncode, completed.stdout, completed.stderr),
                   "refused the credentials (HTTP 401)", secret="wrong-password-7")


@pytest.mark.parametrize("name", ["service-after-escaped-hash", "service-codepoint-keyword",
                                  "service-silent-glued-to-prefixed-name", "service-in-filter-exists",
                                  "store-builtin-function", "update-insert-data"])
def test_check_store_refuses_a_hostile_rule_before_sending_it(published: Virtuoso, tmp_path: Path, name: str) -> None:
    """`check --store` reads a rule's query as tokens before it goes to the store: refused, nothing sent to the
    SERVICE endpoint (a listening socket), the store's graph untouched."""
    import shutil

    from test_hostile_queries import HOSTILE, Listener, expected, hostile_text

    listener = Listener()
    try:
        path = HOSTILE / "queries" / f"{name}.rq"
        repo = tmp_path / "repo"
        shutil.copytree(VIOLATIONS.parent, repo)
        config = (repo / "archrepo.yaml").read_text()
        (repo / "archrepo.yaml").write_text(config.replace("rules: [rules]", "rules: [rules, hostile]"))
        body = "".join(f"  {line}\n" for line in hostile_text(path, listener).splitlines())
        (repo / "hostile").mkdir()
        (repo / "hostile" / "X001.yaml").write_text(
            "kind: Rule\nid: X001\nname: hostile\nprinciple: DIGDIR-P4\nseverity: error\ndescription: Hostile.\n"
            f"remediation: None.\nsparql: |\n{body}")
        result = run(["check", "--config", str(repo / "archrepo.yaml"), "--store", published.endpoint, "--graph",
                      VIOLATIONS_GRAPH, "--rule", "X001", "--format", "json"], published.environment)
        assert result.exit_code == 2, result.stderr
        failures = json.loads(result.stdout)["rule_failures"]
        assert [f["rule"] for f in failures] == ["X001"] and expected(path) in failures[0]["message"], failures
        assert listener.heard() == []
    finally:
        listener.close()
    assert remote_triples(published, VIOLATIONS_GRAPH) == local_triples(VIOLATIONS)
