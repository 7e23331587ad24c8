"""The client-side search index: names and ids of every page, as a script that sets a global
(a page opened from file:// may not fetch a JSON file next to it)."""

from __future__ import annotations

import json

from archrepo.escaping import one_line
from archrepo.site.links import KIND_LABELS, KIND_ORDER, Page

__all__ = ["SEARCH_GLOBAL", "search_index_script"]

SEARCH_GLOBAL = "ARCHREPO_SEARCH_INDEX"


def search_index_script(pages: list[Page], marker: str, ext: str = ".html") -> str:
    """``window.ARCHREPO_SEARCH_INDEX = [{n: name, i: id, k: kind, u: url from the site root}, …]``: every
    element, principle and rule page, in kind order, then by id."""
    found = [page for page in pages if page.kind in KIND_LABELS]
    found.sort(key=lambda p: (KIND_ORDER.index(p.kind), p.path))
    entries = [{"n": one_line(page.title), "i": page.id or page.path.rsplit("/", 1)[-1].lstrip("_"),
                "k": KIND_LABELS[page.kind][0], "u": page.path + ext} for page in found]
    body = json.dumps(entries, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return f"/* {marker} */\nwindow.{SEARCH_GLOBAL} = {body};\n"
