"""`archrepo import archimate`: every exchange file of the corpus, the mapping rules, files on disk, CLI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from archrepo.commands.interop import import_group
from archrepo.interop import InteropError, convert_archimate
from tests.test_interop_common import CORPUS, INTEROP, check_imported, make_repo, write_and_check

EXCHANGE = sorted((CORPUS / "archimate-exchange").glob("*.xml"))
HOSPITAL = INTEROP / "archimate" / "hospital.xml"
TECHNOLOGY = INTEROP / "archimate" / "technology.xml"
_A = "{http://www.opengroup.org/xsd/archimate/3.0/}"
_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


def independent_counts(path: Path) -> tuple[Counter[str], Counter[str]]:
    """Element and relationship types counted straight from the XML (the corpus is trusted test data)."""
    root = ET.parse(path).getroot()
    elements = Counter(node.get(_TYPE) for node in root.iterfind(f"{_A}elements/{_A}element"))
    relationships = Counter(node.get(_TYPE) for node in root.iterfind(f"{_A}relationships/{_A}relationship"))
    return Counter({str(k): v for k, v in elements.items()}), Counter({str(k): v for k, v in relationships.items()})


def test_the_corpus_holds_the_exchange_files() -> None:
    assert len(EXCHANGE) >= 11


@pytest.mark.parametrize("path", EXCHANGE, ids=lambda p: p.name)
def test_corpus_file_imports_with_exact_counts_and_checks(path: Path, tmp_path: Path) -> None:
    result = convert_archimate(path)
    report = result.report
    elements, relationships = independent_counts(path)
    assert {t: c.total for t, c in report.elements.items()} == dict(elements)
    assert {t: c.total for t, c in report.relationships.items()} == dict(relationships)
    documents = [d for docs in result.documents.values() for d in docs]
    kinds = Counter(d["kind"] for d in documents)
    assert kinds["Application"] == elements["ApplicationComponent"]
    assert kinds["Organisation"] == elements["BusinessActor"]
    assert kinds["DataObject"] == elements["DataObject"]
    assert kinds["Capability"] == elements["Capability"]
    steps = sum(len(d["steps"]) for d in documents if d["kind"] == "Process")
    imported = report.elements["BusinessProcess"].imported if "BusinessProcess" in report.elements else 0
    assert steps == elements["BusinessProcess"] == imported
    assert kinds["Integration"] <= relationships["Flow"] + relationships["Serving"] + relationships["Triggering"]
    assert report.created == {k: kinds[k] for k in report.created}
    views = len(ET.parse(path).getroot().findall(f"{_A}views/{_A}diagrams/{_A}view"))
    assert (f"{views} view(s) not imported" in "\n".join(report.notes)) == (views > 0)
    model, _ = write_and_check(result, tmp_path)
    assert len(model) == len(documents)


@pytest.mark.parametrize(("name", "elements", "relationships"), [
    ("archisurance-v3.xml", 119, 179), ("archisurance-archi-tests.xml", 122, 179), ("everything.xml", 61, 24)])
def test_counts_match_sources_md(name: str, elements: int, relationships: int) -> None:
    report = convert_archimate(CORPUS / "archimate-exchange" / name).report
    assert sum(c.total for c in report.elements.values()) == elements
    assert sum(c.total for c in report.relationships.values()) == relationships


def test_archisurance_triggering_chain_becomes_process_steps() -> None:
    documents = {d["id"]: d for docs in convert_archimate(CORPUS / "archimate-exchange" /
                                                          "archisurance-archi-tests.xml").documents.values()
                 for d in docs}
    register = documents["register"]
    assert register["kind"] == "Process"
    assert [(s["id"], s.get("next")) for s in register["steps"]] == [
        ("register", ["accept"]), ("accept", ["valuate"]), ("valuate", ["pay"]), ("pay", None)]
    assert "owner" not in documents["handle-claim"]  # assigned to a business role, not an actor
    assert [s["id"] for s in documents["handle-claim"]["steps"]] == ["handle-claim", "inform-customer",
                                                                   "collect-premium"]


def hospital() -> dict[str, dict[str, object]]:
    return {d["id"]: d for docs in convert_archimate(HOSPITAL).documents.values() for d in docs}


def test_hospital_applications_fields_from_properties_and_relationships() -> None:
    documents = hospital()
    epj = documents["pasientjournal"]
    assert epj["lifecycle"] == {"status": "phase-out"}
    assert epj["criticality"] == "critical" and epj["vendor"] == "DIPS AS" and epj["roles"] == ["core-system"]
    assert epj["owner"] == "sykehuspartner-hf"  # association named owner; the second one (eier) is reported
    assert epj["capabilities"] == ["pasientjournal-3"]
    assert epj["properties"] == {"archimate_id": "a-epj", "Cost_NOK_": 4000}
    old = documents["pasientjournal-2"]  # same name: -2 by identifier order
    assert old["lifecycle"] == {"status": "active"} and old["properties"]["Lifecycle"] == "sunsetting"
    assert documents["blabaer-orret-aeble-lab"]["name"] == "Blåbær Ørret Æble Lab"


def test_hospital_integrations_data_and_masters() -> None:
    documents = hospital()
    flow = documents["rekvisisjon"]
    assert (flow["source"], flow["target"], flow["standard"], flow["via"], flow["mode"]) == (
        "pasientjournal", "blabaer-orret-aeble-lab", "HL7v2", "integrasjonsplattform", "async")
    assert flow["data"] == ["epikrise"]  # written by the source, read by the target
    serving = documents["blabaer-orret-aeble-lab-to-pasientjournal"]
    assert serving["standard"] == "unknown" and "data" not in serving
    assert documents["epikrise"]["master"] == "pasientjournal"
    assert documents["epikrise"]["classification"] == "sensitive"
    assert "master" not in documents["provesvar"]  # two writers: ambiguous
    assert documents["provesvar"]["classification"] == "internal"


def test_hospital_processes_organisations_capabilities() -> None:
    documents = hospital()
    process = documents["innleggelse"]
    assert process["owner"] == "helse-sor-ost-rhf" and process["capability"] == "klinisk-virksomhet"
    assert process["steps"] == [
        {"id": "motta-pasient", "name": "Motta pasient", "supported_by": ["pasientjournal"], "next": ["vurdere"]},
        {"id": "vurdere", "name": "Vurdere"},
        {"id": "vurdere-2", "name": "Vurdere", "supported_by": ["blabaer-orret-aeble-lab"]}]
    assert documents["fakturere"]["steps"] == [
        {"id": "fakturere", "name": "Fakturere", "supported_by": ["integrasjonsplattform"]}]
    assert documents["sykehuspartner-hf"]["parent"] == "helse-sor-ost-rhf"
    assert "parent" not in documents["helse-sor-ost-rhf"]  # the composition back would be a cycle
    assert documents["pasientjournal-3"]["parent"] == "klinisk-virksomhet"


def test_hospital_report_names_everything_not_mapped(tmp_path: Path) -> None:
    result = convert_archimate(HOSPITAL)
    report = result.report
    assert report.elements["BusinessRole"].not_mapped == 1
    assert report.relationships["Association"].imported == 1
    assert report.relationships["Association"].not_mapped == 2
    notes = "\n".join(report.notes)
    for expected in ("has an owner already", "would close a cycle", "parent cycle", "no master chosen",
                     "as a whole, not a step", "sunsetting", "BusinessRole 'Lege' (r-lege): no archrepo kind",
                     "Association r26: r13 (a relationship) → 'Epikrise' (DataObject)"):
        assert expected in notes
    not_mapped = sum(c.not_mapped for c in [*report.elements.values(), *report.relationships.values()])
    assert len(report.notes) >= not_mapped  # every element and relationship not mapped has a note
    assert report.defaults == {"Application lifecycle.status = active (no lifecycle property)": 3,
                               "DataObject classification = internal (no classification property)": 1,
                               "Integration standard = unknown (no standard property)": 1}
    model, _ = write_and_check(result, tmp_path)
    models = tmp_path / "repo" / "models"
    assert sorted(p.relative_to(models).as_posix() for p in models.rglob("*.yaml")) == [
        "applications.yaml", "applications/klinikk.yaml", "capabilities.yaml", "data.yaml",
        "data/klinikk.yaml", "integrations.yaml", "integrations/lab-rontgen.yaml", "organisations.yaml",
        "processes.yaml"]  # no sidecar: what it held is under each element's properties
    hso = model.get("helse-sor-ost-rhf")
    assert hso is not None and hso.data["properties"] == {"archimate_id": "o-hso", "Cost_NOK_": 1}
    process = model.get("innleggelse")
    assert process is not None
    assert process.data["properties"]["archimate_steps"]["vurdere-2"] == {
        "archimate_id": "p-vurdere-lege", "parent": "vurdere",  # part of a sub-process, not of the process itself
        "archimate_relationships": {"supported_by/blabaer-orret-aeble-lab": "Realization"}}


def test_import_is_deterministic(tmp_path: Path) -> None:
    path = CORPUS / "archimate-exchange" / "archisurance-archi-tests.xml"
    for target in ("one", "two"):
        convert_archimate(path).write(tmp_path / target)
    first = {p.relative_to(tmp_path / "one"): p.read_bytes() for p in sorted((tmp_path / "one").rglob("*.yaml"))}
    second = {p.relative_to(tmp_path / "two"): p.read_bytes() for p in sorted((tmp_path / "two").rglob("*.yaml"))}
    assert first == second and len(first) > 3


def run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(import_group, args, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_cli_never_overwrites_without_force(tmp_path: Path) -> None:
    out = tmp_path / "models"
    code, stdout, stderr = run(["archimate", str(HOSPITAL), "--out", str(out)])
    assert code == 0 and stdout == ""
    assert "import archimate hospital.xml: 2 Organisation" in stderr and "wrote 9 files" in stderr
    target = out / "applications.yaml"
    target.write_text("# edited by hand\n", encoding="utf-8")
    code, stdout, stderr = run(["archimate", str(HOSPITAL), "--out", str(out)])
    assert code == 2
    assert f"{out / 'applications.yaml'} already exists (and 8 more); nothing was written" in stderr
    assert "--force" in stderr and "Traceback" not in stderr
    assert target.read_text(encoding="utf-8") == "# edited by hand\n"
    code, _, stderr = run(["archimate", str(HOSPITAL), "--out", str(out), "--force"])
    assert code == 0
    assert target.read_text(encoding="utf-8").startswith("# Imported from hospital.xml")


def test_cli_force_leaves_other_files_and_says_so(tmp_path: Path) -> None:
    out = tmp_path / "models"
    (out / "mine").mkdir(parents=True)
    (out / "mine" / "keep.yaml").write_text("kind: Capability\nid: keep\nname: Keep\n", encoding="utf-8")
    code, _, stderr = run(["archimate", str(HOSPITAL), "--out", str(out), "--force"])
    assert code == 0 and "1 other YAML file(s)" in stderr
    assert (out / "mine" / "keep.yaml").exists()
    check_imported(make_repo(tmp_path))


def test_cli_json_report(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    code, _, _ = run(["archimate", str(HOSPITAL), "--out", str(tmp_path / "m"), "--report", str(report_path)])
    assert code == 0
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["elements"]["ApplicationComponent"] == {"imported": 4, "not_mapped": 0}
    assert report["created"]["Process"] == 2 and "processes.yaml" in report["files"]


@pytest.mark.parametrize(("content", "message"), [
    (b"<model><unclosed></model>", "not well-formed XML"),
    (b'<model xmlns="http://www.opengroup.org/xsd/archimate"/>', "ArchiMate 2.1 exchange file"),
    (b'<x xmlns="urn:other"/>', "not an ArchiMate 3.x Open Exchange file"),
])
def test_cli_bad_input_is_exit_2_with_a_located_message(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    code, _, stderr = run(["archimate", str(path), "--out", str(tmp_path / "m")])
    assert code == 2 and message in stderr and f"{path}:" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "m").exists()


def test_archi_native_file_gets_a_hint() -> None:
    with pytest.raises(InteropError, match=r"not an ArchiMate 3\.x") as caught:
        convert_archimate(CORPUS / "archi-native" / "everything.archimate")
    assert "Open Exchange File" in (caught.value.hint or "")


def test_missing_file_is_exit_2(tmp_path: Path) -> None:
    code, _, stderr = run(["archimate", str(tmp_path / "nope.xml"), "--out", str(tmp_path / "m")])
    assert code == 2 and "cannot read" in stderr


def _mutated(seed: int, source: Path = HOSPITAL) -> bytes:
    """An exchange file with a few attributes removed or pointed elsewhere, nodes dropped or duplicated."""
    import copy
    import random

    rnd = random.Random(seed)
    tree = ET.parse(source)
    nodes = list(tree.iter())
    parents = {child: parent for parent in nodes for child in parent}
    identifiers = [n.get("identifier") or "" for n in nodes if n.get("identifier")]
    for _ in range(rnd.randint(1, 6)):
        node = rnd.choice(nodes[1:])
        choice = rnd.random()
        if choice < 0.3 and node.attrib:
            del node.attrib[rnd.choice(sorted(node.attrib))]
        elif choice < 0.55 and node.attrib:
            node.set(rnd.choice(sorted(node.attrib)), rnd.choice([*identifiers, "", "Flow", "BusinessProcess", "Node",
                                                                  "Composition", "Association", "Artifact"]))
        elif choice < 0.75 and node in parents and node in list(parents[node]):
            parents[node].remove(node)
        elif choice < 0.9:
            node.text = rnd.choice(["", " ", "Å", "owner", "true", "[", "archrepo:id", "2020-01-01"])
        elif node in parents:
            parents[node].append(copy.deepcopy(node))
    return ET.tostring(tree.getroot(), encoding="utf-8")


DAMAGED = [(HOSPITAL, seed) for seed in range(25)] + [(TECHNOLOGY, seed) for seed in range(15)]


@pytest.mark.parametrize(("source", "seed"), DAMAGED, ids=lambda v: v.stem if isinstance(v, Path) else str(v))
def test_damaged_files_never_crash_never_give_an_invalid_model_and_round_trip(source: Path, seed: int,
                                                                              tmp_path: Path) -> None:
    import archrepo
    from archrepo.interop import export_archimate

    path = tmp_path / "damaged.xml"
    path.write_bytes(_mutated(seed, source))
    try:
        result = convert_archimate(path)
    except InteropError:
        return
    first, _ = write_and_check(result, tmp_path)
    exported = tmp_path / "exported.xml"
    exported.write_text(export_archimate(first), encoding="utf-8")
    config = make_repo(tmp_path / "again")
    convert_archimate(exported).write(tmp_path / "again" / "models")
    assert {e.id: e.data for e in archrepo.load(config).model} == {e.id: e.data for e in first}


def test_a_sub_process_named_like_its_process_stays_an_element_of_its_own(tmp_path: Path) -> None:
    """It took the process's id as its step id, and the export then merged it into the process."""
    path = tmp_path / "same-name.xml"
    path.write_text(f"""<model xmlns="{_A[1:-1]}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="m">
      <elements>
        <element identifier="p-outer" xsi:type="BusinessProcess"><name>Assess</name></element>
        <element identifier="p-inner" xsi:type="BusinessProcess"><name>Assess</name></element>
      </elements>
      <relationships>
        <relationship identifier="r1" source="p-outer" target="p-inner" xsi:type="Composition"/>
      </relationships></model>""", encoding="utf-8")
    model, _ = write_and_check(convert_archimate(path), tmp_path)
    process = model.get("assess")
    assert process is not None and [s["id"] for s in process.data["steps"]] == ["assess-2"]
    from archrepo.interop import export_archimate

    root = ET.fromstring(export_archimate(model))
    assert {e.get("identifier") for e in root.iterfind(f"{_A}elements/{_A}element")} == {"p-outer", "p-inner"}


def test_cli_validate_and_check_run_on_the_import(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    config = make_repo(tmp_path)
    code, _, stderr = run(["archimate", str(CORPUS / "archimate-exchange" / "archisurance-v3.xml"),
                           "--out", str(tmp_path / "models")])
    assert code == 0, stderr
    validate = run_cli(["validate", "--config", str(config)], tmp_path)
    assert validate.exit_code == 0, validate.stderr
    check = run_cli(["check", "--config", str(config), "--format", "json", "--fail-on", "never"], tmp_path)
    assert check.exit_code == 0, check.stderr
    report = json.loads(check.stdout)
    # 17 organisations, 10 applications, 4 data objects, 4 processes, 7 integrations, 18 technology elements
    assert report["errors"] == [] and report["rule_failures"] == [] and report["summary"]["elements"] == 60


def _registered() -> bool:
    from archrepo.cli import main

    return "import" in main.commands


@pytest.mark.skipif(not _registered(), reason="`import` is not registered in archrepo.cli yet")
def test_the_real_command_imports(tmp_path: Path) -> None:
    from tests.conftest import run_process

    config = make_repo(tmp_path)
    result = run_process(["import", "archimate", str(HOSPITAL), "--out", str(tmp_path / "models")], tmp_path)
    assert result.exit_code == 0 and "import archimate hospital.xml" in result.stderr, result.stderr
    assert run_process(["validate", "--config", str(config)], tmp_path).exit_code == 0
