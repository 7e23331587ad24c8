"""The YAML layer: plain data, a line for every field, and refusals for what YAML allows but a model must not."""

from __future__ import annotations

from archrepo.errors import DiagnosticSink
from archrepo.model.yamlsource import decode_source, parse_documents


def parse(text: str) -> tuple[list, DiagnosticSink]:
    sink = DiagnosticSink()
    return parse_documents(text, "m.yaml", sink), sink


def test_lines_of_every_field_and_item() -> None:
    docs, sink = parse("kind: Process\nid: p\nsteps:\n  - id: a\n    next:\n      - b\n      - c\n  - id: b\n")
    assert not sink.items
    (doc,) = docs
    assert doc.line == 1
    assert doc.lines["id"] == 2
    assert doc.lines["steps[0].id"] == 4
    assert doc.lines["steps[0].next[1]"] == 7
    assert doc.lines["steps[1].id"] == 8
    assert doc.line_of("steps[0].next[1]") == 7
    assert doc.line_of("steps[0].missing") == 4  # nearest recorded parent
    assert doc.line_of("nothing") == 1


def test_multiple_documents_keep_their_own_lines_and_skip_empty_ones() -> None:
    docs, sink = parse("---\nkind: A\n---\n---\n# only a comment\n---\nkind: B\nid: b\n")
    assert [d.data["kind"] for d in docs] == ["A", "B"]
    assert [d.line for d in docs] == [2, 7]
    assert docs[1].lines["id"] == 8
    assert not sink.items


def test_dates_stay_text_whether_quoted_or_not() -> None:
    docs, _ = parse("a: 2016-03-01\nb: '2016-03-01'\nc: 2026-02-30\n")
    assert docs[0].data == {"a": "2016-03-01", "b": "2016-03-01", "c": "2026-02-30"}


def test_scalars_are_typed_like_yaml() -> None:
    docs, _ = parse("i: 42\nf: 1.5\nt: true\nn: null\ne:\ns: 'NO'\nb: NO\nh: 0x10\n")
    assert docs[0].data == {"i": 42, "f": 1.5, "t": True, "n": None, "e": None, "s": "NO", "b": False, "h": 16}


def test_keys_keep_the_text_written() -> None:
    docs, _ = parse("on: 1\n2: x\n")
    assert docs[0].data == {"on": 1, "2": "x"}


def test_duplicate_key_is_an_error_naming_both_lines() -> None:
    docs, sink = parse("a: 1\nb:\n  c: 1\n  c: 2\n")
    assert not docs
    (error,) = sink.errors
    assert error.line == 4
    assert "duplicate key 'c'" in error.message and "line 3" in error.message


def test_anchor_and_alias_are_refused_without_expansion() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"b{i}: &b{i} [" + ", ".join([f"*b{i - 1}" if i else "*a"] * 9) + "]\n" for i in range(40))
    docs, sink = parse(bomb)
    assert not docs
    assert sink.errors[0].line == 1
    assert "anchor" in sink.errors[0].message


def test_anchors_are_found_wherever_yaml_allows_them() -> None:
    # the quick look for a mark before the event stream must not miss one in any place YAML takes it
    for text in ("&a x: 1\n", "k: &a v\n", "k:\n  - &a v\n", "k: [&a 1]\n", "k: [1,&a 2]\n", "k: {x: &a 1}\n",
                 "k: {&a x: 1}\n", "k:\t&a v\n", "k: &a\n  x: 1\n", "a: &a 1\nb: *a\n"):
        docs, sink = parse(text)
        assert not docs and "anchor" in sink.errors[0].message, text


def test_text_that_only_looks_like_an_anchor_is_fine() -> None:
    docs, sink = parse("description: R&D uses *bold* & more\n")
    assert not sink.items
    assert docs[0].data["description"] == "R&D uses *bold* & more"


def test_merge_key_and_custom_tag_are_refused() -> None:
    _, sink = parse("a: !!python/object:os.system x\n")
    assert "not supported" in sink.errors[0].message
    _, sink = parse("a: {x: 1}\nb:\n  <<: {y: 2}\n")
    assert sink.errors


def test_syntax_error_has_the_line_and_a_hint() -> None:
    _, sink = parse("a: 1\nb: [1, 2\nc: 3\n")
    (error,) = sink.errors
    assert error.line >= 2
    assert "YAML syntax error" in error.message
    assert error.hint


def test_tabs_are_explained() -> None:
    _, sink = parse("a:\n\tb: 1\n")
    assert sink.errors[0].line == 2
    assert "tab" in sink.errors[0].message


def test_decode_rejects_binary_and_locates_bad_utf8() -> None:
    sink = DiagnosticSink()
    assert decode_source(b"ok\x00", "f", sink) is None
    assert "binary" in sink.errors[0].message
    sink = DiagnosticSink()
    assert decode_source(b"a: 1\nb: \xff\n", "f", sink) is None
    assert sink.errors[0].line == 2
    assert decode_source("\ufeffa: ø\n".encode(), "f", DiagnosticSink()) == "a: ø\n"  # BOM dropped
    sink = DiagnosticSink()  # after a byte order mark: the offset and the byte of the file as it is
    assert decode_source(b"\xef\xbb\xbfa: 1\nb: \xff\n", "f", sink) is None
    assert sink.errors[0].line == 2
    assert "byte 0xff at offset 11" in sink.errors[0].message
    assert decode_source(b"\xef\xbb\xbf\xef\xbb\xbfa: 1\n", "f", DiagnosticSink()) == "\ufeffa: 1\n"  # one mark only


_UNUSUAL_TEXTS = [
    "a: yes\nb: [on, 'off', Off]\n",  # YAML 1.1 boolean words: recorded with their paths
    "a: 1\nb:\n  c: 1\n  c: 2\n",  # a duplicate key
    "a: !custom x\n",  # a custom tag
    "base: &b {x: 1}\nother:\n  <<: *b\n",  # an anchor, an alias and a merge key
    "x: &a 1\n",  # an anchor alone
    "list:\n  - a\n    - b\n",  # an item run onto a `- ` line
    "? [a, b]\n: c\n",  # a key that is not a name
    "a: !!str 1\nb: !!int '2'\nc: !!binary aGk=\n",  # explicit tags
    "kind: Application\nid: app\nname: 'A & B * C'\nsteps: [{id: s, next: [t]}]\n",  # marks that are no anchor
    "---\nkind: A\n---\n---\nid: b\nlist: [1, 2.5, null, ~, true, 0x1f, 2026-01-01]\n",
    "a:\n  b:\n    - c: 1\n      d: [x, {e: f}]\n",
]


def _model_texts() -> list[str]:
    from pathlib import Path

    root = Path(__file__).parent
    paths = [*sorted((root / "fixtures").rglob("*.yaml")), *sorted((root.parent / "models").rglob("*.yaml"))]
    return [path.read_text(encoding="utf-8", errors="replace") for path in paths]


def test_fields_lines_found_later_are_those_found_at_once() -> None:
    """A parse finds the lines of fields only when asked (by parsing the text again). Whatever the text, the
    data, the lines, the recorded booleans and the problems are the same as a parse that records lines at once."""
    texts = [*_UNUSUAL_TEXTS, *_model_texts()]
    assert len(texts) > 50
    for text in texts:
        lazy_sink, eager_sink = DiagnosticSink(), DiagnosticSink()
        lazy = parse_documents(text, "m.yaml", lazy_sink)
        eager = parse_documents(text, "m.yaml", eager_sink, lines=True)
        assert lazy_sink.items == eager_sink.items, text
        assert [(d.data, d.line, d.index, d.booleans, dict(d.lines)) for d in lazy] == \
               [(d.data, d.line, d.index, d.booleans, dict(d.lines)) for d in eager], text
        assert all(isinstance(d.lines, dict) for d in eager)


def test_a_plain_document_finds_its_lines_only_when_asked() -> None:
    text = "kind: Application\nid: app\nowner: org\ntags: [a, b]\n"
    (lazy,) = parse_documents(text, "m.yaml", DiagnosticSink())
    (eager,) = parse_documents(text, "m.yaml", DiagnosticSink(), lines=True)
    assert not isinstance(lazy.lines, dict)  # nothing recorded yet
    assert lazy.line_of("tags[1]") == eager.line_of("tags[1]") == 4
    assert dict(lazy.lines) == dict(eager.lines) == {"kind": 1, "id": 2, "owner": 3, "tags": 4, "tags[0]": 4,
                                                      "tags[1]": 4}
