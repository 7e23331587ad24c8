"""Technology obsolescence as of a date: the lifecycle state of each technology component, and the worst state
among everything an application relies on (its technologies and, transitively, what they run on), as TEC001
reads it: a date has passed when it lies before the day of the check.
"""

from __future__ import annotations

import datetime as dt

from archrepo.model.elements import Element, Model

__all__ = ["STATE_LABELS", "SUPPORT_HORIZON_DAYS", "TechnologyStates"]

# Worst first: the order the map's boxes and legend follow.
STATE_LABELS: dict[str, str] = {
    "end-of-life": "End of life passed",
    "end-of-support": "End of support passed",
    "support-ending": "Support ends within 12 months",
    "supported": "Supported",
    "unknown": "Unknown (no technology or no dates)",
}
SUPPORT_HORIZON_DAYS = 365
_RANK = {state: rank for rank, state in enumerate(reversed(STATE_LABELS))}  # unknown 0 … end-of-life 4


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:  # validation refuses such a date; a view does not fail on it
        return None


class TechnologyStates:
    """States of technologies and applications as of one date; each technology's closure computed once."""

    def __init__(self, model: Model, as_of: dt.date) -> None:
        self.as_of = as_of
        self.technologies = {t.id: t for t in model.of_kind("Technology")}
        self._closures: dict[str, frozenset[str]] = {}

    def of_technology(self, technology: Element) -> str:
        end_of_life = _date(technology.get("end_of_life"))
        end_of_support = _date(technology.get("end_of_support"))
        if end_of_life is not None and end_of_life < self.as_of:
            return "end-of-life"
        if end_of_support is not None and end_of_support < self.as_of:
            return "end-of-support"
        horizon = self.as_of + dt.timedelta(days=SUPPORT_HORIZON_DAYS)
        if any(day is not None and day <= horizon for day in (end_of_support, end_of_life)):
            return "support-ending"
        if end_of_support is not None or end_of_life is not None:
            return "supported"
        return "unknown"

    def closure(self, technology_id: str) -> frozenset[str]:
        """The technology and everything it runs on, transitively (cycles are harmless)."""
        known = self._closures.get(technology_id)
        if known is not None:
            return known
        reached = {technology_id}
        stack = [technology_id]
        while stack:
            element = self.technologies.get(stack.pop())
            for below in (element.get("runs_on") or ()) if element is not None else ():
                if below not in reached:
                    reached.add(below)
                    stack.append(below)
        result = frozenset(reached & set(self.technologies))
        self._closures[technology_id] = result
        return result

    def of_application(self, application: Element) -> tuple[str, str]:
        """(worst state, a note naming the technologies in that state and their dates)."""
        relied: set[str] = set()
        for technology_id in application.get("technologies") or ():
            relied |= self.closure(technology_id)
        if not relied:
            return "unknown", "no technology listed"
        states = {technology_id: self.of_technology(self.technologies[technology_id]) for technology_id in relied}
        worst = max(states.values(), key=_RANK.__getitem__)
        culprits = sorted(t for t, state in states.items() if state == worst)
        return worst, f"{STATE_LABELS[worst].lower()}: " + ", ".join(self._describe(t) for t in culprits)

    def _describe(self, technology_id: str) -> str:
        technology = self.technologies[technology_id]
        dates = [f"{label} {technology.get(key)}" for key, label in (("end_of_support", "support ends"),
                                                                     ("end_of_life", "end of life"))
                 if technology.get(key)]
        return f"{technology.name}" + (f" ({', '.join(dates)})" if dates else "")
