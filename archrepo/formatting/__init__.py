"""``archrepo fmt``: model files in one canonical key order and style, comments kept, content never lost.

* :func:`format_text` formats one text (or raises :class:`FormatError`);
* :func:`format_files` formats files and directories (default: the model files of a config), writing
  them atomically unless it is a check, and returns a :class:`FormatResult`.

The canonical orders are in :mod:`archrepo.formatting.order`; how comments travel with their keys is in
:mod:`archrepo.formatting.render`; the check that nothing is lost is in :mod:`archrepo.formatting.guard`.
Style: 2-space indentation, list items indented under their key (``  - item``), flow collections and
quoting as the user wrote them, no line wrapping, numbers, booleans and dates as written, documents
separated by ``---`` (none before the first), no trailing spaces, one newline at the end.
"""

from __future__ import annotations

from archrepo.formatting.files import FileFormat, FormatResult, format_files, format_text, select_files
from archrepo.formatting.guard import check_same_content
from archrepo.formatting.order import KEY_ORDER, NESTED_ORDER
from archrepo.formatting.render import FormatError

__all__ = [
    "KEY_ORDER",
    "NESTED_ORDER",
    "FileFormat",
    "FormatError",
    "FormatResult",
    "check_same_content",
    "format_files",
    "format_text",
    "select_files",
]
