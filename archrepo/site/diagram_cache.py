"""Rendered diagrams kept between builds, keyed by their content, so that a rebuild after an edit lays out only
the diagrams that changed.

The store is the parse cache's (:class:`archrepo.model.cache.ParseCache`, in a database of its own in
``.archrepo-cache/``): every entry carries a MAC made with the key outside the repository, mixed with the
digest of archrepo's code, so an SVG this machine's archrepo did not render and sanitise (one committed to git,
edited by hand, made by another version) is a miss, never a page. The key of a diagram covers its view, the
attributes of its ``<svg>``, the Graphviz version and the code digest. ``ARCHREPO_NO_CACHE=1`` switches it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
from pathlib import Path

from lz4.block import LZ4BlockError, compress, decompress

from archrepo.model.cache import ParseCache, open_cache
from archrepo.model.cachekey import CacheUnavailable, code_digest

__all__ = ["DATABASE", "DiagramCache"]

DATABASE = "diagrams-v1.sqlite"


def _graphviz_version() -> str:
    """What `dot -V` says (a new Graphviz may lay the same graph out differently); "" when it cannot run."""
    try:
        completed = subprocess.run(["dot", "-V"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (completed.stderr + completed.stdout).decode("utf-8", "replace").strip()


class DiagramCache:
    """SVGs by diagram; every failure is a miss. Use :meth:`open`."""

    def __init__(self, store: ParseCache) -> None:
        self._store = store
        self.version = _graphviz_version()  # of the Graphviz that lays out what is not in the cache
        self._salt = f"{code_digest()}\0{self.version}".encode()
        self._keys: dict[str, str] = {}  # page path -> cache key, made once a build
        self.hits = 0

    @classmethod
    def open(cls, root: Path) -> DiagramCache | None:
        """The cache of the repository at ``root``; None when switched off or unusable (the site is the same
        without it, only slower)."""
        if os.environ.get("ARCHREPO_NO_CACHE"):
            return None
        try:
            return cls(open_cache(root, DATABASE))
        except CacheUnavailable:
            return None

    def key(self, name: str, content: object) -> str:
        """The cache key of a diagram: ``content`` is what it is drawn from (a view and its ``<svg>``
        attributes, a map, ...), ``name`` its page (one key a build)."""
        known = self._keys.get(name)
        if known is None:
            digest = hashlib.blake2b(self._salt, digest_size=20)
            # its repr: every field of the view or map and of everything in it, plain text, numbers and flags
            # only (faster than pickling it; tests/test_site_scale.py checks that)
            digest.update(repr(content).encode("utf-8", "surrogatepass"))
            known = self._keys[name] = digest.hexdigest()
        return known

    def present(self, items: list[tuple[str, object]]) -> set[str]:
        """The names of the (name, content) the cache has an entry for (read later with :meth:`get_many`)."""
        return self.present_keys({name: self.key(name, content) for name, content in items})

    def present_keys(self, keys: dict[str, str]) -> set[str]:
        """The names (of ``keys``: name -> cache key) the cache has an entry for."""
        names = {key: name for name, key in keys.items()}
        return {names[key] for key in self._store.present(sorted(names))}

    def get_many(self, items: list[tuple[str, object]]) -> dict[str, str]:
        """The SVG of each (name, content) found, by name."""
        return self.get_keys({name: self.key(name, content) for name, content in items})

    def get_keys(self, keys: dict[str, str]) -> dict[str, str]:
        """The SVG of each name found (``keys``: name -> cache key), by name."""
        names = {key: name for name, key in keys.items()}
        found: dict[str, str] = {}
        for key, (payload, _) in self._store.get_many(sorted(names)).items():
            with contextlib.suppress(LZ4BlockError, UnicodeDecodeError):
                found[names[key]] = decompress(payload).decode("utf-8")
        self.hits += len(found)
        return found

    def put_many(self, rendered: list[tuple[str, object, str]]) -> None:
        """Keep the SVG of each (name, content, svg)."""
        self._store.put_many((self.key(name, content), (compress(svg.encode("utf-8")), b""))
                             for name, content, svg in rendered)

    def keep_only(self, items: list[tuple[str, object]], keys: set[str] | frozenset[str] = frozenset()) -> None:
        """Forget diagrams no page shows any more (those of ``items``, and those of ``keys``: cache keys made
        elsewhere), once they outnumber the live ones."""
        self._store.prune({self.key(name, content) for name, content in items} | set(keys))

    def close(self) -> None:
        self._store.close()
