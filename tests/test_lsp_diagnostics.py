"""`archrepo lsp` diagnostics, end to end over stdio: validation problems with exact ranges, rule violations
(severity, rule id, principle, remediation; waived ones as hints), problems in other files after an edit,
unsaved text, broken files, files changed on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp_support import (
    APPLICATIONS,
    INTEGRATIONS,
    SERVER,
    change_file,
    diagnostics_until,
    initialize,
    open_file,
    reference_repo,
    small_repo,
    uri,
)

pytestmark = pytest.mark.asyncio


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient):
    await initialize(lsp_client)
    yield
    await lsp_client.shutdown_session()


async def test_violations_on_the_reference_model(client: LanguageClient, tmp_path: Path) -> None:
    root = reference_repo(tmp_path / "ref")
    path = root / "models/integrations/laboratory/flexlab.yaml"
    document = open_file(client, path)
    found = await diagnostics_until(client, document, lambda ds: any(d.code == "INT001" for d in ds))
    waived = next(d for d in found if d.code == "INT001")
    assert waived.severity == types.DiagnosticSeverity.Hint  # waived in waivers.yaml
    assert "Waived until 2027-06-30" in waived.message
    lines = path.read_text(encoding="utf-8").splitlines()
    line = lines[waived.range.start.line]
    assert line[waived.range.start.character:waived.range.end.character] == "lab-results-sftp"
    assert line.startswith("id:")
    other = root / "models/integrations/logistics/imatis.yaml"
    document = open_file(client, other)
    found = await diagnostics_until(client, document, lambda ds: any(d.code == "INT002" for d in ds))
    violation = next(d for d in found if d.code == "INT002")
    assert violation.severity == types.DiagnosticSeverity.Warning
    assert violation.source == "archrepo"
    assert "point-to-point" in violation.message
    assert "Principle " in violation.message and "How to fix:" in violation.message


async def test_unknown_reference_has_its_range_and_the_closest_id(client: LanguageClient, tmp_path: Path) -> None:
    root = small_repo(tmp_path / "repo")
    path = root / "models/integrations.yaml"
    document = open_file(client, path, INTEGRATIONS.replace("target: dips-arena", "target: dips-arne"))
    found = await diagnostics_until(client, document, lambda ds: any("dips-arne" in d.message for d in ds))
    error = next(d for d in found if "dips-arne" in d.message)
    assert error.severity == types.DiagnosticSeverity.Error
    assert "Did you mean 'dips-arena'?" in error.message
    assert error.range == types.Range(types.Position(5, 8), types.Position(5, 17))
    assert error.data == {"fix": "dips-arena", "wrong": "dips-arne"}
    change_file(client, document, INTEGRATIONS)  # unsaved editor text is what is checked
    await diagnostics_until(client, document, lambda ds: not any(d.severity == 1 for d in ds))


async def test_an_edit_in_one_file_republishes_another(client: LanguageClient, tmp_path: Path) -> None:
    """Renaming an application in file A breaks the references in file B, which is not even open."""
    root = small_repo(tmp_path / "repo")
    a = open_file(client, root / "models/applications.yaml")
    await diagnostics_until(client, a, lambda ds: True)
    b = uri(root / "models/integrations.yaml")
    assert not [d for d in client.diagnostics.get(b, []) if d.severity == types.DiagnosticSeverity.Error]
    change_file(client, a, APPLICATIONS.replace("id: labsys", "id: lab-system"))
    found = await diagnostics_until(client, b, lambda ds: sum("'labsys'" in d.message for d in ds) == 2)
    assert all(d.severity == types.DiagnosticSeverity.Error for d in found if "'labsys'" in d.message)
    process = uri(root / "models/process.yaml")
    await diagnostics_until(client, process, lambda ds: any("'labsys'" in d.message for d in ds))
    change_file(client, a, APPLICATIONS, version=3)  # and back: the errors in B go away
    await diagnostics_until(client, b, lambda ds: not any("'labsys'" in d.message for d in ds))


async def test_broken_yaml_still_gets_diagnostics(client: LanguageClient, tmp_path: Path) -> None:
    root = small_repo(tmp_path / "repo")
    path = root / "models/data.yaml"
    document = open_file(client, path, "kind: DataObject\nid: x\nname: [unclosed\n")
    found = await diagnostics_until(client, document, lambda ds: bool(ds))
    assert any("YAML syntax error" in d.message for d in found)
    change_file(client, document, "kind: DataObject\nid: x\nname: X\nclasification: sensitive\n")
    found = await diagnostics_until(client, document, lambda ds: any("clasification" in d.message for d in ds))
    typo = next(d for d in found if "unknown field" in d.message)
    assert typo.range == types.Range(types.Position(3, 0), types.Position(3, 13))
    assert typo.data == {"fix": "classification", "wrong": "clasification"}


async def test_a_file_outside_any_repository(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "loose.yaml"
    path.write_text("kind: Application\n", encoding="utf-8")
    document = open_file(client, path)
    found = await diagnostics_until(client, document, lambda ds: bool(ds))
    assert len(found) == 1 and found[0].severity == types.DiagnosticSeverity.Information
    assert "no architecture repository" in found[0].message


async def test_a_broken_config_is_reported_on_archrepo_yaml(client: LanguageClient, tmp_path: Path) -> None:
    root = small_repo(tmp_path / "repo", config="models: [models]\nmodles: [x]\n")
    open_file(client, root / "models/data.yaml")
    found = await diagnostics_until(client, uri(root / "archrepo.yaml"), lambda ds: bool(ds))
    assert any("modles" in d.message for d in found)
    assert found[0].range.start.line == 1


async def test_files_changed_on_disk(client: LanguageClient, tmp_path: Path) -> None:
    root = small_repo(tmp_path / "repo")
    document = open_file(client, root / "models/integrations.yaml")
    await diagnostics_until(client, document, lambda ds: not any(d.severity == 1 for d in ds))
    applications = root / "models/applications.yaml"
    applications.write_text(APPLICATIONS.replace("id: broker", "id: esb"), encoding="utf-8")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        [types.FileEvent(uri(applications), types.FileChangeType.Changed)]))
    found = await diagnostics_until(client, document, lambda ds: sum("'broker'" in d.message for d in ds) == 2)
    assert all(d.severity == types.DiagnosticSeverity.Error for d in found if "'broker'" in d.message)
    applications.unlink()
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        [types.FileEvent(uri(applications), types.FileChangeType.Deleted)]))
    await diagnostics_until(client, document, lambda ds: any("'labsys'" in d.message for d in ds))


async def test_a_clean_file_hears_that_it_has_no_problems(client: LanguageClient, tmp_path: Path) -> None:
    """An editor keeps what it last heard for a file: an opened file without problems gets an empty list."""
    root = small_repo(tmp_path / "repo")
    document = open_file(client, root / "models/data.yaml")
    assert await diagnostics_until(client, document, lambda ds: True, timeout=60) == []
