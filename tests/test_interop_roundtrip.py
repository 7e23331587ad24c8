"""ArchiMate → archrepo → ArchiMate keeps what the file held (issue #15 §1, §2.4, §2.6): the technology layer,
identifiers of every kind, element and relationship types, processes without duplicates, properties of
every kind, sub-process documentation; and integrations read by their one meaning (issue #13)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import xmlschema

import archrepo
from archrepo.interop import convert_archimate, export_archimate
from archrepo.model import Model
from tests.test_interop_common import CORPUS, INTEROP, check_imported, make_repo
from tests.test_interop_export import assert_valid
from tests.test_interop_export import schema as schema  # the module-scoped fixture

TECHNOLOGY = INTEROP / "archimate" / "technology.xml"
_A = "{http://www.opengroup.org/xsd/archimate/3.0/}"
_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


def contents(path: Path) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """identifier → element type, and (type, source, target) of every relationship, straight from the XML."""
    root = ET.parse(path).getroot()
    elements = {str(e.get("identifier")): str(e.get(_TYPE)) for e in root.iterfind(f"{_A}elements/{_A}element")}
    relationships = [(str(r.get(_TYPE)), str(r.get("source")), str(r.get("target")))
                     for r in root.iterfind(f"{_A}relationships/{_A}relationship")]
    return elements, relationships


def imported(source: Path, directory: Path) -> Model:
    config = make_repo(directory)
    convert_archimate(source).write(directory / "models")
    model, _ = check_imported(config)
    return model


def exported(model: Model, path: Path) -> Path:
    path.write_text(export_archimate(model), encoding="utf-8")
    return path


def test_technology_layer_is_imported_checked_and_exported(schema: xmlschema.XMLSchema10, tmp_path: Path) -> None:
    config = make_repo(tmp_path / "repo")
    convert_archimate(TECHNOLOGY).write(tmp_path / "repo" / "models")
    model, result = check_imported(config)
    oracle, server = model.get("oracle-11g"), model.get("database-server")
    assert oracle is not None and server is not None
    assert (oracle.kind, oracle.data["type"], oracle.data["vendor"], oracle.data["end_of_life"]) == (
        "Technology", "database", "Oracle", "2020-12-31")
    assert server.data["runs_on"] == ["rhel-7", "blade-12", "hospital-lan"]  # its parts, and the network
    lab = model.get("lab-system")
    assert lab is not None and lab.data["technologies"] == ["database-service"]
    findings = {(v.element, v.related, v.severity.name.lower()) for v in result.violations if v.rule == "TEC001"}
    assert ("lab-system", ("oracle-11g",), "error") in findings  # through the database service
    assert ("journal", ("rhel-7",), "warning") in findings  # through the database server
    path = exported(model, tmp_path / "export.xml")
    assert_valid(schema, path)
    elements, relationships = contents(path)
    original_elements, original_relationships = contents(TECHNOLOGY)
    technology = {"ts-db", "ss-oracle", "ss-rhel", "node-db", "dev-blade", "net-lan", "art-war"}
    assert {i: elements[i] for i in technology} == {i: original_elements[i] for i in technology}
    for kind, source, target in original_relationships:
        if source in technology or target in technology:
            assert (kind, source, target) in relationships or (
                kind == "Association" and (kind, target, source) in relationships), (kind, source, target)


def test_processes_are_exported_once_with_their_relationship_types(tmp_path: Path) -> None:
    """A one-step process was exported twice (ArchiMetal: 73 processes → 124); aggregation became composition."""
    model = imported(TECHNOLOGY, tmp_path / "one")
    elements, relationships = contents(exported(model, tmp_path / "export.xml"))
    original_elements, original_relationships = contents(TECHNOLOGY)
    processes = Counter(t for t in elements.values() if t == "BusinessProcess")
    assert processes == Counter(t for t in original_elements.values() if t == "BusinessProcess")
    assert {i for i, t in elements.items() if t == "BusinessProcess"} == {
        "bp-sample", "bp-receive", "bp-report", "bp-archive"}
    assert ("Aggregation", "bp-sample", "bp-report") in relationships
    assert ("Aggregation", "cap-clinic", "cap-lab") in relationships
    assert ("Composition", "bp-sample", "bp-receive") in relationships
    assert Counter(t for t, _, _ in relationships) == Counter(t for t, _, _ in original_relationships)


@pytest.mark.parametrize("name", ["archisurance-archi-tests.xml", "archisurance-v3.xml", "everything.xml"])
def test_a_corpus_file_round_trips_without_duplicates_or_losses(name: str, tmp_path: Path) -> None:
    source = CORPUS / "archimate-exchange" / name
    first = imported(source, tmp_path / "one")
    export = exported(first, tmp_path / "one.xml")
    elements, _ = contents(export)
    original, _ = contents(source)
    mapped = {identifier for identifier in original if identifier in elements}
    kinds = {"ApplicationComponent", "BusinessActor", "Capability", "DataObject", "BusinessProcess", "Node",
             "Device", "SystemSoftware", "TechnologyService", "CommunicationNetwork", "Artifact"}
    assert mapped == {i for i, t in original.items() if t in kinds}  # every identifier kept, of every kind
    assert all(elements[i] == original[i] for i in mapped)  # and its element type
    assert len(elements) == len(mapped)  # nothing added (no second element per process)
    second = imported(export, tmp_path / "two")
    assert {e.id: e.data for e in second} == {e.id: e.data for e in first}
    assert exported(second, tmp_path / "two.xml").read_text(encoding="utf-8") == export.read_text(encoding="utf-8")


def test_properties_and_sub_process_documentation_of_every_kind_are_kept(tmp_path: Path) -> None:
    model = imported(TECHNOLOGY, tmp_path / "one")
    process = model.get("analyse-sample")
    assert process is not None
    assert process.data["properties"]["archimate_steps"]["receive-sample"] == {
        "archimate_id": "bp-receive", "description": "At the lab counter.", "properties": {"Minutes": 5}}
    root = ET.parse(exported(model, tmp_path / "export.xml")).getroot()
    receive = root.find(f"{_A}elements/{_A}element[@identifier='bp-receive']")
    assert receive is not None and receive.findtext(f"{_A}documentation") == "At the lab counter."
    definitions = {d.get("identifier"): d.findtext(f"{_A}name") for d in root.iter(f"{_A}propertyDefinition")}
    names = {definitions[p.get("propertyDefinitionRef")]: p.findtext(f"{_A}value")
             for p in receive.iterfind(f"{_A}properties/{_A}property")}
    assert names["Minutes"] == "5"
    hospital = imported(INTEROP / "archimate" / "hospital.xml", tmp_path / "hospital")
    actor = ET.parse(exported(hospital, tmp_path / "hospital.xml")).getroot().find(
        f"{_A}elements/{_A}element[@identifier='o-hso']")
    assert actor is not None and actor.find(f"{_A}properties") is not None  # a BusinessActor's "Cost (NOK)"


def test_relationships_between_applications_are_read_by_the_one_meaning(tmp_path: Path) -> None:
    model = imported(TECHNOLOGY, tmp_path / "one")

    def fields(element_id: str) -> tuple[Any, ...]:
        element = model.get(element_id)
        assert element is not None
        return tuple(element.data.get(k) for k in ("source", "target", "initiator", "mode"))

    assert fields("results") == ("lab-system", "journal", None, None)  # Flow: as drawn
    assert fields("order") == ("journal", "lab-system", "source", None)  # Triggering: the trigger initiates
    assert fields("result-lookup") == ("lab-system", "journal", "target", "sync")  # Serving: the served one calls
    readings = "\n".join(convert_archimate(TECHNOLOGY).report.readings)
    for kind in ("Flow", "Triggering", "Serving"):
        assert f"{kind} application → application:" in readings
    _, relationships = contents(exported(model, tmp_path / "export.xml"))
    assert {("Flow", "app-lab", "app-epj"), ("Triggering", "app-epj", "app-lab"),
            ("Serving", "app-lab", "app-epj")} <= set(relationships)


def test_the_reference_model_exports_integrations_as_flows_in_the_data_direction(tmp_path: Path) -> None:
    model = archrepo.load(Path(__file__).resolve().parent.parent / "archrepo.yaml").model
    root = ET.fromstring(export_archimate(model))
    identifiers = {str(e.get("identifier")): e for e in root.iter(f"{_A}element")}
    lookup = model.get("kjernejournal-to-dips-arena") or next(
        i for i in model.of_kind("Integration") if i.data.get("initiator") == "target")
    flow = root.find(f"{_A}relationships/{_A}relationship[@identifier='id-{lookup.id}']")
    assert flow is not None and flow.get(_TYPE) == "Flow"
    assert identifiers[str(flow.get("source"))].findtext(f"{_A}name") == model.get(lookup.data["source"]).name
