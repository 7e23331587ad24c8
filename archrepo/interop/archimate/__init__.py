"""ArchiMate 3.x Open Exchange Format: import (:mod:`.importer`) and export (:mod:`.exporter`).

This module only describes the format for the command line; the converters are imported when used.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from archrepo.interop.formats import ImportFlag, ImportOptions, SourceType

if TYPE_CHECKING:
    from archrepo.interop.writer import ImportResult
    from archrepo.model.elements import Model

__all__ = ["EXPORTER", "IMPORTER"]


class _ArchimateImporter:
    name = "archimate"
    summary = "an ArchiMate 3.x Open Exchange Format file (FILE.xml)"
    help = ("Import an ArchiMate 3.x Open Exchange Format file (FILE.xml).\n\n"
            "Applications, actors, capabilities, data objects, business processes and the technology layer "
            "(nodes, devices, system software, technology services, networks, artifacts) become archrepo "
            "elements; flows, triggering and serving between applications become integrations. The mapping "
            "is in docs/interop.md.")
    source: SourceType = "file"
    flags: tuple[ImportFlag, ...] = ()

    def convert(self, source: Path, options: ImportOptions) -> ImportResult:
        from archrepo.interop.archimate.importer import convert_archimate

        return convert_archimate(source, options=options)


class _ArchimateExporter:
    name = "archimate"
    summary = "the ArchiMate 3.1 Open Exchange Format (with a generated landscape view)"

    def export(self, model: Model) -> str:
        from archrepo.interop.archimate.exporter import export_archimate

        return export_archimate(model)


IMPORTER = _ArchimateImporter()
EXPORTER = _ArchimateExporter()
