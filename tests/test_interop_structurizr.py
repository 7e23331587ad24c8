"""`archrepo import structurizr`: every workspace of the corpus, containers, standards from technology."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archrepo.commands.interop import import_group
from archrepo.interop import convert_structurizr
from archrepo.interop.structurizr.importer import EXAMPLE_STANDARDS, match_standard
from archrepo.interop.structurizr.relationships import data_direction
from tests.test_interop_common import CORPUS, check_imported, make_repo, write_and_check

WORKSPACES = sorted((CORPUS / "structurizr" / "json").glob("*/workspace.json"))
BIG_BANK = CORPUS / "structurizr" / "json" / "big-bank-plc" / "workspace.json"
_NESTED = {"containers": "Container", "components": "Component", "children": "DeploymentNode",
           "infrastructureNodes": "InfrastructureNode", "softwareSystemInstances": "SoftwareSystemInstance",
           "containerInstances": "ContainerInstance"}
_TOP = {"people": "Person", "softwareSystems": "SoftwareSystem", "deploymentNodes": "DeploymentNode",
        "customElements": "CustomElement"}


def independent_counts(path: Path) -> tuple[Counter[str], int]:
    model = json.loads(path.read_text(encoding="utf-8"))["model"]
    types: Counter[str] = Counter()
    relationships = 0

    def visit(item: dict[str, Any], type_: str) -> None:
        nonlocal relationships
        types[type_] += 1
        relationships += len(item.get("relationships", []))
        for key, nested in _NESTED.items():
            for child in item.get(key, []):
                visit(child, nested)

    for key, type_ in _TOP.items():
        for item in model.get(key, []):
            visit(item, type_)
    return types, relationships


def documents(path: Path, **options: Any) -> dict[str, dict[str, Any]]:
    return {d["id"]: d for docs in convert_structurizr(path, **options).documents.values() for d in docs}


@pytest.mark.parametrize("path", WORKSPACES, ids=lambda p: p.parent.name)
@pytest.mark.parametrize("containers", [False, True], ids=["systems", "containers"])
def test_corpus_workspace_imports_validates_and_checks(path: Path, containers: bool, tmp_path: Path) -> None:
    result = convert_structurizr(path, containers=containers)
    types, relationships = independent_counts(path)
    assert {t: c.total for t, c in result.report.elements.items()} == dict(types)
    assert sum(c.total for c in result.report.relationships.values()) == relationships
    applications = types["SoftwareSystem"] + (types["Container"] if containers else 0)
    assert result.report.created["Application"] == applications
    write_and_check(result, tmp_path)


def test_big_bank_counts_match_sources_md() -> None:
    types, relationships = independent_counts(BIG_BANK)
    assert sum(types.values()) == 51 and relationships == 42


def test_big_bank_systems() -> None:
    found = documents(BIG_BANK)
    assert found["big-bank-plc"]["kind"] == "Organisation"
    internet = found["internet-banking-system"]
    assert internet["owner"] == "big-bank-plc" and internet["lifecycle"] == {"status": "active"}
    assert internet["properties"]["structurizr_id"] == "7"
    assert "Existing System" in found["mainframe-banking-system"]["tags"]
    # "Gets account information from": the mainframe sends the data, internet banking calls it
    integration = found["mainframe-banking-system-to-internet-banking-system"]
    assert integration["description"] == "Gets account information from, and makes payments using"
    assert (integration["source"], integration["target"], integration["initiator"], integration["standard"]) == (
        "mainframe-banking-system", "internet-banking-system", "target", "unknown")
    email = found["internet-banking-system-to-e-mail-system"]  # "Sends e-mail using": internet banking sends
    assert (email["source"], email["initiator"]) == ("internet-banking-system", "source")
    assert not any(d.get("kind") == "Organisation" and "customer" in d["id"] for d in found.values())


def test_big_bank_containers() -> None:
    found = documents(BIG_BANK, containers=True)
    api = found["api-application"]
    assert api["tags"][0] == "container" and api["properties"]["part_of"] == "internet-banking-system"
    assert api["properties"]["structurizr_technology"] == "Java and Spring MVC"
    assert api["owner"] == "big-bank-plc"
    database = found["api-application-to-database"]
    assert database["description"] == "Reads from and writes to (technology: JDBC)"


def test_financial_risk_system_modes() -> None:
    found = documents(CORPUS / "structurizr" / "json" / "financial-risk-system" / "workspace.json")
    modes = Counter(d.get("mode") for d in found.values() if d["kind"] == "Integration")
    assert modes == Counter({"sync": 5, "async": 1})


@pytest.mark.parametrize(("technology", "standard"), [
    ("REST/HTTPS", "REST"), ("rest", "REST"), ("HL7 v2", "HL7v2"), ("FHIR R4 over HTTPS", None),
    ("fhir-r4", "FHIR-R4"), ("SOAP (WS-Security)", "SOAP"), ("JSON/HTTPS", None), ("SFTP, nightly", "SFTP"),
    ("MySQL Protocol/SSL", None)])
def test_technology_gives_a_standard_only_when_it_names_one(technology: str, standard: str | None) -> None:
    assert match_standard(technology, EXAMPLE_STANDARDS) == standard


def test_cli_uses_the_approved_standards_of_the_config(tmp_path: Path) -> None:
    config = make_repo(tmp_path / "repo")
    config.write_text(config.read_text(encoding="utf-8") + "approved_standards: [HTTPS, REST]\n", encoding="utf-8")
    out = tmp_path / "repo" / "models"
    result = CliRunner().invoke(import_group, ["structurizr", str(BIG_BANK), "--out", str(out), "--containers",
                                               "--config", str(config)])
    assert result.exit_code == 0, result.stderr
    assert "import structurizr workspace.json" in result.stderr
    model, _ = check_imported(config)
    mobile = model.get("mobile-app-to-api-application")
    assert mobile is not None and mobile.data["standard"] == "HTTPS"  # JSON/HTTPS names HTTPS


def test_cli_structurizr_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    broken = tmp_path / "workspace.json"
    broken.write_text('{"model": {"softwareSystems": [}\n', encoding="utf-8")
    result = runner.invoke(import_group, ["structurizr", str(broken), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and f"{broken}:1:" in result.stderr and "not valid JSON" in result.stderr
    broken.write_text("[1, 2]", encoding="utf-8")
    result = runner.invoke(import_group, ["structurizr", str(broken), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "not a Structurizr workspace" in result.stderr


# Regressions (issue #15 §2)

def workspace(tmp_path: Path, model: dict[str, Any], **extra: Any) -> Path:
    path = tmp_path / "workspace.json"
    path.write_text(json.dumps({"name": "w", "model": model, **extra}), encoding="utf-8")
    return path


def test_implied_relationships_do_not_become_extra_integrations(tmp_path: Path) -> None:
    """One interaction (a1 → b1); Structurizr adds A → B, a1 → B and A → b1 as implied relationships."""
    explicit = {"id": "r1", "sourceId": "a1", "destinationId": "b1", "description": "Sends orders to"}
    implied = [{"id": f"r{n}", "sourceId": s, "destinationId": d, "description": "Sends orders to",
                "linkedRelationshipId": "r1"} for n, (s, d) in enumerate([("a", "b"), ("a1", "b"), ("a", "b1")], 2)]
    path = workspace(tmp_path, {"softwareSystems": [
        {"id": "a", "name": "A", "relationships": [implied[0], implied[2]],
         "containers": [{"id": "a1", "name": "A web", "relationships": [explicit, implied[1]]}]},
        {"id": "b", "name": "B", "containers": [{"id": "b1", "name": "B api"}]}]})
    for containers, expected in ((True, [("a-web", "b-api")]), (False, [("a", "b")])):
        found = documents(path, containers=containers)
        assert [(d["source"], d["target"]) for d in found.values() if d["kind"] == "Integration"] == expected
        write_and_check(convert_structurizr(path, containers=containers), tmp_path / str(containers))


def test_deployment_nodes_become_technology_the_applications_rely_on(tmp_path: Path) -> None:
    found = documents(BIG_BANK, containers=True)
    tomcat = found["apache-tomcat-live"]
    assert (tomcat["kind"], tomcat["type"], tomcat["runs_on"]) == ("Technology", "platform", ["bigbank-api-live"])
    assert tomcat["properties"]["structurizr_technology"] == "Apache Tomcat 8.x" and "Live" in tomcat["tags"]
    assert "apache-tomcat-live" in found["api-application"]["technologies"]
    assert set(found["database"]["technologies"]) == {"database-server-development", "oracle-primary-live",
                                                      "oracle-secondary-live"}
    write_and_check(convert_structurizr(BIG_BANK, containers=True), tmp_path)
    aws = documents(CORPUS / "structurizr" / "json" / "amazon-web-services" / "workspace.json")
    assert aws["elastic-load-balancer-live"]["type"] == "infrastructure-service"
    # "Elastic Load Balancer forwards requests to" the web application's instance: it relies on the balancer
    assert "elastic-load-balancer-live" in aws["spring-petclinic"]["technologies"]


def test_views_documentation_and_decisions_are_reported(tmp_path: Path) -> None:
    path = workspace(tmp_path, {"softwareSystems": [{"id": "1", "name": "A"}]},
                     views={"systemContextViews": [{"key": "c"}], "containerViews": [{"key": "d"}, {"key": "e"}]},
                     documentation={"sections": [{"title": "Context"}], "decisions": [{"id": "1"}, {"id": "2"}]})
    notes = "\n".join(convert_structurizr(path).report.notes)
    assert "3 view(s) not imported (2 containerViews, 1 systemContextViews)" in notes
    assert "documentation not imported: 1 section(s) and 2 decision(s) (ADRs)" in notes


@pytest.mark.parametrize("name", ["workspace.dsl", "workspace.json"])
def test_the_dsl_gets_a_hint_to_export_json(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text((CORPUS / "structurizr" / "dsl" / "getting-started" / "workspace.dsl").read_text(
        encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(import_group, ["structurizr", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "not valid JSON" not in result.stderr and "Structurizr DSL" in result.stderr
    assert "structurizr-cli export -workspace workspace.dsl -format json" in result.stderr


@pytest.mark.parametrize(("description", "direction"), [
    ("Gets account information from", "pull"), ("Reads from", "pull"), ("Sends e-mail using", "push"),
    ("Writes audit events to", "push"), ("Reads from and writes to", None), ("Uses", None),
    ("Makes API calls to", None)])
def test_data_direction_is_read_from_the_description(description: str, direction: str | None) -> None:
    assert data_direction(description) == direction


def test_an_unstated_data_direction_is_reported_as_assumed(tmp_path: Path) -> None:
    path = workspace(tmp_path, {"softwareSystems": [
        {"id": "1", "name": "A", "relationships": [{"id": "9", "sourceId": "1", "destinationId": "2",
                                                   "description": "Uses"}]}, {"id": "2", "name": "B"}]})
    result = convert_structurizr(path)
    integration = {d["id"]: d for docs in result.documents.values() for d in docs}["a-to-b"]
    assert (integration["source"], integration["target"], integration["initiator"]) == ("a", "b", "source")
    assert any("the data direction is not stated; assumed a sends to b" in note for note in result.report.notes)
