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

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "corpus"
INTEROP = ROOT / "tests" / "fixtures" / "interop"


def make_repo(root: Path, models: str = "models") -> Path:
    """An archrepo.yaml at ``root`` using this repository's principles and rules."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "archrepo.yaml").write_text(
        f"models: [{models}]\nprinciples: [{ROOT / 'principles'}]\nrules: [{ROOT / 'rules'}]\n", encoding="utf-8")
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
