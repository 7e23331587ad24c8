"""docs/lsp-transcript.md is a real exchange with `archrepo lsp --trace`: initialize, open a file, its
diagnostics, a completion and a rename. This test makes the exchange again and compares; refresh the document
with ``ARCHREPO_UPDATE_GOLDEN=1 python -m pytest tests/test_lsp_transcript.py``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import make_test_lsp_client

from tests.lsp_support import INTEGRATIONS, ROOT, diagnostics_until, initialize, open_file, position_of, small_repo

pytestmark = pytest.mark.asyncio
DOCUMENT = ROOT / "docs" / "lsp-transcript.md"
SHOWN_ROOT = "/home/architect/arch-repo"
INTRO = """# What `archrepo lsp` says: a transcript

A real exchange between an editor and `archrepo lsp`, recorded with `archrepo lsp --trace FILE` (one JSON
object per message) on a small repository (`models/applications.yaml`, `models/data.yaml`,
`models/integrations.yaml`, `models/process.yaml` and the standard rules). The editor opens
`models/integrations.yaml`, in which `target: dips-arne` is a typo; the server answers with the diagnostics
of that file (the typo, with the closest id, and a rule violation), a completion of the `target:` field
(applications only, each with its name) and a rename of `labsys` to `lab-system` in every file that names it.

Made by `tests/test_lsp_transcript.py`, which checks that this file is current; refresh it with
`ARCHREPO_UPDATE_GOLDEN=1 python -m pytest tests/test_lsp_transcript.py`. Paths are shown under
`""" + SHOWN_ROOT + """`, and the editor's process id as 4242.
"""


async def _exchange(root: Path, trace: Path) -> None:
    client = make_test_lsp_client()
    await client.start_io(sys.executable, "-m", "archrepo", "lsp", "--trace", str(trace),
                          env={**os.environ, "ARCHREPO_LSP_DEBOUNCE": "0.05"})
    try:
        await initialize(client)
        text = INTEGRATIONS.replace("target: dips-arena", "target: dips-arne")
        document = open_file(client, root / "models/integrations.yaml", text)
        await diagnostics_until(client, document, lambda ds: any("dips-arne" in d.message for d in ds))
        await client.text_document_completion_async(types.CompletionParams(
            types.TextDocumentIdentifier(document), position_of(text, "target: labsys", offset=8)))
        await client.text_document_rename_async(types.RenameParams(
            types.TextDocumentIdentifier(document), position_of(text, "source: labsys", offset=9), "lab-system"))
        await client.shutdown_session()
    finally:
        await client.stop()


def _render(trace: Path, root: Path) -> str:
    parts = [INTRO]
    numbers: dict[str, int] = {}  # request ids (random) as 1, 2, 3 …
    methods: dict[int, str] = {}
    for line in trace.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line.replace(root.resolve().as_uri(), "file://" + SHOWN_ROOT))
        message = entry["message"]
        if isinstance(message.get("params"), dict) and "processId" in message["params"]:
            message["params"]["processId"] = 4242
        if "id" in message:
            message["id"] = numbers.setdefault(str(message["id"]), len(numbers) + 1)
            if "method" in message:
                methods[message["id"]] = message["method"]
        what = message.get("method") or f"response to {methods.get(message.get('id', 0), 'a request')}"
        arrow = "editor → archrepo" if entry["from"] == "client" else "archrepo → editor"
        parts.append(f"## {arrow}: {what}\n\n```json\n{json.dumps(message, indent=2, ensure_ascii=False)}\n```\n")
    return "\n".join(parts)


async def test_the_transcript_in_the_docs_is_current(tmp_path: Path) -> None:
    root = small_repo(tmp_path / "arch-repo")
    trace = tmp_path / "trace.jsonl"
    await _exchange(root, trace)
    rendered = _render(trace, root)
    assert '"method": "textDocument/publishDiagnostics"' in rendered
    assert "Did you mean 'dips-arena'?" in rendered and '"newText": "lab-system"' in rendered
    if os.environ.get("ARCHREPO_UPDATE_GOLDEN"):
        DOCUMENT.write_text(rendered, encoding="utf-8")
    assert DOCUMENT.read_text(encoding="utf-8") == rendered, \
        "docs/lsp-transcript.md is out of date: ARCHREPO_UPDATE_GOLDEN=1 python -m pytest tests/test_lsp_transcript.py"
