"""Pages a rebuild does not make at all: those whose inputs are what they were when a build made them.

Most pages of a region's site are integration pages (several per application). What one is made from can be
named without making it (:func:`integration_inputs`): the integration, the elements it names (its ends, its
platform, its data objects and their masters, ids among its properties), the owners of its ends and the
organisations above them (a box shows its owner, and whether the owner is external), and the elements its
violations name; with the violations of each. The page key of :mod:`archrepo.site.page_cache` needs the page
made, planned and keyed (most of a rebuild's work); the *input key* here needs only a digest of each of those
elements, their violations and the site's settings.

A build records, for each page it makes, its input key with its page key and its diagram's key. A rebuild whose
input key for a page is recorded, whose page key is known with the text written for it, and whose file still
holds that text leaves the page as it is, without planning its diagram or making it. The records are entries of
the page cache, authenticated like the others (a record this machine's archrepo did not make is a miss).

Why this is sound: a page is a function of what its builder reads (:mod:`archrepo.site.element_pages`,
:meth:`archrepo.site.plan.Planner.plan`); :func:`integration_inputs` names a superset of the elements read, and
the input key covers each one's kind, data and location, and the violations on it or naming it (its marks on a
diagram, the worst severity and the rules of its counting violations, are a function of those). A test builds
every integration page of three models again from a model holding only those elements (and only their
violations) and finds each page and diagram the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from archrepo.model.cachekey import code_digest
from archrepo.model.elements import Element, Model
from archrepo.site.content import SiteContent
from archrepo.site.crossref import CrossReference
from archrepo.site.links import element_path
from archrepo.site.page_cache import PageCache, unchanged

__all__ = ["COVERED", "PageInputs", "Reuse", "integration_inputs"]

COVERED = ("Integration",)  # kinds whose pages are keyed by their inputs
_VERSION = "page-inputs-1"


def integration_inputs(model: Model, integration: Element, xref: CrossReference) -> set[str]:
    """The ids of every element an integration's page and its diagram read (some may not exist: a page that
    names an id no element has changes when one appears)."""
    get = integration.get
    found = {integration.id}
    ends = [str(end) for end in (get("source"), get("target"), get("via")) if end]
    found.update(ends)
    for data_id in get("data") or ():
        found.add(str(data_id))
        data_object = model.get(str(data_id))
        if data_object is not None and data_object.get("master"):
            found.add(str(data_object.get("master")))
    for value in (get("properties") or {}).values():
        found.update(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str))
    for end in ends:  # the box of each end names its owner and is marked when an organisation above is external
        application = model.get(end)
        chain: set[str] = set()
        current = application.get("owner") if application is not None else None
        while isinstance(current, str) and current and current not in chain:
            chain.add(current)
            organisation = model.get(current)
            current = organisation.get("parent") if organisation is not None else None
        found |= chain
    for violation in (*xref.by_element.get(integration.id, ()), *xref.involving.get(integration.id, ())):
        found.add(violation.element)
        found.update(violation.related)
    return found


class PageInputs:
    """Input keys of the pages of :data:`COVERED` kinds, for a site of ``content`` with the page cache's
    ``settings``."""

    def __init__(self, content: SiteContent, settings: tuple[str, ...]) -> None:
        self._model = content.model
        self._xref = content.xref
        self._salt = repr((_VERSION, code_digest(), settings, content.approved_standards)).encode(
            "utf-8", "surrogatepass")
        self._digests: dict[str, bytes] = {}

    def key(self, element: Element) -> str | None:
        """The input key of the element's page; None for a kind not covered."""
        if element.kind not in COVERED:
            return None
        digest = hashlib.blake2b(self._salt, digest_size=20)
        for element_id in sorted(integration_inputs(self._model, element, self._xref)):
            digest.update(self._digest(element_id))
        return digest.hexdigest()

    def _digest(self, element_id: str) -> bytes:
        known = self._digests.get(element_id)
        if known is None:
            xref = self._xref
            text = repr((element_id, self._model.get(element_id), xref.by_element.get(element_id),
                         xref.involving.get(element_id)))
            known = self._digests[element_id] = hashlib.blake2b(
                text.encode("utf-8", "surrogatepass"), digest_size=20).digest()
        return known


@dataclass
class Reuse:
    """Of some elements' pages: those left as they are (``settled``: page path -> (page key, diagram key, input
    key)) and the input keys of those to make (``fresh``: page path -> input key)."""

    settled: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    fresh: dict[str, str] = field(default_factory=dict)

    @classmethod
    def find(cls, inputs: PageInputs, cache: PageCache, elements: Iterable[Element], out: Path, ext: str) -> Reuse:
        """Which pages of ``elements`` a build recorded with their inputs as they are now, and whose files hold
        what it wrote."""
        keys = {element_path(element.kind, element.id): key for element in elements
                if (key := inputs.key(element)) is not None}
        reuse = cls()
        if not keys:
            return reuse
        records = cache.records(list(keys.values()))
        known = cache.known(sorted({page for page, _ in records.values()}))
        for path, key in keys.items():
            record = records.get(key)
            if record is not None and record[0] in known and unchanged(out / (path + ext), known[record[0]]):
                reuse.settled[path] = (*record, key)
            else:
                reuse.fresh[path] = key
        return reuse

    def update(self, other: Reuse) -> None:
        self.settled.update(other.settled)
        self.fresh.update(other.fresh)
