"""Structurizr workspaces (JSON): import (:mod:`.importer`).

This module only describes the format for the command line; the converter is imported when used.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from archrepo.interop.formats import ImportFlag, ImportOptions, SourceType

if TYPE_CHECKING:
    from archrepo.interop.writer import ImportResult

__all__ = ["IMPORTER"]


class _StructurizrImporter:
    name = "structurizr"
    summary = "a Structurizr workspace (workspace.json)"
    help = ("Import a Structurizr workspace (workspace.json; the DSL is not read: export it as JSON first).\n\n"
            "Software systems (and with --containers, containers) become applications, their relationships "
            "integrations, deployment and infrastructure nodes technology. The mapping is in docs/interop.md.")
    source: SourceType = "file"
    flags = (ImportFlag("containers", "Import containers too, as Applications tagged `container` "
                                      "(default: software systems only)."),)

    def convert(self, source: Path, options: ImportOptions) -> ImportResult:
        from archrepo.interop.structurizr.importer import convert_structurizr

        return convert_structurizr(source, options=options)


IMPORTER = _StructurizrImporter()
