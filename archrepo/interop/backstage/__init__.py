"""Backstage software catalog: import (:mod:`.importer`), reading catalog files (:mod:`.catalog`).

This module only describes the format for the command line; the converter is imported when used.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from archrepo.interop.formats import ImportFlag, ImportOptions, SourceType

if TYPE_CHECKING:
    from archrepo.interop.writer import ImportResult

__all__ = ["IMPORTER"]


class _BackstageImporter:
    name = "backstage"
    summary = "a Backstage catalog (a directory with catalog-info.yaml files, or one catalog file)"
    help = ("Import a Backstage software catalog.\n\n"
            "SOURCE is a catalog file (catalog-info.yaml, all.yaml, …) or a directory: then every "
            "catalog-info.yaml under it (or, when there is none, every YAML file). Location entities are "
            "followed inside the source directory. A file that cannot be read is reported and skipped. "
            "The mapping is in docs/interop.md.")
    source: SourceType = "path"
    flags: tuple[ImportFlag, ...] = ()

    def convert(self, source: Path, options: ImportOptions) -> ImportResult:
        from archrepo.interop.backstage.importer import convert_backstage

        return convert_backstage(source, options=options)


IMPORTER = _BackstageImporter()
