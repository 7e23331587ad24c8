"""A cache of parsed model files keyed by content, so a re-check parses only the files that changed.

SQLite in ``.archrepo-cache/`` (WAL mode: concurrent runs never corrupt it). Entries are JSON, compressed,
written in batches that carry a MAC made with a key that lives outside the repository (``cachekey``): nothing in
the cache can run code, and an entry this machine did not make (committed to git, copied from elsewhere, edited
by hand), that is damaged, or that its batch does not hold under its key is a miss, never an answer. A database
whose tables are not exactly ours is deleted and rebuilt (a hostile one could hang a query), links where the
cache's files should be are removed, and a cache that cannot be used at all (``.archrepo-cache`` a file or a
link, nothing writable) is skipped with a warning: the results are those of a run without cache. The key covers
the file's path and bytes and everything that shapes the parse (a digest of archrepo's own code, the schemas,
the caller's extras), so a stale entry can never be found.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import stat
import struct
from collections.abc import Iterable
from itertools import accumulate, pairwise
from pathlib import Path
from typing import Any

import orjson
from lz4.block import compress, decompress

from archrepo.model.cachekey import CacheKey, CacheUnavailable, load_cache_key
from archrepo.model.pieces import PARTS, parts_payload
from archrepo.model.reading import file_kind

__all__ = ["CACHE_DIR", "ParseCache", "cache_directory", "content_key", "decode_payload", "encode_payload",
           "file_digest"]

CACHE_DIR = ".archrepo-cache"
DATABASE = "parse-v4.sqlite"
# entries are written a batch at a time: a row and a MAC per batch of up to _BATCH_BYTES, the keys of the batch
# listed before its entries (read without them, they say which batches hold what a lookup asks for; the keys in
# the authenticated entries decide). A row and a MAC per entry took 0.9 s of a check of 77,000 files from nothing.
_SCHEMA = ("CREATE TABLE IF NOT EXISTS batches (id INTEGER PRIMARY KEY, keys BLOB NOT NULL, entries BLOB NOT NULL, "
           "mac TEXT NOT NULL)")
_BATCH_BYTES = 4_000_000
# path -> the stat a file had when its bytes had ``digest`` (what lets a re-check skip reading unchanged files), for
# every file at once, in one row authenticated as a whole (a row and a MAC per file took 0.2 s more CPU in a check
# of 77,000 files from nothing)
_STATS_SCHEMA = "CREATE TABLE IF NOT EXISTS stats (name TEXT PRIMARY KEY, entries BLOB NOT NULL, mac TEXT NOT NULL)"
_STATS = "files"  # the name of the one row
# what sqlite_master must hold, exactly: anything else (a view, a trigger) was not made by archrepo
_OBJECTS = {("table", "batches", _SCHEMA.replace("IF NOT EXISTS ", "")),
            ("table", "stats", _STATS_SCHEMA.replace("IF NOT EXISTS ", "")),
            ("index", "sqlite_autoindex_stats_1", None)}
_SIDE_FILES = ("", "-wal", "-shm", "-journal")


_WIDE = b"\0"  # marks a payload written by the standard json module (orjson never starts with a NUL)


# a payload kept as written, not compressed: an LZ4 block (``compress``) starts with its length, and this is a
# length no payload has (as is PARTS, one above it)
_PLAIN = b"\xfe\xff\xff\xff"
# payloads shorter than this are kept as written: a file of one element's JSON (870 bytes) compressed to 64% of
# its size in 1.9 µs, and took 0.6-1 µs to decompress again; longer ones (many elements) compress far better
_PLAIN_BELOW = 2048


def encode_payload(value: Any) -> bytes:
    """JSON, compressed unless short: what the cache stores (made in the worker processes, in parallel). orjson
    refuses integers beyond 64 bits (YAML allows any size, and so does xsd:integer): those go through the
    standard json module, which reads them back exactly."""
    try:
        data = orjson.dumps(value)
    except TypeError:
        data = _WIDE + json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return _PLAIN + data if len(data) < _PLAIN_BELOW else compress(data)


def decode_payload(payload: bytes) -> Any:
    if payload.startswith(PARTS):  # a file parsed in pieces (model/pieces.py)
        return parts_payload(payload)
    data = memoryview(payload)[len(_PLAIN):] if payload.startswith(_PLAIN) else decompress(payload)
    if data[:1] == _WIDE:
        return json.loads(str(data[1:], "utf-8", "surrogatepass"))
    return orjson.loads(data)


def file_digest(raw: bytes) -> str:
    """The digest of a file's bytes: SHA-256 (OpenSSL, with the processor's SHA instructions: a third faster than
    blake2b on a small file, twice on a large one), its first 160 bits."""
    return hashlib.sha256(raw).hexdigest()[:40]


def content_key(namespace: str, relative: str, digest: str) -> str:
    """The cache key of a file: its path, its bytes' digest and everything that shapes its parse."""
    return hashlib.sha256(f"{namespace}\0{relative}\0{digest}".encode()).hexdigest()[:40]


def cache_directory(root: Path) -> Path:
    """``.archrepo-cache`` of the repository at ``root``, created if missing; CacheUnavailable when it is not a
    plain folder (a file, or a link that could send the cache's writes anywhere)."""
    directory = root / CACHE_DIR
    try:
        try:
            info = os.lstat(directory)
        except FileNotFoundError:
            os.mkdir(directory)
            info = os.lstat(directory)
    except OSError as error:
        raise CacheUnavailable(f"cannot create {CACHE_DIR}/: {error.strerror or error}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise CacheUnavailable(f"{CACHE_DIR} is {file_kind(info.st_mode)}, not a folder")
    _write_gitignore(directory)
    return directory


def open_cache(root: Path, database: str = DATABASE) -> ParseCache:
    """The cache of the repository at ``root`` in ``database`` (under ``.archrepo-cache/``), open; raises
    CacheUnavailable, saying why, when it cannot be used (a run without it gives the same results)."""
    store = ParseCache(cache_directory(root), load_cache_key(root), str(root), database=database)
    if store.unavailable:
        store.close()
        raise CacheUnavailable(store.unavailable)
    return store


class ParseCache:
    """get/put of JSON-able payloads by key; every failure degrades to a miss, never to a wrong answer.
    ``unavailable`` says why, when the cache could not be opened at all. ``database``: the file, for another
    cache with the same guarantees (the docs site keeps its rendered diagrams in one of its own)."""

    def __init__(self, directory: Path, key: CacheKey, scope: str, *, database: str = DATABASE) -> None:
        self.path = directory / database
        self._key = key
        self._scope = scope.encode("utf-8", "surrogateescape")  # the repository the stat table speaks of
        self._connection: sqlite3.Connection | None = None
        self.hits = self.misses = self.rejected = 0
        self._index: dict[str, int] | None = None  # see _where
        self._sizes: dict[int, int] = {}  # batch -> the number of keys it lists
        self._batches: dict[int, dict[str, tuple[bytes, bytes]]] = {}  # the entries of each batch read, until closed
        self.unavailable: str | None = None
        try:
            _remove_links(self.path)
            self._connection = self._open()
        except (OSError, sqlite3.DatabaseError, _Foreign):
            self._reset()

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            connection.execute("PRAGMA trusted_schema = OFF")
            connection.execute("PRAGMA busy_timeout = 30000")
            # pages of 64 kB for a new database (an existing one keeps its own): the entries are blobs of up to
            # _BATCH_BYTES, written to the log and then the file page by page (88 MB of 77,000 small files'
            # parses: 0.17-0.24 s of CPU in pages of 4 kB, 0.08 s in pages of 64 kB)
            connection.execute("PRAGMA page_size = 65536")
            connection.execute("PRAGMA journal_mode = WAL")
            # no waiting for the disk: a cache lost with the machine (power cut, crash of the system) is a
            # database found damaged and made anew, or entries whose MAC fails: misses, never answers
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute(_SCHEMA)
            connection.execute(_STATS_SCHEMA)
            objects = {(kind, name, sql) for kind, name, sql in
                       connection.execute("SELECT type, name, sql FROM sqlite_master")}
            if objects != _OBJECTS:
                raise _Foreign
            connection.execute("SELECT count(*) FROM batches WHERE id = 0").fetchone()  # fails on a damaged file
        except BaseException:
            connection.close()
            raise
        return connection

    def _reset(self) -> None:
        """Delete a damaged or foreign database and start an empty one (or run without a cache if that fails
        too: ``unavailable`` then says why)."""
        self._index, self._sizes, self._batches = None, {}, {}
        if self._connection is not None:
            with contextlib.suppress(sqlite3.Error):
                self._connection.close()
            self._connection = None
        try:
            for suffix in _SIDE_FILES:
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._connection = self._open()
        except (OSError, sqlite3.DatabaseError, _Foreign) as error:
            self._connection = None
            reason = (error.strerror if isinstance(error, OSError) else None) or str(error) or "not a cache"
            self.unavailable = f"cannot use {self.path.parent.name}/{self.path.name}: {reason}"

    def _entries_mac(self, entries: bytes) -> str:
        return self._key.mac(b"entries", entries)

    def _where(self) -> dict[str, int]:
        """key -> the batch that holds its entry (the last written, if several), as the batches' lists say;
        read once (later batches of other runs are not seen: misses)."""
        if self._index is None:
            self._index = {}
            assert self._connection is not None
            for batch, keys in self._connection.execute("SELECT id, keys FROM batches ORDER BY id"):
                if isinstance(batch, int) and isinstance(keys, bytes):
                    listed = keys.decode("utf-8", "surrogateescape").split("\0")
                    self._index.update(dict.fromkeys(listed, batch))
                    self._sizes[batch] = len(listed)
        return self._index

    def _batch(self, batch: int) -> dict[str, tuple[bytes, bytes]]:
        """The authenticated entries of a batch, read once (nothing if its MAC fails, or it went)."""
        entries = self._batches.get(batch)
        if entries is None:
            assert self._connection is not None
            row = self._connection.execute("SELECT entries, mac FROM batches WHERE id = ?", (batch,)).fetchone()
            entries = self._batches[batch] = (
                _split(row[0]) if row is not None and isinstance(row[0], bytes)
                and self._entries_mac(row[0]) == row[1] else {})
        return entries

    def get_many(self, keys: list[str]) -> dict[str, tuple[bytes, bytes]]:
        """Authenticated (payload, extras) by key (decode with ``decode_payload``); any other entry is a miss."""
        if self._connection is None or not keys:
            self.misses += len(keys)
            return {}
        found: dict[str, tuple[bytes, bytes]] = {}
        try:
            where = self._where()
            for key in keys:
                batch = where.get(key)
                if batch is None:
                    continue
                entry = self._batch(batch).get(key)
                if entry is None:  # its batch is damaged, forged, or does not hold it
                    self.rejected += 1
                else:
                    found[key] = entry
        except sqlite3.DatabaseError:
            self._reset()
            found = {}
        self.hits += len(found)
        self.misses += len(keys) - len(found)
        return found

    def empty(self) -> bool:
        """Whether the cache holds no entry (or cannot be read)."""
        if self._connection is None:
            return True
        try:
            return self._connection.execute("SELECT 1 FROM batches LIMIT 1").fetchone() is None
        except sqlite3.DatabaseError:
            return True

    def present(self, keys: list[str]) -> set[str]:
        """The keys that have an entry, as the batches' lists say (not authenticated: what is used is read with
        :meth:`get_many`, and one that fails then is a miss there)."""
        if self._connection is None or not keys:
            return set()
        try:
            where = self._where()
        except sqlite3.DatabaseError:
            self._reset()
            return set()
        return {key for key in keys if key in where}

    def put_many(self, items: Iterable[tuple[str, tuple[bytes, bytes]]]) -> None:
        """Store encoded (payload, extras) by key, in batches of up to ``_BATCH_BYTES`` with a MAC each."""
        if self._connection is None:
            return
        batches: list[list[tuple[str, bytes, bytes]]] = []
        size = _BATCH_BYTES
        for key, (payload, extras) in items:
            if size >= _BATCH_BYTES:
                batches.append([])
                size = 0
            batches[-1].append((key, payload, extras))
            size += len(payload) + len(extras)
        if not batches:
            return
        try:
            where = self._where()
            written: list[tuple[int, list[str]]] = []
            with self._connection:
                self._connection.execute("BEGIN IMMEDIATE")
                for held in batches:
                    keys = [key for key, _, _ in held]
                    entries = _joined(held)
                    batch = self._connection.execute(
                        "INSERT INTO batches (keys, entries, mac) VALUES (?, ?, ?)",
                        ("\0".join(keys).encode("utf-8", "surrogateescape"), entries,
                         self._entries_mac(entries))).lastrowid
                    assert batch is not None
                    written.append((batch, keys))
            for batch, keys in written:  # (once committed)
                where.update(dict.fromkeys(keys, batch))
                self._sizes[batch] = len(keys)
        except sqlite3.OperationalError:
            pass  # another run holds the lock for longer than the timeout (or the disk is full): skip caching
        except sqlite3.DatabaseError:
            self._reset()

    def prune(self, keep: set[str]) -> None:
        """Drop the batches less than half of whose entries are live (of files as they are now, and not written
        again since), once the entries outnumber the live ones; the live ones among them are parsed again next
        time."""
        if self._connection is None:
            return
        try:
            where = self._where()
            if sum(self._sizes.values()) <= 2 * len(keep) + 100:
                return
            live = dict.fromkeys(self._sizes, 0)
            for key in keep:
                if (batch := where.get(key)) is not None:
                    live[batch] += 1
            stale = [(batch,) for batch, size in self._sizes.items() if 2 * live[batch] < size]
            with self._connection:
                self._connection.execute("BEGIN IMMEDIATE")
                self._connection.executemany("DELETE FROM batches WHERE id = ?", stale)
            gone = {batch for (batch,) in stale}
            self._index = {key: batch for key, batch in where.items() if batch not in gone}
            self._sizes = {batch: size for batch, size in self._sizes.items() if batch not in gone}
        except sqlite3.Error:
            pass

    def _stats_mac(self, entries: bytes) -> str:
        return self._key.mac(b"stats", self._scope, entries)

    def file_stats(self) -> dict[str, tuple[str, str]]:
        """path -> (stat, digest) as recorded by ``put_file_stats`` on this machine (authenticated; a record
        made anywhere else is left out); nothing when the cache is unusable."""
        if self._connection is None:
            return {}
        try:
            row = self._connection.execute("SELECT entries, mac FROM stats WHERE name = ?", (_STATS,)).fetchone()
        except sqlite3.DatabaseError:
            self._reset()
            return {}
        if row is None or not isinstance(row[0], bytes) or self._stats_mac(row[0]) != row[1]:
            return {}
        text = decompress(row[0]).decode("utf-8", "surrogateescape")
        fields = text.split("\0") if text else []  # (none recorded: the files all went)
        return {fields[index]: (fields[index + 1], fields[index + 2]) for index in range(0, len(fields), 3)}

    def put_file_stats(self, known: dict[str, tuple[str, str]], recorded: dict[str, tuple[str, str]],
                       live: set[str]) -> None:
        """Record (stat, digest) by path: ``recorded`` in this run, over what was ``known`` (``file_stats``) of
        the paths still ``live``; nothing is written when that is what was known."""
        if self._connection is None:
            return
        kept = {path: found for path, found in known.items() if path in live}
        kept.update(recorded)
        if kept == known:
            return
        # paths hold no NUL (stats and digests neither): fields joined by one, paths as the walk gave them
        entries = compress("\0".join(field for path, (signature, digest) in kept.items()
                                      for field in (path, signature, digest)).encode("utf-8", "surrogateescape"))
        try:
            with self._connection:
                self._connection.execute("BEGIN IMMEDIATE")
                self._connection.execute("INSERT OR REPLACE INTO stats VALUES (?, ?, ?)",
                                         (_STATS, entries, self._stats_mac(entries)))
        except sqlite3.OperationalError:
            pass  # another run holds the lock: record next time
        except sqlite3.DatabaseError:
            self._reset()

    def close(self) -> None:
        self._index, self._sizes, self._batches = None, {}, {}
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _joined(entries: Iterable[tuple[str, bytes, bytes]]) -> bytes:
    """A batch's entries (key, payload, extras), as ``_split`` takes them apart: the number of parts and each
    one's length first (8 bytes each, little-endian), then the parts. (All lengths packed in one call, where a
    frame per part took 0.15 against 0.10 s to write 77,000 entries, 0.24 against 0.13 s to read them.)"""
    parts = [part for key, payload, extras in entries
             for part in (key.encode("utf-8", "surrogateescape"), payload, extras)]
    return b"".join([struct.pack(f"<Q{len(parts)}Q", len(parts), *map(len, parts)), *parts])


def _split(entries: bytes) -> dict[str, tuple[bytes, bytes]]:
    """The (payload, extras) by key of a batch's entries, as ``_joined`` joined them; nothing if they are not
    entries so joined."""
    try:
        (count,) = _COUNT.unpack_from(entries)
        if count % 3 or 8 + 8 * count > len(entries):
            return {}
        ends = list(accumulate(struct.unpack_from(f"<{count}Q", entries, 8), initial=8 + 8 * count))
    except struct.error:
        return {}
    if ends[-1] != len(entries):
        return {}
    parts = [entries[start:end] for start, end in pairwise(ends)]
    return {key.decode("utf-8", "surrogateescape"): (payload, extras)
            for key, payload, extras in zip(parts[0::3], parts[1::3], parts[2::3], strict=True)}


_COUNT = struct.Struct("<Q")


class _Foreign(Exception):
    """The database holds objects archrepo never makes (a view, a trigger): it was not made by archrepo."""


def _remove_links(database: Path) -> None:
    """The database and its journals must be plain files: a link (committed to git, say) would make SQLite
    read or write wherever it points. Such links are removed; a folder in their place makes the cache unusable."""
    for suffix in _SIDE_FILES:
        path = Path(f"{database}{suffix}")
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            continue
        if stat.S_ISDIR(info.st_mode):
            raise _Foreign(f"{path.name} is a folder")
        if not stat.S_ISREG(info.st_mode):
            path.unlink()


def _write_gitignore(directory: Path) -> None:
    """A .gitignore that keeps the cache out of commits; never written through a link."""
    try:
        fd = os.open(directory / ".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o644)
    except OSError:
        return  # there already (or the folder is read-only: the cache open says so)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("# archrepo's parse cache: safe to delete, never commit\n*\n")
