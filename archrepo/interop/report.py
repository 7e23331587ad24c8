"""The import report: what came in, what it became, what could not be mapped, which defaults were applied.

Notes are *important* (something the user should look at: a broken file, a renamed id, content that was
dropped, an ambiguous case) or *routine* (one per item of a kind of thing that is never mapped, e.g. each
element of a type archrepo has no kind for). The text report lists the important ones first and
summarises the routine ones by count; the JSON report (``--report FILE``) has every note.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ImportReport", "Note", "TypeCount"]

_NOTES_SHOWN = 40


@dataclass
class TypeCount:
    """How many source items of one type became part of the model, and how many did not."""

    imported: int = 0
    not_mapped: int = 0

    @property
    def total(self) -> int:
        return self.imported + self.not_mapped


@dataclass(frozen=True)
class Note:
    """One thing the user is told. ``topic`` groups routine notes in the summary."""

    text: str
    important: bool = True
    topic: str = ""
    detail: str = ""  # what the summary counts within the topic (an element type)


@dataclass
class ImportReport:
    """Counts per source element type and per relationship type (each item counted once: imported or not
    mapped), the archrepo elements created, defaults applied, how relationships were read, and notes about
    everything not taken over."""

    source: str
    format: str
    element_label: str = "element types"
    relationship_label: str = "relationship types"
    elements: dict[str, TypeCount] = field(default_factory=dict)
    relationships: dict[str, TypeCount] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)
    defaults: dict[str, int] = field(default_factory=dict)
    readings: dict[str, int] = field(default_factory=dict)
    all_notes: list[Note] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def element(self, source_type: str, imported: bool) -> None:
        _count(self.elements, source_type, imported)

    def relationship(self, source_type: str, imported: bool) -> None:
        _count(self.relationships, source_type, imported)

    def default(self, what: str) -> None:
        self.defaults[what] = self.defaults.get(what, 0) + 1

    def reading(self, how: str) -> None:
        """How one source relationship was read (``Serving app → app: source = …``), counted."""
        self.readings[how] = self.readings.get(how, 0) + 1

    def note(self, text: str) -> None:
        """An important note: listed first, each one shown."""
        self.all_notes.append(Note(text))

    def routine(self, topic: str, text: str, detail: str = "") -> None:
        """A routine note: summarised by ``topic`` (and counted by ``detail`` within it) in the text report,
        listed in full in the JSON report."""
        self.all_notes.append(Note(text, important=False, topic=topic, detail=detail))

    @property
    def notes(self) -> list[str]:
        """Every note's text, the important ones first."""
        return [n.text for n in self.all_notes if n.important] + [n.text for n in self.all_notes if not n.important]

    def routine_summary(self) -> dict[str, int]:
        """Topic → how many routine notes it has."""
        summary: dict[str, int] = {}
        for note in self.all_notes:
            if not note.important:
                summary[note.topic] = summary.get(note.topic, 0) + 1
        return summary

    def _details(self, topic: str) -> str:
        counted: dict[str, int] = {}
        for note in self.all_notes:
            if not note.important and note.topic == topic and note.detail:
                counted[note.detail] = counted.get(note.detail, 0) + 1
        ranked = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
        shown = ", ".join(f"{name} {count}" for name, count in ranked[:8])
        return f" ({shown}{', …' if len(ranked) > 8 else ''})" if shown else ""

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source, "format": self.format,
            "elements": {k: {"imported": v.imported, "not_mapped": v.not_mapped} for k, v in self.elements.items()},
            "relationships": {k: {"imported": v.imported, "not_mapped": v.not_mapped}
                              for k, v in self.relationships.items()},
            "created": dict(self.created), "defaults": dict(self.defaults), "readings": dict(self.readings),
            "notes": self.notes, "important": [n.text for n in self.all_notes if n.important],
            "routine": self.routine_summary(), "files": list(self.files),
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
        for title, counted in (("read as", self.readings), ("defaults applied", self.defaults)):
            if counted:
                lines.append(f"  {title}:")
                lines.extend(f"    {what}: {count}" for what, count in sorted(counted.items()))
        lines.extend(self._notes_text())
        return "\n".join(lines)

    def _notes_text(self) -> list[str]:
        important = [n.text for n in self.all_notes if n.important]
        lines: list[str] = []
        if important:
            lines.append("  notes:")
            lines.extend(f"    {text}" for text in important[:_NOTES_SHOWN])
            if len(important) > _NOTES_SHOWN:
                lines.append(f"    … and {len(important) - _NOTES_SHOWN} more (every note: --report FILE)")
        summary = self.routine_summary()
        if summary:
            lines.append("  routine notes, by count (each one: --report FILE):")
            width = len(str(max(summary.values())))
            lines.extend(f"    {count:>{width}}  {topic}{self._details(topic)}"
                         for topic, count in sorted(summary.items(), key=lambda i: (-i[1], i[0])))
        return lines


def _count(table: dict[str, TypeCount], source_type: str, imported: bool) -> None:
    count = table.setdefault(source_type, TypeCount())
    if imported:
        count.imported += 1
    else:
        count.not_mapped += 1
