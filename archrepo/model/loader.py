"""Load every model file under the configured paths into a validated :class:`Model`."""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import chain
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archrepo.config import Config
from archrepo.errors import Diagnostic, DiagnosticSink, ModelError, UsageError, excerpt
from archrepo.model.elements import KINDS, Element, Location, Model, SourceMap
from archrepo.model.fileresult import FileResult, pack_extras
from archrepo.model.pieces import CUT_FROM, Pieces, cut
from archrepo.model.reading import Unreadable, WalkResult, read_regular, read_regular_stat, walk_yaml
from archrepo.model.references import check_references, element_references
from archrepo.model.schema import suggest, validate_document
from archrepo.model.sources import FileSource
from archrepo.model.yamlrapid import quiet
from archrepo.model.yamlsource import ParsedDocument, decode_source, parse_documents

if TYPE_CHECKING:
    from archrepo.model.cache import ParseCache

__all__ = [
    "Extra",
    "FileResult",
    "ReadStats",
    "discover_files",
    "find_yaml_files",
    "load_model",
    "parallel_jobs",
    "parse_model_file",
    "read_model_files",
    "start_parsing_pool",
    "stop_parsing_pool",
    "validate_model",
    "yaml_files",
]

_LOG = logging.getLogger("archrepo")
_MAX_JOBS = 256
_KIND_ALIASES = {"Organization": "Organisation", "Component": "Application", "System": "Application"}


# something derived from one parsed file (e.g. its RDF), computed in the same worker and cached with it
Extra = Callable[[FileResult], Mapping[str, str]]
_PAYLOAD_FORMAT = 10  # what a cache entry holds (and the diagnostics of a parse): raise it when that changes
# below this, starting worker processes costs more than it saves: forked ones start in milliseconds (at 3.8 MB a
# check took 1.0 s in parallel against 1.25 s alone, at 1.2 MB the same), spawned ones import archrepo first (the
# workers a process forked at its start, start_parsing_pool, are there already)
_PARALLEL_BYTES = 1_000_000
_PARALLEL_BYTES_SPAWNED = 4_000_000
_CACHE_WRITES = 4096  # parses written to the cache at a time, as they arrive
# the parsing workers run below the caller's priority, as the site's diagram workers do: the caller's thread
# that loads the store (the longest single piece of a check) and its decoding of the parses go first
# (10,000 applications: 4.34 → 4.21 s, medians of 7; the same at nice 10)
_NICER = 5
_CHUNKS_PER_JOB = 8  # more chunks: the first parses reach the caller sooner; fewer: less to hand around


def discover_files(config: Config) -> list[tuple[Path, str]]:
    """(absolute path, path relative to the root) of every model file, sorted, hidden folders skipped;
    ModelError naming every path that cannot be read or leads outside the repository."""
    return yaml_files(config, config.models)


def yaml_files(config: Config, paths: Iterable[str]) -> list[tuple[Path, str]]:
    """(path to read, path relative to the root) of every YAML file under ``paths`` (files or folders of the
    config), sorted; hidden files and folders skipped; ModelError for what cannot be read (see ``walk_yaml``)."""
    found = walk_yaml(config.root, paths)
    if found.problems:
        raise ModelError.from_diagnostics(found.problems, "some files cannot be read")
    return [(Path(found.files[key]), key) for key in sorted(found.files)]


def find_yaml_files(config: Config, paths: Iterable[str]) -> WalkResult:
    """``yaml_files`` without raising: the files found and the problems met on the way."""
    return walk_yaml(config.root, paths)


def parse_model_file(raw: bytes, file: str, *, rapid: bool = False) -> FileResult:
    """Parse one file's bytes and check each document on its own (kind, schema). Pure: safe to run in parallel.
    ``rapid``: see ``parse_documents``."""
    sink = DiagnosticSink()
    result = FileResult(file)
    text = decode_source(raw, file, sink)
    if text is not None:
        documents = parse_documents(text, file, sink, rapid=rapid, raw=raw)
        if not documents and not sink.errors:
            sink.warning(file, 1, "the file is empty: it defines no element",
                         "Add elements, or delete the file.")
        for document in documents:
            kind, valid = _check_document(document, file, sink)
            if kind is not None:
                result.documents.append((kind, document, valid))
                element_id = document.data.get("id")
                if isinstance(element_id, str):
                    element = Element(kind, element_id, document.data, Location(file, document.line))
                    result.references[element_id] = element_references(element)
    result.diagnostics = sink.items
    return result


def _check_document(document: ParsedDocument, file: str, sink: DiagnosticSink) -> tuple[str | None, bool]:
    """The document's kind (None if it has no usable kind) and whether it passed its schema."""
    data = document.data
    if isinstance(data, list):
        sink.error(file, document.line, "this document is a list; each document must be one element (a mapping "
                   "with `kind:` and `id:`)", "Separate elements with a line `---` instead of list items `- `.")
        return None, False
    if not isinstance(data, dict):
        sink.error(file, document.line, f"this document is a single value ({excerpt(data)}), not an element",
                   "Each document is a mapping with `kind:`, `id:` and the element's fields.")
        return None, False
    kind = data.get("kind")
    element = data.get("id") if isinstance(data.get("id"), str) else None
    if kind is None:
        sink.error(file, document.line, "missing 'kind': every element says what it is",
                   f"Add `kind:` with one of: {', '.join(KINDS)}.", element)
        return None, False
    if kind not in KINDS:
        close = _KIND_ALIASES.get(str(kind)) or suggest(excerpt(kind, 40), KINDS)
        hint = (f"Did you mean '{close}'? " if close else "") + f"Kinds: {', '.join(KINDS)}."
        sink.error(file, document.line_of("kind"), f"unknown kind '{excerpt(kind, 40)}'", hint, element)
        return None, False
    what = f"{kind} '{element}'" if element else kind
    valid = validate_document(kind.lower(), data, document, file, sink, what=what, element=element)
    return str(kind), _check_property_booleans(document, file, sink, element) and valid


_BOOLEAN_HINT = ("YAML reads yes/no/on/off (and NO, the country code) as booleans: quote the value, or write "
                 "true/false.")


def _check_property_booleans(document: ParsedDocument, file: str, sink: DiagnosticSink, element: str | None) -> bool:
    """Free-form values under `properties:` have no schema type to catch a `NO` that YAML turned into false:
    a boolean written as yes/no/on/off/y/n there is an error. True when there is none."""
    found = [(path, line, text) for path, line, text in document.booleans
             if path.startswith("properties") and path[len("properties"):][:1] in ("", ".", "[")]
    for path, line, text in found:
        meaning = "true" if text.lower() in ("yes", "on", "y") else "false"
        sink.error(file, line, f"'{path}' is written `{text}`, which YAML reads as the boolean {meaning}",
                   _BOOLEAN_HINT, element)
    return not found


def _parse_chunk(items: list[tuple[bytes, str]], extra: Extra | None, encode: bool, rapid: bool = False
                 ) -> list[Any]:
    """Parse files; return FileResults, or (to cache them) their encoded payloads, made here in parallel.
    ``rapid`` (in a parsing worker, which has one thread): with rapidyaml where it vouches for the same
    documents, standard error closed meanwhile (rapidyaml prints its parse errors there; PyYAML reports them)."""
    from archrepo.model.cache import encode_payload

    results: list[Any] = []
    with quiet() if rapid else contextlib.nullcontext(False) as quieted:
        for raw, relative in items:
            result = parse_model_file(raw, relative, rapid=quieted)
            if extra is not None:
                result.extras = extra(result)
            results.append((encode_payload(result.payload()), pack_extras(result.extras)) if encode else result)
    return results


def _parse_all(chunks: Iterable[list[tuple[bytes, str]]], extra: Extra | None, jobs: int, encode: bool
               ) -> Iterator[tuple[int, Any]]:
    """(position, parse) of every file of ``chunks`` (positions counted across the chunks, in their order), as
    the parses arrive: in ``jobs`` processes when there is enough to parse (YAML parsing is CPU-bound). Each
    chunk goes to the workers as soon as ``chunks`` gives it, so they parse the first files while the caller
    reads the others (``chunks`` may read as it goes), and the caller works on the first parses (loads their
    triples, say) while the workers parse the rest."""
    chunks = iter(chunks)
    pool = _POOL if _POOL is not None and _POOL.jobs == jobs else None
    method = "fork" if pool is not None else _start_method()
    least = _PARALLEL_BYTES_SPAWNED if method == "spawn" else _PARALLEL_BYTES
    first: list[list[tuple[bytes, str]]] = []  # the chunks read before it is known whether workers pay
    size = count = 0
    enough = False
    if jobs > 1:
        for chunk in chunks:
            first.append(chunk)
            size += sum(len(raw) for raw, _ in chunk)
            count += len(chunk)
            if size >= least and count >= 2 * jobs:
                enough = True
                break
    if enough:
        yield from _parse_in_workers(chain(first, chunks), extra, jobs, encode, pool, method)
        return
    position = 0
    for chunk in chain(first, chunks):
        for item in chunk:
            yield position, _parse_chunk([item], extra, encode)[0]
            position += 1


def _parse_in_workers(chunks: Iterator[list[tuple[bytes, str]]], extra: Extra | None, jobs: int, encode: bool,
                      pool: _Pool | None, method: str) -> Iterator[tuple[int, Any]]:
    """``_parse_all`` in worker processes: those of ``pool`` (forked at the process's start) if there is one,
    else new ones. When the pool breaks (a worker was killed, ran out of memory), the chunks it left and the
    rest go to new workers, with PyYAML alone (in case rapidyaml took it down)."""
    pending: deque[list[Any]] = deque()  # [position of its first file, its files, its future], in order
    position = 0
    rapid = True  # workers have one thread: rapidyaml may read for them (with their standard error closed)
    executor = pool.executor if pool is not None else None
    owned: ProcessPoolExecutor | None = None
    if pool is not None:
        pool.working.set()

    def submit(entry: list[Any]) -> None:
        assert executor is not None
        entry[2] = executor.submit(_parse_chunk, entry[1], extra, encode, rapid)

    try:
        while True:
            try:
                if executor is None:
                    executor = owned = ProcessPoolExecutor(max_workers=jobs, mp_context=get_context(method),
                                                           initializer=_start_worker)
                    for entry in pending:  # what the broken pool left
                        submit(entry)
                for chunk in chunks:
                    entry = [position, chunk, None]
                    position += len(chunk)
                    pending.append(entry)
                    submit(entry)
                    while pending[0][2].done():  # (the caller takes what is ready before reading on)
                        yield from _handed_on(pending)
                        if not pending:
                            break
                while pending:
                    yield from _handed_on(pending)
                return
            except BrokenProcessPool:
                if owned is not None:
                    raise
                stop_parsing_pool(wait=False)
                executor, rapid = None, False
    finally:
        for _, _, future in pending:  # (the caller stopped taking parses)
            if future is not None:
                future.cancel()
        if owned is not None:
            owned.shutdown(wait=True)


def _handed_on(pending: deque[list[Any]]) -> Iterator[tuple[int, Any]]:
    """The parses of the first pending chunk, once it is parsed (it stays pending if its workers broke)."""
    start, _, future = pending[0]
    parses = future.result()
    pending.popleft()  # (its bytes are not held to the end)
    for offset, parse in enumerate(parses):
        yield start + offset, parse


def _start_worker(parent: int | None = None) -> None:
    """A parsing worker's start: below the caller's priority (``_NICER``), and, forked to serve a process for
    good (``start_parsing_pool``), dying with it."""
    if parent is not None:
        from archrepo.lifetime import die_with_parent

        die_with_parent(parent)
    with contextlib.suppress(OSError):  # (a process may not be allowed to change its priority)
        os.nice(_NICER)


def _start_method() -> str:
    """Fork starts a worker cheapest, but only a process with one thread can fork safely: a lock another
    thread holds at that moment stays held in the child for ever (the language server's reader thread holds
    stdin's, and every forked child waited on it at its start). Others start fresh interpreters, unless they
    forked their workers while they had one thread (:func:`start_parsing_pool`)."""
    return "fork" if threading.active_count() == 1 else "spawn"


@dataclass(frozen=True)
class _Pool:
    executor: ProcessPoolExecutor
    jobs: int
    working: threading.Event  # set when it is first given files to parse


_POOL: _Pool | None = None  # the parsing workers of this process, forked at its start (start_parsing_pool)


def start_parsing_pool() -> threading.Event | None:
    """For a process that will parse while it has threads (the language server), called while it has one: fork
    its parsing workers now, once, to parse for it from then on (forked later, a worker could wait for ever on
    a lock another thread held at the fork), instead of starting fresh interpreters for every read. They die
    with the process, even of SIGKILL (Linux). Returns an event set when they are first given files to parse
    (the process then mostly waits for them); None when there are none (one job, or no fork here)."""
    import multiprocessing

    global _POOL
    if _POOL is not None:
        return _POOL.working
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() != 1:
        return None
    try:
        jobs = parallel_jobs()
    except UsageError:  # the first read says what is wrong with ARCHREPO_JOBS
        return None
    if jobs <= 1:
        return None
    executor = ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork"), initializer=_start_worker,
                                   initargs=(os.getpid(),))
    executor.submit(int).result()  # a pool that forks starts all its workers at its first job: now
    _POOL = _Pool(executor, jobs, threading.Event())
    return _POOL.working


def stop_parsing_pool(wait: bool = True) -> None:
    """Stop the workers :func:`start_parsing_pool` forked (``wait``: until they have exited), if there are."""
    global _POOL
    if _POOL is not None:
        _POOL.executor.shutdown(wait=wait, cancel_futures=True)
        _POOL = None


@dataclass
class ReadStats:
    """How a read went: files parsed, files taken from the cache, cache entries rejected as damaged, files
    whose bytes were read (the others had the stat recorded with their digest)."""

    parsed: int = 0
    cached: int = 0
    rejected: int = 0
    read: int = 0
    keys: dict[str, str] = field(default_factory=dict)  # file -> content key (when the cache is on)


def read_model_files(config: Config, *, use_cache: bool = True, jobs: int | None = None,
                     extra: tuple[str, Extra] | None = None, stats: ReadStats | None = None,
                     on_parsed: Callable[[FileResult], None] | None = None,
                     reuse: str | None = None, all_parsed: Callable[[], None] | None = None) -> list[FileResult]:
    """Every model file, parsed and schema-checked: from the cache where the bytes are unchanged, else in
    parallel worker processes. ``extra`` = (a key naming it, a function) adds derived data per file;
    ``reuse`` names another extra whose cached parses serve too, without their extras (a view reads the
    parses a check cached, and does not pay for triples it never loads); ``on_parsed`` is called here with
    each file parsed in this run as soon as its parse arrives (in no particular order), while the others are
    still being parsed; ``all_parsed`` once every file of the model was parsed in this run and handed to
    ``on_parsed`` (none came from the cache, none failed to be read), before the cache is written. A path that
    cannot be read is a FileResult holding that error. The files are read as the workers parse those read
    before: they start on the first chunk, not after the last file (77,000 files take 0.8 s to read)."""
    jobs = jobs if jobs is not None else parallel_jobs()
    function = extra[1] if extra else None
    stats = stats if stats is not None else ReadStats()
    found = find_yaml_files(config, config.models)
    # paths as the walk keeps them, as text: a Path object per file is as large as the file's parse is small
    # (44 MB for 77,000 files); read in the order the parsing chunks take them (see _reading_order)
    files = _reading_order([(found.files[key], key) for key in found.files], jobs)
    failed = [FileResult(problem.file, diagnostics=[problem]) for problem in found.problems]
    del found
    per_chunk = max(1, -(-len(files) // (jobs * _CHUNKS_PER_JOB)))
    parse_cache = _open_cache(config) if use_cache and not os.environ.get("ARCHREPO_NO_CACHE") else None
    if parse_cache is None:
        def read_all() -> Iterator[tuple[bytes, str]]:
            for path, relative in files:
                try:
                    raw = read_regular(path)
                except Unreadable as error:
                    failed.append(_unreadable(relative, error))
                    continue
                stats.read += 1
                yield raw, relative

        parses: list[FileResult] = []
        for _, result in _parse_all(_chunked(read_all(), per_chunk), function, jobs, encode=False):
            parses.append(result)
            if on_parsed is not None:
                on_parsed(result)
        stats.parsed = stats.read
        if all_parsed is not None and not failed:
            all_parsed()
        return sorted(parses, key=_by_file) + failed
    from archrepo.model.cache import content_key, file_digest
    from archrepo.model.cachekey import code_digest

    namespace = f"{code_digest()}|{_PAYLOAD_FORMAT}|{extra[0] if extra else ''}"
    richer = f"{code_digest()}|{_PAYLOAD_FORMAT}|{reuse}" if reuse is not None else None
    sources: list[FileSource] = []  # every file read or recorded, in reading order, with its key in keys
    keys: list[str] = []
    payloads: dict[str, tuple[bytes, bytes]] = {}  # key -> encoded parse, of the files found in the cache
    # (source with its bytes, key, and its pieces if it is parsed in pieces) of each file or piece to parse
    missing: list[tuple[FileSource, str, Pieces | None]] = []
    settled: dict[str, tuple[str, str]] = {}
    parsed: dict[str, FileResult] = {}  # key -> the parse of a file parsed in this run, once decoded
    shared: dict[str, str] = {}  # one text per id and field name across the parses decoded (FileResult.from_data)
    try:
        known = parse_cache.file_stats()

        def to_parse() -> Iterator[tuple[bytes, str]]:
            """The files to parse, read (and looked up in the cache) as they are taken."""
            for start in range(0, len(files), _LOOKUPS):
                group, recorded = _sources(files[start:start + _LOOKUPS], known, failed)
                settled.update(recorded)
                group_keys = [content_key(namespace, source.relative, source.digest) for source in group]
                payloads.update(parse_cache.get_many(group_keys))
                if richer is not None:
                    wanted = {content_key(richer, source.relative, source.digest): key
                              for source, key in zip(group, group_keys, strict=True) if key not in payloads}
                    for key, (payload, _) in parse_cache.get_many(list(wanted)).items():
                        payloads[wanted[key]] = (payload, b"")  # its extras are neither decoded nor kept
                for source, key in zip(group, group_keys, strict=True):
                    cached = key in payloads
                    if not cached and source.raw is None:  # to be parsed: its bytes now, whatever the stat said
                        source.raw = source.read()
                        if source.raw is None:  # changed since its stat was taken: read it as it is now
                            source.raw = _read_or_empty(source, failed)
                        source.digest = file_digest(source.raw)
                        key = content_key(namespace, source.relative, source.digest)
                    if source.raw is not None:
                        stats.read += 1
                    sources.append(source)
                    keys.append(key)
                    if not cached:
                        pieces = cut(source.raw) if source.raw is not None and len(source.raw) >= CUT_FROM else None
                        if pieces is None:
                            missing.append((source, key, None))
                            yield source.raw or b"", source.relative
                            continue
                        for text in pieces.texts(source.raw or b""):
                            missing.append((source, key, pieces))
                            yield text, source.relative

        # each parse decoded as it arrives, and written to the cache a few thousand at a time while the workers
        # parse the rest: none of their encoded parses, nor the bytes parsed, is held to the end (the bytes
        # are read again, and checked against their digest, if a message asks for a field's line)
        fresh: dict[str, tuple[bytes, bytes]] = {}
        for index, payload in _parse_all(_chunked(to_parse(), per_chunk), function, jobs, encode=True):
            source, key, pieces = missing[index]
            if pieces is None:
                packed, extras = payload
                parsed[key] = FileResult.from_cache(packed, extras, source, shared)
            elif not pieces.add(payload):
                continue  # the file's other pieces are still to come
            elif (whole := pieces.joined()) is not None:
                data, (packed, extras) = whole
                parsed[key] = FileResult.from_data(data, extras, source, shared)
            else:  # a piece has something to say: the file parsed whole, as it says it
                packed, extras = _parse_chunk([(source.raw or b"", source.relative)], function, encode=True)[0]
                parsed[key] = FileResult.from_cache(packed, extras, source, shared)
            fresh[key] = packed, extras
            source.raw = None
            if on_parsed is not None:
                on_parsed(parsed[key])
            if len(fresh) >= _CACHE_WRITES:
                parse_cache.put_many(fresh.items())
                fresh.clear()
        if all_parsed is not None and not payloads and not failed:
            all_parsed()
        parse_cache.put_many(fresh.items())
        del fresh
        parse_cache.prune(set(keys))
        parse_cache.put_file_stats(known, settled, {source.relative for source in sources})
        stats.parsed = len({key for _, key, _ in missing})
        stats.cached, stats.rejected = len(payloads), parse_cache.rejected
        stats.keys = {source.relative: key for source, key in zip(sources, keys, strict=True)}
    finally:
        parse_cache.close()
    results = [parsed.get(key) or FileResult.from_cache(*payloads[key], source, shared)
               for key, source in zip(keys, sources, strict=True)]
    return sorted(results, key=_by_file) + failed


_LOOKUPS = 500  # files read, then looked up in the cache, at a time: fewer than a chunk holds on a large model


def _chunked(items: Iterable[tuple[bytes, str]], size: int) -> Iterator[list[tuple[bytes, str]]]:
    """``items`` in lists of ``size`` (the last may be shorter), each handed on as soon as it is full."""
    chunk: list[tuple[bytes, str]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _by_file(result: FileResult) -> str:
    return result.file


def _reading_order(files: list[tuple[str, str]], jobs: int) -> list[tuple[str, str]]:
    """The files in the order they are read and parsed: sorted by path, then dealt out among the parsing chunks
    in turn, so that each chunk holds a like share of every folder (the costly integrations with the rest) and
    the store loads at an even pace."""
    files.sort(key=lambda file: file[1])
    count = jobs * _CHUNKS_PER_JOB
    return [file for start in range(count) for file in files[start::count]]


def parallel_jobs() -> int:
    """The number of parsing processes: ``ARCHREPO_JOBS`` (a whole number from 1 to 256), else one per CPU."""
    text = os.environ.get("ARCHREPO_JOBS", "").strip()
    if not text:
        return os.cpu_count() or 1
    if not text.isdigit() or not 1 <= int(text) <= _MAX_JOBS:
        raise UsageError(f"ARCHREPO_JOBS={excerpt(text, 20)}: not a number of parsing processes",
                         hint=f"Set it to a whole number from 1 to {_MAX_JOBS}, or unset it (one per CPU).")
    return int(text)


def _open_cache(config: Config) -> ParseCache | None:
    """The parse cache of the repository; None, with a warning, when it cannot be used (a run without it gives
    the same results)."""
    from archrepo.model.cache import open_cache
    from archrepo.model.cachekey import CacheUnavailable

    try:
        return open_cache(config.root)
    except CacheUnavailable as reason:
        _LOG.warning("the cache is not used: %s", reason)
        return None


def _unreadable(relative: str, error: Unreadable) -> FileResult:
    return FileResult(relative, diagnostics=[Diagnostic(
        relative, 0, f"cannot be read: {error.reason}",
        "Keep only regular, readable YAML files under the model paths: a model must not pass with part of it "
        "unread.")])


def _read_or_empty(source: FileSource, failed: list[FileResult]) -> bytes:
    try:
        return read_regular(source.path)
    except Unreadable as error:
        failed.append(_unreadable(source.relative, error))
        return b""


_SETTLED_NS = 2_000_000_000  # a file changed less than this long ago may change again within its mtime's tick


def _signature(status: os.stat_result) -> str:
    return f"{status.st_size}:{status.st_mtime_ns}:{status.st_ctime_ns}:{status.st_ino}:{status.st_dev}"


def _sources(files: list[tuple[str, str]], known: dict[str, tuple[str, str]], failed: list[FileResult]
             ) -> tuple[list[FileSource], dict[str, tuple[str, str]]]:
    """Each file as a FileSource, read unless its stat (size, mtime, ctime, inode, device) is the one an earlier
    run recorded with its digest, as git's index does; and the (stat, digest) of the files read whose last
    change is old enough to be recorded (a file changed within the last two seconds is read again next time,
    as a later change could leave a coarse mtime as it was; ctime cannot be set back by any tool). A file that
    cannot be read goes to ``failed``."""
    from archrepo.model.cache import file_digest

    sources: list[FileSource] = []
    settled: dict[str, tuple[str, str]] = {}
    now = time.time_ns()
    for path, relative in files:
        try:
            recorded = known.get(relative)
            if recorded is None:  # to be read in any case: its stat taken on the open file, before reading
                raw, status = read_regular_stat(path)
            else:
                status = os.stat(path)  # before reading: a change after it shows in the next run's stat
                if recorded[0] == _signature(status) and stat.S_ISREG(status.st_mode):
                    sources.append(FileSource(path, relative, None, recorded[1]))
                    continue
                raw = read_regular(path)
            signature = _signature(status)
        except OSError as error:
            failed.append(_unreadable(relative, Unreadable(str(error.strerror or error).lower())))
            continue
        except Unreadable as error:
            failed.append(_unreadable(relative, error))
            continue
        source = FileSource(path, relative, raw, file_digest(raw))
        sources.append(source)
        if now - max(status.st_mtime_ns, status.st_ctime_ns) > _SETTLED_NS:
            settled[relative] = (signature, source.digest)
    return sources, settled


def validate_model(config: Config, files: Iterable[FileResult] | None = None) -> tuple[Model | None, list[Diagnostic]]:
    """Load and validate; returns the model (``None`` when there are errors) and every diagnostic."""
    if files is None:
        files = read_model_files(config)
    files = list(files)
    sink = DiagnosticSink()
    elements: dict[str, Element] = {}
    source_map = SourceMap()
    known: dict[str, list[tuple[str, str]]] = {}  # the references found where the files were parsed
    for result in files:  # (one pass: 77,000 small files' results are far apart in memory)
        if result.diagnostics:
            sink.items.extend(result.diagnostics)
        file = result.file
        for kind, document, _valid in result.documents:
            data = document.data
            element_id = data.get("id")
            if not isinstance(element_id, str):
                continue  # the schema error already says so; without an id nothing can refer to it
            previous = elements.get(element_id)
            if previous is not None:
                sink.error(file, document.line_of("id"), f"duplicate id '{element_id}': already defined as "
                           f"a {previous.kind} at {previous.location}",
                           "Ids are unique across the whole model; rename one of them.", element_id)
                continue
            elements[element_id] = Element(kind, element_id, data, Location(file, document.line))
            source_map.add(element_id, file, document)
        if result.references:
            known.update(result.references)
    references = check_references(elements, source_map, sink, known)
    diagnostics = sorted(sink.items)
    if sink.errors:
        return None, diagnostics
    warnings = [d for d in diagnostics if d.level.value == "warning"]
    return Model(config.root, elements, source_map, [r.file for r in files], warnings, references), diagnostics


def load_model(config: Config) -> Model:
    """The validated model, or :class:`ModelError` listing every problem found."""
    model, diagnostics = validate_model(config)
    if model is None:
        raise ModelError.from_diagnostics(diagnostics, "the model is invalid")
    return model
