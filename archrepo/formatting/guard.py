"""The safety net of ``archrepo fmt``: formatted text must hold the same data and the same comments.

Both texts are read with the project's own YAML reader (:func:`archrepo.model.yamlsource.parse_documents`,
the parser behind :func:`archrepo.model.loader.parse_model_file`), so "the same" means the same to the
loader: the same documents, the same values and the same types (``"NO"`` stays a string, ``2016-03-01``
the same text). Comments are counted from the tokens of both texts.
"""

from __future__ import annotations

from typing import Any

from archrepo.errors import DiagnosticSink
from archrepo.formatting.layout import comment_texts, scan_layout
from archrepo.formatting.render import FormatError
from archrepo.model.yamlsource import ParsedDocument, parse_documents

__all__ = ["check_same_content", "first_difference", "read_documents"]

_BUG_HINT = ("The file is left as it is. Please report this as a bug in `archrepo fmt`, "
             "with the part of the file named here.")


def read_documents(text: str, file: str) -> list[ParsedDocument]:
    """The documents of ``text`` as the loader reads them; :class:`FormatError` when it refuses the text."""
    sink = DiagnosticSink()
    documents = parse_documents(text, file, sink)
    if sink.errors:
        raise FormatError("the file is not valid YAML for a model; fmt leaves it as it is",
                          diagnostics=sink.errors)
    return documents


def check_same_content(before: list[ParsedDocument], original: str, formatted: str, file: str) -> None:
    """Raise :class:`FormatError` unless ``formatted`` holds the data of ``before`` and the comments of ``original``."""
    try:
        after = read_documents(formatted, file)
    except FormatError as error:
        detail = "; ".join(d.message for d in error.diagnostics)
        raise FormatError(f"formatting would make the file unreadable ({detail})", file=file, line=1,
                          hint=_BUG_HINT) from None
    if len(after) != len(before):
        raise FormatError(f"formatting would turn {len(before)} document(s) into {len(after)}", file=file,
                          line=1, hint=_BUG_HINT)
    for number, (old, new) in enumerate(zip(before, after, strict=True), start=1):
        difference = first_difference(old.data, new.data)
        if difference is not None:
            path, message = difference
            raise FormatError(f"formatting would change the data of document {number}"
                              f"{f' at {path}' if path else ''}: {message}", file=file,
                              line=old.line_of(path) if path else old.line, hint=_BUG_HINT)
    lost = comment_texts(scan_layout(original)) - comment_texts(scan_layout(formatted))
    if lost:
        shown = ", ".join(repr(text) for text in sorted(lost)[:3]) + (" …" if len(lost) > 3 else "")
        raise FormatError(f"formatting would lose {sum(lost.values())} comment(s): {shown}", file=file,
                          line=_line_of_comment(original, next(iter(sorted(lost)))), hint=_BUG_HINT)


def first_difference(old: Any, new: Any, path: str = "") -> tuple[str, str] | None:
    """Where and how two loaded values differ (types count: ``1``, ``True`` and ``"1"`` all differ), or ``None``."""
    if type(old) is not type(new):
        return path, f"{old!r} ({type(old).__name__}) became {new!r} ({type(new).__name__})"
    if isinstance(old, dict):
        if set(old) != set(new):
            missing, added = sorted(map(str, set(old) - set(new))), sorted(map(str, set(new) - set(old)))
            return path, f"keys lost: {missing or 'none'}; keys added: {added or 'none'}"
        for key in old:
            found = first_difference(old[key], new[key], f"{path}.{key}" if path else str(key))
            if found:
                return found
        return None
    if isinstance(old, list):
        if len(old) != len(new):
            return path, f"{len(old)} items became {len(new)}"
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            found = first_difference(a, b, f"{path}[{index}]")
            if found:
                return found
        return None
    if old == new or (old != old and new != new):  # NaN equals nothing, not even itself
        return None
    return path, f"{old!r} became {new!r}"


def _line_of_comment(text: str, comment: str) -> int:
    for number, line in enumerate(text.split("\n"), start=1):
        if comment in line:
            return number
    return 1
