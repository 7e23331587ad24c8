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
from archrepo.interop.structurizr import EXAMPLE_STANDARDS, match_standard
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
    integration = found["internet-banking-system-to-mainframe-banking-system"]
    assert integration["description"] == "Gets account information from, and makes payments using"
    assert integration["standard"] == "unknown"
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
