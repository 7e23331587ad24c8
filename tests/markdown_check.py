"""Markdown and Mermaid written by archrepo, checked with a real CommonMark parser (markdown-it-py, with GitHub's
tables and strikethrough): model text in it must stay text."""

from __future__ import annotations

import re
from collections.abc import Iterable

from markdown_it import MarkdownIt
from markdown_it.token import Token

_PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_RAW_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)\s*/?>")  # a raw tag archrepo writes: no attributes
_RELATIVE = re.compile(r"(?![a-zA-Z][a-zA-Z0-9+.-]*:)(?!//)[^\s\\]*")
# A Mermaid label: letters, digits, spaces, plain punctuation and entity codes; nothing that ends it.
_MERMAID_LABEL = re.compile(r"(?:[^\W_]|[ .,\-_()/+:?!'=]|#\d+;)*")
_MERMAID_CLICK = re.compile(r'\s*click n_\w+ "[A-Za-z0-9._~/%#-]+" "[^"]*"')


def _walk(tokens: Iterable[Token]) -> Iterable[Token]:
    for token in tokens:
        yield token
        yield from _walk(token.children or ())


def assert_markdown_is_text(text: str, *, allowed_tags: set[str], links: bool, where: str = "",
                            allowed_blocks: frozenset[str] = frozenset()) -> None:
    """No raw HTML but ``allowed_tags`` (without attributes) and ``allowed_blocks`` (archrepo's own comment),
    no image, links only relative (and only when ``links``), every table row as wide as its header, Mermaid
    blocks safe."""
    tokens = _PARSER.parse(text)
    header_cells = row_cells = 0
    for token in _walk(tokens):
        if token.type == "html_block" and token.content.strip() in allowed_blocks:
            continue
        if token.type in ("html_inline", "html_block"):
            for raw in re.findall(r"<[^>]*>?", token.content) or [token.content]:
                tag = _RAW_TAG.fullmatch(raw.strip())
                assert tag and tag.group(1).lower() in allowed_tags, f"{where}: raw HTML {raw!r}"
        elif token.type == "image":
            raise AssertionError(f"{where}: an image: {token.attrGet('src')!r}")
        elif token.type == "link_open":
            href = str(token.attrGet("href"))
            assert links and _RELATIVE.fullmatch(href), f"{where}: a link to {href!r}"
        elif token.type == "tr_open":
            row_cells = 0
        elif token.type in ("th_open", "td_open"):
            row_cells += 1
        elif token.type == "tr_close":
            header_cells = header_cells or row_cells
            assert row_cells == header_cells, f"{where}: a table row of {row_cells} cells under {header_cells}"
        elif token.type == "thead_open":
            header_cells = 0
        elif token.type == "fence" and token.info.strip() == "mermaid":
            assert_mermaid_is_safe(token.content, where)


def assert_mermaid_is_safe(text: str, where: str = "") -> None:
    """Model text only inside quoted labels made of plain characters and entity codes; no directive; click
    lines only with relative links."""
    for line in text.splitlines():
        assert "%%{" not in line and "}%%" not in line, f"{where}: a Mermaid directive: {line!r}"
        if line.strip().startswith("click"):
            assert _MERMAID_CLICK.fullmatch(line), f"{where}: a click line: {line!r}"
            continue
        if line.strip().startswith("%%"):
            continue
        assert line.count('"') % 2 == 0, f"{where}: unbalanced quotes: {line!r}"
        for label in re.findall(r'"([^"]*)"', line):
            assert _MERMAID_LABEL.fullmatch(label), f"{where}: a Mermaid label that is not plain: {label!r}"
        outside = re.sub(r'"[^"]*"', '""', line)
        assert not re.search(r"[<>`]|javascript:|call ", outside.replace("-->", "").replace("==>", "")
                             .replace("-.->", "")), f"{where}: markup outside labels: {line!r}"
