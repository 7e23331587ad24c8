"""One interface for every format: an :class:`Importer` turns a source into model files, an :class:`Exporter`
turns a loaded model into a file, and :func:`importers` / :func:`exporters` list them.

The ``import`` and ``export`` commands iterate these lists (as checkov's runner registry does), so a new
format is one package under ``archrepo/interop/`` that provides an ``IMPORTER`` and/or an ``EXPORTER`` object,
plus one line below. The objects are plain descriptions (name, help text, flags); they import their
converter only when called, so that building the command line stays fast.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, Protocol

from archrepo.interop.sources import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    from archrepo.interop.writer import ImportResult
    from archrepo.model.elements import Model

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Exporter",
    "ImportFlag",
    "ImportOptions",
    "Importer",
    "SourceType",
    "exporter",
    "exporters",
    "importer",
    "importers",
]

SourceType = Literal["file", "directory", "path"]


@dataclass(frozen=True)
class ImportFlag:
    """A yes/no option of one format (``containers`` → ``--containers``)."""

    name: str
    help: str


@dataclass(frozen=True)
class ImportOptions:
    """What every importer is told besides its source.

    ``existing``: ids already defined in the repository the import goes into (id → the file defining it);
    imported elements never take one of them (they are renamed, and the report says so).
    ``standards``: the integration standards of that repository (``approved_standards``), if known.
    ``flags``: the names of the format's :class:`ImportFlag` s that were given.
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    existing: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    standards: tuple[str, ...] | None = None
    flags: frozenset[str] = frozenset()


class Importer(Protocol):
    """A format archrepo reads: ``archrepo import <name> SOURCE --out DIR``."""

    @property
    def name(self) -> str: ...

    @property
    def summary(self) -> str:
        """One line for ``archrepo import --help``."""

    @property
    def help(self) -> str:
        """The help text of the command (what is read, how it is mapped)."""

    @property
    def source(self) -> SourceType:
        """Whether SOURCE is a file, a directory, or either."""

    @property
    def flags(self) -> tuple[ImportFlag, ...]: ...

    def convert(self, source: Path, options: ImportOptions) -> ImportResult:
        """Read and map ``source``; nothing is written. Raises InteropError for unusable input."""


class Exporter(Protocol):
    """A format archrepo writes: ``archrepo export --format <name>``."""

    @property
    def name(self) -> str: ...

    @property
    def summary(self) -> str: ...

    def export(self, model: Model) -> str:
        """The whole model as the text of one file."""


def importers() -> tuple[Importer, ...]:
    """Every importer, in the order the command lists them."""
    from archrepo.interop.archimate import IMPORTER as ARCHIMATE
    from archrepo.interop.backstage import IMPORTER as BACKSTAGE
    from archrepo.interop.structurizr import IMPORTER as STRUCTURIZR

    return (ARCHIMATE, BACKSTAGE, STRUCTURIZR)


def exporters() -> tuple[Exporter, ...]:
    """Every exporter besides the RDF serialisations."""
    from archrepo.interop.archimate import EXPORTER as ARCHIMATE

    return (ARCHIMATE,)


def importer(name: str) -> Importer:
    """The importer called ``name`` (KeyError if there is none)."""
    for candidate in importers():
        if candidate.name == name:
            return candidate
    raise KeyError(name)


def exporter(name: str) -> Exporter:
    """The exporter called ``name`` (KeyError if there is none)."""
    for candidate in exporters():
        if candidate.name == name:
            return candidate
    raise KeyError(name)
