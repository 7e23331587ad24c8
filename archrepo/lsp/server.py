"""The language server: pygls over stdio, one ``RepositoryWorkspace`` per repository the editor opens files of.

Changes are applied by one task per repository, after a short pause in typing (``ARCHREPO_LSP_DEBOUNCE``
seconds, default 0.15), in a worker thread so that the server keeps reading messages; requests wait for
the changes before them. Every handler's error is logged (to the editor too) and answered as an error
response: bad input never stops the server.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import os
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from archrepo import __version__
from archrepo.config import find_config
from archrepo.lsp.diagnostics import to_lsp
from archrepo.lsp.workspace import RepositoryWorkspace

if TYPE_CHECKING:
    from archrepo.lsp.early import EarlyStart

__all__ = ["ArchrepoServer", "Refused"]

log = logging.getLogger("archrepo.lsp")
Handler = TypeVar("Handler", bound=Callable[..., Awaitable[Any]])
_PAUSE = 0.5  # seconds without a change before the rest of a first load goes on (a rule at a time)
_PUBLISH_AT_ONCE = 200  # files whose diagnostics are published before the next change may be analysed


class Refused(Exception):
    """A request the server declines, with the reason for the person (e.g. a rename to an existing id)."""


class ArchrepoServer(LanguageServer):
    """Workspaces by repository root, the changes waiting for analysis, and what was last published."""

    def __init__(self) -> None:
        super().__init__("archrepo", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.repositories: dict[Path, RepositoryWorkspace] = {}
        self.loaded: set[Path] = set()
        self.pending: dict[Path, dict[str, str | None]] = {}
        self.saved: set[Path] = set()
        self.published: dict[str, list[types.Diagnostic]] = {}
        self.debounce = float(os.environ.get("ARCHREPO_LSP_DEBOUNCE", "0.15"))
        self._due: dict[Path, float] = {}
        self._workers: dict[Path, asyncio.Task[None]] = {}
        self._unpublished: dict[Path, set[str]] = {}  # files whose problems may have changed, not published yet
        self._publishers: dict[Path, asyncio.Task[None]] = {}
        self._lock: asyncio.Lock | None = None
        self._held: dict[Path, set[str]] = {}  # files whose problems wait for the rest of a first load
        self._changed: dict[Path, float] = {}  # when a change was last queued, by repository
        self._completions: dict[Path, asyncio.Task[None]] = {}  # the rest of a first load, running
        self._early: dict[Path, concurrent.futures.Future[set[str] | None]] = {}  # repositories read at start-up

    @property
    def lock(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    def adopt(self, early: EarlyStart) -> None:
        """The repository the editor named as its root, being read since start-up (``archrepo.lsp.early``): the
        first change to it evaluates the rules on what was read, instead of reading it again."""
        if early.root is not None and early.workspace is not None and not early.loaded.cancelled():
            self.repositories[early.root] = early.workspace
            self._early[early.root] = early.loaded

    # -- where a document belongs --------------------------------------------------------------------------

    def locate(self, uri: str) -> tuple[RepositoryWorkspace, str] | None:
        """The repository of a document and its path there; None outside any repository."""
        path_text = to_fs_path(uri)
        if path_text is None:
            return None
        path = Path(path_text).resolve()
        config = find_config(path.parent)
        if config is None:
            return None
        root = config.parent
        workspace = self.repositories.get(root)
        if workspace is None:
            workspace = self.repositories[root] = RepositoryWorkspace(root)
        return workspace, workspace.relative(path)

    def uri_of(self, workspace: RepositoryWorkspace, file: str) -> str:
        return str(from_fs_path(str(workspace.root / file)))

    # -- changes and analysis ------------------------------------------------------------------------------

    def queue(self, workspace: RepositoryWorkspace, file: str, text: str | None, delay: float,
              save: bool = False) -> None:
        self.pending.setdefault(workspace.root, {})[file] = text
        if save:
            self.saved.add(workspace.root)
        loop = asyncio.get_running_loop()
        self._changed[workspace.root] = loop.time()
        self._due[workspace.root] = loop.time() + delay
        worker = self._workers.get(workspace.root)
        if worker is None or worker.done():
            self._workers[workspace.root] = asyncio.ensure_future(self._work(workspace))

    async def _work(self, workspace: RepositoryWorkspace) -> None:
        loop = asyncio.get_running_loop()
        while True:
            wait = self._due.get(workspace.root, 0.0) - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            if not self.pending.get(workspace.root) and workspace.root not in self.saved:
                return
            try:
                await self.flush(workspace)
            except Exception as error:  # the analysis must go on for the next change
                self.report(error, "analysing the changes")

    async def flush(self, workspace: RepositoryWorkspace) -> None:
        """Apply the changes waiting for ``workspace`` (loading it first) and publish what they changed."""
        async with self.lock:
            root = workspace.root
            changes = self.pending.pop(root, {})
            save = root in self.saved
            self.saved.discard(root)
            if root not in self.loaded:
                dirty = await self._early_read(workspace)
                if dirty is None:
                    dirty = await asyncio.to_thread(workspace.load, True)
                self.loaded.add(root)
                changes = {f: t for f, t in changes.items() if t is None}  # editor texts were read by load
                if workspace.incomplete:  # the rules ran for the open files: the rest follows, a rule at a time
                    self._completions[root] = asyncio.ensure_future(self._complete(workspace))
            else:
                dirty = set()
            if changes:
                dirty |= await asyncio.to_thread(workspace.update, changes)
            if save:
                dirty |= await asyncio.to_thread(workspace.run_deferred)
            held = self._held.setdefault(root, set())
            if workspace.incomplete:  # only the files open at the first load have complete problems yet
                held |= dirty - workspace.first_files
                dirty &= workspace.first_files
            elif held:  # (a reload since evaluated every rule in full)
                dirty |= held
                held.clear()
            self.publish(workspace, dirty)

    async def _early_read(self, workspace: RepositoryWorkspace) -> set[str] | None:
        """The first load from what was read at start-up, if it was and the open files are as read; None: the
        repository is to be loaded here."""
        early = self._early.pop(workspace.root, None)
        if early is None:
            return None
        try:
            broken = await asyncio.wrap_future(early)
        except Exception as error:
            self.report(error, "reading the repository at start-up")  # and it is read again here
            return None
        if broken is not None:
            return broken
        if not await asyncio.to_thread(workspace.as_read):  # an open file differs from what was read
            return None
        return await asyncio.to_thread(workspace.evaluate, True)

    async def _complete(self, workspace: RepositoryWorkspace) -> None:
        """The rest of a first load that evaluated the rules for the open files only: each rule on the whole
        model in turn, changes analysed in between; then the files held back are published."""
        root = workspace.root
        loop = asyncio.get_running_loop()
        try:
            while workspace.incomplete:
                pause = self._changed.get(root, 0.0) + _PAUSE - loop.time()
                if pause > 0:  # while the person types, edits go first
                    await asyncio.sleep(pause)
                    continue
                async with self.lock:
                    if workspace.incomplete:
                        touched = await asyncio.to_thread(workspace.complete, 1)
                        self._held.setdefault(root, set()).update(touched)
                await asyncio.sleep(0)  # a change waiting for the lock gets it first
        except Exception as error:
            self.report(error, "checking the rest of the repository")
            workspace.abandon_completion()
        async with self.lock:
            self.publish(workspace, self._held.pop(root, set()))

    async def ready(self, uri: str, changes: bool = True,
                    rules: bool = False) -> tuple[RepositoryWorkspace, str] | None:
        """The document's repository, loaded, with every change before this request applied (``changes``:
        else only loaded), and no analysis running: the caller reads it without awaiting anything. ``rules``:
        and every rule evaluated on the whole model (the rest of a first load done)."""
        found = self.locate(uri)
        if found is not None and (found[0].root not in self.loaded or (changes and self.pending.get(found[0].root))):
            await self.flush(found[0])
        completion = self._completions.get(found[0].root) if found is not None and rules else None
        if completion is not None and not completion.done():
            await asyncio.shield(completion)
        async with self.lock:  # an analysis in its worker thread finishes first
            pass
        return found

    def publish(self, workspace: RepositoryWorkspace, files: set[str]) -> None:
        """Publish the problems of ``files``, the open ones first. Past ``_PUBLISH_AT_ONCE`` files (the first
        load of a large repository) the others follow in batches, between which the next change is analysed:
        an edit then never waits for thousands of other files' diagnostics. Each file's problems are read when
        it is published, so a later change is never overtaken by an older state."""
        self._unpublished.setdefault(workspace.root, set()).update(files)
        self._publish_batch(workspace)
        task = self._publishers.get(workspace.root)
        if self._unpublished[workspace.root] and (task is None or task.done()):
            self._publishers[workspace.root] = asyncio.ensure_future(self._publish_rest(workspace))

    async def _publish_rest(self, workspace: RepositoryWorkspace) -> None:
        while self._unpublished.get(workspace.root):
            await asyncio.sleep(0)  # a change waiting for the lock gets it first
            async with self.lock:
                self._publish_batch(workspace)

    def _publish_batch(self, workspace: RepositoryWorkspace) -> None:
        waiting = self._unpublished[workspace.root]
        ordered = sorted(waiting, key=lambda f: (f not in workspace.texts, f))  # what the editor shows first
        batch = ordered[:max(_PUBLISH_AT_ONCE, sum(1 for f in ordered if f in workspace.texts))]
        waiting.difference_update(batch)
        for file in batch:
            uri = self.uri_of(workspace, file)
            diagnostics = to_lsp(workspace.problems(file), workspace.text(file))
            before = self.published.get(uri)
            if diagnostics == (before or []) and (before is not None or file not in workspace.texts):
                continue  # unchanged (an open file hears once that it has none)
            self.published[uri] = diagnostics
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))

    def outside(self, uri: str) -> None:
        """A file in no architecture repository: one informational diagnostic says so."""
        message = ("archrepo: this file is in no architecture repository (no archrepo.yaml in its folder or "
                   "above), so it is not checked. Run `archrepo init` to create one.")
        self.published[uri] = [types.Diagnostic(range=types.Range(types.Position(0, 0), types.Position(0, 0)),
                                                severity=types.DiagnosticSeverity.Information, source="archrepo",
                                                message=message)]
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri,
                                                                              diagnostics=self.published[uri]))

    def report(self, error: BaseException, doing: str) -> None:
        text = "".join(traceback.format_exception(error))
        log.error("archrepo lsp: error while %s:\n%s", doing, text)
        try:
            self.window_log_message(types.LogMessageParams(types.MessageType.Error,
                                                           f"archrepo: error while {doing}: {error}\n{text}"))
        except Exception:  # the connection itself is gone: the log above has it
            log.exception("could not send the error to the editor")


def guarded(server: ArchrepoServer, what: str, request: bool) -> Callable[[Handler], Handler]:
    """Log every error of a handler; a request answers it as an error response, a notification goes on."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(params: Any) -> Any:
            try:
                return await handler(params)
            except Refused as refused:
                raise JsonRpcInvalidParams(str(refused)) from None
            except JsonRpcException:
                raise
            except Exception as error:
                server.report(error, what)
                if request:
                    raise JsonRpcInternalError(f"archrepo: {what} failed: {type(error).__name__}: {error}") from None
                return None
        return wrapper  # type: ignore[return-value]

    return decorate
