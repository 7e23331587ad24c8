"""How wide text is drawn, without a font library: Helvetica's advance widths (its AFM file; Arial and
Liberation Sans, the fonts a browser falls back to, have the same metrics), so that the map can wrap and cut
names itself and every line fits its tile at 100% zoom. Deterministic: the same text always measures the same.
"""

from __future__ import annotations

import functools
import unicodedata

__all__ = ["fit", "text_width", "wrap"]

# Advance widths in thousandths of an em of the printable ASCII characters, from space (32) to tilde (126).
_ASCII = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,  # space … /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,  # 0 … ?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,  # @ … O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,  # P … _
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,  # ` … o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,  # p … ~
)
_OTHER = {"æ": 889, "Æ": 1000, "ø": 611, "Ø": 778, "ß": 611, "œ": 944, "Œ": 1000, "…": 1000, "–": 556,
          "—": 1000, "’": 222, "‘": 222, "“": 333, "”": 333, "•": 350, "€": 556, "\ufffd": 1000}
_UNKNOWN = 1000  # anything else (symbols, other scripts) counts as a full em: too wide is harmless, too narrow not
_SAFETY = 1.06  # renderers differ by a few per cent (hinting, kerning off): leave room rather than overflow
ELLIPSIS = "…"


@functools.cache  # a few hundred distinct characters; measuring 10,000 names calls it about a million times
def _char_width(char: str) -> int:
    code = ord(char)
    if 32 <= code <= 126:
        return _ASCII[code - 32]
    if char in _OTHER:
        return _OTHER[char]
    base = unicodedata.normalize("NFD", char)[0]  # å, é, ö: as wide as their base letter
    if base != char and 32 <= ord(base) <= 126:
        return _ASCII[ord(base) - 32]
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return _UNKNOWN


def text_width(text: str, size: float) -> float:
    """Drawn width of ``text`` in pixels at font size ``size`` (with a small safety margin)."""
    return _pixels(_units(text), size)


def _pixels(units: int, size: float) -> float:
    return units * size * _SAFETY / 1000


def _units(text: str) -> int:
    return sum(map(_char_width, text))


def fit(text: str, width: float, size: float) -> str:
    """``text`` if it fits ``width``, else the longest prefix that fits with "…" after it."""
    if text_width(text, size) <= width:
        return text
    limit = width * 1000 / (size * _SAFETY) - _char_width(ELLIPSIS)
    used = 0
    for index, char in enumerate(text):
        used += _char_width(char)
        if used > limit:
            return text[:index].rstrip() + ELLIPSIS
    return text


def wrap(text: str, width: float, size: float, lines: int) -> list[str]:
    """``text`` on at most ``lines`` lines of ``width`` pixels: broken at spaces (a word wider than a line is
    broken inside), the last line cut with "…" when the text does not fit."""
    words = text.split()
    result: list[str] = []
    current = ""
    used = 0  # the width of ``current`` in units: a line is measured word by word, not again for each word
    space = _char_width(" ")
    index = 0
    while index < len(words) and len(result) < lines:
        word = words[index]
        candidate, units = (f"{current} {word}", used + space + _units(word)) if current else (word, _units(word))
        if _pixels(units, size) <= width:  # as text_width measures: a line breaks where it did
            current, used, index = candidate, units, index + 1
        elif current:
            result.append(current)
            current, used = "", 0
        else:  # a word wider than a whole line: as much of it as fits, the rest on the next line
            head = _longest_prefix(word, width, size)
            result.append(head)
            words[index] = word[len(head):]
    if current and len(result) < lines:
        result.append(current)
        current = ""
    if index < len(words) or current:  # more text than lines: mark the cut on the last line
        rest = " ".join([result[-1], current, *words[index:]]).strip()
        result[-1] = fit(rest, width, size)
    return result or [""]


def _longest_prefix(word: str, width: float, size: float) -> str:
    limit = width * 1000 / (size * _SAFETY)
    used = 0
    for end, char in enumerate(word):
        used += _char_width(char)
        if used > limit:
            return word[:max(end, 1)]
    return word
