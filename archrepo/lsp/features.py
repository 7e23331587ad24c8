"""The LSP methods the server answers, each a thin handler over ``RepositoryWorkspace`` and the feature
modules, each guarded (``server.guarded``)."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from archrepo.lsp import actions, completion, navigation
from archrepo.lsp.server import ArchrepoServer, Refused, guarded
from archrepo.lsp.workspace import RepositoryWorkspace

__all__ = ["create_server"]

_WATCHED = ["**/*.yaml", "**/*.yml"]


def create_server() -> ArchrepoServer:
    server = ArchrepoServer()
    _documents(server)
    _requests(server)
    _workspace(server)
    return server


def _documents(server: ArchrepoServer) -> None:
    def text_of(uri: str) -> str:
        return server.workspace.get_text_document(uri).source

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    @guarded(server, "opening a document", request=False)
    async def did_open(params: types.DidOpenTextDocumentParams) -> None:
        found = server.locate(params.text_document.uri)
        if found is None:
            server.outside(params.text_document.uri)
            return
        workspace, file = found
        workspace.texts[file] = params.text_document.text
        server.queue(workspace, file, params.text_document.text, 0.0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    @guarded(server, "applying an edit", request=False)
    async def did_change(params: types.DidChangeTextDocumentParams) -> None:
        found = server.locate(params.text_document.uri)
        if found is not None:
            workspace, file = found
            text = text_of(params.text_document.uri)
            workspace.texts[file] = text
            server.queue(workspace, file, text, server.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    @guarded(server, "handling a save", request=False)
    async def did_save(params: types.DidSaveTextDocumentParams) -> None:
        found = server.locate(params.text_document.uri)
        if found is not None:
            workspace, file = found
            model = workspace.role(file) == "model"
            # a saved model file is what the editor has; a saved rule, waiver or config file is read again
            server.queue(workspace, file, workspace.texts.get(file) if model else None, 0.0, save=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    @guarded(server, "closing a document", request=False)
    async def did_close(params: types.DidCloseTextDocumentParams) -> None:
        found = server.locate(params.text_document.uri)
        if found is not None:
            workspace, file = found
            workspace.texts.pop(file, None)
            server.queue(workspace, file, None, 0.0)  # what is on disk counts again


def _requests(server: ArchrepoServer) -> None:
    def uri_for(workspace: RepositoryWorkspace) -> Any:
        return lambda file: server.uri_of(workspace, file)

    @server.feature(types.TEXT_DOCUMENT_COMPLETION,
                    types.CompletionOptions(trigger_characters=[":", " ", "[", ",", "-"]))
    @guarded(server, "completing", request=True)
    async def complete(params: types.CompletionParams) -> types.CompletionList:
        found = await server.ready(params.text_document.uri, changes=False)  # the text as typed is read below
        text = server.workspace.get_text_document(params.text_document.uri).source
        items = completion.complete(found[0] if found else None, text, params.position)
        return types.CompletionList(is_incomplete=False, items=items)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @guarded(server, "hovering", request=True)
    async def hover(params: types.HoverParams) -> types.Hover | None:
        found = await server.ready(params.text_document.uri, rules=True)  # it shows the element's violations
        return navigation.hover(found[0], found[1], params.position) if found else None

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    @guarded(server, "finding the definition", request=True)
    async def definition(params: types.DefinitionParams) -> list[types.Location]:
        found = await server.ready(params.text_document.uri)
        return navigation.definition(found[0], found[1], params.position, uri_for(found[0])) if found else []

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    @guarded(server, "finding references", request=True)
    async def references(params: types.ReferenceParams) -> list[types.Location]:
        found = await server.ready(params.text_document.uri)
        if found is None:
            return []
        return navigation.references(found[0], found[1], params.position, params.context.include_declaration,
                                     uri_for(found[0]))

    @server.feature(types.TEXT_DOCUMENT_RENAME)
    @guarded(server, "renaming", request=True)
    async def rename(params: types.RenameParams) -> types.WorkspaceEdit:
        found = await server.ready(params.text_document.uri)
        if found is None:
            raise Refused("this file is in no architecture repository")
        try:
            return navigation.rename(found[0], found[1], params.position, params.new_name, uri_for(found[0]))
        except ValueError as refused:
            raise Refused(f"archrepo: cannot rename: {refused}") from None

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    @guarded(server, "listing the file's elements", request=True)
    async def document_symbols(params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
        found = await server.ready(params.text_document.uri)
        return navigation.document_symbols(found[0], found[1]) if found else []

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    @guarded(server, "finding code actions", request=True)
    async def code_action(params: types.CodeActionParams) -> list[types.CodeAction]:
        found = await server.ready(params.text_document.uri, rules=True)  # a waiver for a violation
        if found is None:
            return []
        capabilities = server.client_capabilities.workspace
        edits = capabilities.workspace_edit if capabilities else None
        return actions.code_actions(found[0], params.text_document.uri, params.context.diagnostics,
                                    uri_for(found[0]), bool(edits and edits.document_changes))


def _workspace(server: ArchrepoServer) -> None:
    @server.feature(types.WORKSPACE_SYMBOL)
    @guarded(server, "searching symbols", request=True)
    async def symbols(params: types.WorkspaceSymbolParams) -> list[types.SymbolInformation]:
        for workspace in list(server.repositories.values()):
            await server.flush(workspace)
        async with server.lock:
            pass
        return navigation.workspace_symbols(list(server.repositories.values()), params.query, server.uri_of)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @guarded(server, "reading files changed on disk", request=False)
    async def watched(params: types.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            found = server.locate(change.uri)
            if found is None or found[1].startswith(".."):
                continue
            workspace, file = found
            if file in workspace.texts and workspace.role(file) == "model":
                continue  # the editor's text counts while the file is open
            server.queue(workspace, file, None, server.debounce)

    @server.feature(types.INITIALIZED)
    @guarded(server, "starting", request=False)
    async def initialized(params: types.InitializedParams) -> None:
        capabilities = server.client_capabilities.workspace
        watching = capabilities.did_change_watched_files if capabilities else None
        if watching is not None and watching.dynamic_registration:
            options = types.DidChangeWatchedFilesRegistrationOptions(
                watchers=[types.FileSystemWatcher(glob_pattern=pattern) for pattern in _WATCHED])
            await server.client_register_capability_async(types.RegistrationParams(registrations=[
                types.Registration(id="archrepo-watch", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                   register_options=options)]))
