"""Pages a rebuild does not make at all: those whose inputs are what they were when a build made them.

Most pages of a region's site are those of integrations (several per application), applications and data
objects; processes and capabilities are keyed the same way. What each is made from can be named without making
it (:class:`ReadSets`): the element, the elements it names, those that name it (the integrations in and out of
an application, the carriers of a data object), the elements around it that its diagram draws, the owners of
each application drawn and the organisations above them, and the elements its violations name; with the
violations of each. The page key of :mod:`archrepo.site.page_cache` needs the page made, planned and keyed (most
of a rebuild's work); the *input key* here needs only a digest of each of those elements, their violations, the
site's settings and the version of Graphviz.

A build records, for each page it makes, its input key with its page key and its diagram's key. A rebuild whose
input key for a page is recorded, whose page key is known with the text written for it, and whose file still
holds that text leaves the page as it is, without planning its diagram or making it. The records are entries of
the page cache, authenticated like the others (a record this machine's archrepo did not make is a miss).

Why this is sound: a page is a function of what its builder reads (:mod:`archrepo.site.element_pages`,
:meth:`archrepo.site.plan.Planner.plan`); :class:`ReadSets` names a superset of the elements read, and
the input key covers each one's kind, data and location, and the violations on it or naming it (its marks on a
diagram, the worst severity and the rules of its counting violations, are a function of those). A test builds
every page of these kinds of three models again from a model holding only those elements (and only their
violations) and finds each page and diagram the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from archrepo.model.cachekey import code_digest
from archrepo.model.elements import Element, Model
from archrepo.site.content import SiteContent
from archrepo.site.crossref import CrossReference
from archrepo.site.links import element_path
from archrepo.site.page_cache import PageCache, unchanged

__all__ = ["COVERED", "PageInputs", "ReadSets", "Reuse"]

_VERSION = "page-inputs-3"


class ReadSets:
    """The ids of every element the page (and its diagram) of an element of a :data:`COVERED` kind reads, in
    ``model`` with its cross references ``xref``. Some ids may name no element: a page that names an id no
    element has changes when one appears."""

    def __init__(self, model: Model, xref: CrossReference) -> None:
        self.model = model
        self.xref = xref
        self._owners: dict[str, frozenset[str]] = {}

    def of(self, element: Element) -> set[str] | None:
        """What the element's page reads; None for a kind not covered."""
        reader = _READERS.get(element.kind)
        return None if reader is None else reader(self, element)

    def integration(self, integration: Element) -> set[str]:
        """Its ends, platform, data objects and their masters, and the owners of its ends and the organisations
        above them (a box names its owner and is marked when an organisation above is external)."""
        get = integration.get
        found = {integration.id}
        ends = [str(end) for end in (get("source"), get("target"), get("via")) if end]
        found.update(ends)
        for data_id in get("data") or ():
            found.add(str(data_id))
            data_object = self.model.get(str(data_id))
            if data_object is not None and data_object.get("master"):
                found.add(str(data_object.get("master")))
        for end in ends:
            found |= self.owners(end)
        return self._own(integration, found)

    def application(self, application: Element) -> set[str]:
        """What it names, the integrations in and out of it and their ends, those routed through it, the
        processes and data objects that name it, and for each application it exchanges data with, its owners and
        the integrations in and out of it (the diagram draws those between the applications it shows)."""
        get = application.get
        xref = self.xref
        found = {application.id} | self.owners(application.id)
        found.update(str(other) for key in ("capabilities", "technologies") for other in get(key) or ())
        neighbours: set[str] = set()
        for integration in (*xref.outgoing.get(application.id, ()), *xref.incoming.get(application.id, ())):
            found.add(integration.id)
            neighbours.update(str(end) for end in (integration.get("source"), integration.get("target")) if end)
            if integration.get("via"):
                found.add(str(integration.get("via")))
        for integration in xref.routed.get(application.id, ()):
            found.add(integration.id)
            found.update(str(end) for end in (integration.get("source"), integration.get("target")) if end)
        found.update(process.id for process, _ in xref.steps.get(application.id, ()))
        found.update(data_object.id for data_object in xref.masters.get(application.id, ()))
        for neighbour in neighbours - {application.id}:
            found.add(neighbour)
            found |= self.owners(neighbour)
            found.update(i.id for i in (*xref.outgoing.get(neighbour, ()), *xref.incoming.get(neighbour, ())))
        return self._own(application, found)

    def data_object(self, data_object: Element) -> set[str]:
        """Its master, the integrations that carry it and their ends, with the owners of each application."""
        found = {data_object.id}
        ends = [str(data_object.get("master"))] if data_object.get("master") else []
        for integration in self.xref.carriers.get(data_object.id, ()):
            found.add(integration.id)
            ends += [str(end) for end in (integration.get("source"), integration.get("target")) if end]
        for end in ends:
            found.add(end)
            found |= self.owners(end)
        return self._own(data_object, found)

    def process(self, process: Element) -> set[str]:
        """Its owner and capability, and the applications that support its steps, with their owners."""
        found = {process.id, *self.owners(process.id)}
        if process.get("capability"):
            found.add(str(process.get("capability")))
        for step in process.get("steps") or ():
            for application_id in step.get("supported_by") or () if isinstance(step, dict) else ():
                found.add(str(application_id))
                found |= self.owners(str(application_id))
        return self._own(process, found)

    def capability(self, capability: Element) -> set[str]:
        """Its parent, the capabilities below it, and the applications and processes that realise it, with the
        owners of those applications."""
        found = {capability.id}
        if capability.get("parent"):
            found.add(str(capability.get("parent")))
        found.update(child.id for child in self.xref.children.get(capability.id, ()))
        for realising in self.xref.realising.get(capability.id, ()):
            found.add(realising.id)
            found |= self.owners(realising.id)
        return self._own(capability, found)

    def owners(self, application_id: str) -> frozenset[str]:
        """The owner of an application (if it is one) and every organisation above it."""
        known = self._owners.get(application_id)
        if known is None:
            application = self.model.get(application_id)
            chain: set[str] = set()
            current = application.get("owner") if application is not None else None
            while isinstance(current, str) and current and current not in chain:
                chain.add(current)
                organisation = self.model.get(current)
                current = organisation.get("parent") if organisation is not None else None
            known = self._owners[application_id] = frozenset(chain)
        return known

    def _own(self, element: Element, found: set[str]) -> set[str]:
        """``found``, with what every element page names: the ids among its properties, and the elements its
        violations (and those naming it) name."""
        for value in (element.get("properties") or {}).values():
            found.update(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str))
        for violation in (*self.xref.by_element.get(element.id, ()), *self.xref.involving.get(element.id, ())):
            found.add(violation.element)
            found.update(violation.related)
        return found


# the kinds whose pages are keyed by their inputs (an organisation's map and a technology's impact read far)
_READERS: dict[str, Callable[[ReadSets, Element], set[str]]] = {
    "Integration": ReadSets.integration, "Application": ReadSets.application, "DataObject": ReadSets.data_object,
    "Process": ReadSets.process, "Capability": ReadSets.capability}
COVERED = tuple(_READERS)


class PageInputs:
    """Input keys of the pages of :data:`COVERED` kinds, for a site of ``content`` with the page cache's
    ``settings``, whose diagrams Graphviz ``graphviz`` (what `dot -V` says) lays out."""

    def __init__(self, content: SiteContent, settings: tuple[str, ...], graphviz: str) -> None:
        self._reads = ReadSets(content.model, content.xref)
        self._salt = repr((_VERSION, code_digest(), settings, graphviz, content.approved_standards)).encode(
            "utf-8", "surrogatepass")
        self._digests: dict[str, bytes] = {}

    def key(self, element: Element) -> str | None:
        """The input key of the element's page; None for a kind not covered."""
        ids = self._reads.of(element)
        if ids is None:
            return None
        digest = hashlib.blake2b(self._salt, digest_size=20)
        # whose page it is: the pages of two elements can read the same elements (an integration's and that of the
        # one data object it carries)
        digest.update(repr((element.kind, element.id)).encode("utf-8", "surrogatepass"))
        digests = self._digests
        digest.update(b"".join(digests.get(i) or self._digest(i) for i in sorted(ids)))
        return digest.hexdigest()

    def _digest(self, element_id: str) -> bytes:
        """Of the element (its kind, id, data and location; or that there is none) and the violations on it and
        naming it."""
        xref = self._reads.xref
        text = repr((element_id, self._reads.model.get(element_id), xref.by_element.get(element_id),
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

    def unsettled(self, elements: Iterable[Element]) -> list[Element]:
        """Those of ``elements`` whose pages are made (not left as they are), in order."""
        return [element for element in elements if element_path(element.kind, element.id) not in self.settled]

    def add_fresh(self, inputs: PageInputs, elements: Iterable[Element]) -> None:
        """Add the input keys of the pages of ``elements`` not found yet (all of them, in a first build)."""
        for element in elements:
            path = element_path(element.kind, element.id)
            if path not in self.settled and path not in self.fresh and (key := inputs.key(element)) is not None:
                self.fresh[path] = key

    def update(self, other: Reuse) -> None:
        self.settled.update(other.settled)
        self.fresh.update(other.fresh)
