"""Text from an architecture repository on its way into an output: never markup, a command or a control sequence.

Everything a model, rule, waiver or config file says is untrusted (a merge request writes it). These functions
turn such text into something that is only ever shown as text in one kind of output: a terminal, XML 1.0,
Markdown, or a one-line display label. Each works on the whole string by what characters *are* (Unicode
categories, the XML character range), not by a list of known attacks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.etree import ElementTree as ET

__all__ = [
    "json_text",
    "markdown_code",
    "markdown_inline",
    "one_line",
    "printable_text",
    "shorten",
    "terminal_lines",
    "terminal_text",
    "xml_text",
    "xml_tree",
]

# Characters a terminal may act on instead of showing: C0 and C1 controls, DEL, and the bidirectional
# formatting characters that reorder what is shown (Trojan Source), plus the Unicode line/paragraph separators.
_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                              "\ud800-\udfff\ufffe\uffff]")
# The same, but for JSON text: C0 controls never appear raw in it (JSON escapes them inside strings, and a newline
# outside one is layout), the others only inside strings, where a \u escape is the same data.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
                          "\ufffe\uffff]")
# What XML 1.0 does not allow at all (section 2.2, Char): C0 controls but tab, newline and carriage return;
# lone surrogates; U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_WHITESPACE = re.compile(r"\s+")
_LINE_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
                          "\ufffe\uffff]")
_TEXT_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                          "\ud800-\udfff\ufffe\uffff]")
# CommonMark lets any ASCII punctuation be escaped with a backslash; these are the ones that can start markup
# (emphasis, code, links, images, raw HTML, entities, tables, headings, strikethrough, GitHub's math).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#&~!$])")
# At the start of a line these make a block (list item, heading underline, thematic break, ordered list).
_MARKDOWN_BLOCK_START = re.compile(r"^(?:([-+=])|([0-9]+)([.)]))")
REPLACEMENT = "\ufffd"


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(match.group())
    if named:
        return named
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str, *, keep_newlines: bool = False, keep_tabs: bool = True) -> str:
    """``text`` with every character a terminal could act on written as a visible escape (``\\x1b``, ``\\r``,
    ``\\u202e``): no colour, cursor move, title change, bell or hidden line. Newlines stay only when asked."""
    def replace(match: re.Match[str]) -> str:
        char = match.group()
        if (char == "\n" and keep_newlines) or (char == "\t" and keep_tabs):
            return char
        return _visible(match)

    return _TERMINAL_UNSAFE.sub(replace, text)


def terminal_lines(lines: Iterable[str]) -> str:
    """Lines for a terminal, each made :func:`terminal_text`-safe on its own, joined by newlines (with a final one):
    a newline inside a value shows as ``\\n`` and cannot start a line that looks like archrepo's own."""
    return "".join(terminal_text(line) + "\n" for line in lines)


def json_text(text: str) -> str:
    """JSON text (as ``json.dumps(..., ensure_ascii=False)`` writes it) with every character a terminal could act
    on that JSON leaves raw (DEL, C1 controls, bidirectional overrides) written as a ``\\u`` escape: the same
    data, safe to show."""
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot hold replaced by U+FFFD (the document stays well-formed)."""
    return _NOT_XML.sub(REPLACEMENT, text)


def xml_tree(root: ET.Element) -> ET.Element:
    """Every text, tail, attribute name and value of an ElementTree made :func:`xml_text`-safe, in place."""
    for element in root.iter():
        if element.text:
            element.text = xml_text(element.text)
        if element.tail:
            element.tail = xml_text(element.tail)
        if element.attrib:
            element.attrib = {xml_text(key): xml_text(value) for key, value in element.attrib.items()}
    return root


def one_line(text: str) -> str:
    """Whitespace runs (newlines, tabs, carriage returns) as one space, other control characters, bidirectional
    overrides and non-characters as U+FFFD, trimmed: text fit for a label, a table cell or a line of a report."""
    return _LINE_UNSAFE.sub(REPLACEMENT, _WHITESPACE.sub(" ", text)).strip()


def printable_text(text: str) -> str:
    """Like :func:`one_line` but keeping line breaks and tabs: for text shown as a block (an HTML page)."""
    return _TEXT_UNSAFE.sub(REPLACEMENT, text)


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters; a cut is marked with "…"."""
    return text if len(text) <= limit else text[:max(limit - 1, 0)] + "…"


def markdown_inline(text: object) -> str:
    """Text that renders as exactly itself inside a Markdown paragraph, list item or table cell (CommonMark and
    GitHub's dialect): one line, every character that could start markup or raw HTML backslash-escaped."""
    line = one_line(str(text))
    line = _MARKDOWN_SPECIAL.sub(r"\\\1", line)
    return _MARKDOWN_BLOCK_START.sub(_escape_block_start, line, count=1)


def _escape_block_start(match: re.Match[str]) -> str:
    sign, digits, delimiter = match.groups()
    # a digit cannot be escaped; the '.' or ')' after it can
    return "\\" + sign if sign else f"{digits}\\{delimiter}"


def markdown_code(text: object) -> str:
    """Text in code font that can never close its span early: a backtick code span (whose content Markdown
    never interprets) when the text has no backtick and no ``|`` (which would end a table cell even there);
    otherwise ``<code>`` around :func:`markdown_inline` text."""
    line = one_line(str(text))
    if line and "`" not in line and "|" not in line:
        return f"`{line}`"
    return f"<code>{markdown_inline(line)}</code>"
