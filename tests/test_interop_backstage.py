"""`archrepo import backstage`: the corpus catalog and a hand-written one covering every mapping rule."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from archrepo.commands.interop import import_group
from archrepo.interop import convert_backstage
from tests.test_interop_common import CORPUS, INTEROP, check_imported, make_repo, write_and_check

BACKSTAGE = CORPUS / "backstage"
SHOP = INTEROP / "backstage"


def independent_kinds(directory: Path) -> Counter[str]:
    """Entity kinds counted straight from every YAML file under ``directory``."""
    kinds: Counter[str] = Counter()
    for path in sorted(directory.rglob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(document, dict) and isinstance(document.get("kind"), str):
                kinds[document["kind"]] += 1
            elif document is not None:
                kinds["(not an entity)"] += 1
    return kinds


def documents_of(directory: Path) -> dict[str, dict[str, Any]]:
    return {d["id"]: d for docs in convert_backstage(directory).documents.values() for d in docs}


def test_corpus_catalog_imports_validates_and_checks(tmp_path: Path) -> None:
    result = convert_backstage(BACKSTAGE)
    report = result.report
    assert {kind: count.total for kind, count in report.elements.items()} == dict(independent_kinds(BACKSTAGE))
    entities = {kind: count for kind, count in report.elements.items() if kind != "Location"}
    assert sum(c.total for c in entities.values()) == 29 and len(entities) == 7  # SOURCES.md
    assert report.created == {"Organisation": 2, "Capability": 6, "Application": 14, "DataObject": 0,
                              "Integration": 1, "Process": 0}
    model, _ = write_and_check(result, tmp_path)
    search = model.get("wayback-archive-to-wayback-search")
    assert search is not None and search.data["source"] == "wayback-archive" and search.data["standard"] == "REST"
    artist = model.get("artist-lookup")
    assert artist is not None
    assert artist.data["owner"] == "team-a" and artist.data["capabilities"] == ["artist-engagement-portal"]
    assert artist.data["lifecycle"] == {"status": "planned"}  # experimental
    portal = model.get("artist-engagement-portal")
    assert portal is not None and portal.kind == "Capability" and portal.data["parent"] == "artists"
    notes = "\n".join(report.notes)
    assert "'./all-apis.yaml' does not exist" in notes  # the partial corpus: reported, not invented
    assert "'team-c' is not in the imported files" in notes


def test_shop_catalog_mapping() -> None:
    documents = documents_of(SHOP)
    orders = documents["orders"]
    assert (orders["name"], orders["owner"], orders["capabilities"], orders["tags"]) == (
        "Ordre", "payments-team", ["shop"], ["java", "payments"])
    assert documents["web"]["lifecycle"] == {"status": "planned"} and "owner" not in documents["web"]
    assert documents["stock"]["lifecycle"] == {"status": "phase-out"}
    assert documents["orders-worker"]["properties"]["subcomponent_of"] == "orders"
    database = documents["orders-db"]
    assert database["kind"] == "Application" and database["tags"] == ["backstage-resource"]
    assert database["properties"]["backstage_type"] == "database"
    assert documents["payments-team"] == {"kind": "Organisation", "id": "payments-team", "name": "payments-team",
                                          "description": "Betaling og ordre.", "type": "department",
                                          "parent": "company"}
    assert documents["company"]["name"] == "Company Ltd"
    assert documents["shop"]["parent"] == "commerce" and documents["commerce"]["name"] == "Netthandel"
    integrations = {i: (d["source"], d["target"], d["standard"], d.get("mode")) for i, d in documents.items()
                    if d["kind"] == "Integration"}
    assert integrations == {
        "orders-to-web": ("orders", "web", "AsyncAPI", "async"),  # API provided by orders, consumed by web
        "stock-to-web": ("stock", "web", "unknown", None),  # the API entity is missing: standard unknown
        "orders-db-to-orders": ("orders-db", "orders", "unknown", None),  # orders dependsOn orders-db
        "orders-to-web-2": ("orders", "web", "unknown", None),  # web dependsOn orders
    }
    assert "outsider" not in documents and "reports" not in documents and "external-thing" not in documents


def test_shop_catalog_report(tmp_path: Path) -> None:
    result = convert_backstage(SHOP)
    report = result.report
    assert {kind: count.total for kind, count in report.elements.items()} == dict(independent_kinds(SHOP))
    assert report.elements["API"].imported == 1 and report.elements["API"].not_mapped == 1
    assert report.relationships["Location.target"].imported == 1
    assert report.relationships["Location.target"].not_mapped == 3
    assert report.relationships["spec.dependsOn"].not_mapped == 1
    notes = "\n".join(report.notes)
    for expected in ("'../backstage-outside.yaml' lies outside backstage/", "is a URL; not followed",
                     "'./missing.yaml' does not exist", "'user:alice' is a user", "'component:external-thing' is "
                     "not in the imported files", "'component:reports' is not in the imported files",
                     "api:default/unused-api: neither provided nor consumed", "docs/openapi.yaml:1: not a catalog"):
        assert expected in notes
    write_and_check(result, tmp_path)


def test_cli_backstage_is_deterministic_and_guarded(tmp_path: Path) -> None:
    runner = CliRunner()
    outputs = []
    for name in ("one", "two"):
        result = runner.invoke(import_group, ["backstage", str(SHOP), "--out", str(tmp_path / name / "models")])
        assert result.exit_code == 0, result.stderr
        assert "import backstage" in result.stderr and result.stdout == ""
        outputs.append({p.name: p.read_bytes() for p in sorted((tmp_path / name / "models").glob("*.yaml"))})
    assert outputs[0] == outputs[1]
    again = runner.invoke(import_group, ["backstage", str(SHOP), "--out", str(tmp_path / "one" / "models")])
    assert again.exit_code == 2 and "already exists" in again.stderr
    check_imported(make_repo(tmp_path / "one"))


def test_cli_backstage_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(import_group, ["backstage", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert missing.exit_code == 2 and "not a directory" in missing.stderr
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "x.yaml").write_text("kind: Component\nmetadata: {name: [unclosed\n", encoding="utf-8")
    result = runner.invoke(import_group, ["backstage", str(broken), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "x.yaml:" in result.stderr and "Traceback" not in result.stderr
