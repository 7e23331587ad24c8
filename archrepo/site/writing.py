"""Writing the site's files: each page to a temporary file beside its place as soon as it is rendered (the
texts of a large site are not held in memory), and all of them renamed into place only once every page and
diagram is made, so that a build that fails or is interrupted leaves the site as it was, and a reader never
sees half a page. A file whose content is already what the build makes is left alone (its mtime too).

Unlike the reports archrepo writes, pages are not flushed to the disk one by one (``fsync``): a site is made
again by the next build, and syncing 8,000 pages took 36 s of a 1,000-application build.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from pathlib import Path

__all__ = ["StagedWrites"]

_counter = itertools.count()


class StagedWrites:
    """Files of ``out`` written to temporary files, put in place by :meth:`commit` (or removed by
    :meth:`abandon`); use as a context manager to abandon on any exception."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._staged: list[tuple[Path, Path, str]] = []  # temporary file, its place, the name
        self._folders: set[Path] = set()

    def __enter__(self) -> StagedWrites:
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if kind is not None:
            self.abandon()

    def write(self, name: str, data: bytes) -> bool:
        """Stage ``data`` for the file ``name`` (relative to ``out``) unless it holds exactly that; whether it
        will be written."""
        path = self.out / name
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                return False
        except FileNotFoundError:
            pass
        if path.parent not in self._folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(path.parent)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{next(_counter)}.tmp")
        self._staged.append((temporary, path, name))  # first: an interrupt right after the open still removes it
        # never through a link, never over a file already there (O_NOFOLLOW, O_EXCL)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return True

    def commit(self) -> list[str]:
        """Rename every staged file into place; the names written, sorted."""
        names = []
        try:
            while self._staged:
                temporary, path, name = self._staged[-1]
                os.replace(temporary, path)
                self._staged.pop()
                names.append(name)
        finally:
            self.abandon()
        return sorted(names)

    def abandon(self) -> None:
        """Remove every staged file that is not in place yet."""
        for temporary, _, _ in self._staged:
            with contextlib.suppress(OSError):
                temporary.unlink()
        self._staged.clear()
