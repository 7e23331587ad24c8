"""The CLI through click's runner and through a real subprocess: exit codes, stdout and stderr together."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import rdflib

from tests.conftest import SMALL, run_cli, run_process

SENSITIVE = 'SELECT ?i WHERE { ?i a arch:Integration ; arch:data/arch:classification "sensitive" } ORDER BY ?i'


def test_version_and_help() -> None:
    result = run_cli(["--version"], SMALL)
    assert result.exit_code == 0 and result.stdout.startswith("archrepo ")
    result = run_process(["--help"], SMALL)
    assert result.exit_code == 0
    for command in ("validate", "stats", "export", "query"):
        assert command in result.stdout


def test_validate_valid_model() -> None:
    result = run_cli(["validate"], SMALL)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "valid: 13 elements in 6 files" in result.stderr


def test_validate_from_a_subdirectory_and_with_config(tmp_path: Path) -> None:
    assert run_cli(["validate"], SMALL / "models").exit_code == 0
    result = run_cli(["validate", "--config", str(SMALL / "archrepo.yaml")], tmp_path)
    assert result.exit_code == 0, result.stderr
    result = run_cli(["--config", str(SMALL / "archrepo.yaml"), "stats"], tmp_path)
    assert result.exit_code == 0, result.stderr


def test_missing_config_is_exit_2(tmp_path: Path) -> None:
    result = run_cli(["validate", "--config", str(tmp_path / "nope.yaml")], tmp_path)
    assert result.exit_code == 2
    assert "config file not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_stats_text_and_json() -> None:
    result = run_cli(["stats"], SMALL)
    assert result.exit_code == 0
    assert "Application" in result.stdout and "RDF triples" in result.stdout
    data = json.loads(run_cli(["stats", "--format", "json"], SMALL).stdout)
    assert data["kinds"] == {"Organisation": 3, "Capability": 1, "Application": 4, "DataObject": 2,
                             "Integration": 2, "Process": 1, "Technology": 0}
    assert data["elements"] == 13 and data["process_steps"] == 2 and data["files"] == 6
    assert data["triples"] > 100


def test_export_to_stdout_and_file(tmp_path: Path) -> None:
    result = run_cli(["export", "--format", "ntriples"], SMALL)
    assert result.exit_code == 0
    triples = len(rdflib.Graph().parse(data=result.stdout, format="nt"))
    target = tmp_path / "out" / "model.ttl"
    result = run_cli(["export", "--output", str(target)], SMALL)
    assert result.exit_code == 0 and result.stdout == ""
    assert len(rdflib.Graph().parse(target, format="turtle")) == triples
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_export_bad_format_is_a_usage_error() -> None:
    result = run_cli(["export", "--format", "rdfxml"], SMALL)
    assert result.exit_code == 2
    assert "Invalid value" in result.stderr


def test_query_table_csv_json() -> None:
    table = run_cli(["query", SENSITIVE], SMALL)
    assert table.exit_code == 0, table.stderr
    assert "id:epikrise-to-gp" in table.stdout and "(2 rows)" in table.stdout
    rows = list(csv.reader(io.StringIO(run_cli(["query", SENSITIVE, "--format", "csv"], SMALL).stdout)))
    assert rows[0] == ["i"] and rows[1] == ["https://archrepo.dev/id/epikrise-to-gp"]
    data = json.loads(run_cli(["query", SENSITIVE, "--format", "json"], SMALL).stdout)
    assert [b["i"]["value"] for b in data["results"]["bindings"]] == [
        "https://archrepo.dev/id/epikrise-to-gp", "https://archrepo.dev/id/henvisning-to-dips"]


def test_query_from_file_ask_and_construct(tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_text("# sensitive flows\n" + SENSITIVE, encoding="utf-8")
    assert "(2 rows)" in run_cli(["query", f"@{query}"], SMALL).stdout
    assert run_cli(["query", "ASK { id:dips-arena a arch:Application }"], SMALL).stdout == "true\n"
    constructed = run_cli(["query", "CONSTRUCT { ?a arch:owner ?o } WHERE { ?a arch:owner ?o }"], SMALL)
    assert constructed.exit_code == 0 and "id:dips-arena arch:owner id:sykehuspartner ." in constructed.stdout


def test_malformed_query_is_exit_2_with_a_clear_message() -> None:
    result = run_process(["query", "SELECT ?s WHERE { ?s ?p"], SMALL)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: malformed SPARQL query")
    assert "hint:" in result.stderr and "Traceback" not in result.stderr


def test_query_file_missing_is_exit_2(tmp_path: Path) -> None:
    result = run_cli(["query", f"@{tmp_path / 'missing.rq'}"], SMALL)
    assert result.exit_code == 2 and "cannot read query file" in result.stderr


def test_federated_query_is_refused() -> None:
    result = run_cli(["query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"], SMALL)
    assert result.exit_code == 2 and "SERVICE" in result.stderr


def test_real_process_end_to_end(tmp_path: Path) -> None:
    assert run_process(["validate"], SMALL).exit_code == 0
    result = run_process(["query", SENSITIVE, "--format", "json"], SMALL)
    assert result.exit_code == 0 and json.loads(result.stdout)["head"]["vars"] == ["i"]
    result = run_process(["export", "--format", "jsonld", "-o", str(tmp_path / "m.jsonld")], SMALL)
    assert result.exit_code == 0 and (tmp_path / "m.jsonld").is_file()


def test_unknown_command_is_a_usage_error() -> None:
    result = run_cli(["frobnicate"], SMALL)
    assert result.exit_code == 2 and "No such command" in result.stderr


def test_the_console_script_flushes_everything_and_keeps_the_exit_code(tmp_path: Path) -> None:
    """`python -m archrepo` (and the installed script) leave with os._exit after flushing: the whole report
    arrives on a pipe and the exit code is the command's, for 0, 1 and 2 alike."""
    from tests.conftest import ROOT

    report = run_process(["check", "--format", "json", "--as-of", "2026-11-26", "--fail-on", "warning"], ROOT)
    assert report.exit_code == 1 and json.loads(report.stdout)["summary"]["elements"] > 200
    assert run_process(["check", "--format", "json", "--as-of", "2026-11-26", "--fail-on", "never"],
                       ROOT).exit_code == 0
    broken = run_process(["check", "--config", str(tmp_path / "missing.yaml")], ROOT)
    assert broken.exit_code == 2 and "missing.yaml" in broken.stderr
