"""`export_archimate`: valid against the ArchiMate 3.1 XSDs, and `import archimate` gives the same model back."""

from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
import xmlschema

import archrepo
from archrepo.interop import convert_archimate, export_archimate
from archrepo.model import Model
from tests.conftest import copy_fixture
from tests.test_interop_common import CORPUS, ROOT, check_imported, make_repo

XSD = CORPUS / "archimate-xsd"
_A = "{http://www.opengroup.org/xsd/archimate/3.0/}"
_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


class _Schema(xmlschema.XMLSchema10):
    """The vendored XSDs, offline. xmlschema re-derives the schema's validity (a walk over every component)
    for each identity-constraint field it evaluates; it cannot change after the build, so it is cached."""

    @cached_property
    def validity(self) -> str:
        return str(xmlschema.XMLSchema10.validity.fget(self))  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema10:
    return _Schema(str(XSD / "archimate3_Diagram.xsd"), allow="local",
                   locations={"http://www.w3.org/XML/1998/namespace": str(XSD / "xml.xsd")})


def assert_valid(schema: xmlschema.XMLSchema10, path: Path) -> None:
    errors = [f"{e.path}: {e.reason}" for e in schema.iter_errors(str(path))]
    assert not errors, errors[:5]


def round_trip(model: Model, tmp_path: Path) -> tuple[Path, Model]:
    exchange = tmp_path / "export.xml"
    exchange.write_text(export_archimate(model), encoding="utf-8")
    config = make_repo(tmp_path / "back")
    convert_archimate(exchange).write(tmp_path / "back" / "models")
    imported, _ = check_imported(config)
    return exchange, imported


def as_data(model: Model) -> dict[str, dict[str, Any]]:
    return {element.id: element.data for element in model}


def test_small_model_validates_and_round_trips(schema: xmlschema.XMLSchema10, tmp_path: Path) -> None:
    original = archrepo.load(copy_fixture("small", tmp_path / "fixture") / "archrepo.yaml").model
    exchange, imported = round_trip(original, tmp_path)
    assert_valid(schema, exchange)
    assert as_data(imported) == as_data(original)


def test_reference_model_round_trips_with_its_file_layout(tmp_path: Path) -> None:
    original = archrepo.load(ROOT / "archrepo.yaml").model
    _, imported = round_trip(original, tmp_path)
    assert as_data(imported) == as_data(original)
    assert sorted(f.removeprefix("models/") for f in imported.files) == sorted(
        f.removeprefix("models/") for f in original.files)


@pytest.mark.slow
def test_reference_model_export_validates_against_the_xsds(schema: xmlschema.XMLSchema10, tmp_path: Path) -> None:
    model = archrepo.load(ROOT / "archrepo.yaml").model
    path = tmp_path / "reference.xml"
    path.write_text(export_archimate(model), encoding="utf-8")
    assert_valid(schema, path)


def test_export_structure(tmp_path: Path) -> None:
    model = archrepo.load(ROOT / "archrepo.yaml").model
    text = export_archimate(model)
    assert text == export_archimate(model)  # deterministic
    root = ET.fromstring(text)
    types = [e.get(_TYPE) for e in root.iterfind(f"{_A}elements/{_A}element")]
    steps = sum(len(p.data["steps"]) for p in model.of_kind("Process"))
    counts = model.counts()
    assert types.count("ApplicationComponent") == counts["Application"]
    assert types.count("BusinessProcess") == counts["Process"] + steps
    flows = [r for r in root.iterfind(f"{_A}relationships/{_A}relationship") if r.get(_TYPE) == "Flow"]
    assert len(flows) == counts["Integration"]
    view = root.find(f"{_A}views/{_A}diagrams/{_A}view")
    assert view is not None and view.findtext(f"{_A}name") == "Landscape"
    assert len(view.findall(f"{_A}node")) == counts["Application"]
    assert len(view.findall(f"{_A}connection")) == counts["Integration"]
    labels = [item.findtext(f"{_A}label") for item in root.iterfind(f"{_A}organizations/{_A}item")]
    assert labels == ["Strategy", "Business", "Application", "Technology", "Relations", "Views"]
    names = {d.findtext(f"{_A}name") for d in root.iterfind(f"{_A}propertyDefinitions/{_A}propertyDefinition")}
    assert {"archrepo:id", "archrepo:lifecycle.status", "archrepo:standard", "archrepo:security.encrypted",
            "archrepo:relation", "hosting_country"} <= names


EDGE_MODEL = {
    "models/org.yaml": """
        kind: Organisation
        id: 1-trust
        name: "  Trust with spaces  "
        type: health-trust
        external: false
        ---
        kind: Organisation
        id: unit
        name: Unit
        parent: 1-trust
        ---
        kind: Capability
        id: cap
        name: Capability
        description: |
          Two lines,
          trailing newline kept.
        """,
    "models/applications/a.yaml": """
        kind: Application
        id: a
        name: A & <B>
        owner: unit
        vendor: ""
        hosting: on-prem, Oslo
        lifecycle: {status: phase-out, since: 2001-01-01, phase_out: 2027-01-01, retire: 2028-01-01}
        criticality: low
        classification: confidential
        roles: [core-system, external-channel]
        capabilities: [cap]
        tags: ["with, comma", "[bracket", plain, " padded "]
        properties:
          archimate_id: id-from-archi
          country: "NO"
          users: 80000
          ratio: 0.5
          big: 3.0
          flag: true
          nothing: null
          nested: {list: [1, two], map: {k: v}}
          _private: x
        ---
        kind: Application
        id: hub
        name: Hub
        lifecycle: {status: active}
        roles: [integration-platform]
        tags: []
        """,
    "models/data.yaml": """
        kind: DataObject
        id: d
        name: D
        classification: sensitive
        master: a
        """,
    "models/integrations.yaml": """
        kind: Integration
        id: a-to-hub
        source: a
        target: hub
        via: hub
        standard: FHIR-R4
        data: [d]
        mode: sync
        status: planned
        since: 2020-02-02
        until: 2030-03-03
        security: {encrypted: false, authentication: oauth2}
        ---
        kind: Integration
        id: hub-to-a
        name: Back
        source: hub
        target: a
        standard: REST
        data: []
        security: {}
        """,
    "models/process.yaml": """
        kind: Process
        id: p
        name: P
        owner: 1-trust
        capability: cap
        steps:
          - id: s1
            name: Step one
            supported_by: [a, hub]
            next: [s2, s1]
          - id: s2
            name: Step two
        """,
}


def test_edge_values_round_trip_exactly(schema: xmlschema.XMLSchema10, tmp_path: Path) -> None:
    source = tmp_path / "source"
    config = make_repo(source)
    for name, text in EDGE_MODEL.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    original, _ = check_imported(config)
    exchange, imported = round_trip(original, tmp_path)
    assert_valid(schema, exchange)
    assert as_data(imported) == as_data(original)
    root = ET.parse(exchange).getroot()
    assert root.find(f"{_A}elements/{_A}element[@identifier='id-from-archi']") is not None


def test_export_of_an_imported_corpus_model_validates_and_round_trips(schema: xmlschema.XMLSchema10,
                                                                       tmp_path: Path) -> None:
    config = make_repo(tmp_path / "first")
    convert_archimate(CORPUS / "archimate-exchange" / "archisurance-v3.xml").write(tmp_path / "first" / "models")
    first, _ = check_imported(config)
    exchange, second = round_trip(first, tmp_path)
    assert_valid(schema, exchange)
    assert as_data(second) == as_data(first)
