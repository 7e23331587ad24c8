"""The import report: what came in, what it became, what could not be mapped, which defaults were applied."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ImportReport", "TypeCount"]

_NOTES_SHOWN = 40


@dataclass
class TypeCount:
    """How many source items of one type became part of the model, and how many did not."""

    imported: int = 0
    not_mapped: int = 0

    @property
    def total(self) -> int:
        return self.imported + self.not_mapped


@dataclass
class ImportReport:
    """Counts per source element type and per relationship type (each item counted once: imported or not
    mapped), the archrepo elements created, defaults applied, and notes about everything not taken over."""

    source: str
    format: str
    element_label: str = "element types"
    relationship_label: str = "relationship types"
    elements: dict[str, TypeCount] = field(default_factory=dict)
    relationships: dict[str, TypeCount] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)
    defaults: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def element(self, source_type: str, imported: bool) -> None:
        _count(self.elements, source_type, imported)

    def relationship(self, source_type: str, imported: bool) -> None:
        _count(self.relationships, source_type, imported)

    def default(self, what: str) -> None:
        self.defaults[what] = self.defaults.get(what, 0) + 1

    def note(self, text: str) -> None:
        self.notes.append(text)

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source, "format": self.format,
            "elements": {k: {"imported": v.imported, "not_mapped": v.not_mapped} for k, v in self.elements.items()},
            "relationships": {k: {"imported": v.imported, "not_mapped": v.not_mapped}
                              for k, v in self.relationships.items()},
            "created": dict(self.created), "defaults": dict(self.defaults), "notes": list(self.notes),
            "files": list(self.files),
        }

    def format_text(self) -> str:
        """The report as people read it (stderr)."""
        created = ", ".join(f"{count} {kind}" for kind, count in self.created.items() if count) or "nothing"
        lines = [f"import {self.format} {self.source}: {created}"
                 + (f" in {len(self.files)} file{'s' if len(self.files) != 1 else ''}" if self.files else "")]
        for label, table in ((self.element_label, self.elements), (self.relationship_label, self.relationships)):
            if not table:
                continue
            width = max(len(label), *(len(name) for name in table))
            lines.append(f"  {label.ljust(width)}  imported  not mapped")
            for name in sorted(table):
                count = table[name]
                lines.append(f"  {name.ljust(width)}  {count.imported:>8}  {count.not_mapped:>10}")
        if self.defaults:
            lines.append("  defaults applied:")
            lines.extend(f"    {what}: {count}" for what, count in sorted(self.defaults.items()))
        if self.notes:
            lines.append("  notes:")
            lines.extend(f"    {note}" for note in self.notes[:_NOTES_SHOWN])
            if len(self.notes) > _NOTES_SHOWN:
                lines.append(f"    … and {len(self.notes) - _NOTES_SHOWN} more")
        return "\n".join(lines)


def _count(table: dict[str, TypeCount], source_type: str, imported: bool) -> None:
    count = table.setdefault(source_type, TypeCount())
    if imported:
        count.imported += 1
    else:
        count.not_mapped += 1
