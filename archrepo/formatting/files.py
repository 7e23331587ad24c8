"""Formatting files: which files, the formatted text of one, and writing them (atomically) or diffing them."""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from archrepo.config import Config
from archrepo.errors import ArchrepoError, Diagnostic, DiagnosticSink, Level, UsageError
from archrepo.formatting.guard import check_same_content, read_documents
from archrepo.formatting.render import FormatError, render
from archrepo.model.lifecycle import contract_shape
from archrepo.model.loader import discover_files
from archrepo.model.yamlsource import decode_source
from archrepo.output import write_atomic

__all__ = ["FileFormat", "FormatResult", "format_files", "format_text", "select_files"]

_SUFFIXES = (".yaml", ".yml")
_LINE_BREAKS = ("\x85", "\u2028", "\u2029")


def format_text(text: str, file: str = "<text>") -> str:
    """``text`` in canonical key order and style, comments kept; :class:`FormatError` when it cannot be.

    The result is checked before it is returned: read back with the project's YAML reader it holds the
    same documents, values and types as ``text``, and every comment of ``text``.
    """
    source = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if any(mark in source for mark in _LINE_BREAKS):
        line = next(n for n, part in enumerate(source.split("\n"), start=1) if any(m in part for m in _LINE_BREAKS))
        raise FormatError("the file contains a Unicode line or paragraph separator, which YAML reads as a "
                          "line break", file=file, line=line, hint="Replace it by a normal line break or a space.")
    before = read_documents(source, file)
    if not before:
        return text  # empty, or only comments: nothing to format
    formatted = render(source, file)
    # the one change of data fmt makes: a lifecycle spelled the other kind's way, in the contract's spelling
    expected = [replace(document, data=contract_shape(document.data)) for document in before]
    check_same_content(expected, source, formatted, file)
    return formatted


@dataclass(frozen=True)
class FileFormat:
    """One file: its text as read and as formatted (``None`` when it could not be formatted)."""

    path: Path
    file: str
    original: str
    formatted: str | None
    changed: bool
    raw: bytes = field(default=b"", repr=False)  # the bytes read, to notice a file edited meanwhile

    def diff(self) -> str:
        """A unified diff from the file as it is to the file as formatted ('' when unchanged)."""
        if not self.changed or self.formatted is None:
            return ""
        lines = difflib.unified_diff(self.original.splitlines(keepends=True),
                                     self.formatted.splitlines(keepends=True), f"a/{self.file}", f"b/{self.file}")
        return "".join(line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in lines)


@dataclass
class FormatResult:
    """What ``format_files`` found and did."""

    files: list[FileFormat] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    written: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[FileFormat]:
        """Files whose formatted text differs from the file (written, unless it was a check)."""
        return [f for f in self.files if f.changed]

    @property
    def unchanged(self) -> list[FileFormat]:
        return [f for f in self.files if f.formatted is not None and not f.changed]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level is Level.ERROR]

    @property
    def failed(self) -> list[str]:
        """Files left alone because they could not be read or formatted safely."""
        return sorted({d.file for d in self.errors})

    def diff(self) -> str:
        return "".join(f.diff() for f in self.changed)


def format_files(config: Config | None, paths: Sequence[Path | str] = (), *, check: bool = False) -> FormatResult:
    """Format the given files and directories (default: every model file of ``config``).

    Unless ``check`` is set, each changed file is written atomically. A file that does not parse, or
    whose formatted text would not hold the same data and comments, is left alone and reported in
    ``diagnostics``; the other files are still formatted.
    """
    result = FormatResult()
    for path, display in select_files(config, paths):
        outcome, problems = _format_file(path, display)
        result.diagnostics += problems
        if outcome is None:
            continue
        result.files.append(outcome)
        if outcome.changed and not check and outcome.formatted is not None:
            if _write(outcome):
                result.written.append(display)
            else:
                result.diagnostics.append(Diagnostic(display, 0, "the file changed while it was being formatted; "
                                                     "it is left as it is", "Run fmt again."))
    result.diagnostics.sort()
    return result


def _write(outcome: FileFormat) -> bool:
    """Write the formatted text over the file (through a symlink, to its target), unless the file changed."""
    target = outcome.path.resolve()
    if target.read_bytes() != outcome.raw or outcome.formatted is None:
        return False
    write_atomic(target, outcome.formatted)
    return True


def _format_file(path: Path, display: str) -> tuple[FileFormat | None, list[Diagnostic]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Diagnostic(display, 0, f"cannot read the file: {exc.strerror}")]
    sink = DiagnosticSink()
    text = decode_source(raw, display, sink)
    if text is None:
        return None, sink.errors
    try:
        formatted = format_text(text, display)
    except FormatError as error:
        return FileFormat(path, display, text, None, False, raw), _diagnostics_of(error, display)
    return FileFormat(path, display, text, formatted, formatted.encode("utf-8") != raw, raw), []


def _diagnostics_of(error: ArchrepoError, display: str) -> list[Diagnostic]:
    if error.diagnostics:
        return list(error.diagnostics)
    return [Diagnostic(error.file or display, error.line, error.message, error.hint)]


def select_files(config: Config | None, paths: Sequence[Path | str] = ()) -> list[tuple[Path, str]]:
    """(path, name shown to people) of the files to format: the named ones, else the model files."""
    if not paths:
        if config is None:
            raise UsageError("no files to format", hint="Name files or directories, or run inside a repository.")
        return discover_files(config)
    root = config.root if config is not None else Path.cwd().resolve()
    found: dict[Path, str] = {}
    for given in map(Path, paths):
        if not given.exists():
            raise UsageError(f"{given}: no such file or directory", hint="Name model files or directories.")
        for path in _walk(given) if given.is_dir() else [given]:
            found.setdefault(path.resolve(), _display(path, root))
    return sorted(found.items(), key=lambda item: item[1])


def _walk(directory: Path) -> list[Path]:
    files: list[Path] = []
    for folder, subdirs, names in os.walk(directory):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        files += [Path(folder, name) for name in sorted(names) if name.endswith(_SUFFIXES) and not name.startswith(".")]
    return files


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
