"""`archrepo init`: a new architecture repository from the templates and standard library in the package."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path, PurePosixPath

from archrepo.errors import UsageError
from archrepo.output import write_atomic

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


def scaffold_files() -> list[tuple[PurePosixPath, bytes]]:
    """(path in the new repository, content) of every file `init` writes."""
    standard = resources.files("archrepo").joinpath("standard")
    files = list(_walk(standard.joinpath("init"), PurePosixPath()))
    for library in ("principles", "rules"):
        files += [(PurePosixPath(library) / path.name, data)
                  for path, data in _walk(standard.joinpath(library), PurePosixPath(library))]
    return sorted(files)


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
    written = []
    for path, data in files:
        destination = target / str(path)
        write_atomic(destination, data)
        written.append(destination)
    return written
