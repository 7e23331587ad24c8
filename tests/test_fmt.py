"""`archrepo fmt`: canonical order and style, comments kept, nothing lost, idempotent, on real files."""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from collections import Counter
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

import archrepo
from archrepo.commands.common import ArchrepoGroup
from archrepo.commands.fmt import fmt
from archrepo.formatting import KEY_ORDER, NESTED_ORDER, FormatError, check_same_content, format_text
from archrepo.formatting import order as order_module
from archrepo.formatting.guard import read_documents
from archrepo.formatting.layout import comment_texts, scan_layout

ROOT = Path(__file__).resolve().parents[1]


def _cli() -> click.Group:
    """The command inside archrepo's group, as cli.py registers it (the group maps errors to exit 2)."""
    group = ArchrepoGroup("archrepo")
    group.add_command(fmt)
    return group


def run_fmt(args: list[str], cwd: Path) -> tuple[int, str, str]:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(_cli(), ["fmt", *args], catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def make_repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "archrepo.yaml").write_text("models: [models]\n", encoding="utf-8")
    (root / "models").mkdir(exist_ok=True)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def reference(tmp_path: Path) -> Path:
    """A copy of the reference model (models/ and archrepo.yaml) in tmp_path."""
    shutil.copytree(ROOT / "models", tmp_path / "models")
    shutil.copy(ROOT / "archrepo.yaml", tmp_path / "archrepo.yaml")
    config = yaml.safe_load((tmp_path / "archrepo.yaml").read_text(encoding="utf-8"))
    config.update(waivers=None, baseline=None)  # only the model matters here
    (tmp_path / "archrepo.yaml").write_text(json.dumps(config), encoding="utf-8")
    return tmp_path


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "models").rglob("*.yaml"))}


def element_data(root: Path) -> dict[str, dict[str, object]]:
    model = archrepo.load(root / "archrepo.yaml").model
    return {element_id: element.data for element_id, element in model.elements.items()}


def all_comments(files: dict[str, bytes]) -> dict[str, Counter[str]]:
    return {name: comment_texts(scan_layout(raw.decode("utf-8"))) for name, raw in files.items()}


# --- the reference model ----------------------------------------------------------------------------------


def test_reference_model_formats_stably_and_keeps_data_and_comments(reference: Path) -> None:
    before_files, before_data = snapshot(reference), element_data(reference)
    code, stdout, stderr = run_fmt([], reference)
    assert (code, stdout) == (0, ""), stderr
    after_files = snapshot(reference)
    assert element_data(reference) == before_data
    assert all_comments(after_files) == all_comments(before_files)
    assert sum(sum(c.values()) for c in all_comments(after_files).values()) >= 30  # the model does have comments
    code, stdout, stderr = run_fmt(["--check"], reference)  # formats every file again and compares the bytes
    assert (code, stdout) == (0, ""), stderr
    assert f"0 files would be reformatted, {len(after_files)} unchanged" in stderr
    assert snapshot(reference) == after_files
    assert not [p for p in reference.rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_reversed_key_order_comes_back_byte_for_byte(reference: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reorder every file into the reverse order (comments travelling along), then back: the original returns."""
    before, data = snapshot(reference), element_data(reference)
    reversed_orders = {kind: tuple(reversed(order)) for kind, order in KEY_ORDER.items()}
    monkeypatch.setattr(order_module, "KEY_ORDER", reversed_orders)
    monkeypatch.setattr(order_module, "NESTED_ORDER", {k: tuple(reversed(v)) for k, v in NESTED_ORDER.items()})
    assert run_fmt([], reference)[0] == 0
    scrambled = snapshot(reference)
    assert sum(scrambled[name] != before[name] for name in before) > 100
    lines = [line for raw in scrambled.values() for line in raw.decode("utf-8").split("\n")]
    assert not [line for line in lines if line != line.rstrip()]  # no trailing spaces
    assert element_data(reference) == data
    assert all_comments(scrambled) == all_comments(before)
    monkeypatch.undo()
    code, stdout, _ = run_fmt(["--check"], reference)
    assert code == 1 and len(stdout.splitlines()) > 100
    assert run_fmt([], reference)[0] == 0
    assert snapshot(reference) == before


def test_every_schema_field_has_a_place_in_the_canonical_order() -> None:
    schemas = ROOT / "archrepo" / "schemas"
    for kind, order in KEY_ORDER.items():
        schema = json.loads((schemas / f"{kind.lower()}.schema.json").read_text(encoding="utf-8"))
        assert sorted(order) == sorted(schema["properties"]), kind
        assert order[:3] == ("kind", "id", "name")
    for (kind, field), order in NESTED_ORDER.items():
        schema = json.loads((schemas / f"{kind.lower()}.schema.json").read_text(encoding="utf-8"))
        nested = schema["properties"][field]
        assert sorted(order) == sorted(nested.get("items", nested)["properties"]), (kind, field)


# --- one text ---------------------------------------------------------------------------------------------


def test_keys_reordered_with_their_comments() -> None:
    text = dedent("""
        # about the id
        id: dips-arena   # the id
        kind: Application
        # who owns it
        owner: sykehuspartner
        name: DIPS Arena  # the name
        lifecycle:
          status: active
        description: Patient record.
        """)
    assert format_text(text) == dedent("""
        kind: Application
        # about the id
        id: dips-arena   # the id
        name: DIPS Arena  # the name
        description: Patient record.
        # who owns it
        owner: sykehuspartner
        lifecycle:
          status: active
        """)


def test_nested_order_and_comments_inside_nested_blocks() -> None:
    text = dedent("""
        kind: Process
        steps:
          - next: [b]
            supported_by: [dips-arena]
            # the step's id
            name: Motta
            id: a
          - name: Vurdere
            id: b
            # - id: c   (commented-out step)
        id: p
        name: P
        owner: hso
        """)
    assert format_text(text) == dedent("""
        kind: Process
        id: p
        name: P
        owner: hso
        steps:
          - id: a
            # the step's id
            name: Motta
            supported_by: [dips-arena]
            next: [b]
          - id: b
            name: Vurdere
            # - id: c   (commented-out step)
        """)
    application = dedent("""
        kind: Application
        id: a
        name: A
        lifecycle:
          retire: 2030-01-01
          since: 2016-03-01   # go-live
          status: phase-out
          phase_out: 2028-01-01
          # more dates to come
        """)
    assert format_text(application).split("lifecycle:\n")[1] == (
        "  status: phase-out\n  since: 2016-03-01   # go-live\n  phase_out: 2028-01-01\n  retire: 2030-01-01\n"
        "  # more dates to come\n")
    integration = "kind: Integration\nid: i\nsecurity:\n  authentication: mtls\n  encrypted: true\nsource: a\n"
    assert format_text(integration) == (
        "kind: Integration\nid: i\nsource: a\nsecurity:\n  encrypted: true\n  authentication: mtls\n")


def test_flow_style_quoting_dates_and_properties_are_kept() -> None:
    text = dedent("""
        properties:
          zeta: 'z'
          hosting_country: "NO"    # quoted: a bare NO is the boolean false in YAML 1.1
          alpha: 1.50
        roles: [core-system, national-component]
        lifecycle: {since: 2016-03-01, status: active}
        kind: Application
        id: a
        name: 'A: the app'
        tags: []
        """)
    assert format_text(text) == dedent("""
        kind: Application
        id: a
        name: 'A: the app'
        lifecycle: {status: active, since: 2016-03-01}
        roles: [core-system, national-component]
        tags: []
        properties:
          zeta: 'z'
          hosting_country: "NO"    # quoted: a bare NO is the boolean false in YAML 1.1
          alpha: 1.50
        """)


def test_style_indentation_and_whitespace_are_normalised() -> None:
    text = ("kind: Process   \nid: p\nname: P\nsteps:\n- id: a\n  name:    A\n  next:\n  - b\n"
            "-     id: b\n      name: B\n\n\n\n")
    assert format_text(text) == dedent("""
        kind: Process
        id: p
        name: P
        steps:
          - id: a
            name: A
            next:
              - b
          - id: b
            name: B
        """)
    assert format_text("kind: Capability\r\nid: c\r\nname: C") == "kind: Capability\nid: c\nname: C\n"


def test_multi_document_files_and_header_comments() -> None:
    text = dedent("""
        # Organisations of the region.
        # Second header line.

        ---
        name: Helse Sør-Øst RHF
        kind: Organisation   # the regional authority
        id: helse-sor-ost
        ---

        # A GP office.

        description: Outside the trust.
        external: true
        kind: Organisation
        id: legekontor
        name: Legekontor
        # more to come
        ---
        """)
    assert format_text(text) == dedent("""
        # Organisations of the region.
        # Second header line.

        kind: Organisation   # the regional authority
        id: helse-sor-ost
        name: Helse Sør-Øst RHF
        ---
        # A GP office.

        kind: Organisation
        id: legekontor
        name: Legekontor
        external: true
        description: Outside the trust.
        # more to come
        """)


def test_formatting_is_idempotent_on_awkward_input() -> None:
    text = dedent("""
        --- # first
        # directly above id, so it travels with id
        id: x
        kind: Rule
        sparql: |  # the query
          SELECT ?element ?message WHERE {
            # not a comment: inside the block scalar
          }
        name: r
        tags:
          - a   # first tag

          # a note before the second tag
          - b
        """)
    once = format_text(text)
    assert format_text(once) == once
    assert comment_texts(scan_layout(once)) == comment_texts(scan_layout(text))
    assert once.startswith("# first\nkind: Rule\n# directly above id, so it travels with id\nid: x\nname: r\n")


def test_unknown_keys_keep_their_order_at_the_end() -> None:
    text = "zz: 1\nkind: DataObject\nowner: x\nid: d\nname: D\naa: 2\nclassification: open\n"
    assert format_text(text) == "kind: DataObject\nid: d\nname: D\nclassification: open\nzz: 1\nowner: x\naa: 2\n"


def test_refused_yaml_is_reported_not_fixed() -> None:
    for text, message in [("kind: Capability\nid: &a a\nname: *a\n", "anchor"),
                          ("kind: Capability\nid: a\nid: b\n", "duplicate key"),
                          ("kind: Capability\nid: a\n\tname: b\n", "tab"),
                          ("kind: Capability\nid: [a\n", "syntax")]:
        with pytest.raises(FormatError) as caught:
            format_text(text, "models/x.yaml")
        assert message in caught.value.format(), caught.value.format()
        assert "models/x.yaml:" in caught.value.format()


def test_a_comment_it_cannot_place_is_refused() -> None:
    text = "kind: Application\nid: a\nroles: [core-system,  # one\n  national-component]   # two\n"
    with pytest.raises(FormatError, match="spans several lines") as caught:
        format_text(text, "models/a.yaml")
    assert caught.value.line == 4


def test_guard_rejects_lost_comments_and_changed_data() -> None:
    original = 'kind: Application\nid: a\nname: A\nproperties:\n  country: "NO"  # quoted on purpose\n'
    before = read_documents(original, "a.yaml")
    check_same_content(before, original, original, "a.yaml")
    with pytest.raises(FormatError, match="lose 1 comment"):
        check_same_content(before, original, original.replace("  # quoted on purpose", ""), "a.yaml")
    with pytest.raises(FormatError, match=r"properties\.country: 'NO' \(str\) became False \(bool\)") as caught:
        check_same_content(before, original, original.replace('"NO"', "NO"), "a.yaml")
    assert caught.value.line == 5
    with pytest.raises(FormatError, match="1 document"):
        check_same_content(before, original, original + "---\nkind: Capability\n", "a.yaml")


# --- the command ------------------------------------------------------------------------------------------

CANONICAL = "kind: Capability\nid: c\nname: C\n"
SCRAMBLED = "name: C\nid: c\nkind: Capability\n"


def test_check_lists_files_and_exits_1_without_writing(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"models/a.yaml": SCRAMBLED, "models/b.yaml": CANONICAL,
                                         "models/sub/c.yml": SCRAMBLED})
    code, stdout, stderr = run_fmt(["--check"], root)
    assert (code, stdout) == (1, "models/a.yaml\nmodels/sub/c.yml\n")
    assert "2 files would be reformatted, 1 unchanged" in stderr
    assert (root / "models/a.yaml").read_text(encoding="utf-8") == SCRAMBLED
    code, stdout, stderr = run_fmt([], root)
    assert (code, stdout) == (0, "")
    assert "2 files reformatted, 1 unchanged" in stderr
    assert (root / "models/a.yaml").read_text(encoding="utf-8") == CANONICAL
    assert run_fmt(["--check"], root)[:2] == (0, "")
    assert not [p.name for p in root.rglob("*") if p.name.startswith(".")]  # no temporary files left


def test_diff_prints_a_unified_diff_and_writes_nothing(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"models/a.yaml": SCRAMBLED, "models/b.yaml": CANONICAL})
    code, stdout, _ = run_fmt(["--diff"], root)
    assert code == 0
    assert stdout == ("--- a/models/a.yaml\n+++ b/models/a.yaml\n@@ -1,3 +1,3 @@\n+kind: Capability\n+id: c\n"
                      " name: C\n-id: c\n-kind: Capability\n")
    assert (root / "models/a.yaml").read_text(encoding="utf-8") == SCRAMBLED
    assert run_fmt(["--diff", "--check"], root)[0] == 1


def test_a_broken_file_is_reported_and_the_others_are_formatted(tmp_path: Path) -> None:
    broken = "kind: Capability\nid: [a\n"
    lossy = "kind: Application\nid: a\nroles: [core-system,  # one\n  national-component]   # two\nname: A\n"
    root = make_repo(tmp_path / "repo", {"models/a.yaml": SCRAMBLED, "models/broken.yaml": broken,
                                         "models/lossy.yaml": lossy})
    code, _, stderr = run_fmt([], root)
    assert code == 2
    assert "models/broken.yaml:3: error: YAML syntax error" in stderr
    assert "models/lossy.yaml:4: error: fmt cannot keep a comment" in stderr
    assert "1 file reformatted, 0 unchanged, 2 not formatted" in stderr
    assert (root / "models/a.yaml").read_text(encoding="utf-8") == CANONICAL
    assert (root / "models/broken.yaml").read_text(encoding="utf-8") == broken
    assert (root / "models/lossy.yaml").read_text(encoding="utf-8") == lossy
    assert run_fmt(["--check"], root)[0] == 2


def test_named_paths_and_files_outside_the_model_paths(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"models/a.yaml": SCRAMBLED, "models/b.yaml": SCRAMBLED,
                                         "elsewhere/c.yaml": SCRAMBLED})
    assert run_fmt(["--check"], root)[1] == "models/a.yaml\nmodels/b.yaml\n"  # elsewhere/ is not a model path
    code, _, _ = run_fmt(["models/b.yaml", "elsewhere"], root)
    assert code == 0
    assert [(root / n).read_text(encoding="utf-8") == CANONICAL for n in
            ("models/a.yaml", "models/b.yaml", "elsewhere/c.yaml")] == [False, True, True]
    code, _, stderr = run_fmt(["models/missing.yaml"], root)
    assert code == 2 and "no such file or directory" in stderr


def test_named_file_without_a_repository(tmp_path: Path) -> None:
    (tmp_path / "loose.yaml").write_text(SCRAMBLED, encoding="utf-8")
    assert run_fmt(["loose.yaml"], tmp_path)[0] == 0
    assert (tmp_path / "loose.yaml").read_text(encoding="utf-8") == CANONICAL


def test_atomic_write_keeps_the_file_mode(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"models/a.yaml": SCRAMBLED})
    (root / "models/a.yaml").chmod(0o640)
    assert run_fmt([], root)[0] == 0
    assert (root / "models/a.yaml").stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in (root / "models").iterdir()) == ["a.yaml"]


def test_symlinked_file_is_written_through_the_link_and_empty_files_are_left_alone(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"shared/a.yaml": SCRAMBLED, "models/empty.yaml": "# nothing yet\n"})
    (root / "models/a.yaml").symlink_to(root / "shared/a.yaml")
    assert run_fmt(["models"], root)[0] == 0
    assert (root / "models/a.yaml").is_symlink()
    assert (root / "shared/a.yaml").read_text(encoding="utf-8") == CANONICAL
    assert (root / "models/empty.yaml").read_text(encoding="utf-8") == "# nothing yet\n"


def test_an_applications_top_level_lifecycle_moves_under_lifecycle_with_its_comments() -> None:
    text = dedent("""
        kind: Application
        id: lab
        name: Lab
        # in service
        status: active  # still running
        since: 2016-03-01
        until: 2030-12-31
        """)
    assert format_text(text) == dedent("""
        kind: Application
        id: lab
        name: Lab
        # in service
        lifecycle: {status: active, since: 2016-03-01, retire: 2030-12-31}  # still running
        """)
    merged = format_text("kind: Application\nid: a\nname: A\nlifecycle:\n  status: phase-out  # agreed\n"
                         "phase_out: 2027-01-01 # board decision\n")
    assert merged == ("kind: Application\nid: a\nname: A\nlifecycle:\n  status: phase-out  # agreed\n"
                      "  phase_out: 2027-01-01 # board decision\n")


def test_an_integrations_lifecycle_mapping_is_flattened_with_its_comments() -> None:
    block = dedent("""
        kind: Integration
        id: feed
        source: a
        target: b
        standard: HL7v2
        # history
        lifecycle:  # moved
          status: retired
          retire: 2024-05-01  # switched off
          since: 2016-03-01
        """)
    assert format_text(block) == dedent("""
        kind: Integration
        id: feed
        source: a
        target: b
        standard: HL7v2
        # history
        status: retired  # moved
        since: 2016-03-01
        until: 2024-05-01  # switched off
        """)
    flow = "kind: Integration\nid: feed\nsource: a\ntarget: b\nstandard: HL7v2\nlifecycle: {status: planned}\n"
    assert format_text(flow).endswith("standard: HL7v2\nstatus: planned\n")


def test_a_lifecycle_fmt_cannot_rewrite_is_reported(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"models/a.yaml": """
        kind: Integration
        id: feed
        source: a
        target: b
        standard: HL7v2
        status: active
        lifecycle: {status: retired}
        """, "models/b.yaml": "kind: Application\nid: b\nname: B\nstatus: active\n"})
    code, stdout, stderr = run_fmt(["--check"], repo)
    assert code == 2
    assert stdout == "models/b.yaml\n"  # the one it can rewrite is listed
    assert "models/a.yaml:7: error: fmt cannot rewrite this Integration's lifecycle: `status` is given twice" in stderr
    code, _, _ = run_fmt([], repo)
    assert (repo / "models" / "b.yaml").read_text() == "kind: Application\nid: b\nname: B\nlifecycle: {status: active}\n"
    assert "lifecycle: {status: retired}" in (repo / "models" / "a.yaml").read_text()  # left alone
