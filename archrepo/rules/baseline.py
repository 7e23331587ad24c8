"""Baselines: the fingerprints of known violations, so a gate fails only on new ones."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from archrepo.errors import ConfigError, excerpt
from archrepo.model.reading import Unreadable, read_regular
from archrepo.rules.violation import Violation

__all__ = ["BASELINE_VERSION", "BaselineComparison", "apply_baseline", "baseline_document", "read_baseline"]

BASELINE_VERSION = 1


@dataclass(frozen=True)
class BaselineComparison:
    file: str
    known: int
    fixed: tuple[dict[str, Any], ...]

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "known": self.known, "fixed": list(self.fixed)}


def baseline_document(violations: list[Violation], as_of: dt.date) -> str:
    """The baseline file's text: one entry per violation (not waived), keyed by fingerprint, no line numbers."""
    entries = {v.fingerprint: {"fingerprint": v.fingerprint, "rule": v.rule, "element": v.element,
                               "related": list(v.related)} for v in violations if not v.waived}
    document = {"version": BASELINE_VERSION, "tool": "archrepo", "as_of": as_of.isoformat(),
                "violations": [entries[key] for key in sorted(entries, key=lambda k: (entries[k]["rule"],
                                                                                       entries[k]["element"], k))]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def read_baseline(path: Path, display: str) -> dict[str, dict[str, Any]]:
    """Fingerprint → entry. A missing, unreadable or corrupt baseline is an error (exit 2), never ignored."""
    if not path.exists() and not path.is_symlink():
        raise ConfigError(f"baseline file '{display}' does not exist",
                          hint="Create it with `archrepo baseline --output FILE`.")
    try:
        data = json.loads(read_regular(path).decode("utf-8"))
    except Unreadable as error:
        raise ConfigError(f"baseline file '{display}' cannot be read: {error.reason}", file=display,
                          hint="Give a readable baseline file, or recreate it with `archrepo baseline`.") from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        line = getattr(error, "lineno", 0)
        raise ConfigError(f"baseline file '{display}' is not valid JSON: {excerpt(str(error), 120)}", file=display,
                          line=line, hint="Recreate it with `archrepo baseline`.") from None
    entries = data.get("violations") if isinstance(data, dict) else None
    if not isinstance(entries, list) or data.get("version") != BASELINE_VERSION or not all(
            isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries):
        raise ConfigError(f"baseline file '{display}' is not an archrepo baseline (version {BASELINE_VERSION})",
                          file=display, line=1, hint="Recreate it with `archrepo baseline`.")
    return {entry["fingerprint"]: entry for entry in entries}


def apply_baseline(violations: list[Violation], known: dict[str, dict[str, Any]],
                   display: str) -> tuple[list[Violation], BaselineComparison]:
    """Mark violations known from the baseline; list baseline entries that no longer occur (fixed)."""
    seen = {v.fingerprint for v in violations}
    marked = [replace(v, baselined=True) if v.fingerprint in known else v for v in violations]
    fixed = tuple(entry for key, entry in sorted(known.items(), key=lambda kv: (kv[1].get("rule", ""),
                                                                                 kv[1].get("element", ""), kv[0]))
                  if key not in seen)
    return marked, BaselineComparison(display, len(known), fixed)
