"""The repository an import goes into: its approved standards and the ids its model already defines.

Only ``approved_standards`` and ``models`` are read from ``archrepo.yaml`` (not the full config check: the
import may be what creates the model directories that check wants). Ids are read from every model file
and from the YAML files already under ``--out``, so that an imported element never takes an id the
repository has (it is renamed, and the report says so).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from archrepo.config import CONFIG_NAME, DEFAULT_APPROVED_STANDARDS, find_config
from archrepo.errors import ConfigError, DiagnosticSink
from archrepo.model.yamlsource import decode_source, parse_documents

__all__ = ["TargetRepository", "existing_ids"]

_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class TargetRepository:
    """``root``: the directory of ``archrepo.yaml``; ``models``: its model paths (relative to ``root``)."""

    root: Path
    standards: tuple[str, ...]
    models: tuple[str, ...]

    @classmethod
    def find(cls, config_path: Path | None, start: Path) -> TargetRepository | None:
        """The repository of ``--config`` or the one ``start`` lies in; None outside any repository."""
        path = config_path or find_config(start)
        if path is None:
            return None
        path = path / CONFIG_NAME if path.is_dir() else path
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc.strerror or exc}",
                              hint="Pass the path of an archrepo.yaml to --config.") from None
        sink = DiagnosticSink()
        text = decode_source(raw, path.name, sink)
        documents = parse_documents(text, path.name, sink) if text is not None else []
        if sink.errors:
            raise ConfigError("archrepo.yaml is invalid", diagnostics=sink.errors)
        data = documents[0].data if documents else {}
        data = data if isinstance(data, dict) else {}
        line = documents[0].line_of if documents else (lambda _: 1)
        standards = data.get("approved_standards", DEFAULT_APPROVED_STANDARDS)
        if not isinstance(standards, list | tuple) or not all(isinstance(s, str) for s in standards):
            raise ConfigError("approved_standards must be a list of standard names", file=path.name,
                              line=line("approved_standards"))
        models = data.get("models") or ["models"]
        if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
            raise ConfigError("models must be a list of paths", file=path.name, line=line("models"))
        return cls(path.parent.resolve(), tuple(standards), tuple(models))

    def model_files(self) -> list[Path]:
        return sorted(_yaml_files(self.root / model for model in self.models))


def existing_ids(repository: TargetRepository | None, out_dir: Path, skip: Iterable[Path] = ()) -> dict[str, str]:
    """id → file (as shown to the user) of every element defined in the repository's model files and in the
    YAML files under ``out_dir``, leaving out the files in ``skip`` (those the import will overwrite).
    Files that cannot be read are passed over: ``archrepo validate`` reports them."""
    skipped = {path.resolve() for path in skip}
    files = set(_yaml_files([out_dir]))
    if repository is not None:
        files.update(repository.model_files())
    found: dict[str, str] = {}
    for path in sorted(files):
        if path.resolve() in skipped:
            continue
        shown = _shown(path, repository)
        for element_id in _ids_in(path):
            found.setdefault(element_id, shown)
    return found


def _yaml_files(bases: Iterable[Path]) -> set[Path]:
    found: set[Path] = set()
    for base in bases:
        if base.is_file():
            found.add(base.resolve())
            continue
        for directory, subdirs, files in os.walk(base):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
            found.update(Path(directory, name).resolve() for name in files
                         if name.endswith(_SUFFIXES) and not name.startswith("."))
    return found


def _shown(path: Path, repository: TargetRepository | None) -> str:
    if repository is not None and path.is_relative_to(repository.root):
        return path.relative_to(repository.root).as_posix()
    return str(path)


def _ids_in(path: Path) -> list[str]:
    sink = DiagnosticSink()
    try:
        raw = path.read_bytes()
    except OSError:
        return []
    text = decode_source(raw, path.name, sink)
    documents = parse_documents(text, path.name, sink) if text is not None else []
    return [document.data["id"] for document in documents
            if isinstance(document.data, dict) and isinstance(document.data.get("id"), str)]
