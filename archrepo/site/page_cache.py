"""What the last builds wrote for each page, keyed by what the page is made from, so that a rebuild renders
only the pages whose content changed.

A page is made from its :class:`~archrepo.site.links.Page` (every text, link and badge on it), its diagram, and
the renderer's settings (format, title, date); the key is a digest of all of them. The cache records the digest
of the text written for that key. A page whose key is known, and whose file still holds exactly that text (its
digest is checked, so an edited or replaced file is written again), is left as it is and not rendered.

The store is the parse cache's (:class:`archrepo.model.cache.ParseCache`, its own database): entries carry a MAC
made with the key outside the repository and the code digest, so a record this machine's archrepo did not make
is a miss, and a page is never left in place on the word of anything in the repository.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from archrepo.model.cache import ParseCache, open_cache
from archrepo.model.cachekey import CacheUnavailable, code_digest
from archrepo.site.links import Page

__all__ = ["DATABASE", "PageCache", "text_digest", "unchanged"]

DATABASE = "pages-v1.sqlite"


def text_digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=20).digest()


class PageCache:
    """Use :meth:`open`; every failure is a miss (the page is rendered)."""

    def __init__(self, store: ParseCache, settings: tuple[str, ...]) -> None:
        self._store = store
        self._salt = "\0".join((code_digest(), *settings)).encode("utf-8", "surrogatepass")
        self._written: list[tuple[str, tuple[bytes, bytes]]] = []
        self._live: set[str] = set()

    @classmethod
    def open(cls, root: Path, settings: tuple[str, ...]) -> PageCache | None:
        """The cache of the repository at ``root`` for pages rendered with ``settings``; None when switched off
        (``ARCHREPO_NO_CACHE``) or unusable."""
        if os.environ.get("ARCHREPO_NO_CACHE"):
            return None
        try:
            return cls(open_cache(root, DATABASE), settings)
        except CacheUnavailable:
            return None

    def key(self, page: Page, diagram: str | None) -> str:
        digest = hashlib.blake2b(self._salt, digest_size=20)
        # its repr: every field of the page and of everything on it, plain text, numbers and flags only (a
        # third faster than pickling it)
        digest.update(repr(page).encode("utf-8", "surrogatepass"))
        digest.update(b"\0" if diagram is None else b"\1" + diagram.encode("utf-8", "surrogatepass"))
        key = digest.hexdigest()
        self._live.add(key)
        return key

    def empty(self) -> bool:
        """Whether no build has recorded a page yet (a first build)."""
        return self._store.empty()

    def keep(self, keys: Iterable[str]) -> None:
        """Count ``keys`` as pages of this build (keyed elsewhere), which :meth:`close` does not prune."""
        self._live.update(keys)

    def known(self, keys: list[str]) -> dict[str, bytes]:
        """The digest of the text written for each key found."""
        return {key: payload for key, (payload, _) in self._store.get_many(keys).items()}

    def remember(self, key: str, text: bytes) -> None:
        self._written.append((key, (text_digest(text), b"")))

    def records(self, inputs: list[str]) -> dict[str, tuple[str, str]]:
        """(page key, diagram key or "") recorded for each input key found (:mod:`archrepo.site.page_inputs`)."""
        found: dict[str, tuple[str, str]] = {}
        for key, (page, diagram) in self._store.get_many(inputs).items():
            try:
                found[key] = (page.decode("ascii"), diagram.decode("ascii"))
            except UnicodeDecodeError:
                continue
        return found

    def record(self, inputs: str, page: str, diagram: str | None) -> None:
        """Record that the page whose input key is ``inputs`` has the key ``page``, and its diagram ``diagram``
        (a diagram cache key, or None)."""
        self._live.add(inputs)
        self._written.append((inputs, (page.encode("ascii"), (diagram or "").encode("ascii"))))

    def close(self) -> None:
        """Store what this build wrote; forget pages no longer made, once they outnumber the live ones."""
        try:
            self._store.put_many(self._written)
            self._store.prune(self._live)
        finally:
            self._store.close()

    def abandon(self) -> None:
        """Close without recording anything (the build failed: what it wrote is not known to be complete)."""
        self._store.close()


def unchanged(path: Path, digest: bytes) -> bool:
    """Whether the file at ``path`` is a regular file holding exactly the text of ``digest``."""
    try:
        with path.open("rb") as handle:
            return text_digest(handle.read()) == digest
    except OSError:
        return False
