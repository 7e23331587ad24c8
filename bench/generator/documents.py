"""The YAML text of each element: written with string formatting, not ``yaml.dump`` (for speed); the output is
still plain YAML that PyYAML and the archrepo loader read (strings that YAML would misread are double-quoted)."""

from __future__ import annotations

import re

from .model import App, Data, Integ, Org, Proc, Tech, iso
from .tables import CLASSIFICATION, CRITICALITY

_PLAIN = re.compile(r"[A-Za-zÀ-ÿ][^:#\n\"'\\]*")
_RESERVED = {"y", "n", "yes", "no", "true", "false", "on", "off", "null", "nan", "inf"}
_ASCII = str.maketrans({"ø": "o", "æ": "ae", "å": "a", "é": "e", "ü": "u", "ö": "o"})


def q(text: str) -> str:
    """``text`` as a YAML scalar that reads back as this same string."""
    if _PLAIN.fullmatch(text) and not text.endswith(" ") and text.lower() not in _RESERVED:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def flow(items: list[str] | tuple[str, ...]) -> str:
    return "[" + ", ".join(items) + "]"


def slug(text: str) -> str:
    text = text.lower().translate(_ASCII)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def org_doc(org: Org) -> str:
    lines = ["kind: Organisation", f"id: {org.id}", f"name: {q(org.name)}", f"type: {org.type}"]
    if org.parent:
        lines.append(f"parent: {org.parent}")
    if org.external:
        lines.append("external: true")
    if org.description:
        lines.append(f"description: {q(org.description)}")
    return "\n".join(lines) + "\n"


def capability_doc(cap_id: str, name: str, parent: str | None, description: str | None) -> str:
    lines = ["kind: Capability", f"id: {cap_id}", f"name: {q(name)}"]
    if parent:
        lines.append(f"parent: {parent}")
    if description:
        lines.append(f"description: {q(description)}")
    return "\n".join(lines) + "\n"


def app_doc(app: App) -> str:
    lines = ["kind: Application", f"id: {app.id}", f"name: {q(app.name)}"]
    if app.description:
        lines.append(f"description: {q(app.description)}")
    if app.owner:
        lines.append(f"owner: {app.owner}")
    if app.vendor:
        lines.append(f"vendor: {q(app.vendor)}")
    lines += ["lifecycle:", f"  status: {app.status}", f"  since: {iso(app.since)}"]
    if app.phase_out is not None:
        lines.append(f"  phase_out: {iso(app.phase_out)}")
    if app.retire is not None:
        lines.append(f"  retire: {iso(app.retire)}")
    lines += [f"criticality: {CRITICALITY[app.crit]}", f"classification: {CLASSIFICATION[app.cls]}"]
    if app.roles:
        lines.append(f"roles: {flow(app.roles)}")
    if app.caps:
        lines.append(f"capabilities: {flow(app.caps)}")
    if app.technologies:
        lines.append(f"technologies: {flow([t.id for t in app.technologies])}")
    if app.tags:
        lines.append(f"tags: {flow(app.tags)}")
    if app.hosting:
        lines.append(f"hosting: {q(app.hosting)}")
    if app.country:
        lines += ["properties:", '  hosting_country: "NO"']
    return "\n".join(lines) + "\n"


def data_doc(data: Data) -> str:
    lines = ["kind: DataObject", f"id: {data.id}", f"name: {q(data.name)}"]
    if data.description:
        lines.append(f"description: {q(data.description)}")
    lines.append(f"classification: {CLASSIFICATION[data.cls]}")
    if data.master is not None:
        lines.append(f"master: {data.master.id}")
    return "\n".join(lines) + "\n"


def integ_doc(integ: Integ) -> str:
    lines = ["kind: Integration", f"id: {integ.id}", f"name: {q(integ.name)}"]
    if integ.description:
        lines.append(f"description: {q(integ.description)}")
    lines += [f"source: {integ.src.id}", f"target: {integ.tgt.id}"]
    if integ.initiator != "source" or integ.write_initiator:
        lines.append(f"initiator: {integ.initiator}")
    if integ.via is not None:
        lines.append(f"via: {integ.via.id}")
    lines.append(f"standard: {q(integ.standard)}")
    if integ.data:
        lines.append(f"data: {flow([d.id for d in integ.data])}")
    if integ.write_mode:
        lines.append(f"mode: {integ.mode}")
    if integ.write_status:
        lines.append(f"status: {integ.status}")
    lines.append(f"since: {iso(integ.since)}")
    if integ.until is not None:
        lines.append(f"until: {iso(integ.until)}")
    if integ.enc is not None or integ.auth is not None:
        lines.append("security:")
        if integ.enc is not None:
            lines.append(f"  encrypted: {'true' if integ.enc else 'false'}")
        if integ.auth is not None:
            lines.append(f"  authentication: {integ.auth}")
    return "\n".join(lines) + "\n"


def proc_doc(proc: Proc) -> str:
    lines = ["kind: Process", f"id: {proc.id}", f"name: {q(proc.name)}", f"owner: {proc.owner}"]
    if proc.description:
        lines.append(f"description: {q(proc.description)}")
    lines += [f"capability: {proc.capability}", "steps:"]
    for step in proc.steps:
        lines += [f"  - id: {step.id}", f"    name: {q(step.name)}"]
        if step.supported_by:
            lines.append(f"    supported_by: {flow([a.id for a in step.supported_by])}")
        if step.next:
            lines.append(f"    next: {flow(step.next)}")
    return "\n".join(lines) + "\n"


def tech_doc(tech: Tech) -> str:
    lines = ["kind: Technology", f"id: {tech.id}", f"name: {q(tech.name)}", f"type: {tech.type}"]
    if tech.description:
        lines.append(f"description: {q(tech.description)}")
    if tech.owner:
        lines.append(f"owner: {tech.owner}")
    if tech.vendor:
        lines.append(f"vendor: {q(tech.vendor)}")
    if tech.version:
        lines.append(f"version: {q(tech.version)}")
    if tech.end_of_support is not None:
        lines.append(f"end_of_support: {iso(tech.end_of_support)}")
    if tech.end_of_life is not None:
        lines.append(f"end_of_life: {iso(tech.end_of_life)}")
    if tech.ring:
        lines.append(f"ring: {tech.ring}")
    if tech.ring_since is not None:
        lines.append(f"ring_since: {iso(tech.ring_since)}")
    if tech.runs_on:
        lines.append(f"runs_on: {flow([t.id for t in tech.runs_on])}")
    return "\n".join(lines) + "\n"
