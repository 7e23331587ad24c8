"""A large file parsed in pieces reads exactly as parsed whole: its documents, their lines and indexes (what a
field's line is found by), its diagnostics, references and triples; a text whose pieces could read otherwise is
parsed whole; the document counts the pieces are moved by are PyYAML's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from archrepo.api import read_files
from archrepo.config import load_config
from archrepo.model import loader, pieces
from archrepo.model.fileresult import FileResult, extra_bytes
from tests.conftest import write_repo


def _element(number: int) -> str:
    return (f"kind: Organisation\nid: org-{number}\nname: Organisation {number}\ntype: health-trust\n"
            f"parent: org-{max(number - 1, 0)}\ndescription: |\n  Line one of {number}.\n\n  --- not a marker\n")


def _model(count: int, head: str = "# a model file\n\n", between: str = "---\n") -> str:
    return head + between.join(_element(n) for n in range(count))


_TEXTS = {
    "comments first": _model(40),
    "implicit first document": _model(40, head=""),
    "empty and comment-only documents": _model(40).replace("---\nkind: Organisation\nid: org-7\n",
                                                           "---\n---\n# nothing here\n---\nkind: Organisation\nid: org-7\n"),
    "markers with comments and spaces": _model(40, between="---   # next\n"),
    "a flow mapping and quoted text": _model(40).replace("type: health-trust\n",
                                                          "type: health-trust\ntags: [a, \"b c\"]\n"),
    "ends without a document": _model(40) + "---\n# the end\n",
    "a schema error in the middle": _model(40).replace("id: org-20\nname: Organisation 20\n", "id: org-20\n"),
    "a quoted text over a document marker": _model(40).replace("name: Organisation 20\n",
                                                                "name: \"Organisation\n---\n20\"\n"),
    "an unknown reference": _model(40).replace("parent: org-30\n", "parent: no-such-org\n"),
    "carriage returns": _model(40).replace("\n", "\r\n"),
    "a document end marker": _model(40).replace("---\nkind: Organisation\nid: org-9\n", "...\n---\nkind: Organisation\nid: org-9\n"),
}


def _read(root: Path) -> tuple[list[FileResult], list[FileResult]]:
    """The files as a first run reads them (parsed), then as a second one does (from the cache)."""
    config = load_config(root / "archrepo.yaml")
    return read_files(config, use_cache=True), read_files(config, use_cache=True)


def _seen(results: list[FileResult]) -> list[Any]:
    """Everything a parse says, a field's line included."""
    return [(result.file,
             [(kind, document.data, document.line, document.index, valid,
               {key: document.line_of(key) for key in (document.data if isinstance(document.data, dict) else {})})
              for kind, document, valid in result.documents],
             [(d.file, d.line, d.message, d.hint, d.level, d.element) for d in result.diagnostics],
             result.references,
             extra_bytes(result.extras, "ntriples") if "ntriples" in result.extras else None)
            for result in results]


@pytest.mark.parametrize("name", sorted(_TEXTS))
def test_a_file_parsed_in_pieces_reads_as_parsed_whole(name: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"models/orgs.yaml": _TEXTS[name], "models/more.yaml": _element(1000)}
    whole = _read(write_repo(tmp_path / "whole", files, "models: [models]\n"))
    monkeypatch.setattr(loader, "CUT_FROM", 0)
    monkeypatch.setattr(pieces, "PIECE_BYTES", 600)
    joined: list[bool] = []
    original = pieces.Pieces.joined
    monkeypatch.setattr(pieces.Pieces, "joined", lambda self: joined.append(True) or original(self))
    cut_up = _read(write_repo(tmp_path / "pieces", files, "models: [models]\n"))
    assert joined == ([] if name in ("carriage returns", "a document end marker") else [True])
    assert _seen(cut_up[0]) == _seen(whole[0])
    assert _seen(cut_up[1]) == _seen(whole[1])  # the second time from the cache, as the pieces' entries joined


def test_which_texts_are_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pieces, "PIECE_BYTES", 600)
    for name in ("carriage returns", "a document end marker"):
        assert pieces.cut(_TEXTS[name].encode()) is None, name
    assert pieces.cut(_model(40).replace("Organisation 5", "Organisation\u20285").encode()) is None
    assert pieces.cut(("%YAML 1.1\n" + _model(40)).encode()) is None
    assert pieces.cut(_model(2).encode()) is None  # smaller than two pieces
    found = pieces.cut(_TEXTS["comments first"].encode())
    assert found is not None and len(found.offsets) > 5


@pytest.mark.parametrize("name", ["comments first", "implicit first document", "empty and comment-only documents",
                                  "markers with comments and spaces", "ends without a document"])
def test_the_lines_and_documents_before_each_piece_are_pyyamls(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pieces, "PIECE_BYTES", 600)
    raw = _TEXTS[name].encode()
    found = pieces.cut(raw)
    assert found is not None
    starts = [start for start, _ in found._spans]
    for start, (lines, documents) in zip(starts, found.offsets, strict=True):
        assert lines == raw[:start].count(b"\n")
        assert documents == sum(1 for _ in yaml.compose_all(raw[:start].decode())), start
