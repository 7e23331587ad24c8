"""Shared by the interop tests: checking an imported model for real (validate + every standard rule), and
the small pieces every importer uses (ids from names, the report, deterministic YAML)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from archrepo.config import load_config
from archrepo.errors import UsageError
from archrepo.interop.report import ImportReport
from archrepo.interop.slug import IdAllocator, property_key, slugify
from archrepo.interop.writer import ImportResult, dump_yaml
from archrepo.model import Model
from archrepo.model.loader import validate_model
from archrepo.rules.check import CheckOptions, CheckResult, run_check
from tests.conftest import add_standard_library

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "corpus"
INTEROP = ROOT / "tests" / "fixtures" / "interop"


def make_repo(root: Path, models: str = "models") -> Path:
    """An archrepo.yaml at ``root`` using this repository's principles and rules."""
    root.mkdir(parents=True, exist_ok=True)
    add_standard_library(root)
    (root / "archrepo.yaml").write_text(f"models: [{models}]\nprinciples: [principles]\nrules: [rules]\n",
                                        encoding="utf-8")
    return root / "archrepo.yaml"


def check_imported(config_path: Path) -> tuple[Model, CheckResult]:
    """The imported model validates (no errors) and every rule runs on it (violations are fine)."""
    config = load_config(config_path)
    model, diagnostics = validate_model(config)
    errors = [d.format() for d in diagnostics if d.level.value == "error"]
    assert model is not None and not errors, "\n".join(errors)
    result = run_check(config, CheckOptions(as_of=dt.date(2026, 6, 1)))
    assert not result.errors, [d.format() for d in result.errors]
    assert not result.failures, [f"{f.rule}: {f.message}" for f in result.failures]
    assert result.exit_code(None) == 0
    return model, result


def write_and_check(result: ImportResult, tmp_path: Path) -> tuple[Model, CheckResult]:
    config = make_repo(tmp_path / "repo")
    result.write(tmp_path / "repo" / "models")
    return check_imported(config)


@pytest.mark.parametrize(("name", "slug"), [
    ("Blåbær Ørret Æble", "blabaer-orret-aeble"),
    ("Helse Sør-Øst RHF", "helse-sor-ost-rhf"),
    ("  Ålesund sjukehus (Møre & Romsdal) ", "alesund-sjukehus-more-romsdal"),
    ("Café Zürich", "cafe-zurich"),
    ("---", "element"),
    ("日本", "element"),
    ("A" * 80 + " tail", "a" * 60),
])
def test_slugify_spells_out_norwegian_letters(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_ids_are_unique_in_claim_order() -> None:
    allocator = IdAllocator()
    assert allocator.reserve("dips-arena")
    assert not allocator.reserve("dips-arena")
    assert not allocator.reserve("Not An Id")
    assert [allocator.allocate(n) for n in ("DIPS Arena", "Dips arena", "Pasientjournal", "pasientjournal")] == [
        "dips-arena-2", "dips-arena-3", "pasientjournal", "pasientjournal-2"]


def test_property_keys_fit_the_application_schema() -> None:
    assert property_key("Cost (NOK)") == "Cost_NOK_"
    assert property_key("1st line") == "_1st_line"
    assert property_key("_private.key-1") == "_private.key-1"


def test_yaml_is_plain_deterministic_and_alias_free() -> None:
    shared = ["a", "b"]
    text = dump_yaml([{"id": "x", "kind": "Application", "tags": shared, "capabilities": shared,
                       "description": "two\nlines\n", "lifecycle": {"since": "2016-03-01", "status": "active"},
                       "properties": {"country": "NO", "z": 1, "a": True}}])
    assert "&" not in text and "*" not in text
    assert text.splitlines()[:2] == ["kind: Application", "id: x"]
    assert "since: 2016-03-01" in text and "country: 'NO'" in text and "description: |" in text
    assert text.index("z: 1") < text.index("a: true")  # properties keep the order written


def test_report_counts_each_item_once_and_reads_well() -> None:
    report = ImportReport("x.xml", "archimate")
    for imported in (True, True, False):
        report.element("ApplicationComponent", imported)
    report.relationship("Flow", False)
    report.default("Integration standard = unknown")
    report.created = {"Application": 2}
    text = report.format_text()
    assert "import archimate x.xml: 2 Application" in text
    assert report.elements["ApplicationComponent"].total == 3
    assert "Integration standard = unknown: 1" in text
    assert report.as_dict()["elements"] == {"ApplicationComponent": {"imported": 2, "not_mapped": 1}}


def test_write_refuses_a_file_as_out_directory(tmp_path: Path) -> None:
    result = ImportResult({"applications.yaml": [{"kind": "Application", "id": "a", "name": "A",
                                                  "lifecycle": {"status": "active"}}]}, ImportReport("s", "t"))
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="not a directory"):
        result.write(tmp_path / "file")


@pytest.mark.parametrize(("importer", "source"), [
    ("archimate", INTEROP / "archimate" / "hospital.xml"),
    ("backstage", INTEROP / "backstage"),
    ("structurizr", CORPUS / "structurizr" / "json" / "big-bank-plc" / "workspace.json"),
])
def test_imported_files_pass_fmt_check(importer: str, source: Path, tmp_path: Path) -> None:
    """What an importer writes is already in `archrepo fmt`'s canonical form (key order, list indentation)."""
    from tests.conftest import run_process

    make_repo(tmp_path)
    imported = run_process(["import", importer, str(source), "--out", str(tmp_path / "models")], tmp_path)
    assert imported.exit_code == 0, imported.stderr
    formatted = run_process(["fmt", "--check"], tmp_path)
    assert formatted.exit_code == 0, formatted.stdout + formatted.stderr
    assert " 0 files would be reformatted" in " " + formatted.stderr


def corpus_sources() -> list[tuple[str, Path, tuple[str, ...]]]:
    """(importer, source, flags) for every file of the corpus each importer reads."""
    sources = [("archimate", path, ()) for path in sorted((CORPUS / "archimate-exchange").glob("*.xml"))]
    sources += [("archimate", INTEROP / "archimate" / name, ()) for name in ("hospital.xml", "technology.xml")]
    for path in sorted((CORPUS / "structurizr" / "json").glob("*/workspace.json")):
        sources += [("structurizr", path, ()), ("structurizr", path, ("containers",))]
    sources += [("backstage", CORPUS / "backstage", ()), ("backstage", CORPUS / "backstage" / "all.yaml", ()),
                ("backstage", INTEROP / "backstage", ())]
    return sources


@pytest.mark.parametrize(("name", "source", "flags"), corpus_sources(),
                         ids=lambda v: v.name if isinstance(v, Path) else "-".join(v) if isinstance(v, tuple) else v)
def test_every_import_passes_validate_and_fmt_check(name: str, source: Path, flags: tuple[str, ...],
                                                    tmp_path: Path) -> None:
    """Issue #13: an importer's output is a model `archrepo validate` accepts and `archrepo fmt --check` leaves."""
    from tests.conftest import run_cli

    repo = tmp_path / "repo"
    config = make_repo(repo)
    command = ["import", name, str(source), "--out", str(repo / "models"), *(f"--{flag}" for flag in flags)]
    imported = run_cli(command, repo)
    assert imported.exit_code == 0, imported.stderr
    validate = run_cli(["validate", "--config", str(config)], repo)
    assert validate.exit_code == 0, validate.stderr
    assert "warning" not in validate.stderr, validate.stderr
    fmt = run_cli(["fmt", "--check", "--config", str(config)], repo)
    assert fmt.exit_code == 0, fmt.stdout + fmt.stderr


def test_the_commands_come_from_the_registry() -> None:
    from archrepo.cli import main
    from archrepo.commands.interop import import_group
    from archrepo.interop.formats import exporters, importers

    assert sorted(import_group.commands) == sorted(i.name for i in importers()) == [
        "archimate", "backstage", "structurizr"]
    structurizr = import_group.commands["structurizr"]
    assert "--containers" in {opt for p in structurizr.params for opt in getattr(p, "opts", [])}
    export = next(p for p in main.commands["export"].params if p.name == "fmt")
    assert set(getattr(export.type, "choices", ())) >= {"turtle", *(e.name for e in exporters())}


REPOSITORY_LIS = """kind: Application
id: lis
name: Laboratory information system
lifecycle: {status: active}
"""
LIS_WORKSPACE = {"model": {"softwareSystems": [
    {"id": "1", "name": "LIS", "relationships": [{"id": "3", "sourceId": "1", "destinationId": "2",
                                                 "description": "Sends results to"}]},
    {"id": "2", "name": "EPJ"}]}}


def test_ids_the_repository_has_are_not_taken_and_the_report_says_so(tmp_path: Path) -> None:
    """Importing into a repository that has `lis` gave a model that failed `validate` (issue #15 §2.5)."""
    import json

    from tests.conftest import run_cli

    repo = tmp_path / "repo"
    config = make_repo(repo)
    (repo / "models" / "existing").mkdir(parents=True)
    (repo / "models" / "existing" / "lis.yaml").write_text(REPOSITORY_LIS, encoding="utf-8")
    workspace = tmp_path / "workspace.json"
    workspace.write_text(json.dumps(LIS_WORKSPACE), encoding="utf-8")
    out = repo / "models" / "imported"
    result = run_cli(["import", "structurizr", str(workspace), "--out", str(out)], repo)
    assert result.exit_code == 0, result.stderr
    assert "id 'lis' is already defined in models/existing/lis.yaml; the imported element is 'lis-2'" \
        in result.stderr
    model, _ = check_imported(config)
    integration = model.get("lis-2-to-epj")
    assert integration is not None and integration.data["source"] == "lis-2"
    # importing the same file again over its own files: its ids are its own, nothing is renamed
    again = run_cli(["import", "structurizr", str(workspace), "--out", str(out), "--force"], repo)
    assert again.exit_code == 0 and "already defined" in again.stderr and "lis-3" not in again.stderr
    assert "epj-2" not in (out / "applications.yaml").read_text(encoding="utf-8")
    check_imported(config)


def test_routine_notes_are_summarised_and_important_ones_come_first() -> None:
    report = ImportReport("x.xml", "archimate")
    for number in range(60):
        report.routine("elements of a type with no archrepo kind, not imported", f"BusinessRole r{number}",
                       "BusinessRole" if number % 3 else "Principle")
    report.note("broken.yaml was not read")
    text = report.format_text()
    assert text.index("broken.yaml was not read") < text.index("60  elements of a type with no archrepo kind")
    assert "(BusinessRole 40, Principle 20)" in text and "BusinessRole r7" not in text
    assert report.notes[0] == "broken.yaml was not read" and len(report.notes) == 61
    data = report.as_dict()
    assert data["important"] == ["broken.yaml was not read"]
    assert data["routine"] == {"elements of a type with no archrepo kind, not imported": 60}
