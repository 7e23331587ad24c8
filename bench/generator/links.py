"""The attributes of one integration: status and dates, route, standard, who initiates it and whether it is
synchronous, security, and its text.

How a clean model stays clean, by construction:

* an integration that touches a retired application is retired, one that touches a planned one is planned; an
  active one touching a phase-out application started before its phase-out date;
* a synchronous call goes from its initiator (the source of a push, the target of a lookup) to an application of
  a higher index, never from a critical initiator to a less critical application: the calls form no cycle;
* security follows the data carried; ``via`` a platform wherever the target is a core system or an end is an
  external party (or the integration is a platform's own leg)."""

from __future__ import annotations

from .model import AS_OF_DAY, App, Data, Landscape, day
from .tables import CATEGORY, CONF, IMAGE_DATA, STANDARD_MIX, STANDARD_TEXT, STRONG_AUTH

API_STANDARDS = ("FHIR-R4", "REST", "SOAP")
# national registers that the systems of the trusts look up (the register is the source: it sends the data)
LOOKED_UP = {"kjernejournal", "persontjenesten", "fastlegeregisteret", "hpr", "adresseregisteret", "fest"}
Timing = tuple[str, int, int | None]  # status, since, until


def timing(land: Landscape, src: App, tgt: App, force_active: bool) -> Timing:
    rng = land.rng
    if src.retired or tgt.retired:
        status = "retired"
    elif src.status == "planned" or tgt.status == "planned":
        status = "planned"
    else:
        status = "retired" if not force_active and rng.random() < 0.01 else "active"
    if status == "planned":
        return status, max(src.since, tgt.since) + rng.randint(0, 60), None
    since = since_between(land, src, tgt)
    until = None
    if status == "retired":
        ends = [a.retire for a in (src, tgt) if a.retire is not None and a.retired]
        until = max(min(ends) if ends else rng.randint(since, AS_OF_DAY - 1), since)
    return status, since, until


def since_between(land: Landscape, src: App, tgt: App) -> int:
    """A start date when both ends were in service, before either's phase-out."""
    lo = max(src.since, tgt.since, day("2008-01-01"))
    hi = AS_OF_DAY - 30
    for app in (src, tgt):
        for limit in (app.phase_out, app.retire):
            if limit is not None and limit < hi:
                hi = limit
    return hi if lo >= hi else land.rng.randint(lo, hi)


def platform_for(land: Landscape, src: App, tgt: App) -> App:
    """A platform to route through: one of the trust's (of the source, else the target), else a regional one;
    never an end of the integration."""
    for app in (src, tgt):
        if app.trust is not None and app.group in ("trust", "platform"):
            choices = [p for p in app.trust.platforms if p is not src and p is not tgt]
            if choices:
                return land.rng.choice(choices)
    return land.rng.choice([p for p in land.regional_platforms if p is not src and p is not tgt])


def route(land: Landscape, src: App, tgt: App) -> App | None:
    """The ``via`` of a new integration: the health network or a platform for external parties; none for a
    platform's own leg; a platform into core systems and for most others."""
    external = (src.external or tgt.external) and not (src.national or tgt.national)
    if external:
        return land.nhn if land.nhn is not None and land.rng.random() < 0.7 else platform_for(land, src, tgt)
    if src.platform or tgt.platform:
        return None
    if tgt.core or land.rng.random() < 0.8:
        return platform_for(land, src, tgt)
    return None


def platform_leg_fits(src: App, tgt: App) -> bool:
    """Whether an integration may be modelled as the platform's own two legs instead of a route through it: both
    ends active (the platform must have received what it sends on), no external party, no platform end."""
    return not (src.external or tgt.external or src.platform or src.status != "active" or tgt.status != "active")


def standard(land: Landscape, src: App, tgt: App, via: App | None, data: list[Data]) -> str:
    if via is not None and via is land.nhn:
        mix = "external"
    elif src.external or tgt.external:
        mix = "national" if (src.national or tgt.national) else "external"
    elif any(d.short in IMAGE_DATA for d in data):
        mix = "imaging"
    else:
        mixes = {CATEGORY[a.cat].standards for a in (src, tgt) if a.cat in CATEGORY}
        mix = "admin" if mixes == {"admin"} else "lab" if "lab" in mixes else "clinical"
    names, weights = STANDARD_MIX[mix]
    return land.rng.choices(names, weights=weights)[0]


def may_call(caller: App, called: App) -> bool:
    """Whether ``caller`` may call ``called`` synchronously in a clean model (no cycle, no critical initiator
    waiting on a less critical application)."""
    return caller.idx < called.idx and not (caller.crit == 3 and called.crit < 3)


def call(land: Landscape, src: App, tgt: App, std: str) -> tuple[str, str]:
    """(initiator, mode): registers are mostly looked up by their users, other APIs sometimes; a share of the
    calls the clean model allows are synchronous."""
    rng = land.rng
    api = std in API_STANDARDS
    lookup_share = 0.85 if src.id in LOOKED_UP else 0.2 if api else 0.05
    initiator = "target" if rng.random() < lookup_share else "source"
    caller, called = (tgt, src) if initiator == "target" else (src, tgt)
    sync_share = 0.7 if initiator == "target" else 0.45
    if api and may_call(caller, called) and rng.random() < sync_share:
        return initiator, "sync"
    return initiator, "batch" if rng.random() < 0.25 else "async"


def security(land: Landscape, src: App, tgt: App, data: list[Data]) -> tuple[bool | None, str | None]:
    rng = land.rng
    if max(d.cls for d in data) >= CONF or src.external or tgt.external:
        auth = "helseid" if (src.national or tgt.national) and rng.random() < 0.6 else rng.choice(STRONG_AUTH)
        return True, auth
    if rng.random() < 0.2:
        return None, None
    return rng.random() < 0.8, rng.choice(("none", "basic", "api-key", "oauth2", "mtls"))


def text(src: App, tgt: App, data: list[Data], via: App | None, std: str, initiator: str) -> tuple[str, str]:
    """(name, description) of the integration."""
    shorts = list(dict.fromkeys(d.short for d in data))
    carried = ", ".join(shorts[:3]).lower() + (" and more" if len(shorts) > 3 else "")
    if initiator == "target":
        what = f"{STANDARD_TEXT[std]}: {tgt.name} looks up {carried} in {src.name}"
    else:
        what = f"{STANDARD_TEXT[std]} sending {carried} from {src.name} to {tgt.name}"
    route_text = f" through {via.name}." if via is not None else ", point to point."
    return f"{shorts[0]} fra {src.name} til {tgt.name}", what + route_text


def folder(src: App, tgt: App) -> str:
    trust = src.trust if src.trust is not None else tgt.trust
    if trust is not None and src.group != "external":
        return f"integrations/{trust.key}/{CATEGORY[src.cat].area if src.cat in CATEGORY else 'clinical'}"
    return f"integrations/{src.group}/{src.group}"
