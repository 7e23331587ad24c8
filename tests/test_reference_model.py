"""The bundled reference model: big enough to be realistic, valid, and clean but for its deliberate violations."""

from __future__ import annotations

import datetime as dt

import pytest
import rdflib

import archrepo
from archrepo.config import load_config
from archrepo.graph.serialize import serialize_graph
from archrepo.rules.check import CheckOptions, run_check
from tests.conftest import ROOT, run_process


@pytest.fixture(scope="module")
def reference() -> archrepo.Repository:
    return archrepo.load(ROOT / "archrepo.yaml")


def test_sizes(reference: archrepo.Repository) -> None:
    counts = reference.model.counts()
    assert counts["Organisation"] >= 10
    assert counts["Application"] >= 40
    assert counts["DataObject"] >= 25
    assert counts["Integration"] >= 80
    assert counts["Process"] >= 10
    assert all(len(p.data["steps"]) >= 3 for p in reference.model.of_kind("Process"))


def test_real_names_and_standards(reference: archrepo.Repository) -> None:
    names = {a.name for a in reference.model.of_kind("Application")}
    for expected in ("DIPS Arena", "Kjernejournal", "Helsenorge"):
        assert any(expected in name for name in names), expected
    standards = {i.data["standard"] for i in reference.model.of_kind("Integration")}
    assert {"HL7v2", "FHIR-R4", "KITH-XML", "IHE-XDS", "DICOM"} <= standards
    external = [o for o in reference.model.of_kind("Organisation") if o.data.get("external")]
    assert any(o.data.get("type") == "gp" for o in external)


def test_export_parses_back_to_the_same_number_of_triples(reference: archrepo.Repository) -> None:
    for fmt, parser in (("turtle", "turtle"), ("ntriples", "nt")):
        parsed = rdflib.Graph().parse(data=serialize_graph(reference.rdf, fmt), format=parser)
        assert len(parsed) == len(reference.rdf)


def test_query_sensitive_integrations_through_a_real_process() -> None:
    outcome = run_process(["query", 'SELECT DISTINCT ?i WHERE { ?i arch:data/arch:classification "sensitive" }',
                           "--format", "csv"], ROOT)
    assert outcome.exit_code == 0, outcome.stderr
    assert len(outcome.stdout.splitlines()) > 30


def test_only_the_deliberate_violations() -> None:
    result = run_check(load_config(ROOT / "archrepo.yaml"), CheckOptions(as_of=dt.date(2026, 11, 26)))
    assert result.errors == [] and result.failures == [] and result.waivers == []
    found = {(v.rule, v.element, v.waived) for v in result.violations}
    assert found == {
        ("SEC001", "lab-results-sftp", True),
        ("SEC002", "lab-results-sftp", True),
        ("INT001", "lab-results-sftp", True),
        ("INT002", "imatis-checkin-to-dips", False),
        ("RES001", "fastlegeinfo-to-dips-arena", False),
        ("DAT002", "biokjemi-svar-flexlab", False),
        ("AR003", next(v.element for v in result.violations if v.rule == "AR003"), False),
        ("TEC001", "muse-ekg", True),
        ("TEC001", "imatis", True),
        ("TEC002", "regional-api-plattform", False),
    }
    technology = {(v.element, v.related, v.severity.name.lower()) for v in result.violations if v.rule == "TEC001"}
    assert technology == {("muse-ekg", ("sql-server-2016",), "warning"), ("imatis", ("dotnet-8",), "error")}
    assert result.exit_code(None) == 0


def test_waivers_expire() -> None:
    later = run_check(load_config(ROOT / "archrepo.yaml"), CheckOptions(as_of=dt.date(2027, 7, 1)))
    assert {f.status for f in later.waivers} == {"expired"}
    assert {v.rule for v in later.counting() if v.element == "lab-results-sftp"} == {"SEC001", "SEC002", "INT001"}
    # no upgrade recorded by then: both applications count again, MUSE now also for Windows Server 2016
    assert {(v.element, v.related) for v in later.counting() if v.rule == "TEC001"} == {
        ("imatis", ("dotnet-8",)), ("muse-ekg", ("sql-server-2016",)), ("muse-ekg", ("windows-server-2016",))}


def test_check_in_a_real_process_runs_every_rule() -> None:
    """The Python rules import their dependencies from the environment, also when the virtual environment
    lies inside the repository (as .venv does here); only repository code is refused."""
    import json

    outcome = run_process(["check", "--format", "json", "--as-of", "2026-11-26"], ROOT)
    assert outcome.exit_code == 0, outcome.stderr
    report = json.loads(outcome.stdout)
    assert report["rule_failures"] == [] and report["summary"]["rules"] == 20


def test_technology_layer(reference: archrepo.Repository) -> None:
    """Every application lists what it runs on; every vendor date says where it comes from or that it is
    illustrative; applications run by other organisations rely only on their operator's opaque platform."""
    model = reference.model
    technologies = {t.id: t.data for t in model.of_kind("Technology")}
    assert 30 <= len(technologies) <= 45
    applications = model.of_kind("Application")
    assert [a.id for a in applications if not a.data.get("technologies")] == []
    undated = [id_ for id_, t in technologies.items() if (t.get("end_of_support") or t.get("end_of_life"))
               and not (t.get("properties") or {}).get("dates_source")
               and (t.get("properties") or {}).get("dates") != "illustrative"]
    assert undated == []
    external = {o.id for o in model.of_kind("Organisation") if o.data.get("external")}
    for application in applications:
        if application.data.get("owner") in external:
            for used in application.data["technologies"]:
                assert "external-operator" in (technologies[used].get("tags") or ()), (application.id, used)
                assert not set(technologies[used]) & {"version", "end_of_support", "end_of_life", "ring"}


def test_impact_of_a_database_starts_at_the_applications_on_it() -> None:
    import json

    outcome = run_process(["impact", "sql-server-2016", "--format", "json", "--as-of", "2026-11-26"], ROOT)
    assert outcome.exit_code == 0, outcome.stderr
    direct = {a["id"] for a in json.loads(outcome.stdout)["applications"] if a["distance"] == 1}
    assert direct == {"muse-ekg", "amis"}  # not ris-ous-legacy: retired in 2023
