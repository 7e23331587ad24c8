"""A hostile architecture repository, generated in a temporary directory from the payloads in
tests/fixtures/hostile/output/payloads.yaml: every payload is the name, description, tag, property, standard,
step name and organisation name of its own elements, and a waiver's reason, so that it reaches every output."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import FIXTURES, ROOT

HOSTILE = FIXTURES / "hostile" / "output"
PAYLOADS: dict[str, str] = yaml.safe_load((HOSTILE / "payloads.yaml").read_text(encoding="utf-8"))
LONG_NAME = "L" * 20_000 + "<b>end</b>"  # over Graphviz's 16 KB limit for a quoted string
ODD_FILE = "models/odd name #%25 æ.yaml"  # a file name that needs percent-encoding in a URI
# What a terminal could act on: C0 (but newline and tab), DEL, C1, bidirectional overrides, line separators.
TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _dump(documents: list[dict[str, Any]]) -> str:
    return yaml.safe_dump_all(documents, allow_unicode=False, sort_keys=False, width=1_000_000)


def payload_documents(key: str, text: str, following: str) -> list[dict[str, Any]]:
    """The elements that carry one payload; the integration goes to the next payload's application."""
    return [
        {"kind": "Organisation", "id": f"org-{key}", "name": text, "description": text},
        {"kind": "Capability", "id": f"cap-{key}", "name": text, "description": text},
        {"kind": "Application", "id": f"app-{key}", "name": text, "description": text, "owner": f"org-{key}",
         "vendor": text, "lifecycle": {"status": "active"}, "criticality": "high", "classification": "internal",
         "capabilities": [f"cap-{key}"], "tags": [text, "plain"], "properties": {"note": text, "link": text}},
        {"kind": "DataObject", "id": f"data-{key}", "name": text, "description": text,
         "classification": "sensitive", "master": f"app-{key}"},
        {"kind": "Integration", "id": f"int-{key}", "name": text, "description": text, "source": f"app-{key}",
         "target": f"app-{following}", "standard": text, "data": [f"data-{key}"], "mode": "sync"},
        {"kind": "Process", "id": f"proc-{key}", "name": text, "description": text, "owner": f"org-{key}",
         "steps": [{"id": "first", "name": text, "supported_by": [f"app-{key}"], "next": ["second"]},
                   {"id": "second", "name": text, "supported_by": [f"app-{following}"]}]},
    ]


def write_hostile_repo(root: Path, payloads: dict[str, str] | None = None, *, long_name: bool = True,
                       rules: bool = True) -> Path:
    """The repository in ``root`` (created): one model file per payload, the standard rules and principles,
    waivers whose reasons are the payloads, and a file whose name needs escaping."""
    chosen = PAYLOADS if payloads is None else payloads
    (root / "models").mkdir(parents=True, exist_ok=True)
    (root / "archrepo.yaml").write_text("models: [models]\n" + ("waivers: waivers.yaml\n" if rules else ""),
                                        encoding="utf-8")
    keys = list(chosen)
    for index, key in enumerate(keys):
        following = keys[(index + 1) % len(keys)]
        (root / "models" / f"{key}.yaml").write_text(_dump(payload_documents(key, chosen[key], following)),
                                                     encoding="utf-8")
    if long_name:
        (root / ODD_FILE).write_text(_dump([{"kind": "Application", "id": "app-long", "name": LONG_NAME,
                                             "description": LONG_NAME, "lifecycle": {"status": "active"}}]),
                                     encoding="utf-8")
    if rules:
        waivers = [{"rule": "SEC001", "element": f"int-{key}", "reason": text, "approved_by": text,
                    "expires": "2099-12-31"} for key, text in chosen.items()]
        (root / "waivers.yaml").write_text(yaml.safe_dump(waivers, allow_unicode=False, sort_keys=False,
                                                          width=1_000_000), encoding="utf-8")
        shutil.copytree(ROOT / "archrepo" / "standard" / "rules", root / "rules")
        shutil.copytree(ROOT / "archrepo" / "standard" / "principles", root / "principles")
    return root
