"""The language server's benchmark (`make bench` runs it after bench/run.py): on the generated models, the time
from starting `archrepo lsp` to the first diagnostics of an opened file (empty parse cache, as a first
`archrepo check`, which is timed next to it), and the latency of a keystroke: an edit that breaks a reference
and one that mends it, each timed from the change sent to its file's diagnostics received.

    python bench/lsp.py [--sizes 1000,10000] [--edits 20] [--repeat 5] [--out bench/lsp-results.md]

Edits are sent with no debounce (ARCHREPO_LSP_DEBOUNCE=0): the figures are the server's work; an editor waits
the debounce (0.15 s by default) on top, once per pause in typing. Needs only archrepo's own dependencies.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run as harness  # noqa: E402  (bench/run.py: its generated models, made once)

PYTHON = sys.executable
TRACE = ["--trace", os.environ["BENCH_LSP_TRACE"]] if os.environ.get("BENCH_LSP_TRACE") else []


def _edited_file(model: Path) -> tuple[Path, str, str]:
    """An integration file and the reference its first integration makes, to break and mend."""
    for path in sorted((model / "models").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if "kind: Integration" in text:
            line = next(line for line in text.splitlines() if line.startswith("target: "))
            return path, text, line
    raise RuntimeError(f"no integration in {model}")


def _application_file(model: Path) -> tuple[Path, str]:
    """The first file of applications: the name of its first one is edited."""
    for path in sorted((model / "models").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("kind: Application") or "\nkind: Application" in text:
            return path, text
    raise RuntimeError(f"no application in {model}")


async def _renames(client: LanguageClient, model: Path, edits: int) -> list[float]:
    """Renaming an application as typed: each from the change sent to the answer of a request that waits for
    its analysis (the outline of the file), since a rename may change no diagnostic of that file."""
    path, text = _application_file(model)
    uri = path.resolve().as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
        uri=uri, language_id="yaml", version=1, text=text)))
    outline = types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    await client.text_document_document_symbol_async(outline)
    latencies = []
    for version in range(2, edits + 2):
        new_text = text.replace("\nname: ", "\nname: Renamed ", 1) if version % 2 == 0 else text
        sent = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=new_text)]))
        await client.text_document_document_symbol_async(outline)
        latencies.append(time.perf_counter() - sent)
    return latencies


class _Diagnostics:
    """publishDiagnostics as they arrive, with the time of arrival."""

    def __init__(self, client: LanguageClient) -> None:
        self.arrived: dict[str, tuple[float, list[types.Diagnostic]]] = {}
        self.event = asyncio.Event()

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(params: types.PublishDiagnosticsParams) -> None:
            self.arrived[params.uri] = (time.perf_counter(), list(params.diagnostics))
            self.event.set()

    async def after(self, uri: str, since: float, timeout: float = 900) -> tuple[float, list[types.Diagnostic]]:
        deadline = time.perf_counter() + timeout
        while True:
            found = self.arrived.get(uri)
            if found is not None and found[0] > since:
                return found
            if time.perf_counter() > deadline:
                raise RuntimeError(f"no diagnostics for {uri} within {timeout} s")
            self.event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.event.wait(), timeout=1)


async def _session(model: Path, edits: int) -> dict[str, float]:
    path, text, target = _edited_file(model)
    broken = text.replace(target, target + "-typo", 1)
    client = LanguageClient("archrepo-bench", "1")
    diagnostics = _Diagnostics(client)
    start = time.perf_counter()
    await client.start_io(PYTHON, "-m", "archrepo", "lsp", *TRACE, env={**os.environ, "ARCHREPO_LSP_DEBOUNCE": "0"})
    try:
        root = model.resolve().as_uri()  # the folder opened, as editors send it (VS Code: both)
        await client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(), process_id=os.getpid(), root_uri=root,
            workspace_folders=[types.WorkspaceFolder(uri=root, name=model.name)]))
        client.initialized(types.InitializedParams())
        uri = path.resolve().as_uri()
        client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
            uri=uri, language_id="yaml", version=1, text=text)))
        first = (await diagnostics.after(uri, start))[0] - start
        if not edits:  # the time to first diagnostics only
            await client.shutdown_async(None)
            client.exit(None)
            return {"first": first}
        latencies = []
        for version in range(2, edits + 2):
            new_text = broken if version % 2 == 0 else text
            sent = time.perf_counter()
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=new_text)]))
            arrived, found = await diagnostics.after(uri, sent)
            if (new_text is broken) != any("-typo" in d.message for d in found):
                raise RuntimeError("the diagnostics after an edit do not show what the edit did")
            latencies.append(arrived - sent)
        renames = await _renames(client, model, edits)
        await client.shutdown_async(None)
        client.exit(None)
    finally:
        server = getattr(client, "_server", None)
        if server is not None and server.returncode is None and not client.stopped:
            await asyncio.sleep(1)
            if server.returncode is None:
                server.terminate()  # it was not told to exit (the benchmark failed): do not wait for it
        await client.stop()
    print("  per edit: " + " ".join(f"{seconds:.2f}" for seconds in latencies), file=sys.stderr, flush=True)
    print("  per rename: " + " ".join(f"{seconds:.2f}" for seconds in renames), file=sys.stderr, flush=True)
    return {"first": first, "median": statistics.median(latencies), "max": max(latencies),
            "rename_median": statistics.median(renames), "rename_max": max(renames)}


def _check_seconds(model: Path) -> float:
    # the report goes to stdout, discarded here: `--output` writes atomically (a rename), which must never
    # be aimed at /dev/null
    start = time.perf_counter()
    subprocess.run([PYTHON, "-m", "archrepo", "check", "--as-of", "2026-11-26", "--format", "json"], cwd=model,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def measure(size: int, edits: int, repeat: int) -> dict[str, float]:
    """The check and the first diagnostics, each ``repeat`` times, one after the other (medians: a figure of one
    run moves by 10-35% on a shared machine); the edits in the last session."""
    model, _ = harness.ensure_model("bench", size)  # bench/run.py's benchmark shape
    checks, firsts = [], []
    found: dict[str, float] = {}
    for run in range(repeat):
        shutil.rmtree(model / ".archrepo-cache", ignore_errors=True)
        checks.append(_check_seconds(model))
        shutil.rmtree(model / ".archrepo-cache", ignore_errors=True)
        found = asyncio.run(_session(model, edits if run == repeat - 1 else 0))
        firsts.append(found["first"])
    shutil.rmtree(model / ".archrepo-cache", ignore_errors=True)
    print(f"  check: {' '.join(f'{c:.2f}' for c in checks)}; first diagnostics: "
          f"{' '.join(f'{f:.2f}' for f in firsts)}", file=sys.stderr, flush=True)
    return {**found, "size": size, "check": statistics.median(checks), "first": statistics.median(firsts),
            "repeat": repeat}


def table(rows: list[dict[str, float]], edits: int) -> str:
    lines = ["# archrepo lsp benchmark", "",
             f"{dt.date.today().isoformat()} · {os.cpu_count()} CPUs · {platform.machine()} · "
             f"Python {platform.python_version()} · load average {os.getloadavg()[0]:.1f} when it ended "
             "(other work on the machine slows every figure alike)", "",
             "| applications | `check` s (empty cache) | **first diagnostics s** | per edit, median s | "
             "**per edit, max s** | rename, median s | **rename, max s** |", "|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['size']:,} | {r['check']:.2f} | **{r['first']:.2f}** | {r['median']:.3f} | **{r['max']:.3f}** "
              f"| {r['rename_median']:.3f} | **{r['rename_max']:.3f}** |" for r in rows]
    repeat = int(rows[0]["repeat"]) if rows else 1
    lines += ["", f"`check` and first diagnostics: medians of {repeat} runs each, one after the other. "
              "First diagnostics: from starting `archrepo lsp` to the diagnostics of the opened file, parse cache "
              "empty (the server reads every file once, through the cache, and evaluates every rule). The client "
              "names the model's folder as its root in `initialize`, as editors do. Per edit: "
              f"{edits} edits of that file, alternately breaking the `target:` of its first integration and mending "
              "it, each from the change sent to the file's new diagnostics (references re-checked near the edit, "
              "rules with a `reach` evaluated near it); no debounce. Rename: as many edits of the first "
              "application file, alternately renaming its first application and back, each from the change sent to "
              "the answer of an outline request, which waits for the change's analysis (a rename may change no "
              "diagnostic of its own file)."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "1000,10000"))
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_LSP_REPEAT", "5")))
    parser.add_argument("--out", type=Path, default=HERE / "lsp-results.md")
    args = parser.parse_args()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"measuring the language server at {size:,} applications …", file=sys.stderr, flush=True)
        rows.append(measure(size, args.edits, args.repeat))
    text = table(rows, args.edits)
    print(text)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
