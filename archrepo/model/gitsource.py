"""Model files at a git revision, read straight from the object database (no checkout, the work tree untouched)."""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

from archrepo.config import Config
from archrepo.errors import UsageError
from archrepo.model.loader import FileResult, parse_model_file

__all__ = ["GitRevision", "read_files_at", "resolve_revision"]

_SUFFIXES = (".yaml", ".yml")


class GitRevision:
    """A resolved revision of the repository that holds the config."""

    def __init__(self, toplevel: Path, name: str, commit: str) -> None:
        self.toplevel, self.name, self.commit = toplevel, name, commit

    @property
    def short(self) -> str:
        return self.commit[:12]

    def __str__(self) -> str:
        return f"{self.name} ({self.short})" if self.name != self.commit else self.short


def _git(args: list[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    try:
        completed = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("git is not installed", hint="Install git to compare revisions.") from None
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        command = next(arg for arg in args if not arg.startswith("-"))
        raise UsageError(f"git {command} failed: {message[-1] if message else 'unknown error'}",
                         hint="Check that the directory is a git repository and the revision exists.")
    return completed.stdout


def resolve_revision(config: Config, revision: str) -> GitRevision:
    """The commit a revision names (branch, tag, sha, HEAD~2, a merge base …); UsageError (exit 2) otherwise."""
    toplevel = Path(_git(["rev-parse", "--show-toplevel"], config.root).decode().strip())
    try:
        commit = _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], config.root).decode().strip()
    except UsageError:
        raise UsageError(f"'{revision}' is not a revision of the repository at {toplevel}",
                         hint="Give a branch, tag or commit, e.g. origin/main or HEAD~1.") from None
    return GitRevision(toplevel, revision, commit)


def read_files_at(config: Config, revision: GitRevision) -> list[FileResult]:
    """Every model file under the configured model paths at ``revision``, parsed (paths relative to the root)."""
    prefix = config.root.resolve().relative_to(revision.toplevel.resolve())
    specs = [str(PurePosixPath(prefix.as_posix()) / path) if str(prefix) != "." else path for path in config.models]
    # literal: a configured path is a path, never git pathspec magic such as ":(glob)" or ":!"
    listing = _git(["--literal-pathspecs", "ls-tree", "-r", "-z", "--full-tree", revision.commit, "--", *specs],
                   revision.toplevel)
    entries: list[tuple[str, str]] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, path_bytes = record.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        path = path_bytes.decode("utf-8", "surrogateescape")
        parts = PurePosixPath(path).parts
        if kind != "blob" or mode == "120000" or not path.endswith(_SUFFIXES) or any(p.startswith(".") for p in parts):
            continue
        relative = str(PurePosixPath(path).relative_to(prefix.as_posix())) if str(prefix) != "." else path
        entries.append((relative, sha))
    entries.sort()
    contents = _cat_blobs([sha for _, sha in entries], revision.toplevel)
    return [parse_model_file(raw, f"{relative}") for (relative, _), raw in zip(entries, contents, strict=True)]


def _cat_blobs(shas: list[str], toplevel: Path) -> list[bytes]:
    """All blobs in one `git cat-file --batch` call."""
    if not shas:
        return []
    output = _git(["cat-file", "--batch"], toplevel, stdin=("\n".join(shas) + "\n").encode())
    blobs, position = [], 0
    for _ in shas:
        end = output.index(b"\n", position)
        header = output[position:end].split()
        size = int(header[2])
        blobs.append(output[end + 1:end + 1 + size])
        position = end + 1 + size + 1
    return blobs
