"""Imported elements as archrepo YAML model files: deterministic text in the canonical order and style of
``archrepo fmt`` (an import passes ``fmt --check``), atomic writes, no silent overwrites."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from archrepo.errors import UsageError
from archrepo.formatting.order import KEY_ORDER, NESTED_ORDER, canonical_keys
from archrepo.interop.report import ImportReport
from archrepo.output import check_targets, write_together

__all__ = ["KIND_DIRS", "ImportResult", "dump_yaml", "order_fields"]

# Where each kind goes under --out: one directory (or file) per kind.
KIND_DIRS: dict[str, str] = {"Organisation": "organisations", "Capability": "capabilities",
                             "Application": "applications", "DataObject": "data",
                             "Integration": "integrations", "Process": "processes", "Technology": "technologies"}
_KIND_ORDER = list(KIND_DIRS)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class _Dumper(yaml.SafeDumper):
    """Block style, no anchors (the loader refuses them), literal blocks for multi-line text."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # list items indented under their key, as `archrepo fmt` writes them


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    if _DATE.match(text):  # written plain, like the examples; the loader keeps dates as their text
        return dumper.represent_scalar("tag:yaml.org,2002:timestamp", text)
    if "\n" in text:
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", text)


def _represent_list(dumper: yaml.SafeDumper, items: list[Any]) -> yaml.Node:
    flow = bool(items) and all(isinstance(item, str) and "\n" not in item and len(item) < 60 for item in items)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flow or not items)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)


def order_fields(data: Any) -> Any:
    """The document with its keys in `archrepo fmt`'s canonical order (so that imported files pass
    `fmt --check`); keys the order does not know keep theirs, after the known ones."""
    if not isinstance(data, dict):
        return data
    kind = data.get("kind")
    order = KEY_ORDER.get(kind, ()) if isinstance(kind, str) else ()
    ordered = {key: data[key] for key in canonical_keys(list(data), order)}
    for (nested_kind, name), nested_order in NESTED_ORDER.items():
        value = ordered.get(name) if nested_kind == kind else None
        if isinstance(value, dict):
            ordered[name] = {key: value[key] for key in canonical_keys(list(value), nested_order)}
        elif isinstance(value, list):
            ordered[name] = [{key: item[key] for key in canonical_keys(list(item), nested_order)}
                             if isinstance(item, dict) else item for item in value]
    return ordered


def dump_yaml(documents: list[Any], header: str = "", *, model: bool = True) -> str:
    """Several documents, separated by ``---``, as deterministic YAML text; model documents with their keys
    in canonical order and in the style of ``archrepo fmt``."""
    parts = [yaml.dump(order_fields(document) if model else document, Dumper=_Dumper, sort_keys=False,
                     allow_unicode=True, default_flow_style=False, width=110) for document in documents]
    text = "---\n".join(parts)
    text = (header + text) if header else text
    if not model:
        return text
    from archrepo.formatting.files import format_text

    return format_text(text)


@dataclass
class ImportResult:
    """An import, ready to be written: model documents per file (paths relative to --out) and a report."""

    documents: dict[str, list[dict[str, Any]]]
    report: ImportReport
    header: str = ""
    _rendered: dict[str, str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.render()  # fills report.files, so the report is complete before anything is written

    def render(self) -> dict[str, str]:
        """Relative path → file text, every file of the import."""
        if self._rendered is None:
            rendered: dict[str, str] = {}
            for relative in sorted(self.documents):
                documents = sorted(self.documents[relative], key=lambda d: _KIND_ORDER.index(d["kind"]))
                rendered[relative] = dump_yaml(documents, self.header)
            self._rendered = rendered
            self.report.files = list(rendered)
        return self._rendered

    def write(self, out_dir: Path | str, *, force: bool = False) -> list[Path]:
        """Write every file under ``out_dir``, all or nothing: each is written beside its place first, and
        only when all are written are they renamed into place. Refused (UsageError, nothing written) when a
        file or a link is in the way of a folder, when a target is not a regular file, and, without ``force``,
        when one of them exists already."""
        out = Path(out_dir)
        if out.is_symlink() or (out.exists() and not out.is_dir()):
            raise UsageError(f"--out {out}: exists and is not a directory",
                             hint="Give a directory for the imported model files.")
        rendered = self.render()
        targets = {relative: out.joinpath(*PurePosixPath(relative).parts) for relative in rendered}
        check_targets(out, list(targets.values()))
        if not force:
            existing = [str(path) for path in targets.values() if path.exists()]
            if existing:
                more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
                raise UsageError(f"{existing[0]} already exists{more}; nothing was written",
                                 hint="Pass --force to overwrite the files this import writes, "
                                      "or choose an empty --out directory.")
        others = _other_model_files(out, set(targets.values()))
        if others:
            self.report.note(f"{len(others)} other YAML file(s) under {out} were left as they are "
                             f"(first: {others[0]}); they may define the same ids")
        if not targets:  # an import that maps nothing still makes --out: it is then a model path
            out.mkdir(parents=True, exist_ok=True)
        write_together({path: rendered[relative] for relative, path in targets.items()})  # all or nothing
        return list(targets.values())


def _other_model_files(out: Path, ours: set[Path]) -> list[str]:
    if not out.is_dir():
        return []
    found: list[str] = []
    for directory, subdirs, files in os.walk(out):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(directory, name)
            if name.endswith((".yaml", ".yml")) and not name.startswith(".") and path not in ours:
                found.append(str(path))
    return found
