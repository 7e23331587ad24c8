"""Interoperability with other architecture tools, one package per format behind one interface.

* :mod:`archrepo.interop.formats`: the :class:`~archrepo.interop.formats.Importer` and
  :class:`~archrepo.interop.formats.Exporter` protocols and the registry the ``import``/``export`` commands
  iterate;
* :mod:`archrepo.interop.archimate`, :mod:`~archrepo.interop.backstage`, :mod:`~archrepo.interop.structurizr`:
  the formats;
* shared: :mod:`~archrepo.interop.report` (the import report), :mod:`~archrepo.interop.slug` (ids),
  :mod:`~archrepo.interop.sources` (reading untrusted files), :mod:`~archrepo.interop.writer` (model files),
  :mod:`~archrepo.interop.target` (the repository an import goes into).

Import (each returns an :class:`ImportResult`: model documents per file and an :class:`ImportReport`;
``result.write(out_dir, force=...)`` writes the files atomically): :func:`convert_archimate`,
:func:`convert_backstage`, :func:`convert_structurizr`. Export: :func:`export_archimate` turns a loaded
model into an exchange file that validates against the ArchiMate 3.1 XSDs and that
:func:`convert_archimate` reads back into the same model.

The converters are loaded on first use, so that the command line starts fast.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archrepo.interop.formats import ImportOptions
from archrepo.interop.sources import DEFAULT_MAX_BYTES, InteropError

if TYPE_CHECKING:
    from archrepo.interop.archimate.exporter import export_archimate
    from archrepo.interop.archimate.importer import convert_archimate, import_archimate
    from archrepo.interop.backstage.importer import convert_backstage
    from archrepo.interop.report import ImportReport, TypeCount
    from archrepo.interop.structurizr.importer import convert_structurizr
    from archrepo.interop.writer import ImportResult

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ImportOptions",
    "ImportReport",
    "ImportResult",
    "InteropError",
    "TypeCount",
    "convert_archimate",
    "convert_backstage",
    "convert_structurizr",
    "export_archimate",
    "import_archimate",
    "import_backstage",
    "import_structurizr",
]

_LAZY = {"export_archimate": "archrepo.interop.archimate.exporter",
         "convert_archimate": "archrepo.interop.archimate.importer",
         "import_archimate": "archrepo.interop.archimate.importer",
         "convert_backstage": "archrepo.interop.backstage.importer",
         "convert_structurizr": "archrepo.interop.structurizr.importer",
         "ImportReport": "archrepo.interop.report", "TypeCount": "archrepo.interop.report",
         "ImportResult": "archrepo.interop.writer"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def import_backstage(directory: Path | str, out_dir: Path | str, *, force: bool = False,
                     max_bytes: int = DEFAULT_MAX_BYTES) -> ImportReport:
    """Map a Backstage catalog and write the model files under ``out_dir``; returns the report."""
    from archrepo.interop.backstage.importer import convert_backstage

    result = convert_backstage(directory, max_bytes=max_bytes)
    result.write(out_dir, force=force)
    return result.report


def import_structurizr(path: Path | str, out_dir: Path | str, *, force: bool = False,
                       max_bytes: int = DEFAULT_MAX_BYTES, containers: bool = False,
                       standards: tuple[str, ...] | None = None) -> ImportReport:
    """Map a Structurizr workspace and write the model files under ``out_dir``; returns the report."""
    from archrepo.interop.structurizr.importer import convert_structurizr

    result = convert_structurizr(path, max_bytes=max_bytes, containers=containers, standards=standards)
    result.write(out_dir, force=force)
    return result.report
