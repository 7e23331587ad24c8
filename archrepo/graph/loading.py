"""Loading the model's triples into a new embedded Oxigraph store: all at once (``build_graph``), or file by
file while the other files are still being parsed (``GraphLoader``), so that the store's one core of work
overlaps with the parsing processes instead of following them."""

from __future__ import annotations

import io
import queue
import threading
import weakref
from collections.abc import Iterable
from importlib import resources
from typing import Any

import pyoxigraph as ox

from archrepo.graph.iris import ARCH_IRI, CONFIG_GRAPH, ONTOLOGY_GRAPH
from archrepo.graph.rdf import RDF_TYPE, ModelGraph, model_ntriples
from archrepo.model.elements import Model
from archrepo.model.fileresult import FileResult, extra_bytes

__all__ = ["GraphLoader", "build_graph"]

_BATCH = 8_000_000  # bytes of N-Triples per bulk load: a call per file would cost a fifth more


class GraphLoader:
    """A store filled with each parsed file's triples (``ntriples_extra``) as the file arrives, completed by
    ``graph`` once the model is known to be valid. Bulk loading releases the GIL: the caller goes on receiving
    parses while the store loads."""

    def __init__(self, base_iri: str, approved_standards: Iterable[str] = (), *, release: bool = False) -> None:
        """``release``: drop each file's triples from its parse once they are in the store (for a caller that
        needs them nowhere else: 45 MB at 10,000 applications in 77,000 files)."""
        self.base_iri = base_iri
        self.approved_standards = tuple(approved_standards)
        self._release = release
        self._store = ox.Store()
        self._loaded: set[str] = set()  # the files whose triples are in the store (or in the batch)
        self._batch: list[bytes | memoryview] = []
        self._size = 0
        self._complete: ModelGraph | None = None
        self._loading: _Loading | None = None  # the thread loading the batches, from the first one on
        self._completing = threading.Lock()  # complete may be called from a thread while the caller asks too

    def add(self, result: FileResult) -> None:
        """Load the triples prepared with one parsed file (none if it has none: ``graph`` then builds anew)."""
        if result.file in self._loaded or "ntriples" not in result.extras:
            return
        text = extra_bytes(result.extras, "ntriples")
        self._loaded.add(result.file)
        if self._release:
            result.extras = {}
        self._batch.append(text)
        self._size += len(text)
        if self._size >= _BATCH:
            self._flush()

    def graph(self, model: Model, files: Iterable[FileResult]) -> ModelGraph:
        """The graph of the valid ``model`` read from ``files``: the files not loaded yet are loaded now."""
        graph = self.complete(files)
        return graph if graph is not None else build_graph(model, self.base_iri, self.approved_standards)

    def complete(self, files: Iterable[FileResult] | None = None) -> ModelGraph | None:
        """The graph of ``files`` (before the model they make is validated), once; None when one of them has
        no triples prepared (a file that could not be read: ``graph`` then builds it from the model). Without
        ``files``: of the files added, which the caller knows to be all."""
        with self._completing:
            return self._complete_once(files)

    def _complete_once(self, files: Iterable[FileResult] | None) -> ModelGraph | None:
        if self._complete is None:
            files = list(files) if files is not None else []
            if not all(result.file in self._loaded or "ntriples" in result.extras for result in files):
                return None
            for result in files:
                self.add(result)
            self._flush()
            if self._loading is not None:
                self._loading.wait()
                self._loading = None
            _load_settings(self._store, self.approved_standards)
            self._complete = ModelGraph(self._store, self.base_iri)
        return self._complete

    def _flush(self) -> None:
        if self._batch:
            if self._loading is None:
                self._loading = _Loading(self._store)
                weakref.finalize(self, self._loading.end)  # dropped without being completed: the thread ends
            self._loading.put(b"".join(self._batch))
            self._batch, self._size = [], 0


class _Loading:
    """The batches of N-Triples loaded into the store, one after the other, by one thread (the store has one
    writer at a time), while the caller goes on: loading releases the GIL, and the caller's own work (receiving
    and decoding the other parses) then runs beside it instead of after it. One thread, not one per batch: the
    store's memory then comes from one allocator arena (a thread per batch spread it over many, and a check at
    10,000 applications peaked 100 MB higher). A load that fails raises in ``wait``. The thread ends once
    waited for, or when the loader is dropped without (a model found invalid)."""

    def __init__(self, store: ox.Store) -> None:
        self._store = store
        self._batches: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="archrepo-graph-load", daemon=True)
        self._thread.start()

    def put(self, data: bytes) -> None:
        self._batches.put(data)

    def _run(self) -> None:
        while (data := self._batches.get()) is not None:
            if self._error is None:
                try:
                    # lenient and load (not bulk_load): see build_graph
                    self._store.load(data, format=ox.RdfFormat.N_TRIPLES, lenient=True)
                except BaseException as error:  # handed to the caller of wait
                    self._error = error
            del data

    def end(self) -> None:
        """No more batches: the thread ends once it has loaded those it has (without waiting for it here)."""
        self._batches.put(None)

    def wait(self) -> None:
        self.end()
        self._thread.join()
        if self._error is not None:
            raise self._error


def _config_quads(approved_standards: Iterable[str]) -> list[ox.Quad]:
    graph = settings = ox.NamedNode(CONFIG_GRAPH)
    quads = [ox.Quad(settings, ox.NamedNode(RDF_TYPE), ox.NamedNode(ARCH_IRI + "Configuration"), graph)]
    quads += [ox.Quad(settings, ox.NamedNode(ARCH_IRI + "approvedStandard"), ox.Literal(standard), graph)
              for standard in approved_standards]
    return quads


class _Chunks(io.RawIOBase):
    """A byte stream over text chunks, so the store reads the graph without one huge copy of it in memory."""

    def __init__(self, chunks: Iterable[str]) -> None:
        self._chunks = iter(chunks)
        self._buffer = memoryview(b"")
        self._position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while self._position >= len(self._buffer):
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._buffer, self._position = memoryview(chunk.encode("utf-8")), 0
        size = min(len(target), len(self._buffer) - self._position)
        target[:size] = self._buffer[self._position:self._position + size]
        self._position += size
        return size


def build_graph(model: Model | None, base_iri: str, approved_standards: Iterable[str] = (),
                ntriples: Iterable[str] | None = None) -> ModelGraph:
    """Load the model (default graph), the ontology and the settings rules read (each in its own named
    graph) into a new in-memory store. ``ntriples``: the model's triples prepared per file, if at hand."""
    store = ox.Store()
    if ntriples is None and model is None:
        raise ValueError("build_graph needs the model or its triples")
    chunks = ntriples if ntriples is not None else [model_ntriples(model, base_iri)]  # type: ignore[arg-type]
    # lenient: the N-Triples are archrepo's own, made from schema-valid elements (ids, keys and the base IRI
    # checked by pattern, literals escaped), so the parser's IRI validation only costs time (~40% of loading).
    # load, not bulk_load: into the in-memory store a transaction is the cheaper (1.7 s against 2.8 s of CPU for
    # the 1.16 million triples of 10,000 applications in 8 MB batches, pyoxigraph 0.5); both release the GIL
    store.load(io.BufferedReader(_Chunks(chunks), buffer_size=1 << 20), format=ox.RdfFormat.N_TRIPLES,
                    lenient=True)
    _load_settings(store, approved_standards)
    return ModelGraph(store, base_iri)


def _load_settings(store: ox.Store, approved_standards: Iterable[str]) -> None:
    """The ontology and the settings rules read, each in its own named graph. The ontology is loaded by the store
    from its text in one call: made into Python quads first, it took the interpreter lock about 300 times, and
    beside a busy thread (the model being validated) that cost 0.16 s at the end of a check's store."""
    text = resources.files("archrepo").joinpath("ontology.ttl").read_bytes()
    store.load(text, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ONTOLOGY_GRAPH))
    store.bulk_extend(_config_quads(approved_standards))
