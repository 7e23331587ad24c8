"""`archrepo import backstage`: the corpus catalog and a hand-written one covering every mapping rule."""

from __future__ import annotations

import time
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


def documents_of(source: Path) -> dict[str, dict[str, Any]]:
    return {d["id"]: d for docs in convert_backstage(source).documents.values() for d in docs}


def test_corpus_catalog_imports_validates_and_checks(tmp_path: Path) -> None:
    result = convert_backstage(BACKSTAGE)
    report = result.report
    assert {kind: count.total for kind, count in report.elements.items()} == dict(independent_kinds(BACKSTAGE))
    entities = {kind: count for kind, count in report.elements.items() if kind != "Location"}
    assert sum(c.total for c in entities.values()) == 29 and len(entities) == 7  # SOURCES.md
    assert report.created == {"Organisation": 2, "Capability": 6, "Application": 13, "DataObject": 0,
                              "Integration": 1, "Process": 0, "Technology": 1}
    model, _ = write_and_check(result, tmp_path)
    search = model.get("wayback-archive-to-wayback-search")
    assert search is not None and search.data["standard"] == "REST"
    # the provider sends the data, the consumer calls it
    assert (search.data["source"], search.data["target"], search.data["initiator"]) == (
        "wayback-archive", "wayback-search", "target")
    artist = model.get("artist-lookup")
    assert artist is not None
    assert artist.data["owner"] == "team-a" and artist.data["capabilities"] == ["artist-engagement-portal"]
    assert artist.data["lifecycle"] == {"status": "planned"}  # experimental
    assert [link["title"] for link in artist.data["properties"]["backstage_links"]][:2] == [
        "Examples Users", "Example Group"]
    database = model.get("artists-db")
    assert database is not None and database.kind == "Technology" and database.data["type"] == "database"
    portal = model.get("artist-engagement-portal")
    assert portal is not None and portal.kind == "Capability" and portal.data["parent"] == "artists"
    team = model.get("team-a")
    assert team is not None and "user:default/janelle.dawe" in team.data["properties"]["backstage_members"]
    notes = "\n".join(report.notes)
    assert "'./all-apis.yaml' does not exist" in notes  # the partial corpus: reported, not invented
    assert "'team-c' is not in the imported files" in notes
    assert "no catalog-info.yaml under backstage/" in notes


def test_a_catalog_file_is_followed_through_its_locations_only() -> None:
    result = convert_backstage(BACKSTAGE / "all.yaml")  # all.yaml leaves out users and groups
    assert result.report.created["Organisation"] == 0 and result.report.created["Application"] == 13
    assert "User" not in result.report.elements


def test_shop_catalog_mapping() -> None:
    documents = documents_of(SHOP)
    orders = documents["orders"]
    assert (orders["name"], orders["owner"], orders["capabilities"], orders["tags"]) == (
        "Ordre", "payments-team", ["shop"], ["java", "payments"])
    assert orders["technologies"] == ["orders-db"]  # orders dependsOn resource:orders-db
    assert documents["web"]["lifecycle"] == {"status": "planned"} and "owner" not in documents["web"]
    assert documents["stock"]["lifecycle"] == {"status": "phase-out"}
    assert documents["orders-worker"]["properties"]["subcomponent_of"] == "orders"
    database = documents["orders-db"]
    assert (database["kind"], database["type"], database["owner"]) == ("Technology", "database", "payments-team")
    assert database["properties"]["backstage_system"] == "shop"  # a Technology has no capabilities: kept
    assert documents["payments-team"] == {
        "kind": "Organisation", "id": "payments-team", "name": "payments-team", "description": "Betaling og ordre.",
        "type": "department", "parent": "company",
        "properties": {"backstage_ref": "group:default/payments-team", "backstage_type": "team",
                       "backstage_members": ["user:default/alice"]}}
    assert documents["company"]["name"] == "Company Ltd"
    assert documents["shop"]["parent"] == "commerce" and documents["commerce"]["name"] == "Netthandel"
    integrations = {i: (d["source"], d["target"], d["initiator"], d["standard"], d.get("mode"))
                    for i, d in documents.items() if d["kind"] == "Integration"}
    assert integrations == {
        "orders-to-web": ("orders", "web", "target", "AsyncAPI", "async"),  # provided by orders, consumed by web
        "stock-to-web": ("stock", "web", "target", "unknown", None),  # the API entity is missing: standard unknown
        "orders-to-web-2": ("orders", "web", "target", "unknown", None),  # web dependsOn orders
    }
    assert "outsider" not in documents and "reports" not in documents and "external-thing" not in documents


def test_shop_catalog_report(tmp_path: Path) -> None:
    result = convert_backstage(SHOP)
    report = result.report
    read = independent_kinds(SHOP) - Counter({"(not an entity)": 1})  # docs/openapi.yaml is never read
    assert {kind: count.total for kind, count in report.elements.items()} == dict(read)
    assert report.elements["API"].imported == 1 and report.elements["API"].not_mapped == 1
    assert report.relationships["Location.target"].imported == 4
    assert report.relationships["Location.target"].not_mapped == 3
    assert report.relationships["spec.dependsOn"].not_mapped == 1
    notes = "\n".join(report.notes)
    for expected in ("'../backstage-outside.yaml' lies outside backstage/", "is a URL; not followed",
                     "'./missing.yaml' does not exist", "'user:alice' is a user", "'component:external-thing' is "
                     "not in the imported files", "'component:reports' is not in the imported files",
                     "api:default/unused-api: neither provided nor consumed"):
        assert expected in notes
    assert "openapi.yaml" not in notes  # not a catalog file, and no Location names it: never read
    readings = "\n".join(report.readings)
    assert "source = the provider (sends the data), target = the consumer, which calls it: initiator: target" \
        in readings
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
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "x.yaml").write_text("kind: Component\nmetadata: {name: [unclosed\n", encoding="utf-8")
    result = runner.invoke(import_group, ["backstage", str(broken), "--out", str(tmp_path / "o")])
    # nothing at all could be read: refused, with the file and line
    assert result.exit_code == 2 and "x.yaml: line 3: YAML syntax error" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "o").exists()


# Regressions (issue #15 §2): real catalogs hold broken files, templates, anchors and other tools' objects.

COMPONENT = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {name}
spec:
  type: service
  lifecycle: production
  owner: team
"""
TEAM = """apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team
spec:
  type: team
  children: []
"""


def catalog(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def location(*targets: str) -> str:
    return ("apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  targets:\n"
            + "".join(f"    - {target}\n" for target in targets))


def test_a_broken_file_is_reported_and_the_others_are_imported(tmp_path: Path) -> None:
    root = catalog(tmp_path / "catalog", {
        "catalog-info.yaml": location("./team.yaml", "./good.yaml", "./duplicate.yaml") + "---\n" + TEAM,
        "good.yaml": COMPONENT.format(name="good") + "---\n" + COMPONENT.format(name="also-good"),
        "duplicate.yaml": COMPONENT.format(name="dup") + "  owner: team\n",
        "templates/new-service/skeleton/catalog-info.yaml": COMPONENT.format(name="${{ values.name }}")
        + "{% if values.system %}\n  system: ${{ values.system }}\n{% endif %}\n",
    })
    result = CliRunner().invoke(import_group, ["backstage", str(root), "--out", str(tmp_path / "repo" / "models"),
                                               "--report", str(tmp_path / "report.json")])
    assert result.exit_code == 0, result.stderr
    assert "duplicate.yaml was not read (line 9: duplicate key 'owner'" in result.stderr
    assert "template files (scaffolder skeletons), not read" in result.stderr
    model, _ = check_imported(make_repo(tmp_path / "repo"))
    assert {e.id for e in model.of_kind("Application")} == {"good", "also-good"}


def test_only_catalog_info_files_and_location_targets_are_read(tmp_path: Path) -> None:
    root = catalog(tmp_path / "repo-root", {
        "catalog-info.yaml": COMPONENT.format(name="service") + "---\n" + TEAM,
        "deploy/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: service\n",
        "config/settings.yaml": "key: [unclosed\n",
    })
    report = convert_backstage(root).report
    assert set(report.elements) == {"Component", "Group"}
    assert not any("settings.yaml" in note or "deployment.yaml" in note for note in report.notes)


def test_yaml_anchors_are_read_as_backstage_reads_them(tmp_path: Path) -> None:
    root = catalog(tmp_path / "catalog", {"catalog-info.yaml": TEAM + """---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: first
  tags: &tags [java, payments]
  labels:
    languages: *tags
spec:
  <<: &defaults
    type: service
    lifecycle: production
    owner: team
  lifecycle: deprecated
"""})
    first = documents_of(root)["first"]
    assert first["tags"] == ["java", "payments"] and first["owner"] == "team"
    assert first["properties"]["backstage_labels"] == {"languages": ["java", "payments"]}
    assert first["lifecycle"] == {"status": "phase-out"}  # the mapping's own key wins over the merged one


def test_an_alias_bomb_is_refused_without_expanding_it(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]" for i in range(8)]
    root = catalog(tmp_path / "catalog", {"catalog-info.yaml": location("./bomb.yaml", "./good.yaml"),
                                          "bomb.yaml": "\n".join(lines) + "\n",
                                          "good.yaml": COMPONENT.format(name="good")})
    started = time.monotonic()
    report = convert_backstage(root).report
    assert time.monotonic() - started < 5
    assert any("bomb.yaml was not read" in note and "alias bomb" in note for note in report.notes)
    assert report.elements["Component"].imported == 1


def test_objects_of_other_tools_are_ignored(tmp_path: Path) -> None:
    root = catalog(tmp_path / "catalog", {"catalog-info.yaml": TEAM + """---
apiVersion: user.openshift.io/v1
kind: Group
metadata:
  name: developers
users: [alice, bob]
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports: [{port: 80}]
"""})
    result = convert_backstage(root)
    documents = {d["id"] for docs in result.documents.values() for d in docs}
    assert documents == {"team"}  # the OpenShift group is not a Backstage group
    assert result.report.elements["Group (not Backstage)"].not_mapped == 1
    assert result.report.elements["Service (not Backstage)"].not_mapped == 1


def test_depends_on_of_a_system_domain_or_group_still_validates(tmp_path: Path) -> None:
    root = catalog(tmp_path / "catalog", {"catalog-info.yaml": TEAM + "---\n" + COMPONENT.format(name="api") + """---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: shop
spec:
  owner: team
  dependsOn: [component:api]
---
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata:
  name: commerce
spec:
  owner: team
  dependsOn: [system:shop]
"""})
    result = convert_backstage(root)
    model, _ = write_and_check(result, tmp_path)
    assert not list(model.of_kind("Integration"))
    shop = model.get("shop")
    assert shop is not None and shop.data["properties"]["backstage_dependsOn"] == ["component:api"]
    assert result.report.relationships["spec.dependsOn"].not_mapped == 2


def test_resources_become_technology_and_annotations_are_kept(tmp_path: Path) -> None:
    root = catalog(tmp_path / "catalog", {"catalog-info.yaml": TEAM + "---\n" + COMPONENT.format(name="api")
                                          + """  dependsOn: [resource:db]
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: db
  annotations:
    backstage.io/techdocs-ref: dir:.
  links: [{url: "https://db.example.com", title: Console}]
spec:
  type: postgres-database
  owner: team
  dependsOn: [resource:cluster]
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: cluster
spec:
  type: kubernetes-cluster
  owner: team
"""})
    model, _ = write_and_check(convert_backstage(root), tmp_path)
    api, db, cluster = model.get("api"), model.get("db"), model.get("cluster")
    assert api is not None and db is not None and cluster is not None
    assert api.data["technologies"] == ["db"] and db.data["runs_on"] == ["cluster"]
    assert (db.kind, db.data["type"], cluster.data["type"]) == ("Technology", "database", "platform")
    assert db.data["properties"]["backstage_annotations"] == {"backstage.io/techdocs-ref": "dir:."}
    assert db.data["properties"]["backstage_links"] == [{"url": "https://db.example.com", "title": "Console"}]
