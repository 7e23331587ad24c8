"""rapidyaml's path (``yamlrapid``) against the PyYAML walk it stands in for: on every text it takes, the same
documents (data, start line, index), and nothing the walk would have reported or recorded; every text it cannot
vouch for declined. Differential, on the project's model files, a generated model, texts made to differ, and
texts mutated at random (seeded)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archrepo.errors import DiagnosticSink
from archrepo.model.yamlrapid import parse_rapid, quiet
from archrepo.model.yamlsource import parse_documents
from tests.conftest import bench_generator

ROOT = Path(__file__).resolve().parent.parent


def _walk(text: str) -> tuple[list[tuple[Any, int, int]], list[Any], list[Any]]:
    sink = DiagnosticSink()
    documents = parse_documents(text, "m.yaml", sink)
    return [(d.data, d.line, d.index) for d in documents], sink.items, [d.booleans for d in documents]


def _agrees(text: str) -> bool:
    """Whether the rapid path declines ``text`` or reads it exactly as the walk does, with nothing to say.
    True when it took the text, None when it declined it, False on a difference."""
    rapid = parse_rapid(text)
    if rapid is None:
        return True
    documents, problems, booleans = _walk(text)
    return not problems and not any(booleans) and rapid == documents


def _project_texts() -> list[str]:
    paths = [*sorted((ROOT / "tests" / "fixtures").rglob("*.y*ml")), *sorted((ROOT / "models").rglob("*.yaml")),
             *sorted((ROOT / "archrepo" / "standard").rglob("*.yaml"))]
    return [path.read_text(encoding="utf-8", errors="replace") for path in paths]


def test_every_model_file_of_the_project_reads_the_same() -> None:
    texts = _project_texts()
    assert len(texts) > 100
    assert all(_agrees(text) for text in texts)
    taken = [text for text in texts if parse_rapid(text) is not None]
    assert len(taken) > len(texts) // 2  # the path is used, not declining everything


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    root = tmp_path_factory.mktemp("generated")
    bench_generator().generate(root, 150, seed=7, violation_rate=0.2)
    return [path.read_text(encoding="utf-8") for path in sorted((root / "models").rglob("*.yaml"))]


def test_a_generated_model_is_taken_whole_and_reads_the_same(generated: list[str]) -> None:
    """Every file of the benchmark's model is taken (it quotes "NO", dates and versions: read from the tree)."""
    assert len(generated) > 20
    for text in generated:
        rapid = parse_rapid(text)
        assert rapid is not None
        documents, problems, booleans = _walk(text)
        assert rapid == documents and not problems and not any(booleans)


# (text, whether the rapid path takes it): the ones it declines would be read otherwise, or refused by PyYAML
_TEXTS = [
    ("kind: Application\nid: a\nname: A\nproperties: {country: \"NO\", version: \"8\", n: 8}\n", True),
    ("a: NO\n", False),  # a YAML 1.1 boolean: the walk records it
    ("a: 'yes'\nb: \"~\"\nc: ''\n", True),
    ("a: ~\nb:\nc: null\nd: Null\n", True),
    ("a: True\nb: FALSE\nc: true\n", True),
    ("a: 0x1F\nb: 017\nc: 1_000\nd: 1:20\ne: .inf\nf: -.5\ng: 1.5e-3\nh: 12345678901234567890123\n", True),
    ("a: 1e3\nb: -.5\nc: 1.\nd: .5\n", True),
    ("a: inf\nb: nan\nc: -inf\nd: infinity\ne: .NaN\nf: [inf, .Inf]\n", True),  # rapidyaml writes .inf, .nan
    ("inf: 1\n", False),
    ("list:\n  - nan: 1\n", False),  # texts to YAML 1.1 (1e3, -.5), which rapidyaml writes as numbers
    ("a: 2024-01-01\nb: '2024-01-01'\nc: 2001-12-14t21:59:43.10-05:00\n", True),
    ("list:\n  - NO\n", False),
    ("list:\n  - 'NO'\n  - 'x - y'\n", True),
    ("list:\n  - x - y\n", False),  # maybe an item run onto a `- ` line: the walk tells
    ("list:\n  - a\n    - b\n", False),  # an item run onto a `- ` line
    ("a: |\n  x\n  y\nb: >-\n  folded\n  text\n\n  more\nc: |+\n  kept\n\n", True),
    ("a: |\n  x\n  y", False),  # no line break after the last line of a block scalar
    ("a: > - x\n", False),
    ("a:\tb\n", False),
    ("a: b\r\nc: d\r\n", False),
    ("a: \"x\\ty\"\n", False),
    ("a: @x\n", False),
    ("a: `x\n", False),
    ("}a: 1\n", False),
    ("a: [b:]\n", False),
    ("a: [b, [c]]\n", False),
    ("a: {b: 1,\n  c: 2}\n", False),
    ("a: [x]y\n", False),
    ("models:\n  - \"a\"  - \"b\"\n", False),  # two items on a line, to rapidyaml (found by the fuzzer)
    ("a: 'x' # c\nb: {c: 'd', e: \"f\"}\n", True),
    (":\n  a: 1\n", False),
    ("? a\n: 1\n", False),
    ("a: &x 1\nb: *x\n", False),
    ("a: !!str 1\n", False),
    ("<<: {a: 1}\n", False),
    ("a: 1\na: 2\n", False),
    ("a:\n  b: 1\n  c:\n    d: 1\n    d: 2\n", False),  # duplicate keys deeper down, and in a later document:
    ("kind: A\n---\nkind: B\nid: b\nid: c\n", False),  # the decoder keeps the last, the count of nodes tells
    ("list:\n  - {a: 1, a: 2}\n", False),
    ("list:\n  - a: 1\n    a: 1\n", False),
    ("%YAML 1.1\n---\na: 1\n", False),
    ("a: 1\n...\n---\nb: 2\n", False),
    ("--- a: 1\n", False),
    ("- a\n- b\n", True),
    ("plain\n", False),
    ("a: x\x85y\n", False),
    ("a: x\u2028y\n", False),
    ("a: \"\ufeffx\"\n", False),
    ("a: x\x07\n", False),
    ("# comment\n\n---\n# c\nkind: A\n---\n---\n\nid: b\n---\n# nothing\n", True),
    ("a: b # comment\nc: 'd # e'\n", True),
    ("a: æøå ÆØÅ – “x” → ok\n", True),
    ("blå: \"NO\"\nnøkkel:\n  æ: \"~\"\n  l: [\"NO\", x]\n", True),  # read from the tree by keys not ASCII
    ("a:\n" + "  b:\n" * 0 + "  " + "x" * 1100 + ": 1\n", False),
    ("a: [" * 70 + "]" * 70 + "\n", False),
]


@pytest.mark.parametrize(("text", "taken"), _TEXTS)
def test_texts_made_to_differ(text: str, taken: bool) -> None:
    assert _agrees(text)
    assert (parse_rapid(text) is not None) is taken


def test_a_files_bytes_read_as_its_text_encoded_again(generated: list[str]) -> None:
    """``parse_model_file`` hands rapidyaml the file's bytes as read (after a byte order mark): the same parse as
    from its text encoded again, with the mark or without."""
    from archrepo.model.loader import parse_model_file

    texts = [text for text in _project_texts() + generated[:20] if "\ufeff" not in text]
    taken = 0
    for text in texts:
        for raw in (text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode("utf-8")):
            with quiet() as quieted:
                result = parse_model_file(raw, "m.yaml", rapid=quieted)
            plain = parse_model_file(raw, "m.yaml")
            assert [(kind, d.data, d.line, d.index, valid) for kind, d, valid in result.documents] == [
                (kind, d.data, d.line, d.index, valid) for kind, d, valid in plain.documents], text
            assert result.diagnostics == plain.diagnostics
        taken += parse_rapid(text, text.encode("utf-8")) is not None
        assert parse_rapid(text, text.encode("utf-8")) == parse_rapid(text)
    assert taken > len(texts) // 2


def test_lines_and_indexes_follow_the_document_markers() -> None:
    text = "# header\n---\n\nkind: A\nid: a\n---\n---\n# only a comment\n---\n  - x\n  - y\n"
    assert parse_rapid(text) == [({"kind": "A", "id": "a"}, 4, 0), (["x", "y"], 10, 3)]
    assert _agrees(text)


def _mutate(rng: random.Random, text: str) -> str:
    pieces = [*" \n:-#'\"[]{},|>&*!?%@`~.09aNoyYtT\\\t", "---\n", "\n  ", ": ", "- ", "\n- ", "yes", "~", "null",
              "1e3", "0x1F", "inf", "nan", "-.5", ".5", "1.", "+1", "0o7", "1_0", "<<", "...\n", "\r\n", "\u2028", "\x85", "æ", "\ufeff"]
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(text) + 1)
        choice = rng.random()
        if choice < 0.25:
            lines = text.split("\n")
            line = rng.randrange(len(lines))
            kind = rng.random()
            if kind < 0.3:
                lines[line] = " " * rng.randint(1, 3) + lines[line]
            elif kind < 0.5:
                lines[line] = lines[line][rng.randint(1, 3):]
            elif kind < 0.7:
                lines.insert(line, lines[rng.randrange(len(lines))])
            elif kind < 0.85 and line + 1 < len(lines):
                lines[line] = lines[line] + " " + lines.pop(line + 1).lstrip()
            else:
                indent = lines[line][:len(lines[line]) - len(lines[line].lstrip())]
                lines.insert(line, indent + rng.choice(["- x", "x:", "- a: b", "  y: z", "#c", "-", "? q"]))
            text = "\n".join(lines)
        elif choice < 0.5:
            text = text[:at] + rng.choice(pieces) + text[at:]
        elif choice < 0.8:
            text = text[:at] + text[at + rng.randint(1, 3):]
        else:
            start = rng.randrange(len(text) + 1)
            text = text[:at] + text[start:start + rng.randint(1, 20)] + text[at:]
    return text


def test_the_tree_kept_between_texts_holds_nothing_of_the_one_before(generated: list[str]) -> None:
    """Each thread parses into one tree, cleared before each text: a text read after a larger one, after one
    rapidyaml fails on, after one it declines, reads as it does first in a thread of its own."""
    import threading

    large = max(generated, key=len)
    small = "kind: Application\nid: a\nname: A\n"
    failing = "a: [b\n"  # rapidyaml raises on it (an unclosed flow list)
    alone: list[object] = []
    thread = threading.Thread(target=lambda: alone.append(parse_rapid(small)))
    thread.start()
    thread.join()
    with quiet():
        for before in (large, failing, "a: NO\n", large):
            parse_rapid(before)
            assert parse_rapid(small) == alone[0]
    assert alone[0] == [({"kind": "Application", "id": "a", "name": "A"}, 1, 0)]
    assert parse_rapid(large) == parse_rapid(large) is not None


def test_the_searches_find_the_flow_collections_declined_as_a_match_at_each_bracket_does(
        generated: list[str]) -> None:
    """``_odd_flow`` (a search for each bracket's kind) against what it replaced: every `[` and `{` matched on its
    own."""
    import re

    from archrepo.model.yamlrapid import _FLOW_END, _ITEM, _odd_flow

    flow = re.compile(rb"(?:\[(?:%s(?:,%s)*)?\]|\{(?:[ ]*[\w\-.]+:[ ]+%s(?:,[ ]*[\w\-.]+:[ ]+%s)*)?[ ]*\})%s"
                      % (_ITEM, _ITEM, _ITEM, _ITEM, _FLOW_END))
    rng = random.Random(20261201)
    seeds = [text for text in _project_texts() + generated[:10] if 30 < len(text) < 20_000]
    texts = ["a: [b, c]\n", "a: [b, [c]]\n", "a: {b: c}\n", "a: {b: c} x\n", "a: [b, c] # x\n", "a: [b,\n c]\n",
             "a: {b: c, d: [e]}\n", "a: [\"b, c\", 'd']\n", "a: []\n", "a: {}\n", "a: [b]", "a: [b] ]\n"]
    texts += [_mutate(rng, rng.choice(seeds)) for _ in range(3_000)]
    odd = 0
    for text in texts:
        raw = text.encode("utf-8")
        by_bracket = any(flow.match(raw, found.start()) is None for found in re.finditer(rb"[\[{]", raw))
        assert _odd_flow(raw) == by_bracket, text
        odd += by_bracket
    assert 100 < odd < len(texts) - 100


def test_texts_mutated_at_random_read_the_same_or_are_declined(generated: list[str]) -> None:
    """A seeded sample of what a fuzzer ran (120,000 mutations, none read otherwise): model texts with
    characters, lines and indentation inserted, removed and moved."""
    seeds = [text for text in _project_texts() + generated[:10] if 30 < len(text) < 20_000]
    rng = random.Random(20261130)
    taken = 0
    for _ in range(6_000):
        text = _mutate(rng, rng.choice(seeds))
        assert _agrees(text), text
        taken += parse_rapid(text) is not None
    assert taken > 800


def test_quiet_keeps_rapidyamls_messages_off_standard_error_and_restores_it() -> None:
    script = ("import os; from archrepo.model.yamlrapid import parse_rapid, quiet\n"
              "with quiet():\n    assert parse_rapid('a: b: c\\n') is None\n"
              "os.write(2, b'after\\n')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stderr == "after\n"


def test_without_quiet_rapidyaml_would_print(capfd: pytest.CaptureFixture[str]) -> None:
    """Why the workers close standard error around it (if this fails, rapidyaml stopped printing: quiet can go)."""
    assert parse_rapid("a: b: c\n") is None
    assert "ERROR" in capfd.readouterr().err
    with quiet():
        assert parse_rapid("a: b: c\n") is None
    assert capfd.readouterr().err == ""


def _archrepo(root: Path, jobs: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archrepo", "check", "--format", "json"], cwd=root,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "ARCHREPO_JOBS": jobs, "ARCHREPO_NO_CACHE": "1"})


def test_a_check_in_workers_reports_as_one_in_a_single_process(tmp_path: Path) -> None:
    """Parsing workers take the rapid path; a single process never does. Same model, same output, and none of
    rapidyaml's own messages on standard error."""
    bench_generator().generate(tmp_path, 400, seed=3, violation_rate=0.2)
    assert sum(path.stat().st_size for path in (tmp_path / "models").rglob("*.yaml")) > 1_000_000  # in workers
    valid = [_archrepo(tmp_path, jobs) for jobs in ("1", "2")]
    assert valid[0].stdout == valid[1].stdout and valid[0].returncode == valid[1].returncode == 1
    assert valid[1].stderr == valid[0].stderr
    (tmp_path / "models" / "broken.yaml").write_text("kind: Application\nid: x\nname: b: c\n", encoding="utf-8")
    broken = [_archrepo(tmp_path, jobs) for jobs in ("1", "2")]
    assert broken[0].returncode == broken[1].returncode == 2
    assert broken[1].stderr == broken[0].stderr
    assert "broken.yaml:3" in broken[1].stderr and "ERROR: [parse]" not in broken[1].stderr


def test_without_a_null_device_the_workers_read_with_pyyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    from archrepo.model import loader, yamlsource

    real_devnull = os.devnull
    monkeypatch.setattr(os, "devnull", "/nonexistent/archrepo-null")
    with quiet() as quieted:
        assert quieted is False
    calls: list[bool] = []
    real = yamlsource.parse_rapid
    monkeypatch.setattr(yamlsource, "parse_rapid", lambda text, raw=None: calls.append(True) or real(text, raw))
    (result,) = loader._parse_chunk([(b"kind: Organisation\nid: o\nname: O\n", "o.yaml")], None, False, True)
    assert calls == [] and result.documents[0][1].data == {"kind": "Organisation", "id": "o", "name": "O"}
    monkeypatch.setattr(os, "devnull", real_devnull)
    loader._parse_chunk([(b"kind: Organisation\nid: o\nname: O\n", "o.yaml")], None, False, True)
    assert calls == [True]  # with one, rapidyaml reads


def test_a_large_text_does_not_leave_its_tree_to_the_texts_after_it() -> None:
    """Clearing a tree costs in proportion to its room: a tree grown by a large text is dropped, and the small
    texts after it are read into a small one, the same as before."""
    from ryml import _ryml

    from archrepo.model import yamlrapid

    large = "".join(f"key{i}: [a, b, c]\n" for i in range(2000))
    small = "kind: Application\nid: a\ntags: [x, y]\n"
    assert parse_rapid(small) == [({"kind": "Application", "id": "a", "tags": ["x", "y"]}, 1, 0)]
    assert parse_rapid(large) is not None
    this = yamlrapid._tree()
    assert _ryml.Tree_capacity(this) <= yamlrapid._TREE_KEPT
    assert parse_rapid(small) == [({"kind": "Application", "id": "a", "tags": ["x", "y"]}, 1, 0)]
