"""`archrepo lsp` diagnostics, end to end over stdio: validation problems with exact ranges, rule violations
(severity, rule id, principle, remediation; waived ones as hints), problems in other files after an edit,
unsaved text, broken files, files changed on disk."""

from __future__ import annotations

import asyncio
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
    open_file,
    reference_repo,
    small_repo,
    uri,
)

pytestmark = pytest.mark.asyncio


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


async def test_rules_without_reach_run_on_save(client: LanguageClient, tmp_path: Path) -> None:
    """INT003 (no `reach`) needs the whole model: a cycle typed in shows when the file is saved."""
    root = small_repo(tmp_path / "repo")
    path = root / "models/integrations.yaml"
    document = open_file(client, path)
    await diagnostics_until(client, document, lambda ds: True)
    cycle = INTEGRATIONS.replace("standard: HL7v2\n", "standard: HL7v2\nmode: sync\n", 1).replace(
        "mode: async", "mode: sync")
    change_file(client, document, cycle)
    await diagnostics_until(client, document, lambda ds: any(d.code == "RES001" for d in ds))  # near the edit
    assert not any(d.code == "INT003" for d in client.diagnostics[document])
    path.write_text(cycle, encoding="utf-8")
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(document)))
    found = await diagnostics_until(client, document, lambda ds: any(d.code == "INT003" for d in ds))
    line = cycle.count("\n", 0, cycle.index("id: dips-to-lab"))
    assert next(d for d in found if d.code == "INT003").range.start.line == line


async def test_rule_files_are_checked_as_typed_and_when_saved(client: LanguageClient, tmp_path: Path) -> None:
    root = small_repo(tmp_path / "repo")
    rule = root / "rules/AR001-application-has-owner.yaml"
    text = rule.read_text(encoding="utf-8")
    document = open_file(client, rule)
    change_file(client, document, text.replace("severity: error", "severity: fatal"))
    found = await diagnostics_until(client, document, lambda ds: any("fatal" in d.message for d in ds))
    assert found[0].range.start.line == text.splitlines().index("severity: error")
    rule.write_text(text.replace("principle: ", "principle: NO-SUCH-"), encoding="utf-8")
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(document)))
    await diagnostics_until(client, document, lambda ds: any("NO-SUCH-" in d.message for d in ds))


async def test_violations_move_with_their_elements(client: LanguageClient, tmp_path: Path) -> None:
    """An edit above an element (no change to its data) moves its violations' ranges with it."""
    root = small_repo(tmp_path / "repo")
    path = root / "models/applications.yaml"
    text = path.read_text(encoding="utf-8")
    document = open_file(client, path)
    found = await diagnostics_until(client, document, lambda ds: any(d.code == "QA001" for d in ds))
    lines = sorted(d.range.start.line for d in found if d.code == "QA001")
    change_file(client, document, "# a comment\n# and another\n" + text)
    found = await diagnostics_until(client, document, lambda ds: sorted(
        d.range.start.line for d in ds if d.code == "QA001") == [line + 2 for line in lines])
    assert all(d.range.end.character > d.range.start.character for d in found)


@pytest_lsp.fixture(config=SERVER)
async def watching_client(lsp_client: LanguageClient):
    """A client that lets servers register file watchers (as VS Code does), recording what they ask for."""
    lsp_client.registrations = []  # type: ignore[attr-defined]

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        lsp_client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    capabilities = types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(
        did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True)))
    await lsp_client.initialize_session(types.InitializeParams(capabilities=capabilities))
    yield
    await lsp_client.shutdown_session()


async def test_the_server_asks_to_be_told_of_yaml_files_changing(watching_client: LanguageClient) -> None:
    for _ in range(200):
        if watching_client.registrations:  # type: ignore[attr-defined]
            break
        await asyncio.sleep(0.05)
    (registration,) = watching_client.registrations  # type: ignore[attr-defined]
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    assert [w["globPattern"] for w in registration.register_options["watchers"]] == ["**/*.yaml", "**/*.yml"]


async def test_what_can_be_read_of_a_broken_file_is_checked(client: LanguageClient, tmp_path: Path) -> None:
    """A YAML error in the second document: the first is still checked (its unknown owner is reported)."""
    root = small_repo(tmp_path / "repo")
    text = ("kind: Application\nid: newapp\nname: New\nowner: hsoo\nlifecycle:\n  status: active\n"
            "---\nkind: Application\nid: [broken\n")
    document = open_file(client, root / "models/new.yaml", text)
    found = await diagnostics_until(client, document, lambda ds: len(ds) >= 2)
    assert any("YAML syntax error" in d.message for d in found)
    unknown = next(d for d in found if "'hsoo'" in d.message)
    assert unknown.range == types.Range(types.Position(3, 7), types.Position(3, 11))
    assert unknown.data == {"fix": "hso", "wrong": "hsoo"}


async def test_a_large_repository_reports_the_open_file_first_and_then_every_file(client: LanguageClient,
                                                                                   tmp_path: Path) -> None:
    """From FIRST_FROM elements the first load evaluates the rules for the open file, publishes its diagnostics,
    and then evaluates them on the rest a rule at a time (changes analysed in between), holding the other files'
    diagnostics back until then: in the end every file's are those of a full load."""
    from archrepo.lsp.workspace import FIRST_FROM, RepositoryWorkspace
    from tests.test_generator import gen

    root = tmp_path / "large"
    gen.generate(root, applications=800, seed=5, violation_rate=0.05)
    path = next(p for p in sorted((root / "models").rglob("*.yaml")) if "kind: Integration" in p.read_text())
    full = RepositoryWorkspace(root)
    full.texts[full.relative(path)] = path.read_text(encoding="utf-8")
    full.load()
    assert len(full.index.elements) >= FIRST_FROM

    history: dict[str, list[set[str]]] = {}

    class Recorded(dict):  # every publication, not only the last: none may show a file's problems half done
        def __setitem__(self, key: str, value: list[types.Diagnostic]) -> None:
            history.setdefault(key, []).append({d.message for d in value})
            super().__setitem__(key, value)

    client.diagnostics = Recorded()
    document = open_file(client, path)
    mine = {d.message for d in await diagnostics_until(client, document, lambda ds: True)}
    assert mine == {p.message for p in full.problems(full.relative(path))} != set()
    await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(document),
                                                             types.Position(0, 0)))  # waits for the rest
    expected = {uri(root / file): {p.message for p in full.problems(file)} for file in full.index.files}
    assert sum(1 for found in expected.values() if found) > 20
    for file_uri, messages in expected.items():
        if messages:
            await diagnostics_until(client, file_uri, lambda ds, m=messages: {d.message for d in ds} == m)
    assert all(published == expected[file_uri] for file_uri, versions in history.items()
               for published in versions)
