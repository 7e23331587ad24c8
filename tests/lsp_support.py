"""Driving the real `archrepo lsp` over stdio (pytest-lsp) on copies of repositories in tmp_path."""

from __future__ import annotations

import asyncio
import shutil
import sys
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

ROOT = Path(__file__).resolve().parent.parent
SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "archrepo", "lsp"],
                            server_env={"ARCHREPO_LSP_DEBOUNCE": "0.05", "PYTHONUNBUFFERED": "1"})
CAPABILITIES = types.ClientCapabilities(
    workspace=types.WorkspaceClientCapabilities(workspace_edit=types.WorkspaceEditClientCapabilities(
        document_changes=True, resource_operations=[types.ResourceOperationKind.Create])),
    text_document=types.TextDocumentClientCapabilities(
        publish_diagnostics=types.PublishDiagnosticsClientCapabilities(data_support=True),
        hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
        completion=types.CompletionClientCapabilities(completion_item=types.ClientCompletionItemOptions(
            documentation_format=[types.MarkupKind.Markdown]))))

APPLICATIONS = """\
kind: Organisation
id: hso
name: Helse Sør-Øst
---
kind: Organisation
id: sykehuspartner
name: Sykehuspartner
type: it-provider
---
kind: Application
id: dips-arena
name: DIPS Arena
owner: hso
description: The electronic patient record.
lifecycle:
  status: active
criticality: critical
roles: [core-system]
---
kind: Application
id: labsys
name: Lab system
owner: hso
description: The laboratory system.
lifecycle:
  status: active
---
kind: Application
id: broker
name: Integration broker
owner: sykehuspartner
description: The message broker.
lifecycle:
  status: active
roles: [integration-platform]
"""
DATA = """\
kind: DataObject
id: lab-result
name: Lab result
classification: sensitive
master: labsys
description: A laboratory result.
"""
INTEGRATIONS = """\
kind: Integration
id: lab-to-dips
name: Lab results to DIPS
description: Results into the record.
source: labsys
target: dips-arena
via: broker
standard: HL7v2
data: [lab-result]
security:
  encrypted: true
  authentication: mtls
---
kind: Integration
id: dips-to-lab
name: Orders to the lab
description: Orders.
source: dips-arena
target: labsys
via: broker
standard: HL7v2
mode: async
"""
PROCESS = """\
kind: Process
id: lab-test
name: Laboratory test
owner: hso
description: A test from order to result.
steps:
  - id: order
    name: Order the test
    supported_by: [dips-arena]
    next: [analyse]
  - id: analyse
    name: Analyse
    supported_by: [labsys]
"""
SMALL = {"models/applications.yaml": APPLICATIONS, "models/data.yaml": DATA,
         "models/integrations.yaml": INTEGRATIONS, "models/process.yaml": PROCESS}


def copy_library(root: Path) -> None:
    """The standard rules and principles, as files (the repository's own are links into the package)."""
    for name in ("rules", "principles"):
        shutil.copytree((ROOT / name).resolve(), root / name)


def small_repo(root: Path, files: Mapping[str, str] = SMALL, config: str = "models: [models]\n") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "archrepo.yaml").write_text(config, encoding="utf-8")
    copy_library(root)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def reference_repo(root: Path) -> Path:
    """A copy of the bundled reference model, its config and waivers."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("archrepo.yaml", "waivers.yaml"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(ROOT / "models", root / "models")
    copy_library(root)
    return root


def uri(path: Path) -> str:
    return path.resolve().as_uri()


async def initialize(client: LanguageClient, root: Path | None = None) -> None:
    await client.initialize_session(types.InitializeParams(
        capabilities=CAPABILITIES, root_uri=uri(root) if root else None))


def open_file(client: LanguageClient, path: Path, text: str | None = None) -> str:
    document = uri(path)
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
        uri=document, language_id="yaml", version=1,
        text=path.read_text(encoding="utf-8") if text is None else text)))
    return document


def change_file(client: LanguageClient, document: str, text: str, version: int = 2) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=document, version=version),
        [types.TextDocumentContentChangeWholeDocument(text=text)]))


async def diagnostics_until(client: LanguageClient, document: str,
                            check: Callable[[list[types.Diagnostic]], bool], timeout: float = 60.0
                            ) -> list[types.Diagnostic]:
    """The document's diagnostics once ``check`` holds for them (fails after ``timeout`` seconds)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = list(client.diagnostics.get(document, []))
        if document in client.diagnostics and check(found):
            return found
        if loop.time() > deadline:
            raise AssertionError(f"diagnostics of {document} never satisfied the check; last: "
                                 f"{[(d.code, d.message[:80]) for d in found]}")
        await asyncio.sleep(0.05)


def position_of(path_text: str, needle: str, occurrence: int = 0, offset: int = 0) -> types.Position:
    """The position of the ``occurrence``-th ``needle`` in a text (plus ``offset`` characters)."""
    start = -1
    for _ in range(occurrence + 1):
        start = path_text.index(needle, start + 1)
    line = path_text.count("\n", 0, start)
    column = start - (path_text.rfind("\n", 0, start) + 1)
    return types.Position(line, column + offset)
