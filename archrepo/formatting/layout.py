"""Where the comments, blank lines and document separators of a YAML text are, found from its tokens.

Independent of ruamel.yaml on purpose: the formatter uses this to place comments, and the guard uses it
again on the result to prove that no comment was lost. PyYAML's scanner yields every token with its
start and end; whatever lies between tokens is whitespace or a comment. A comment after a block scalar's
indicator (``description: |  # note``) sits inside the scalar's token and is found separately.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import yaml

__all__ = ["SourceComment", "SourceLayout", "comment_texts", "scan_layout"]

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

_BLOCK_HEADER_COMMENT = re.compile(r"[|>][0-9+-]*[ \t]+(#.*)$")


@dataclass(frozen=True, slots=True)
class SourceComment:
    """One comment: 0-based line and column of its ``#``, its text (right-stripped), and whether code precedes it."""

    line: int
    column: int
    text: str
    end_of_line: bool


@dataclass(frozen=True)
class SourceLayout:
    """The comments, blank lines and explicit ``---`` lines of one text (0-based line numbers)."""

    lines: list[str]
    comments: list[SourceComment]
    blank_lines: list[int]
    separators: list[int]
    block_scalar_comments: list[SourceComment]
    has_directives: bool


def scan_layout(text: str) -> SourceLayout:
    """Scan ``text`` (newlines already ``\\n``); raises :class:`yaml.YAMLError` when it does not scan."""
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    covered: list[tuple[int, int]] = []
    separators: list[int] = []
    block_comments: list[SourceComment] = []
    has_directives = False
    for token in yaml.scan(text, Loader=_Loader):
        start, end = _offset(starts, token.start_mark, text), _offset(starts, token.end_mark, text)
        if isinstance(token, yaml.DocumentStartToken):
            separators.append(token.start_mark.line)
        elif isinstance(token, yaml.DirectiveToken):
            has_directives = True
        elif isinstance(token, yaml.ScalarToken) and token.style in ("|", ">"):
            header = text[start:text.find("\n", start) if "\n" in text[start:] else len(text)]
            found = _BLOCK_HEADER_COMMENT.match(header)
            if found:
                column = token.start_mark.column + found.start(1)
                block_comments.append(SourceComment(token.start_mark.line, column, found.group(1).rstrip(), True))
        if end > start:
            covered.append((start, end))
    comments: list[SourceComment] = []
    blank_lines: list[int] = []
    position = 0
    for start, end in [*covered, (len(text), len(text))]:
        if start > position:
            _scan_gap(text, position, start, starts, lines, comments, blank_lines)
        position = max(position, end)
    return SourceLayout(lines, comments, blank_lines, separators, block_comments, has_directives)


def _scan_gap(text: str, begin: int, end: int, starts: list[int], lines: list[str],
              comments: list[SourceComment], blank_lines: list[int]) -> None:
    """Record the comments and whole blank lines in ``text[begin:end]``, which holds no token."""
    index = begin
    while index < end:
        char = text[index]
        if char == "#":
            stop = text.find("\n", index)
            stop = len(text) if stop < 0 else stop
            line = _line_of(starts, index)
            column = index - starts[line]
            comments.append(SourceComment(line, column, text[index:stop].rstrip(),
                                          bool(lines[line][:column].strip())))
            index = stop
        elif char == "\n":
            line = _line_of(starts, index) + 1
            if line < len(lines) and not lines[line].strip() and starts[line] + len(lines[line]) < end:
                blank_lines.append(line)
            index += 1
        else:
            index += 1


def _offset(starts: list[int], mark: yaml.Mark, text: str) -> int:
    if mark.line >= len(starts):  # the end of a text without a final newline
        return len(text)
    return min(starts[mark.line] + mark.column, len(text))


def _line_of(starts: list[int], offset: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low


def comment_texts(layout: SourceLayout) -> Counter[str]:
    """Every comment's text, counted: what the guard compares before and after formatting."""
    return Counter(c.text for c in (*layout.comments, *layout.block_scalar_comments))
