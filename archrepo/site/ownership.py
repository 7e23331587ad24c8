"""Which files in the output directory are the site's own: those listed in the manifest of the last build,
or carrying the generator marker. Anything else is the user's, and is never overwritten or deleted."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from archrepo.errors import UsageError
from archrepo.output import write_atomic
from archrepo.site.render import MARKER

__all__ = ["Claim", "claim_files", "manifest_name", "remove_stale"]

_HEAD = 1024


def manifest_name(fmt: str) -> str:
    """One manifest per format, so that an HTML and a Markdown build can share a directory."""
    return f".archrepo-docs-{fmt}.json"


@dataclass
class Claim:
    """The right to write the site's files into ``out``, checked before anything is written."""

    out: Path
    fmt: str
    previous: set[str] = field(default_factory=set)  # files of the last build (from its manifest)

    def write_manifest(self, files: list[str]) -> None:
        text = json.dumps({"comment": MARKER, "format": self.fmt, "files": sorted(files)}, indent=1) + "\n"
        path = self.out / manifest_name(self.fmt)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            write_atomic(path, text)


def _ours(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return MARKER.encode("utf-8") in handle.read(_HEAD)
    except OSError:
        return False


def _read_manifest(path: Path) -> set[str]:
    if not path.is_file() or not _ours(path):
        return set()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    names = data.get("files") if isinstance(data, dict) else None
    return {name for name in names if isinstance(name, str)} if isinstance(names, list) else set()


def _inside(name: str) -> bool:
    """A manifest entry is only trusted when it names a plain path inside ``out`` (as pathlib reads it: empty
    and ``.`` parts are nothing; in strings, as a manifest lists thousands of pages)."""
    parts = [part for part in name.split("/") if part not in ("", ".")]
    return bool(parts) and not name.startswith("/") and ".." not in parts


def claim_files(out: Path, fmt: str, names: Iterable[str]) -> Claim:
    """Check that every file the build will write is new, or one archrepo generated. UsageError listing the
    others (nothing has been written then)."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: that is a file, not a directory", hint="Give a directory for the site.")
    manifest = manifest_name(fmt)
    previous = {name for name in _read_manifest(out / manifest) if _inside(name)}
    conflicts = []
    in_the_way = _Folders(out)
    for name in sorted({*names, manifest}):
        blocked = in_the_way.first(name)
        if blocked is not None:
            conflicts.append(f"{blocked} is in the way of {name}")
            continue
        entry = in_the_way.entry(name)
        if entry is None:
            continue  # a new file
        if entry.is_symlink() or entry.is_dir(follow_symlinks=False):
            conflicts.append(f"{out / name} ({'a link' if entry.is_symlink() else 'a directory'})")
        elif name not in previous and not _ours(out / name):
            conflicts.append(str(out / name))
    if conflicts:
        shown = "; ".join(conflicts[:5]) + (f"; and {len(conflicts) - 5} more" if len(conflicts) > 5 else "")
        raise UsageError(f"--out {out} holds files that archrepo did not generate, which the site would "
                         f"overwrite: {shown}",
                         hint="Choose an empty directory (or a new subdirectory), or move those files away.")
    return Claim(out, fmt, previous)


class _Folders:
    """Which folder under ``out`` on the way to a file is not a plain folder (a link, a file), and what each
    plain folder holds, each folder looked at once (a site has tens of thousands of files in a dozen folders)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.blocked: dict[str, Path | None] = {}
        self.listed: dict[str, dict[str, os.DirEntry[str]]] = {}
        self.first_of: dict[str, Path | None] = {}  # by the folder of a file

    def entry(self, name: str) -> os.DirEntry[str] | None:
        """What is at ``name`` now (its folders are plain: :meth:`first` said so), None when nothing is."""
        folder, _, base = name.rpartition("/")
        entries = self.listed.get(folder)
        if entries is None:
            try:
                with os.scandir(self.out / folder if folder else self.out) as listing:
                    entries = {item.name: item for item in listing}
            except OSError:  # not there (yet): nothing in it
                entries = {}
            self.listed[folder] = entries
        return entries.get(base)

    def first(self, name: str) -> Path | None:
        folder = name.rpartition("/")[0]
        if folder not in self.first_of:
            self.first_of[folder] = self._first(folder)
        return self.first_of[folder]

    def _first(self, folder: str) -> Path | None:
        parts = folder.split("/") if folder else []
        for depth in range(1, len(parts) + 1):
            folder = "/".join(parts[:depth])
            if folder not in self.blocked:
                path = self.out / folder
                self.blocked[folder] = path if path.is_symlink() or (path.exists() and not path.is_dir()) else None
            if self.blocked[folder] is not None:
                return self.blocked[folder]
        return None


def remove_stale(out: Path, names: Iterable[str]) -> tuple[str, ...]:
    """Delete pages of an earlier build that this one no longer has, if they still carry the marker."""
    removed = []
    for name in sorted(names):
        path = out / name
        if _inside(name) and path.is_file() and not path.is_symlink() and _ours(path):
            os.unlink(path)
            removed.append(name)
    return tuple(removed)
