"""Violations put in on purpose on integrations, by construction, each recorded with the rule it breaks.

Each rule takes its quota of integrations no other planting touched, active ones only (AR002 turns retired ones
active). What makes an integration a candidate is what the planting needs to build its case (sensitive data to
leave unencrypted, a route to drop); whether the result breaks a rule is for the rules to say."""

from __future__ import annotations

from collections.abc import Callable

from . import links
from .data import add_data, data_file, master_candidates, pick_template
from .integrations import Flows
from .model import App, Integ, Landscape
from .tables import CONF, SENS, STRONG_AUTH, UNAPPROVED_STANDARDS


class Planter:
    """Hands out untouched integrations, in one shuffled order, to the plantings of each rule."""

    def __init__(self, land: Landscape, flows: Flows) -> None:
        self.land, self.flows, self.rng = land, flows, land.rng
        self.quota = land.quota("Integration", len(land.integs))
        self.touched: set[str] = set()
        self.order = list(land.integs)
        self.rng.shuffle(self.order)

    def take(self, rule: str, ok: Callable[[Integ], bool]) -> list[Integ]:
        picked: list[Integ] = []
        for integ in self.order:
            if len(picked) == self.quota[rule]:
                break
            if integ.id not in self.touched and (rule == "AR002" or integ.status == "active") and ok(integ):
                picked.append(integ)
                self.touched.add(integ.id)
        for integ in picked:
            self.land.plant(rule, integ.id)
        return picked

    def can_drop_via(self, integ: Integ) -> bool:
        """The route can go without leaving its platform unused (AR005 counts ``via``)."""
        return integ.via is not None and self.flows.via_uses[integ.via.idx] > 2

    def drop_via(self, integ: Integ) -> None:
        assert integ.via is not None
        self.flows.via_uses[integ.via.idx] -= 1
        integ.via = None


def plant_integrations(land: Landscape, flows: Flows) -> None:
    p = Planter(land, flows)
    rng = land.rng
    for n, integ in enumerate(p.take("AR002", lambda i: i.status == "retired" and i.tgt.status == "retired"
                                     and i.tgt.group == "trust" and not i.src.retired)):
        integ.status, integ.until, integ.write_status = "active", None, n % 2 == 0
        integ.description = f"{integ.description} Still switched on."
        if n % 3 == 1:   # retired by its date, not by its status
            integ.tgt.status = "phase-out"
    # one end in phase-out: the integration starts after that end's phase-out date
    for integ in p.take("AR003", lambda i: (i.src.status, i.tgt.status).count("phase-out") == 1):
        ends = [a.phase_out for a in (integ.src, integ.tgt) if a.status == "phase-out" and a.phase_out is not None]
        integ.since = min(ends) + rng.randint(1, 120)
    for n, integ in enumerate(p.take("SEC001", lambda i: any(d.cls == SENS for d in i.data))):
        integ.enc = False if n % 2 == 0 else None
        integ.auth = rng.choice(STRONG_AUTH)
    for n, integ in enumerate(p.take("SEC002", lambda i: any(d.cls >= CONF for d in i.data))):
        integ.enc, integ.auth = True, ("none", "basic", None)[n % 3]
    for integ in p.take("SEC003", lambda i: any(d.cls > i.tgt.cls for d in flows.known[i.src.idx][:20])):
        integ.data.append(next(d for d in flows.known[integ.src.idx][:20] if d.cls > integ.tgt.cls))
        integ.enc, integ.auth = True, "mtls"
    # an external party point-to-point: an end of an outside organisation, no national component, not into a
    # core system (that would be a second case)
    for integ in p.take("SEC004", lambda i: (i.src.external or i.tgt.external) and not (i.src.national or
                        i.tgt.national) and not i.tgt.core and p.can_drop_via(i)):
        p.drop_via(integ)
    for integ in p.take("INT001", lambda i: True):
        integ.standard = rng.choice(UNAPPROVED_STANDARDS)
    # point-to-point into a core system, between two ordinary systems of the enterprise
    for integ in p.take("INT002", lambda i: i.tgt.core and not (i.src.external or i.tgt.external)
                        and not (i.src.platform or i.tgt.platform) and p.can_drop_via(i)):
        p.drop_via(integ)
    for integ in p.take("RES001", lambda i: i.mode != "sync" and _critical_caller(i) is not None):
        _make_critical_call(integ)
    _plant_cycles(p)
    _plant_unsourced(p)
    for integ in p.take("QA001", lambda i: True):
        integ.description = None


def _critical_caller(integ: Integ) -> str | None:
    """Which end (source or target) could initiate a synchronous call from a critical application to a less
    critical one without closing a cycle of calls: the lower index calls the higher."""
    for initiator, caller, called in (("source", integ.src, integ.tgt), ("target", integ.tgt, integ.src)):
        if caller.crit == 3 and called.crit < 3 and caller.idx < called.idx:
            return initiator
    return None


def _make_critical_call(integ: Integ) -> None:
    """RES001: the critical end calls (pushes to, or looks up in) the less critical one synchronously."""
    initiator = _critical_caller(integ)
    assert initiator is not None
    integ.mode, integ.write_mode, integ.initiator = "sync", True, initiator
    integ.description = links.text(integ.src, integ.tgt, integ.data, integ.via, integ.standard, initiator)[1]


def _plant_cycles(p: Planter) -> None:
    """INT003: two applications calling each other: a synchronous call a -> b, a's only one, is answered by a
    new call b -> a (a push from b, or a lookup by b in a). No application is in two planted cycles."""
    land = p.land
    out_degree = [0] * len(land.apps)
    for integ in land.integs:
        if integ.mode == "sync":
            out_degree[integ.caller.idx] += 1
    used: set[int] = set()
    candidates = [i for i in land.integs if i.mode == "sync" and i.status == "active" and i.id not in p.touched
                  and i.src.status == "active" and i.tgt.status == "active"]
    p.rng.shuffle(candidates)
    made = 0
    for integ in candidates:
        if made == p.quota["INT003"]:
            break
        a, b = integ.caller, integ.called
        if out_degree[a.idx] != 1 or a.idx in used or b.idx in used or (b.crit == 3 and a.crit < 3):
            continue
        back = _answer(p, a, b, lookup=made % 2 == 1, file=integ.file)
        land.integs.append(back)
        p.touched.update({back.id, integ.id})
        used.update({a.idx, b.idx})
        land.plant("INT003", back.id, integ.id)
        made += 1


def _answer(p: Planter, a: App, b: App, *, lookup: bool, file: str) -> Integ:
    """A synchronous call from b to a, with data its source knows and its target is classified for."""
    src, tgt = (a, b) if lookup else (b, a)
    data = [d for d in p.flows.known[src.idx][:30] if d.cls <= tgt.cls][:1]
    land = p.land
    if lookup:
        name, what = f"Oppslag fra {b.name} i {a.name}", f"Synchronous lookup by {b.name} in {a.name}"
    else:
        name, what = f"Tilbakekall fra {b.name} til {a.name}", f"Synchronous callback from {b.name} to {a.name}"
    return Integ(land.unique(f"{b.id}-to-{a.id}-callback"), src, tgt, data, links.platform_for(land, src, tgt),
                 "FHIR-R4", "sync", "active", links.since_between(land, src, tgt), None, True, "oauth2", name,
                 f"{what}, answering its requests.", file, initiator="target" if lookup else "source")


def _plant_unsourced(p: Planter) -> None:
    """DAT003: an integration also carries a new data object, mastered elsewhere, that nothing sends its source."""
    land = p.land
    masters = master_candidates(land)
    made = 0
    for integ in p.order:
        if made == p.quota["DAT003"]:
            break
        if integ.id in p.touched or integ.status != "active":
            continue
        master = p.rng.choice(masters)
        if master is integ.src or master is integ.tgt:
            continue
        short, cls = pick_template(land, master)
        data = add_data(land, f"{short}, lokal kopi", min(cls, master.cls, integ.tgt.cls), master,
                        data_file(master))
        data.carriable = False
        integ.data.append(data)
        integ.enc, integ.auth = True, "mtls"
        p.touched.add(integ.id)
        land.plant("DAT003", integ.id)
        made += 1
