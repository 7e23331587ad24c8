"""Interoperability with other architecture tools.

Import (each returns an :class:`ImportResult`: model documents per file, a sidecar of source identifiers
and an :class:`ImportReport`; ``result.write(out_dir, force=...)`` writes the files atomically):

* :func:`convert_archimate` — ArchiMate 3.x Open Exchange Format files,
* :func:`convert_backstage` — Backstage catalog directories,
* :func:`convert_structurizr` — Structurizr workspace JSON.

Export: :func:`export_archimate` turns a loaded :class:`~archrepo.model.Model` into an exchange file that
validates against the ArchiMate 3.1 XSDs and that :func:`convert_archimate` reads back into the same model.
"""

from __future__ import annotations

from pathlib import Path

from archrepo.interop.archimate_export import export_archimate
from archrepo.interop.archimate_import import convert_archimate, import_archimate
from archrepo.interop.backstage import convert_backstage
from archrepo.interop.report import ImportReport, TypeCount
from archrepo.interop.sources import DEFAULT_MAX_BYTES, InteropError
from archrepo.interop.structurizr import convert_structurizr
from archrepo.interop.writer import ImportResult

__all__ = [
    "DEFAULT_MAX_BYTES",
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


def import_backstage(directory: Path | str, out_dir: Path | str, *, force: bool = False,
                     max_bytes: int = DEFAULT_MAX_BYTES) -> ImportReport:
    """Map a Backstage catalog directory and write the model files under ``out_dir``; returns the report."""
    result = convert_backstage(directory, max_bytes=max_bytes)
    result.write(out_dir, force=force)
    return result.report


def import_structurizr(path: Path | str, out_dir: Path | str, *, force: bool = False,
                       max_bytes: int = DEFAULT_MAX_BYTES, containers: bool = False,
                       standards: tuple[str, ...] | None = None) -> ImportReport:
    """Map a Structurizr workspace and write the model files under ``out_dir``; returns the report."""
    result = convert_structurizr(path, max_bytes=max_bytes, containers=containers, standards=standards)
    result.write(out_dir, force=force)
    return result.report
