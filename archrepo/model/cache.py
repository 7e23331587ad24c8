"""A cache of parsed model files keyed by content, so a re-check parses only the files that changed.

SQLite in ``.archrepo-cache/`` (WAL mode: concurrent runs never corrupt it). Entries are JSON, compressed and
checksummed: nothing in the cache can run code, a damaged entry is a miss, a damaged database is deleted
and rebuilt. The key covers the file's path and bytes and everything that shapes the parse (archrepo's
version, the schemas, the caller's extras), so a stale entry can never be found.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

__all__ = ["CACHE_DIR", "ParseCache", "content_key", "decode_payload", "encode_payload", "file_digest"]

CACHE_DIR = ".archrepo-cache"
_SCHEMA = ("CREATE TABLE IF NOT EXISTS files (key TEXT PRIMARY KEY, digest TEXT NOT NULL, payload BLOB NOT NULL, "
           "extras BLOB NOT NULL)")
# path -> the stat a file had when its bytes had ``digest`` (what lets a re-check skip reading unchanged files)
_STATS_SCHEMA = "CREATE TABLE IF NOT EXISTS stats (path TEXT PRIMARY KEY, stat TEXT NOT NULL, digest TEXT NOT NULL)"


_WIDE = b"\0"  # marks a payload written by the standard json module (orjson never starts with a NUL)


def encode_payload(value: Any) -> bytes:
    """JSON, compressed: what the cache stores (made in the worker processes, in parallel). orjson refuses
    integers beyond 64 bits (YAML allows any size, and so does xsd:integer): those go through the standard
    json module, which reads them back exactly."""
    try:
        data = orjson.dumps(value)
    except TypeError:
        data = _WIDE + json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return zlib.compress(data, 1)


def decode_payload(payload: bytes) -> Any:
    data = zlib.decompress(payload)
    if data.startswith(_WIDE):
        return json.loads(data[1:].decode("utf-8", "surrogatepass"))
    return orjson.loads(data)


def _digest(payload: bytes, extras: bytes) -> str:
    digest = hashlib.blake2b(payload, digest_size=20)
    digest.update(b"\0")
    digest.update(extras)
    return digest.hexdigest()


def file_digest(raw: bytes) -> str:
    """The digest of a file's bytes."""
    return hashlib.blake2b(raw, digest_size=20).hexdigest()


def content_key(namespace: str, relative: str, digest: str) -> str:
    """The cache key of a file: its path, its bytes' digest and everything that shapes its parse."""
    return hashlib.blake2b(f"{namespace}\0{relative}\0{digest}".encode(), digest_size=20).hexdigest()


class ParseCache:
    """get/put of JSON-able payloads by key; every failure degrades to a miss, never to a wrong answer."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "parse-v2.sqlite"
        self._connection: sqlite3.Connection | None = None
        self.hits = self.misses = self.rejected = 0
        try:
            directory.mkdir(parents=True, exist_ok=True)
            _write_gitignore(directory)
            self._connection = self._open()
        except (OSError, sqlite3.DatabaseError):
            self._reset()

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA busy_timeout = 30000")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute(_SCHEMA)
        connection.execute(_STATS_SCHEMA)
        connection.execute("SELECT count(*) FROM files WHERE key = ''").fetchone()  # fails on a damaged file
        return connection

    def _reset(self) -> None:
        """Delete a damaged database and start an empty one (or run without a cache if that fails too)."""
        if self._connection is not None:
            with contextlib.suppress(sqlite3.Error):
                self._connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        try:
            self._connection = self._open()
        except (OSError, sqlite3.DatabaseError):
            self._connection = None

    def get_many(self, keys: list[str]) -> dict[str, tuple[bytes, bytes]]:
        """Verified (payload, extras) by key (decode with ``decode_payload``); a damaged entry is a miss."""
        if self._connection is None or not keys:
            self.misses += len(keys)
            return {}
        found: dict[str, tuple[bytes, bytes]] = {}
        try:
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                rows = self._connection.execute(
                    f"SELECT key, digest, payload, extras FROM files WHERE key IN ({','.join('?' * len(chunk))})",
                    chunk)
                for key, digest, payload, extras in rows:
                    if _digest(payload, extras) == digest:
                        found[key] = (payload, extras)
                    else:
                        self.rejected += 1
        except sqlite3.DatabaseError:
            self._reset()
            found = {}
        self.hits += len(found)
        self.misses += len(keys) - len(found)
        return found

    def put_many(self, items: Iterable[tuple[str, tuple[bytes, bytes]]]) -> None:
        """Store encoded (payload, extras) by key."""
        if self._connection is None:
            return
        rows = [(key, _digest(payload, extras), payload, extras) for key, (payload, extras) in items]
        if not rows:
            return
        try:
            with self._connection:
                self._connection.execute("BEGIN IMMEDIATE")
                self._connection.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", rows)
        except sqlite3.OperationalError:
            pass  # another run holds the lock for longer than the timeout: skip caching this time
        except sqlite3.DatabaseError:
            self._reset()

    def prune(self, keep: set[str]) -> None:
        """Drop entries of files that no longer exist, once they outnumber the live ones."""
        if self._connection is None:
            return
        try:
            total = self._connection.execute("SELECT count(*) FROM files").fetchone()[0]
            if total > 2 * len(keep) + 100:
                with self._connection:
                    self._connection.execute("BEGIN IMMEDIATE")
                    self._connection.execute("CREATE TEMP TABLE IF NOT EXISTS live (key TEXT PRIMARY KEY)")
                    self._connection.execute("DELETE FROM live")
                    self._connection.executemany("INSERT OR IGNORE INTO live VALUES (?)", [(k,) for k in keep])
                    self._connection.execute("DELETE FROM files WHERE key NOT IN (SELECT key FROM live)")
        except sqlite3.Error:
            pass

    def file_stats(self) -> dict[str, tuple[str, str]]:
        """path -> (stat, digest) as recorded by ``put_file_stats``; nothing when the cache is unusable."""
        if self._connection is None:
            return {}
        try:
            return {path: (stat, digest) for path, stat, digest in
                    self._connection.execute("SELECT path, stat, digest FROM stats")}
        except sqlite3.DatabaseError:
            self._reset()
            return {}

    def put_file_stats(self, recorded: dict[str, tuple[str, str]], live: set[str]) -> None:
        """Record (stat, digest) by path; forget paths no longer ``live`` once they are many."""
        if self._connection is None:
            return
        try:
            with self._connection:
                self._connection.execute("BEGIN IMMEDIATE")
                if recorded:
                    self._connection.executemany("INSERT OR REPLACE INTO stats VALUES (?, ?, ?)",
                                                 [(path, stat, digest) for path, (stat, digest) in recorded.items()])
                total = self._connection.execute("SELECT count(*) FROM stats").fetchone()[0]
                if total > len(live) + 100:
                    gone = [(path,) for (path,) in self._connection.execute("SELECT path FROM stats")
                            if path not in live]
                    self._connection.executemany("DELETE FROM stats WHERE path = ?", gone)
        except sqlite3.OperationalError:
            pass  # another run holds the lock: record next time
        except sqlite3.DatabaseError:
            self._reset()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _write_gitignore(directory: Path) -> None:
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# archrepo's parse cache: safe to delete, never commit\n*\n", encoding="utf-8")
