"""`archrepo init`: a new architecture repository from the templates and standard library in the package."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path, PurePosixPath

from archrepo.errors import UsageError
from archrepo.output import check_targets, write_together

__all__ = ["init_repository", "scaffold_files"]

# template names that would be hidden (and so skipped by package-data globs) are stored without the dot
_RENAMES = {"gitignore": ".gitignore", "pre-commit-config.yaml": ".pre-commit-config.yaml",
            "gitlab-ci.yml": ".gitlab-ci.yml", "github": ".github"}


def _walk(node: Traversable, prefix: PurePosixPath) -> Iterator[tuple[PurePosixPath, bytes]]:
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name.startswith((".", "__")):
            continue
        name = _RENAMES.get(child.name, child.name) if prefix == PurePosixPath() else child.name
        if child.is_dir():
            yield from _walk(child, prefix / name)
        else:
            yield prefix / name, child.read_bytes()


EDITOR_SCHEMA = PurePosixPath(".archrepo/schema.json")
MODEL_GLOBS = ("models/**/*.yaml", "models/**/*.yml")  # the model path of the new repository's archrepo.yaml


def scaffold_files() -> list[tuple[PurePosixPath, bytes]]:
    """(path in the new repository, content) of every file `init` writes."""
    from archrepo.model.editor_schema import editor_schema_text

    standard = resources.files("archrepo").joinpath("standard")
    files = list(_walk(standard.joinpath("init"), PurePosixPath()))
    for library in ("principles", "rules"):
        files += [(PurePosixPath(library) / path.name, data)
                  for path, data in _walk(standard.joinpath(library), PurePosixPath(library))]
    # editors validate and complete model files with the schema of this archrepo, without archrepo running
    files.append((EDITOR_SCHEMA, editor_schema_text().encode("utf-8")))
    files.append((PurePosixPath(".vscode/settings.json"), vscode_settings().encode("utf-8")))
    return sorted(files)


def vscode_settings() -> str:
    """VS Code's workspace settings: the YAML extension validates the model files against the editor schema."""
    settings = {"yaml.schemas": {f"./{EDITOR_SCHEMA}": list(MODEL_GLOBS)}}
    return json.dumps(settings, indent=2) + "\n"


def init_repository(target: Path, *, force: bool = False) -> list[Path]:
    """Write the scaffold into ``target``; refuse to overwrite anything unless ``force``. Returns the files."""
    files = scaffold_files()
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} exists and is not a directory")
    existing = [target / str(path) for path, _ in files if (target / str(path)).exists()]
    if existing and not force:
        listed = ", ".join(str(p.relative_to(target)) for p in existing[:5]) + (" …" if len(existing) > 5 else "")
        raise UsageError(f"{len(existing)} file(s) already exist in {target}: {listed}",
                         hint="Nothing was written. Use --force to overwrite them, or choose an empty directory.")
    destinations = {target / str(path): data for path, data in files}
    check_targets(target, list(destinations))
    write_together(destinations)  # all or nothing: never half a repository
    return list(destinations)
