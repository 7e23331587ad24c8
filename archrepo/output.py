"""Writing generated files: atomically, so a reader never sees half a file and nothing is lost on a crash.

Only a regular file (or a path where nothing is yet) is replaced by a rename. Anything else already at the
path (``/dev/null``, ``/dev/stdout``, a FIFO, a link) is never replaced: it is written into, in place, when
the path was named by the person running archrepo (``--output``), and refused otherwise (a path that comes
from the repository, such as the default baseline file, must not send archrepo's output through a link).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from archrepo.errors import ArchrepoError, UsageError

__all__ = ["OutputError", "check_targets", "new_file_mode", "replace_file", "write_atomic", "write_together"]


class OutputError(ArchrepoError):
    """A generated file cannot be written (exit 2): a read-only folder, a full disk, a path in the way."""


def write_atomic(path: Path | str, content: str | bytes, *, in_place: bool = False) -> None:
    """Write ``content`` to ``path``: through a temporary file in the same directory and a rename when ``path``
    is a regular file or does not exist; into the file as it is when it is something else (a device, a FIFO,
    a link) and ``in_place`` allows it (the path was given on the command line); else OutputError."""
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        info: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise _error(path, error) from None
    if info is None or stat.S_ISREG(info.st_mode):
        try:
            replace_file(path, data)
        except OSError as error:
            raise _error(path, error) from None
        return
    if stat.S_ISDIR(info.st_mode):
        raise OutputError(f"cannot write {path}: it is a directory", hint="Give the path of a file.")
    if not in_place:
        what = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a regular file"
        raise OutputError(f"{path} is {what}; archrepo writes only regular files here, nothing was written",
                          hint="Remove it, or name the output file explicitly with --output.")
    _write_in_place(path, data)


def replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path`` (a link at ``path`` is
    replaced, never followed). OSError when that fails; the temporary file is removed then."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            mode = os.lstat(path).st_mode
            os.chmod(temporary, stat.S_IMODE(mode) & 0o777 if stat.S_ISREG(mode) else new_file_mode())
        except FileNotFoundError:
            os.chmod(temporary, new_file_mode())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def check_targets(out: Path, targets: list[Path]) -> None:
    """Before anything of a tree of files is written under ``out``: UsageError when a file or a link is where
    a folder is needed, or a folder, link or special file is where a file goes."""
    blocked: list[str] = []
    for path in targets:
        for parent in [*reversed(path.relative_to(out).parents)][1:]:
            folder = out / parent
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                blocked.append(f"{folder} is in the way of the folder {path.parent}")
                break
        else:
            if path.is_symlink() or (path.exists() and not path.is_file()):
                blocked.append(f"{path} is not a regular file")
    if blocked:
        more = f" (and {len(blocked) - 1} more)" if len(blocked) > 1 else ""
        raise UsageError(f"{blocked[0]}{more}; nothing was written",
                         hint="Move what is in the way, or choose another output directory.")


def write_together(files: Mapping[Path, str | bytes]) -> None:
    """A tree of files, all or nothing: each written to a temporary name in its folder, then all renamed into
    place. On a failure the temporary files and the folders made for them are removed (OutputError): nothing
    is in place. Call ``check_targets`` first."""
    made: list[Path] = []  # folders created here, outermost first
    staged: dict[Path, Path] = {}
    try:
        for path, content in files.items():
            for folder in reversed([path.parent, *path.parent.parents]):
                if not folder.exists():
                    folder.mkdir()
                    made.append(folder)
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged[path] = Path(name)
            with os.fdopen(fd, "wb") as handle:
                handle.write(content.encode("utf-8") if isinstance(content, str) else content)
            os.chmod(name, new_file_mode())
    except OSError as error:
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        failure = _error(Path(error.filename or "the output"), error)
        raise OutputError(f"{failure.message}; nothing was written", hint=failure.hint) from None
    for path, temporary in staged.items():
        os.replace(temporary, path)


def _write_in_place(path: Path, data: bytes) -> None:
    """Into a device, a FIFO (waits for a reader, as a shell redirection does) or through a link, without
    creating or replacing anything."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        raise _error(path, error) from None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):  # a link to a regular file: its old text must not remain
            os.ftruncate(fd, 0)
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    except OSError as error:
        raise _error(path, error) from None
    finally:
        os.close(fd)


def _error(path: Path, error: OSError) -> OutputError:
    reason = error.strerror or str(error)
    hints = {errno.ENOSPC: "Free some space, or write the output elsewhere.",
             errno.EACCES: "Check that the folder is writable, or choose another output path.",
             errno.EROFS: "The file system is read-only: choose another output path.",
             errno.ENOTDIR: "A file is in the way of a folder on this path: choose another output path.",
             errno.ENXIO: "Nothing is reading from it (a socket or a FIFO with no reader).",
             errno.EPIPE: "The reader went away before the output was written."}
    return OutputError(f"cannot write {path}: {reason}",
                       hint=hints.get(error.errno or 0, "Check the path, the folder's permissions and the free "
                                                        "space, or choose another output path."))


def new_file_mode() -> int:
    """The mode a new file gets (0666 less the umask), as with open(); mkstemp's 0600 is not meant for output."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
