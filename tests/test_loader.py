"""The loader: which files it reads, the source map of elements and fields, and the library API."""

from __future__ import annotations

from pathlib import Path

import pytest

import archrepo
from archrepo.config import load_config
from archrepo.errors import ModelError
from archrepo.model.loader import discover_files, validate_model
from tests.test_validation_defects import BASE


def test_discovers_yaml_and_yml_skipping_hidden_and_other_files(make_repo) -> None:
    repo = make_repo({**BASE, "models/deep/er/x.yml": "kind: Capability\nid: x\nname: X\n",
                      "models/.hidden/y.yaml": "not: [valid",
                      "models/.z.yaml": "not: [valid", "models/readme.md": "# notes",
                      "models/data.json": "{}"})
    files = [relative for _, relative in discover_files(load_config(repo / "archrepo.yaml"))]
    assert files == ["models/base.yaml", "models/deep/er/x.yml"]


def test_several_model_paths_and_a_single_file(make_repo) -> None:
    repo = make_repo({"models/base.yaml": BASE["models/base.yaml"],
                      "extra/apps.yaml": "kind: Application\nid: lab\nname: Lab\nlifecycle: {status: active}\n",
                      "one.yaml": "kind: Capability\nid: lab-cap\nname: Lab\n"},
                     config="models: [models, extra, one.yaml]\n")
    model = archrepo.load(repo / "archrepo.yaml").model
    assert {"lab", "lab-cap", "dips-arena"} <= set(model.elements)
    assert model.files == ["extra/apps.yaml", "models/base.yaml", "one.yaml"]


def test_source_map_locates_elements_and_fields(make_repo) -> None:
    repo = make_repo({**BASE, "models/p.yaml": """
        # a comment first
        kind: Process
        id: p
        name: P
        steps:
          - id: a
            name: A
            supported_by: [dips-arena]
            next: [b]
          - id: b
            name: B
        """})
    model = archrepo.load(repo / "archrepo.yaml").model
    assert str(model.get("p").location) == "models/p.yaml:2"
    assert str(model.source_map.location("p", "steps[0].supported_by[0]")) == "models/p.yaml:8"
    assert str(model.source_map.location("p", "steps[1].name")) == "models/p.yaml:11"
    assert str(model.get("epikrise").location) == "models/base.yaml:12"
    assert model.source_map.location("nope") is None


def test_model_data_stays_clean_and_dates_are_text(make_repo) -> None:
    repo = make_repo(BASE)
    model = archrepo.load(repo / "archrepo.yaml").model
    assert model.get("dips-arena").data == {
        "kind": "Application", "id": "dips-arena", "name": "DIPS Arena", "owner": "sykehuspartner",
        "lifecycle": {"status": "active", "since": "2016-03-01"}}


def test_quoted_and_unquoted_dates_are_the_same(make_repo) -> None:
    repo = make_repo({**BASE, "models/a.yaml": "kind: Application\nid: a\nname: A\n"
                      "lifecycle: {status: active, since: '2020-01-02', retire: 2030-01-02}\n"})
    lifecycle = archrepo.load(repo / "archrepo.yaml").model.get("a").data["lifecycle"]
    assert lifecycle == {"status": "active", "since": "2020-01-02", "retire": "2030-01-02"}


def test_load_raises_model_error_with_every_diagnostic(make_repo) -> None:
    repo = make_repo({**BASE, "models/bad.yaml": "kind: Organisation\nid: x\nnme: X\n---\nkind: Capability\n"
                      "id: y\nname: Y\nparent: nothing\n"})
    with pytest.raises(ModelError) as raised:
        archrepo.load(repo / "archrepo.yaml")
    rendered = raised.value.format()
    assert "models/bad.yaml:3: error: unknown field 'nme'" in rendered
    assert "models/bad.yaml:8: error: Capability 'y': 'parent' refers to 'nothing'" in rendered
    assert rendered.splitlines()[-1].startswith("the model is invalid (")


def test_warnings_do_not_make_the_model_invalid(make_repo) -> None:
    repo = make_repo({**BASE, "models/i.yaml": "kind: Integration\nid: loop\nsource: dips-arena\n"
                      "target: dips-arena\nstandard: REST\nvia: dips-arena\n"})
    model, diagnostics = validate_model(load_config(repo / "archrepo.yaml"))
    assert model is not None
    assert [d.line for d in model.warnings] == [4, 6]
    assert all(d.level.value == "warning" for d in diagnostics)


def test_an_invalid_element_does_not_cascade(make_repo) -> None:
    """One typo in an element: one error, not one more for every element that refers to it."""
    repo = make_repo({**BASE, "models/a.yaml": "kind: Application\nid: lab\nname: Lab\nlifecycle: {status: activ}\n"
                      "---\nkind: Integration\nid: f\nsource: lab\ntarget: dips-arena\nstandard: HL7v2\n"})
    _, diagnostics = validate_model(load_config(repo / "archrepo.yaml"))
    assert [(d.file, d.line) for d in diagnostics] == [("models/a.yaml", 4)]


def test_large_file_count_loads(tmp_path: Path) -> None:
    files = {f"models/cap/{i:04d}.yaml": f"kind: Capability\nid: cap-{i}\nname: Capability {i}\n" for i in range(300)}
    from tests.conftest import write_repo

    repo = write_repo(tmp_path / "r", files)
    assert len(archrepo.load(repo / "archrepo.yaml").model) == 300
