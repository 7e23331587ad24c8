"""The two lifecycle spellings of the contract, and the other kind's spelling written by mistake.

An Application writes its lifecycle as a mapping, ``lifecycle: {status, since, phase_out, retire}``; an
Integration writes it flat, ``status``, ``since``, ``until``. Both stay as the contract fixes them; what is
refused is the *cross*-spelling (an Application with top-level ``status:``, an Integration with
``lifecycle:``). This module finds it, says in the user's own values what to write instead (for the schema
error), and gives the document in the contract's shape (what ``archrepo fmt`` writes).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["APPLICATION_KEYS", "INTEGRATION_KEYS", "CrossSpelling", "contract_shape", "cross_spelling",
           "yaml_scalar"]

APPLICATION_KEYS = ("status", "since", "phase_out", "retire")  # under an Application's `lifecycle:`
INTEGRATION_KEYS = ("status", "since", "until")  # flat on an Integration
# a key of the other kind's spelling -> the key with the same meaning in this kind's
_TO_APPLICATION = {"status": "status", "since": "since", "phase_out": "phase_out", "retire": "retire",
                   "until": "retire"}
_TO_INTEGRATION = {"status": "status", "since": "since", "until": "until", "retire": "until"}
# text YAML reads back as the same text, also inside a flow collection (no ':', '#', ',', brackets)
_PLAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.\-/() ]*[A-Za-z0-9_.)])?")
_NUMBER = re.compile(r"[0-9][0-9_.]*(e[-+]?[0-9]+)?", re.IGNORECASE)
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"}


@dataclass(frozen=True)
class CrossSpelling:
    """An element whose lifecycle is spelled the other kind's way."""

    kind: str
    written: tuple[str, ...]  # the top-level keys that are misplaced (Integration: just `lifecycle`)
    moves: tuple[tuple[str, str, Any], ...]  # (key as written, key of the contract, value), in contract order
    problem: str | None  # why it cannot be rewritten as it stands (a key given twice, a key with no equivalent)

    @property
    def suggestion(self) -> str:
        """The YAML to write instead, from the user's own values."""
        if self.kind == "Application":
            inner = ", ".join(f"{key}: {yaml_scalar(value)}" for _, key, value in self.moves)
            return f"`lifecycle: {{{inner}}}`"
        parts = [f"`{key}: {yaml_scalar(value)}`" for _, key, value in self.moves]
        return " and ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else "".join(parts)


def cross_spelling(data: Any) -> CrossSpelling | None:
    """The cross-spelled lifecycle of an element document, or None when it has none."""
    if not isinstance(data, dict):
        return None
    kind = data.get("kind")
    if kind == "Application":
        return _application(data)
    if kind == "Integration" and "lifecycle" in data:
        return _integration(data)
    return None


def _application(data: dict[str, Any]) -> CrossSpelling | None:
    written = tuple(key for key in data if key in _TO_APPLICATION)
    if not written:
        return None
    existing = data.get("lifecycle")
    problem = None if existing is None or isinstance(existing, dict) else "`lifecycle:` is not a mapping"
    merged: dict[str, tuple[str, Any]] = {key: (key, value) for key, value in (existing or {}).items()} \
        if isinstance(existing, dict) else {}
    for key in written:
        target = _TO_APPLICATION[key]
        if target in merged:
            problem = problem or f"`{target}` is given twice (as `{merged[target][0]}` and as top-level `{key}`)"
            continue
        merged[target] = (key, data[key])
    moves = tuple((merged[k][0], k, merged[k][1]) for k in _ordered(merged, APPLICATION_KEYS))
    return CrossSpelling("Application", written, moves, problem)


def _integration(data: dict[str, Any]) -> CrossSpelling:
    nested = data["lifecycle"]
    if not isinstance(nested, dict):
        return CrossSpelling("Integration", ("lifecycle",), (), "`lifecycle:` is not a mapping")
    problem = None
    merged: dict[str, tuple[str, Any]] = {}
    for key, value in nested.items():
        target = _TO_INTEGRATION.get(key)
        if target is None:
            problem = problem or f"an Integration has no `{key}`"
        elif target in data or target in merged:
            problem = problem or f"`{target}` is given twice"
        else:
            merged[target] = (key, value)
    moves = tuple((merged[k][0], k, merged[k][1]) for k in _ordered(merged, INTEGRATION_KEYS))
    return CrossSpelling("Integration", ("lifecycle",), moves, problem)


def _ordered(keys: dict[str, Any], order: tuple[str, ...]) -> list[str]:
    return [key for key in order if key in keys] + [key for key in keys if key not in order]


def contract_shape(data: Any) -> Any:
    """``data`` with a cross-spelled lifecycle rewritten into its kind's spelling (unchanged when it has none,
    or when it cannot be rewritten as it stands)."""
    spelling = cross_spelling(data)
    if spelling is None or spelling.problem is not None:
        return data
    result = {key: value for key, value in data.items() if key not in spelling.written}
    if spelling.kind == "Application":
        result["lifecycle"] = {key: value for _, key, value in spelling.moves}
    else:
        result.update((key, value) for _, key, value in spelling.moves)
    return result


def yaml_scalar(value: Any) -> str:
    """A value as it is written in YAML: plain where YAML reads it back as the same text, else quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        plain = _PLAIN.fullmatch(value) and not _NUMBER.fullmatch(value) and value.lower() not in _YAML_WORDS
        return value if plain else json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)
