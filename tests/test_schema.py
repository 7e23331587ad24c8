"""`archrepo schema`: the field reference (text, Markdown in docs/model.md) and the one JSON Schema for editors,
checked with a real JSON Schema validator against the reference model and against broken documents; the
editor settings `init` writes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from archrepo.errors import DiagnosticSink
from archrepo.model.editor_schema import editor_schema
from archrepo.model.elements import KINDS
from archrepo.model.reference import kind_fields, render_markdown
from archrepo.model.yamlsource import parse_documents
from tests.conftest import ROOT, run_cli, run_process

DOC = ROOT / "docs" / "model.md"


def _validator() -> jsonschema.Draft202012Validator:
    schema = editor_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _documents(root: Path) -> list[tuple[str, object]]:
    found = []
    for path in sorted(root.rglob("*.yaml")):
        sink = DiagnosticSink()
        for document in parse_documents(path.read_text(encoding="utf-8"), path.name, sink):
            found.append((f"{path.relative_to(root)}:{document.line}", document.data))
        assert not sink.errors
    return found


def test_every_document_of_the_reference_model_is_valid_against_the_editor_schema() -> None:
    validator = _validator()
    documents = _documents(ROOT / "models")
    assert len(documents) > 250
    kinds = set()
    for where, data in documents:
        errors = [error.message for error in validator.iter_errors(data)]
        assert not errors, f"{where}: {errors}"
        kinds.add(data["kind"])  # type: ignore[index]
    assert len(kinds) >= 6 and kinds <= set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_a_document_made_of_the_schemas_examples_is_valid(kind: str) -> None:
    """Every kind (the reference model may not use them all) with every top-level field set to its example."""
    from archrepo.model.reference import kind_schema

    properties = kind_schema(kind)["properties"]
    document = {name: spec["examples"][0] for name, spec in properties.items() if spec.get("examples")}
    document["kind"] = kind
    document.setdefault("tags", ["regional"])
    document.setdefault("properties", {"ticket": "ARK-1"})
    assert set(document) == set(properties)
    assert not [error.message for error in _validator().iter_errors(document)]


APPLICATION = {"kind": "Application", "id": "lab", "name": "Lab", "lifecycle": {"status": "active"}}


@pytest.mark.parametrize(("document", "words"), [
    ({**APPLICATION, "kind": "Applicaton"}, "is not one of"),
    ({key: value for key, value in APPLICATION.items() if key != "id"}, "'id' is a required property"),
    ({**APPLICATION, "ownr": "x"}, "Additional properties are not allowed ('ownr'"),
    ({**APPLICATION, "lifecycle": {"status": "actve"}}, "'actve' is not one of"),
    ({**APPLICATION, "lifecycle": {"status": "active", "since": "2026-02-30"}}, "is not a 'date'"),
    ({**APPLICATION, "status": "active"}, "Additional properties are not allowed ('status'"),
    ({key: value for key, value in APPLICATION.items() if key != "lifecycle"}, "'lifecycle' is a required"),
    ({**APPLICATION, "owner": "Not_An_Id"}, "does not match"),
    ({"kind": "Integration", "id": "i", "source": "a", "target": "b", "standard": "HL7v2", "mode": "push"},
     "'push' is not one of"),
    ({"kind": "Integration", "id": "i", "source": "a", "target": "b", "standard": "HL7v2",
      "lifecycle": {"status": "retired"}}, "Additional properties are not allowed ('lifecycle'"),
    ({"kind": "Process", "id": "p", "name": "P", "steps": [{"id": "s"}]}, "'name' is a required property"),
    ({"kind": "Technology", "id": "t", "name": "T", "ring": "maybe"}, "'maybe' is not one of"),
    ({"kind": "Organisation", "id": "o", "name": "O", "external": "yes"}, "'yes' is not of type 'boolean'"),
])
def test_broken_documents_are_invalid_against_the_editor_schema(document: dict, words: str) -> None:
    messages = [error.message for error in _validator().iter_errors(document)]
    assert any(words in message for message in messages), messages


def test_init_writes_the_schema_and_the_editor_settings(tmp_path: Path) -> None:
    target = tmp_path / "architecture"
    assert run_process(["init", str(target)], tmp_path).exit_code == 0
    written = (target / ".archrepo" / "schema.json").read_text(encoding="utf-8")
    assert written == run_cli(["schema", "--json"], tmp_path).stdout
    settings = json.loads((target / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    globs = settings["yaml.schemas"]["./.archrepo/schema.json"]
    assert set(globs) == {"models/**/*.yaml", "models/**/*.yml"}
    matched = {path for pattern in globs for path in target.glob(pattern)}
    assert matched == set((target / "models").rglob("*.y*ml")) and matched
    validator = jsonschema.Draft202012Validator(json.loads(written), format_checker=jsonschema.FormatChecker())
    for where, data in _documents(target / "models"):
        assert not list(validator.iter_errors(data)), where


def test_docs_model_md_is_generated_from_the_schemas() -> None:
    assert DOC.read_text(encoding="utf-8") == render_markdown(), (
        "docs/model.md and the schemas drifted apart; refresh it with "
        "`archrepo schema --markdown --output docs/model.md`")
    assert run_cli(["schema", "--markdown"], ROOT).stdout == render_markdown()


def test_the_reference_covers_every_kind_and_field_with_a_meaning_and_an_example() -> None:
    text = DOC.read_text(encoding="utf-8")
    for kind in KINDS:
        assert f"## {kind}\n" in text
        for field in kind_fields(kind):
            assert f"| `{field.path}` |" in text
            assert field.description, f"{kind}.{field.path} has no description in its schema"
            if field.type != "mapping" or field.path != "properties":
                assert field.example is not None, f"{kind}.{field.path} has no example in its schema"
    for word in ("`source` **sends the data**", "`target` **receives it**", "`initiator`", "`via`",
                 "# yaml-language-server: $schema="):
        assert word in text


def test_schema_command_prints_the_reference(tmp_path: Path) -> None:
    everything = run_cli(["schema"], tmp_path)
    assert everything.exit_code == 0
    assert all(f"{kind}: " in everything.stdout for kind in KINDS)
    one = run_cli(["schema", "integration"], tmp_path)
    assert one.exit_code == 0 and one.stdout.startswith("Integration: ")
    assert "  initiator  (one of source | target, optional, default source)\n" in one.stdout
    assert "Application:" not in one.stdout
    assert json.loads(run_cli(["schema", "Process", "--json"], tmp_path).stdout)["title"] == "Process"
    unknown = run_cli(["schema", "integratoin"], tmp_path)
    assert unknown.exit_code == 2 and "Did you mean Integration?" in unknown.stderr
    assert run_cli(["schema", "--json", "--markdown"], tmp_path).exit_code == 2


def test_readme_links_the_model_reference() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Model files"):]
    assert "(docs/model.md)" in section[:section.index("\n## ", 1)]
