"""Reading the files of an untrusted repository: regular files inside the repository, and nothing else.

A repository under review may hold a link to ``/etc/passwd``, a FIFO that never answers, a link to
``/dev/zero``, a directory nobody may list, a dangling link or a loop of links. The walk follows links only
when they resolve inside the repository, opens only regular files (checked on the open descriptor, which was
opened without blocking, so a FIFO swapped in after the walk cannot hang the run either) and turns every path
it cannot read into an error naming it: a model must never pass because part of it went unread.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

from archrepo.errors import Diagnostic

__all__ = ["Unreadable", "WalkResult", "file_kind", "read_regular", "read_regular_stat", "walk_yaml"]

YAML_SUFFIXES = (".yaml", ".yml")
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)


class Unreadable(Exception):
    """A path that is not a readable regular file; ``reason`` says why, for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def file_kind(mode: int) -> str:
    """What a file is, in words ("a FIFO (named pipe)")."""
    for test, name in ((stat.S_ISREG, "a regular file"), (stat.S_ISDIR, "a directory"),
                       (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISLNK, "a symbolic link")):
        if test(mode):
            return name
    return "not a regular file"


def _reason(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "a loop of symbolic links"
    if error.errno == errno.ENOENT:
        return "it does not exist (a dangling symbolic link, or removed while archrepo ran)"
    return str(error.strerror or error).lower()


def read_regular(path: Path | str, *, follow_symlinks: bool = True) -> bytes:
    """The bytes of a regular file. Unreadable for anything else (directory, FIFO, device, socket, missing,
    no permission; a symbolic link when ``follow_symlinks`` is false), without blocking on a FIFO."""
    return read_regular_stat(path, follow_symlinks=follow_symlinks)[0]


def read_regular_stat(path: Path | str, *, follow_symlinks: bool = True) -> tuple[bytes, os.stat_result]:
    """``read_regular``, with the file's stat taken on the open file before it was read."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags | (0 if follow_symlinks else _NO_FOLLOW))
    except OSError as error:
        if error.errno == errno.ELOOP and not follow_symlinks:
            raise Unreadable("a symbolic link, which is not followed here") from None
        raise Unreadable(_reason(error)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable(f"{file_kind(info.st_mode)}, not a regular file")
        return _read_to_end(fd, info.st_size), info
    except OSError as error:
        raise Unreadable(_reason(error)) from None
    finally:
        os.close(fd)


def _read_to_end(fd: int, size: int) -> bytes:
    """What the open regular file holds: ``size`` bytes, as its stat said, in one read when that still holds
    (asked for one byte more, the read stops short at the end); else read on to the end (it changed since)."""
    data = os.read(fd, size + 1)
    if len(data) == size:
        return data
    parts = [data]
    while chunk := os.read(fd, 1 << 20):
        parts.append(chunk)
    return b"".join(parts)


@dataclass
class WalkResult:
    """The YAML files found (absolute path to read, path shown relative to the root) and every path that
    could not be walked or would lead outside the repository. Paths are kept as text (a Path object per file
    costs 3 µs and 170 bytes, 77,000 times on a model of many small files)."""

    files: dict[str, str] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)

    def problem(self, display: str, message: str, hint: str) -> None:
        self.problems.append(Diagnostic(display, 0, message, hint))


def walk_yaml(root: Path, paths: Iterable[str]) -> WalkResult:
    """Every YAML file under ``paths`` (relative to ``root``, a resolved directory): files and folders, hidden
    ones skipped, links followed only inside ``root``."""
    result = WalkResult()
    for relative in paths:
        base = root / relative
        display = _display(root, base)
        if not os.path.lexists(base):
            continue  # a configured path that does not exist: the config check reports the ones that must
        target = _inside(root, base, display, result)
        if target is not None:  # shown as where it resolves to, as files found in it are
            _visit(root, target, _display(root, target), result, frozenset(), explicit=True)
    return result


def _display(root: Path, path: Path) -> str:
    text = os.path.normpath(os.path.relpath(path, root))  # on strings: resolving every file is slow
    return Path(text).as_posix()


def _inside(root: Path, path: Path, display: str, result: WalkResult) -> Path | None:
    """``path`` with its links resolved, if that exists and is inside ``root``; else None and a problem."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError) as error:
        reason = _reason(error) if isinstance(error, OSError) else "a loop of symbolic links"
        result.problem(display, f"cannot be read: {reason}",
                       "Remove the link or make it point to a file or folder inside the repository.")
        return None
    if not target.is_relative_to(root):
        result.problem(display, "leads outside the repository (a symbolic link or '..'); it was not read",
                       "Keep every model, rule and setting file inside the repository; copy the file in "
                       "instead of linking to it.")
        return None
    return target


_Ancestors = frozenset[tuple[int, int]]


def _visit(root: Path, path: Path, display: str, result: WalkResult, ancestors: _Ancestors,
           *, explicit: bool = False) -> None:
    """One resolved path: a folder is walked, a YAML file (any file, when configured by name) is taken."""
    try:
        info = os.stat(path)
    except OSError as error:
        result.problem(display, f"cannot be read: {_reason(error)}", "Check the path and its permissions.")
        return
    if stat.S_ISDIR(info.st_mode):
        identity = (info.st_dev, info.st_ino)
        if identity in ancestors:
            result.problem(display, "a symbolic link to a folder that contains it (a loop); it was not followed",
                           "Remove the link: it would make every file below it appear without end.")
        else:
            _walk_directory(root, path, display, result, ancestors | {identity})
    elif explicit or display.endswith(YAML_SUFFIXES):
        if stat.S_ISREG(info.st_mode):
            result.files.setdefault(display, os.fspath(path))
        else:
            result.problem(display, f"is {file_kind(info.st_mode)}, not a regular file; it was not read",
                           "Keep only regular YAML files under the model, rule and principle paths.")


def _walk_directory(root: Path, directory: Path, display: str, result: WalkResult, ancestors: _Ancestors) -> None:
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=_name)
    except OSError as error:
        result.problem(display, f"this folder cannot be listed: {_reason(error)}",
                       "Make it readable (or remove it): a model must not pass with part of it unread.")
        return
    prefix = f"{display}/" if display != "." else ""
    files = result.files
    for entry in entries:
        name = entry.name
        if name[0] == ".":
            continue
        child = prefix + name
        try:
            if entry.is_file(follow_symlinks=False):  # a regular file (not a link): the common case first
                if name.endswith(YAML_SUFFIXES):
                    files.setdefault(child, entry.path)
            elif entry.is_symlink():
                _follow(root, Path(entry.path), child, result, ancestors)
            elif entry.is_dir(follow_symlinks=False):
                _visit(root, Path(entry.path), child, result, ancestors)
            elif name.endswith(YAML_SUFFIXES):
                _visit(root, Path(entry.path), child, result, ancestors)  # says what it is instead
        except OSError as error:
            result.problem(child, f"cannot be read: {_reason(error)}", "Check the path and its permissions.")


_name = attrgetter("name")


def _follow(root: Path, link: Path, display: str, result: WalkResult, ancestors: _Ancestors) -> None:
    """A link found in a folder: to a folder or a YAML file, followed if it stays inside ``root``; to another
    file, ignored (it is never read); leading nowhere, an error (it may have been meant as a folder of models)."""
    try:
        info = os.stat(link)
    except OSError as error:
        result.problem(display, f"cannot be read: {_reason(error)}",
                       "Remove the link or make it point to a file or folder inside the repository.")
        return
    if stat.S_ISDIR(info.st_mode) or display.endswith(YAML_SUFFIXES):
        target = _inside(root, link, display, result)
        if target is not None:
            _visit(root, target, display, result, ancestors)
