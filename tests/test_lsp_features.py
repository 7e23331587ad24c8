"""`archrepo lsp` requests, end to end over stdio: completion, hover, definition, references, rename (across
three files, and refused), symbols, code actions, and errors that become error responses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from tests.lsp_support import (
    INTEGRATIONS,
    PROCESS,
    SERVER,
    change_file,
    diagnostics_until,
    open_file,
    position_of,
    reference_repo,
    small_repo,
    uri,
)

pytestmark = pytest.mark.asyncio


async def _complete(client: LanguageClient, document: str, position: types.Position) -> dict[str, str | None]:
    result = await client.text_document_completion_async(types.CompletionParams(
        types.TextDocumentIdentifier(document), position))
    items = result.items if isinstance(result, types.CompletionList) else result or []
    return {item.label: item.detail for item in items}


async def test_completion_of_ids_by_the_kind_the_field_expects(client: LanguageClient, tmp_path: Path) -> None:
    root = small_repo(tmp_path / "repo")
    text = INTEGRATIONS.replace("target: dips-arena", "target: ").replace("via: broker", "via: ", 1)
    text = text.replace("data: [lab-result]", "data: [")
    document = open_file(client, root / "models/integrations.yaml", text)
    targets = await _complete(client, document, position_of(text, "target: ", offset=8))
    assert targets == {"dips-arena": "DIPS Arena", "labsys": "Lab system", "broker": "Integration broker"}
    platforms = await _complete(client, document, position_of(text, "via: ", offset=5))
    assert platforms == {"broker": "Integration broker"}
    data = await _complete(client, document, position_of(text, "data: [", offset=7))
    assert data == {"lab-result": "Lab result"}
    modes = await _complete(client, document, position_of(text, "mode: async", offset=6))
    assert set(modes) == {"sync", "async", "batch"}
    fields = await _complete(client, document, position_of(text, "security:", offset=0))
    assert {"initiator", "status", "until"} <= set(fields) and "source" not in fields  # source is written already


async def test_completion_of_owners_steps_and_fields(client: LanguageClient, tmp_path: Path) -> None:
    root = small_repo(tmp_path / "repo")
    text = PROCESS.replace("owner: hso", "owner: h").replace("next: [analyse]", "next: [")
    text += "  - id: report\n    supp"
    document = open_file(client, root / "models/process.yaml", text)
    owners = await _complete(client, document, position_of(text, "owner: h", offset=8))
    assert owners == {"hso": "Helse Sør-Øst", "sykehuspartner": "Sykehuspartner"}
    steps = await _complete(client, document, position_of(text, "next: [", offset=7))
    assert set(steps) == {"order", "analyse", "report"}
    fields = await _complete(client, document, position_of(text, "    supp", occurrence=2, offset=8))
    assert set(fields) == {"name", "next", "supported_by"}  # a step's fields but its id, written already


async def test_hover_on_an_id_and_on_a_rule_in_a_waiver(client: LanguageClient, tmp_path: Path) -> None:
    root = reference_repo(tmp_path / "ref")
    path = root / "models/integrations/logistics/imatis.yaml"
    text = path.read_text(encoding="utf-8")
    document = open_file(client, path)
    hover = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(document), position_of(text, "id: imatis-checkin-to-dips", offset=6)))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "**Integration** `imatis-checkin-to-dips`" in hover.contents.value
    assert "INT002 (warning)" in hover.contents.value  # its open violation
    target = position_of(text, "target: dips-arena", offset=10)
    hover = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(document), target))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "**Application** `dips-arena` — DIPS Arena" in hover.contents.value
    assert "owner: `" in hover.contents.value and "lifecycle: status active" in hover.contents.value
    waivers = root / "waivers.yaml"
    waiver_text = waivers.read_text(encoding="utf-8")
    document = open_file(client, waivers)
    hover = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(document), position_of(waiver_text, "rule: SEC001", offset=7)))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.value.startswith("**SEC001**") and "How to fix:" in hover.contents.value


async def test_definition_and_references(client: LanguageClient, tmp_path: Path) -> None:
    root = small_repo(tmp_path / "repo")
    text = (root / "models/integrations.yaml").read_text(encoding="utf-8")
    document = open_file(client, root / "models/integrations.yaml")
    at = types.TextDocumentPositionParams(types.TextDocumentIdentifier(document), position_of(text, "labsys", offset=2))
    found = await client.text_document_definition_async(types.DefinitionParams(at.text_document, at.position))
    assert isinstance(found, list) and len(found) == 1
    applications = (root / "models/applications.yaml").read_text(encoding="utf-8")
    assert found[0].uri == uri(root / "models/applications.yaml")
    assert found[0].range.start == position_of(applications, "id: labsys", offset=4)
    found = await client.text_document_references_async(types.ReferenceParams(
        context=types.ReferenceContext(include_declaration=True), text_document=at.text_document,
        position=at.position))
    where = sorted((Path(loc.uri).name, loc.range.start.line) for loc in found or [])
    integration_lines = [position_of(text, "source: labsys").line, position_of(text, "target: labsys").line]
    assert where == [("applications.yaml", position_of(applications, "id: labsys").line),
                     ("data.yaml", 4), *(("integrations.yaml", line) for line in integration_lines),
                     ("process.yaml", position_of(PROCESS, "[labsys]").line)]


async def test_rename_across_three_files(client: LanguageClient, tmp_path: Path) -> None:
    root = small_repo(tmp_path / "repo")
    text = (root / "models/applications.yaml").read_text(encoding="utf-8")
    document = open_file(client, root / "models/applications.yaml")
    at = position_of(text, "id: labsys", offset=5)
    edit = await client.text_document_rename_async(types.RenameParams(types.TextDocumentIdentifier(document), at,
                                                                      "lab-system"))
    assert edit is not None and edit.changes is not None
    assert {Path(u).name: len(edits) for u, edits in edit.changes.items()} == {
        "applications.yaml": 1, "data.yaml": 1, "integrations.yaml": 2, "process.yaml": 1}
    for target, edits in edit.changes.items():  # apply the edit as an editor would: no reference is left behind
        path = Path(target.removeprefix("file://"))
        lines = path.read_text(encoding="utf-8").splitlines()
        for change in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
            line = lines[change.range.start.line]
            assert line[change.range.start.character:change.range.end.character] == "labsys"
            lines[change.range.start.line] = (line[:change.range.start.character] + change.new_text
                                              + line[change.range.end.character:])
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from tests.conftest import run_cli

    assert run_cli(["validate"], root).exit_code == 0


@pytest.mark.parametrize(("new_id", "reason"), [("dips-arena", "already exists"), ("Lab System", "not a valid id")])
async def test_rename_is_refused_with_a_reason(client: LanguageClient, tmp_path: Path, new_id: str,
                                               reason: str) -> None:
    root = small_repo(tmp_path / "repo")
    text = (root / "models/applications.yaml").read_text(encoding="utf-8")
    document = open_file(client, root / "models/applications.yaml")
    with pytest.raises(JsonRpcException, match=reason):
        await client.text_document_rename_async(types.RenameParams(
            types.TextDocumentIdentifier(document), position_of(text, "id: labsys", offset=5), new_id))


async def test_document_and_workspace_symbols(client: LanguageClient, tmp_path: Path) -> None:
    root = small_repo(tmp_path / "repo")
    document = open_file(client, root / "models/process.yaml")
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        types.TextDocumentIdentifier(document)))
    assert symbols is not None and [s.name for s in symbols] == ["lab-test"]
    process = symbols[0]
    assert isinstance(process, types.DocumentSymbol) and process.kind == types.SymbolKind.Function
    assert [c.name for c in process.children or []] == ["order", "analyse"]
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="lab"))
    assert found is not None
    assert sorted(s.name for s in found) == ["dips-to-lab", "lab-result", "lab-test", "lab-to-dips", "labsys"]


async def test_did_you_mean_code_action(client: LanguageClient, tmp_path: Path) -> None:
    root = small_repo(tmp_path / "repo")
    text = INTEGRATIONS.replace("source: labsys", "source: labsis")
    document = open_file(client, root / "models/integrations.yaml", text)
    found = await diagnostics_until(client, document, lambda ds: any("labsis" in d.message for d in ds))
    error = next(d for d in found if "labsis" in d.message)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(document), error.range, types.CodeActionContext([error])))
    assert actions is not None and len(actions) == 1
    action = actions[0]
    assert isinstance(action, types.CodeAction) and action.title == "Change 'labsis' to 'labsys'"
    assert action.edit is not None and action.edit.changes is not None
    (edit,) = action.edit.changes[document]
    assert edit.new_text == "labsys" and edit.range == error.range


async def test_waiver_code_action(client: LanguageClient, tmp_path: Path) -> None:
    """No waivers file yet: the action creates waivers.yaml with the entry; the config finds it."""
    root = small_repo(tmp_path / "repo")
    text = INTEGRATIONS.replace("  authentication: mtls\n", "")
    path = root / "models/integrations.yaml"
    path.write_text(text, encoding="utf-8")
    document = open_file(client, path)
    found = await diagnostics_until(client, document, lambda ds: any(d.code == "SEC002" for d in ds))
    violation = next(d for d in found if d.code == "SEC002")
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(document), violation.range, types.CodeActionContext([violation])))
    assert actions is not None and len(actions) == 1
    action = actions[0]
    assert isinstance(action, types.CodeAction) and action.edit is not None
    create, edit = action.edit.document_changes or []
    assert isinstance(create, types.CreateFile) and create.uri == uri(root / "waivers.yaml")
    assert isinstance(edit, types.TextDocumentEdit)
    expires = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    assert edit.edits[0].new_text == (f'- rule: SEC002\n  element: lab-to-dips\n  reason: "TODO: why"\n'
                                      f'  approved_by: "TODO"\n  expires: {expires}\n')
    (root / "waivers.yaml").write_text(edit.edits[0].new_text, encoding="utf-8")  # as the editor applies it
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        [types.FileEvent(uri(root / "waivers.yaml"), types.FileChangeType.Created)]))
    found = await diagnostics_until(client, document, lambda ds: any(
        d.code == "SEC002" and d.severity == types.DiagnosticSeverity.Hint for d in ds))


async def test_errors_become_error_responses_and_the_server_goes_on(client: LanguageClient, tmp_path: Path) -> None:
    root = small_repo(tmp_path / "repo")
    missing = uri(root / "models/not-there.yaml")  # never opened, not on disk: the handler fails
    with pytest.raises(JsonRpcException, match="completing failed"):
        await client.text_document_completion_async(types.CompletionParams(
            types.TextDocumentIdentifier(missing), types.Position(0, 0)))
    assert any("error while completing" in m.message for m in client.log_messages)
    document = open_file(client, root / "models/data.yaml")
    change_file(client, document, "\x00\x01 not yaml: [")
    found = await diagnostics_until(client, document, lambda ds: bool(ds))
    assert found
    hover = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(document),
                                                                     types.Position(40, 3)))
    assert hover is None


@pytest_lsp.fixture(config=SERVER)
async def plain_client(lsp_client: LanguageClient):
    """A client that announces no capabilities at all (no versioned edits, no diagnostic data kept)."""
    await lsp_client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
    yield
    await lsp_client.shutdown_session()


async def test_waiver_action_for_a_plain_client(plain_client: LanguageClient, tmp_path: Path) -> None:
    """On the reference model: the entry is appended to the existing waivers.yaml as plain `changes`, and the
    action is found from the diagnostic's code and range when the editor dropped its data."""
    import attrs

    root = reference_repo(tmp_path / "ref")
    path = root / "models/integrations/logistics/imatis.yaml"
    document = open_file(plain_client, path)
    found = await diagnostics_until(plain_client, document, lambda ds: any(d.code == "INT002" for d in ds))
    violation = attrs.evolve(next(d for d in found if d.code == "INT002"), data=None)
    actions = await plain_client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(document), violation.range, types.CodeActionContext([violation])))
    assert actions is not None and len(actions) == 1
    action = actions[0]
    assert isinstance(action, types.CodeAction) and action.edit is not None and action.edit.changes is not None
    waivers = root / "waivers.yaml"
    (edit,) = action.edit.changes[uri(waivers)]
    lines = waivers.read_text(encoding="utf-8").splitlines()
    assert edit.range.start == edit.range.end == types.Position(len(lines), 0)
    assert edit.new_text.startswith("- rule: INT002\n  element: imatis-checkin-to-dips\n")
    appended = waivers.read_text(encoding="utf-8") + edit.new_text
    waivers.write_text(appended, encoding="utf-8")
    from tests.conftest import run_cli

    assert run_cli(["validate"], root).exit_code == 0  # the waivers file with the new entry is valid
