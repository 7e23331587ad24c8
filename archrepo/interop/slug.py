"""Ids from names: slugs with Norwegian letters spelled out, made unique in a stable, deterministic order."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from archrepo.interop.report import ImportReport

__all__ = ["ID_PATTERN", "IdAllocator", "property_key", "slugify"]

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_MAX_LENGTH = 60
# Letters that Unicode does not decompose into a base letter plus an accent.
_SPELLED = str.maketrans({"æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "å": "a", "Å": "a", "ß": "ss",
                          "đ": "d", "Đ": "d", "ł": "l", "Ł": "l", "þ": "th", "Þ": "th", "œ": "oe", "Œ": "oe"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_PROPERTY_BAD = re.compile(r"[^A-Za-z0-9_.-]+")


def slugify(text: str, fallback: str = "element") -> str:
    """``"Bjørn Ærlig Ås"`` → ``"bjorn-aerlig-as"``; a valid archrepo id, ``fallback`` when nothing is left."""
    spelled = text.translate(_SPELLED)
    ascii_text = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_ALNUM.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > _MAX_LENGTH:
        slug = slug[:_MAX_LENGTH].rsplit("-", 1)[0] if "-" in slug[:_MAX_LENGTH] else slug[:_MAX_LENGTH]
        slug = slug.strip("-")
    return slug or fallback


def property_key(name: str) -> str:
    """A free-form property name as a key allowed under an Application's ``properties:``."""
    key = _PROPERTY_BAD.sub("_", name.strip()) or "property"
    return key if re.match(r"[A-Za-z_]", key) else f"_{key}"


class IdAllocator:
    """Hands out ids unique across one model: the first claim of a slug gets it, later ones ``-2``, ``-3`` …

    Callers claim in a deterministic order (sorted by a stable source key), so the same input always
    gives the same ids. ``existing`` are the ids of the repository the import goes into (id → file): they
    are never handed out, and every id that had to be changed because of one is remembered in
    :attr:`renamed` for the report.
    """

    def __init__(self, reserved: Iterable[str] = (), existing: Mapping[str, str] | None = None) -> None:
        self._existing: Mapping[str, str] = existing or {}
        self._used: set[str] = set(reserved) | set(self._existing)
        self.renamed: list[tuple[str, str, str]] = []  # (the id wanted, the id given, the file that has it)

    @property
    def existing(self) -> Mapping[str, str]:
        """The ids of the target repository (id → file)."""
        return self._existing

    def reserve(self, element_id: str) -> bool:
        """Claim an exact id (e.g. one carried over from an archrepo export); False if it is taken or invalid."""
        if not ID_PATTERN.match(element_id) or element_id in self._used:
            return False
        self._used.add(element_id)
        return True

    def allocate(self, name: str, fallback: str = "element", *, wanted: str | None = None) -> str:
        """A new id from ``name``. ``wanted``: an exact id that could not be reserved (it is logged as renamed
        when the repository has it)."""
        base = slugify(name, fallback)
        candidate, number = base, 1
        while candidate in self._used:
            number += 1
            candidate = f"{base}-{number}"
        self._used.add(candidate)
        taken = wanted if wanted in self._existing else base if base in self._existing else None
        if taken is not None:
            self.renamed.append((taken, candidate, self._existing[taken]))
        return candidate

    def note_renamed(self, report: ImportReport) -> None:
        """One note per id that was changed because the target repository defines it already."""
        for wanted, given, file in self.renamed:
            report.note(f"id '{wanted}' is already defined in {file}; the imported element is '{given}' "
                        "(renamed, nothing in the repository was changed)")

    def __contains__(self, element_id: object) -> bool:
        return element_id in self._used
