"""Violations put in on purpose, on every kind but integrations (see integration_violations.py).

Each planting function changes or adds elements *by construction* so that they break one rule, and records
the (rule, element) it planted. It never asks whether the model as a whole breaks a rule: the rules themselves
are the oracle (tests/test_generator.py runs `archrepo check` and compares). With a rate ``r`` about ``r`` of the
elements of each kind break one rule each, spread round-robin over the rules listed for the kind."""

from __future__ import annotations

from .data import add_data, data_file, master_candidates, pick_template
from .model import App, Landscape, day
from .technology import Catalogue
from .technology_catalogue import ABANDONED, CURRENT, LEGACY

RULES_BY_KIND: dict[str, tuple[str, ...]] = {
    "Organisation": ("QA001",),
    "Capability": ("QA001",),
    "Application": ("AR001", "AR005", "QA001", "TEC001", "TEC002"),
    "DataObject": ("DAT001", "DAT002", "QA001"),
    "Integration": ("AR002", "AR003", "SEC001", "SEC002", "SEC003", "SEC004", "INT001", "INT002", "INT003",
                    "DAT003", "RES001", "QA001"),
    "Process": ("AR004", "QA001"),
    "Technology": ("TEC003",),
}


def plant_orphans(land: Landscape) -> None:
    """AR005: active systems that will take part in no integration and no process step."""
    count = land.quota("Application", land.n)["AR005"]
    candidates = [a for t in land.trusts for a in t.apps if a.status == "active"]
    for app in land.rng.sample(candidates, min(count, len(candidates))):
        app.orphan = True
        land.plant("AR005", app.id)


def data_quota(land: Landscape) -> tuple[int, dict[str, int]]:
    """How many data objects to build, and how many of them to plant violations on, by rule."""
    total = round(land.n * 1.5)
    return total, land.quota("DataObject", total)


def plant_data_objects(land: Landscape, quota: dict[str, int]) -> None:
    """DAT001: no master; DAT002: a master leaving service; QA001: no description. None of them is carried by an
    integration (they would also be sent by applications that are not their master)."""
    rng = land.rng
    masters = master_candidates(land)
    leaving = [a for a in land.apps if a.status in ("phase-out", "retired") and a.group == "trust"]
    for _ in range(quota["DAT001"]):
        host = rng.choice(masters)
        name, cls = pick_template(land, host)
        data = add_data(land, name, min(cls, host.cls), host, data_file(host))
        data.master, data.carriable = None, False
        data.description = f"{data.short}: recorded in several systems; the system of record is not decided."
        land.plant("DAT001", data.id)
    for _ in range(quota["DAT002"] if leaving else 0):
        host = rng.choice(leaving)
        name, cls = pick_template(land, host)
        data = add_data(land, name, min(cls, host.cls), host, data_file(host))
        data.carriable = False
        land.plant("DAT002", data.id)
    for data in rng.sample([d for d in land.data if d.carriable], quota["QA001"]):
        data.description = None
        land.plant("QA001", data.id)


def plant_elements(land: Landscape, catalogue: Catalogue) -> None:
    rng = land.rng
    for org in rng.sample(land.orgs, land.quota("Organisation", len(land.orgs))["QA001"]):
        org.description = None
        land.plant("QA001", org.id)
    for index in rng.sample(range(len(land.caps)), land.quota("Capability", len(land.caps))["QA001"]):
        cap_id, name, parent, _ = land.caps[index]
        land.caps[index] = (cap_id, name, parent, None)
        land.plant("QA001", cap_id)
    quota = land.quota("Application", land.n)
    plain = [a for t in land.trusts for a in t.apps if not a.orphan]
    chosen = rng.sample(plain, min(len(plain), quota["AR001"] + quota["QA001"]))
    for app in chosen[:quota["AR001"]]:
        app.owner = None
        land.plant("AR001", app.id)
    for app in chosen[quota["AR001"]:]:
        app.description = None
        land.plant("QA001", app.id)
    _plant_processes(land)
    taken = {app.idx for app in chosen}
    _plant_out_of_support(land, catalogue, quota["TEC001"], taken)
    _plant_hold(land, catalogue, quota["TEC002"], taken)
    _plant_unused(land, catalogue, land.quota("Technology", len(CURRENT))["TEC003"])


def _plant_processes(land: Landscape) -> None:
    """AR004: a step supported by nothing, or only by a retired system; QA001: no description."""
    rng = land.rng
    quota = land.quota("Process", len(land.procs))
    chosen = rng.sample(land.procs, min(len(land.procs), quota["AR004"] + quota["QA001"]))
    for i, proc in enumerate(chosen[:quota["AR004"]]):
        step = rng.choice(proc.steps)
        retired = [a for a in proc.trust.endpoints if a.retired]
        step.supported_by = None if i % 2 == 0 or not retired else [rng.choice(retired)]
        land.plant("AR004", proc.id)
    for proc in chosen[quota["AR004"]:]:
        proc.description = None
        land.plant("QA001", proc.id)


def _plant_out_of_support(land: Landscape, catalogue: Catalogue, count: int, taken: set[int]) -> None:
    """TEC001: an active system gets a legacy product, past end of support (warning) or end of life (error),
    named directly or under a local server it names."""
    pool = [a for t in land.trusts for a in t.apps if a.status == "active" and not a.orphan and a.idx not in taken]
    for i, app in enumerate(land.rng.sample(pool, min(count, len(pool)))):
        severity, through = ("warning", "error")[i % 2], i // 2 % 2 == 1
        app.technologies.append(catalogue.get(land.rng.choice(LEGACY[severity, through]).key))
        taken.add(app.idx)
        land.plant("TEC001", app.id, severity=severity)


def _plant_hold(land: Landscape, catalogue: Catalogue, count: int, taken: set[int]) -> None:
    """TEC002: a product on hold for a planned system, or for one that went into service after the hold."""
    holds = [p for p in CURRENT if p.ring == "hold" and p.ring_since is not None]
    planned = [a for a in land.apps if a.group in ("trust", "regional") and a.status == "planned"]
    late = {p.key: [a for t in land.trusts for a in t.apps if a.status == "active" and not a.orphan
                    and a.since >= day(p.ring_since or "")] for p in holds}
    for i in range(count):
        product = holds[i % len(holds)]
        pool = [a for a in (planned if i % 2 == 0 else late[product.key]) if a.idx not in taken]
        if not pool:
            continue
        app = land.rng.choice(pool)
        app.technologies.append(catalogue.get(product.key))
        taken.add(app.idx)
        land.plant("TEC002", app.id)


def _plant_unused(land: Landscape, catalogue: Catalogue, count: int) -> None:
    """TEC003: an abandoned product left in the catalogue, named by nothing or only by a retired system."""
    retired: list[App] = [a for t in land.trusts for a in t.apps if a.status == "retired"]
    for i in range(count):
        tech = catalogue.add_abandoned(*ABANDONED[i % len(ABANDONED)])
        if i % 2 == 1 and retired:
            land.rng.choice(retired).technologies.append(tech)
        land.plant("TEC003", tech.id)
