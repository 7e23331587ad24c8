"""Reading files written by other tools, safely: size limit before parsing, no entities, no network, bounded depth."""

from __future__ import annotations

import json
import stat
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from archrepo.errors import ArchrepoError, excerpt

__all__ = ["DEFAULT_MAX_BYTES", "InteropError", "check_source", "read_json", "read_xml"]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
MAX_DEPTH = 256


class InteropError(ArchrepoError):
    """A file to import is unreadable, too large, hostile or not in the expected format (exit 2)."""


def check_source(path: Path, max_bytes: int, what: str = "file") -> int:
    """The size of ``path``; refuses (before any parsing) missing, non-regular and oversized files."""
    try:
        info = path.stat()
    except OSError as exc:
        raise InteropError(f"cannot read {path}: {exc.strerror or exc}",
                           hint=f"Give the path of an existing {what}.") from None
    if not stat.S_ISREG(info.st_mode):
        raise InteropError(f"{path} is not a regular file", hint=f"Give the path of a {what}.")
    if info.st_size > max_bytes:
        raise InteropError(f"the file is {_megabytes(info.st_size)}, over the limit of {_megabytes(max_bytes)}; "
                           "not parsed", file=str(path),
                           hint="Raise the limit with --max-size MB if the file is trusted and really this large.")
    return info.st_size


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


class _BoundedReader:
    """A binary file that stops with an error once more than ``limit`` bytes were read (a file that grows)."""

    def __init__(self, handle: IO[bytes], limit: int, path: Path) -> None:
        self._handle, self._limit, self._path, self._read = handle, limit, path, 0

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size if size >= 0 else self._limit + 1)
        self._read += len(data)
        if self._read > self._limit:
            raise InteropError(f"the file grew over the limit of {_megabytes(self._limit)} while being read",
                               file=str(self._path), hint="Import a file that is not being written to.")
        return data


def read_xml(path: Path, max_bytes: int = DEFAULT_MAX_BYTES,
             prune: Callable[[ET.Element], bool] | None = None) -> ET.Element:
    """The root element of an XML file, parsed with defusedxml (entity declarations and external references
    refused) after a size check. Elements for which ``prune`` is true are emptied as soon as they are read,
    so bulky parts that are not needed (diagrams) do not stay in memory."""
    import defusedxml
    import defusedxml.ElementTree as DET

    check_source(path, max_bytes, "XML file")
    depth = 0
    root: ET.Element | None = None
    try:
        with path.open("rb") as handle:
            reader = _BoundedReader(handle, max_bytes, path)
            for event, node in DET.iterparse(reader, events=("start", "end"), forbid_dtd=False,
                                             forbid_entities=True, forbid_external=True):
                if event == "start":
                    depth += 1
                    if root is None:
                        root = node
                    if depth > MAX_DEPTH:
                        raise InteropError(f"elements nested more than {MAX_DEPTH} deep; not parsed",
                                           file=str(path), hint="This is not a model exchange file.")
                else:
                    depth -= 1
                    if prune is not None and prune(node):
                        node.clear()
    except defusedxml.DefusedXmlException as exc:
        raise InteropError("refused: the file declares XML entities or external references "
                           f"({type(exc).__name__})", file=str(path),
                           hint="Model exchange files need no DTD or entities; such a file may be an attack "
                                "(external entities, entity expansion). Remove the <!DOCTYPE …> block.") from None
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 0
        raise InteropError(f"not well-formed XML: {excerpt(str(exc), 160)}", file=str(path), line=line,
                           hint="Check that the file is complete and was saved as XML.") from None
    except (LookupError, ValueError) as exc:  # expat: an encoding it does not know, or a multi-byte one
        raise InteropError(f"the XML declaration names an encoding that cannot be read ({excerpt(str(exc), 80)})",
                           file=str(path), line=1,
                           hint="Save the file as UTF-8 (and say encoding=\"UTF-8\" in its first line).") from None
    except OSError as exc:
        raise InteropError(f"cannot read {path}: {exc.strerror or exc}", file=str(path)) from None
    if root is None:  # pragma: no cover - expat reports an empty document as a ParseError
        raise InteropError(f"{path} holds no XML element", file=str(path))
    return root


def read_json(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    """A JSON document, after a size check; errors with line numbers."""
    check_source(path, max_bytes, "JSON file")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InteropError("not UTF-8 text", file=str(path), hint="Save the file as UTF-8 JSON.") from None
    except OSError as exc:
        raise InteropError(f"cannot read {path}: {exc.strerror or exc}", file=str(path)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InteropError(f"not valid JSON: {exc.msg}", file=str(path), line=exc.lineno,
                           hint="Check that the file is complete and is JSON.") from None
    except RecursionError:
        raise InteropError("JSON nested too deeply; not parsed", file=str(path)) from None
