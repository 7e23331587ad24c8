"""The language server's model, changed one file at a time, always says what a full `validate` and `check`
say: the edits of tests/test_incremental.py (and a renamed id, a duplicate, a deleted file) are applied as an
editor's text, and after each the server's problems and violations are compared with a full run's."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

import archrepo
from archrepo.config import load_config
from archrepo.lsp.workspace import RepositoryWorkspace
from archrepo.model.loader import read_model_files, validate_model
from archrepo.rules.definitions import load_principles, load_rules
from archrepo.rules.engine import run_rules
from tests.test_generator import gen
from tests.test_incremental import EDITS, _edit, drop_lone_technology


@pytest.fixture
def model_root(tmp_path: Path) -> Path:
    root = tmp_path / "model"
    gen.generate(root, applications=120, seed=11, violation_rate=0.05)
    return root


def _texts(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in (root / "models").rglob("*.yaml")}


def _full(root: Path) -> tuple[set[tuple[str, int, str]], list[tuple[object, ...]] | None]:
    """Validation problems, and violations (None for an invalid model: `check` evaluates no rule then, while
    the server goes on with the valid elements)."""
    config = load_config(root / "archrepo.yaml")
    files = read_model_files(config, use_cache=False)
    model, diagnostics = validate_model(config, files)
    problems = {(d.file, d.line, d.message) for d in diagnostics}
    if model is None:
        return problems, None
    violations, failures = run_rules(archrepo.Repository(config, model, files),
                                     load_rules(config, load_principles(config)), dt.date.today())
    assert not failures
    return problems, sorted((v.rule, v.element, v.related, v.message, int(v.severity), str(v.location))
                            for v in violations)


def _mine(workspace: RepositoryWorkspace) -> tuple[set[tuple[str, int, str]], list[tuple[object, ...]]]:
    assert workspace.results is not None
    problems = {(d.file, d.line, d.message) for file in workspace.index.files for d in workspace.index.problems(file)}
    violations = sorted((v.rule, v.element, v.related, v.message, int(v.severity), str(v.location))
                        for e in workspace.index.valid for v in workspace.results.of(e))
    return problems, violations


def _apply(root: Path, workspace: RepositoryWorkspace, before: dict[str, str]) -> None:
    """Give the workspace the files that changed on disk as the editor's text (a deleted one as gone)."""
    after = _texts(root)
    changes: dict[str, str | None] = {f: t for f, t in after.items() if before.get(f) != t}
    changes.update({f: None for f in before if f not in after})
    workspace.update(changes)
    workspace.run_deferred()  # as on save


@pytest.mark.parametrize("partial_limit", [0, 2_000], ids=["whole-graph", "partial-graphs"])
def test_edits_keep_the_server_equal_to_a_full_run(model_root: Path, partial_limit: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """SPARQL rules near an edit run on the whole graph kept in step with the model, or on a graph of what
    they reach: either way as a full run."""
    monkeypatch.setattr("archrepo.lsp.rule_results._PARTIAL_LIMIT", partial_limit)
    workspace = RepositoryWorkspace(model_root)
    workspace.load()
    assert _mine(workspace) == _full(model_root)
    rng = random.Random(20261130)
    seen = set()
    for name, (kind, change) in EDITS.items():
        before = _texts(model_root)
        edited = _edit(model_root, rng, kind, change)
        _apply(model_root, workspace, before)
        mine, full = _mine(workspace), _full(model_root)
        assert mine[0] == full[0], f"{name} ({edited}): validation differs"
        assert mine[1] == full[1], f"{name} ({edited}): violations differ"
        seen.add(tuple(full[1]))
    assert len(seen) > 8, "the edits should move violations around, or the test proves nothing"


def test_renamed_duplicated_and_deleted(model_root: Path) -> None:
    """Ids that go, come back twice and lose their file: references elsewhere break and mend as in a full run."""
    workspace = RepositoryWorkspace(model_root)
    workspace.load()
    files = sorted((model_root / "models").rglob("*.yaml"))
    application_file = next(p for p in files if "kind: Application" in p.read_text(encoding="utf-8"))
    text = application_file.read_text(encoding="utf-8")
    first_id = next(line[4:] for line in text.splitlines() if line.startswith("id: "))
    for edit in (lambda t: t.replace(f"id: {first_id}\n", f"id: {first_id}-renamed\n", 1),  # referrers break
                 lambda t: t,  # and mend
                 lambda t: t + "---\n" + t.split("---\n")[0] if "---\n" in t else t + "\n---\n" + t):  # duplicate
        before = _texts(model_root)
        application_file.write_text(edit(text), encoding="utf-8")
        _apply(model_root, workspace, before)
        mine, full = _mine(workspace), _full(model_root)
        assert mine[0] == full[0]
        assert full[1] is None or mine[1] == full[1]
    before = _texts(model_root)
    application_file.unlink()
    _apply(model_root, workspace, before)
    assert _mine(workspace)[0] == _full(model_root)[0]
    assert any("does not exist" in message for _, _, message in _mine(workspace)[0])


def test_the_first_graph_is_built_from_the_files_triples(model_root: Path) -> None:
    """The file the editor opened (whose text the first load parses) carries its triples like the cached files,
    so the graph is loaded from the files' triples rather than built again from the whole model."""
    path = next(p for p in sorted((model_root / "models").rglob("*.yaml")))
    workspace = RepositoryWorkspace(model_root)
    workspace.texts[workspace.relative(path)] = path.read_text(encoding="utf-8")
    workspace.load()
    assert all("ntriples" in result.extras for result in workspace.index.files.values())
    assert _mine(workspace) == _full(model_root)


@pytest.mark.parametrize("name", ["unencrypt an integration", "phase out an application"])
def test_a_file_open_with_unsaved_changes_at_the_first_load_is_in_the_first_graph(model_root: Path,
                                                                                   name: str) -> None:
    """The store filled while the files are parsed holds them as on disk: a file the editor holds otherwise
    makes the first graph be built from what the editor has."""
    kind, change = EDITS[name]
    before = _texts(model_root)
    _edit(model_root, random.Random(7), kind, change)
    after = _texts(model_root)
    (file,) = [f for f in after if before.get(f) != after[f]]
    (model_root / file).write_text(before[file], encoding="utf-8")  # on disk as it was; the editor has the edit
    workspace = RepositoryWorkspace(model_root)
    workspace.texts[file] = after[file]
    workspace.load()
    (model_root / file).write_text(after[file], encoding="utf-8")  # the full run reads what the editor had
    assert _mine(workspace) == _full(model_root)


def test_a_removed_reference_reaches_what_it_pointed_to(model_root: Path) -> None:
    """An application drops the technology only it used (in the editor): the technology, not itself edited, is
    now used by nobody (TEC003); the server finds it by walking the reference the application had."""
    workspace = RepositoryWorkspace(model_root)
    workspace.load()
    before = _texts(model_root)
    technology = drop_lone_technology(model_root)
    workspace.update({f: t for f, t in _texts(model_root).items() if before.get(f) != t})  # as typed, no save
    mine, full = _mine(workspace), _full(model_root)
    assert full[1] is not None and any(v[0] == "TEC003" and v[1] == technology for v in full[1])
    assert mine == full


def test_the_open_files_are_checked_first_and_then_the_rest(model_root: Path, monkeypatch) -> None:
    """On a large model the first load evaluates the rules for the elements of the files open in the editor
    (their diagnostics are published first), then on the rest: the open files' problems are those of a full
    run already, and after the rest every file's are."""
    from archrepo.lsp import workspace as workspace_module

    monkeypatch.setattr(workspace_module, "FIRST_FROM", 1)  # the generated model is far below it
    paths = sorted((model_root / "models").rglob("*.yaml"))
    opened = [p for p in paths if "integrations" in p.as_posix()][:2]
    full = RepositoryWorkspace(model_root)
    full.load()
    workspace = RepositoryWorkspace(model_root)
    for path in opened:
        workspace.texts[workspace.relative(path)] = path.read_text(encoding="utf-8")
    workspace.load(first=True)
    assert workspace.incomplete and workspace.opened() == {workspace.relative(p) for p in opened}
    files = sorted(full.index.files)
    differing = [f for f in files if workspace.problems(f) != full.problems(f)]
    assert differing and not set(differing) & workspace.opened()  # the rest is not evaluated yet
    assert any(workspace.problems(f) for f in workspace.opened())
    workspace.complete()
    assert not workspace.incomplete
    assert [workspace.problems(f) for f in files] == [full.problems(f) for f in files]
    assert _mine(workspace) == _full(model_root)
