"""Organisations (the region, its IT provider, hospital trusts with departments, national authorities, GP
offices, municipalities, vendors) and the capability map.

``org_depth`` deepens the trees: below each department of a trust two sections, each with a chain of units down
to ``org_depth`` levels; a municipality gets a chain of units as deep. Systems are owned by the deepest units,
so that rules following ``owner.parent*`` walk the whole tree."""

from __future__ import annotations

from .documents import slug
from .model import Landscape, Org, Trust
from .tables import CAPABILITIES, DEPARTMENTS, MUNICIPALITIES, NATIONAL_AUTHORITIES, PLACES

IN_HOUSE = {"Sykehuspartner", "Norsk helsenett SF", "Helse Sør-Øst (egenutviklet)"}
TRUST_LEVELS = ("Avdeling", "Seksjon", "Enhet", "Gruppe", "Team", "Faggruppe", "Arbeidslag", "Lag", "Celle",
                "Post", "Vaktlag")
MUNICIPAL_LEVELS = ("Helse og omsorg", "Sykehjemsetaten", "Sykehjem", "Avdeling", "Post", "Team", "Arbeidslag",
                    "Lag", "Gruppe", "Celle", "Vaktlag")
DOCS_PER_ORG_FILE = 40


def build_organisations(land: Landscape) -> None:
    land.orgs.append(Org("helse-sor-ost", "Helse Sør-Øst RHF", "health-trust",
                         "Regional health authority; owns the regional application portfolio.", file="region"))
    land.orgs.append(Org("sykehuspartner", "Sykehuspartner HF", "it-provider",
                         "Shared IT provider for all hospital trusts in the region.", "helse-sor-ost", file="region"))
    land.ids.update({"helse-sor-ost", "sykehuspartner"})
    for key, name, what in NATIONAL_AUTHORITIES:
        land.orgs.append(Org(land.unique(key), name, "national-authority", what, external=True, file="national"))
    for i in range(max(5, round(land.n / 100))):
        _add_trust(land, i)


def _add_trust(land: Landscape, i: int) -> None:
    place = PLACES[i % len(PLACES)]
    round_ = i // len(PLACES) + 1
    short = place if round_ == 1 else f"{place} {round_}"
    key = slug(short)
    trust = Trust(key, land.unique(f"hf-{key}"), f"Sykehuset {short} HF", short)
    land.trusts.append(trust)
    chunk = f"hospital-trusts-{i // 5 + 1:02d}"
    land.orgs.append(Org(trust.org, trust.name, "health-trust", f"Hospital trust serving the {short} area.",
                         "helse-sor-ost", file=chunk))
    for dept, dept_name in DEPARTMENTS:
        dept_id = land.unique(f"{trust.org}-{dept}")
        label = f"{dept_name}, {trust.name}"
        land.orgs.append(Org(dept_id, label, "department", f"{dept_name} at {trust.name}.", trust.org, file=chunk))
        if land.options.org_depth == 1:
            trust.owners[dept] = [dept_id]
            continue
        trust.owners[dept] = [_chain(land, dept_id, f"{dept_id}-{branch}", f" {branch}", label, TRUST_LEVELS, chunk)
                              for branch in (1, 2)]


def _chain(land: Landscape, parent: str, id_base: str, suffix: str, under: str, levels: tuple[str, ...],
           file: str) -> str:
    """Units from level 2 down to ``org_depth`` below ``parent``, one under the other; the deepest unit's id."""
    for level in range(2, land.options.org_depth + 1):
        unit = land.unique(id_base if level == 2 else f"{id_base}-{level}")
        name = f"{levels[level - 2]}{suffix}, {under}"
        land.orgs.append(Org(unit, name, "department", f"{levels[level - 2]} at level {level} of {under}.", parent,
                             file=file))
        parent = unit
    return parent


def add_gp_office(land: Landscape, number: int) -> tuple[str, str]:
    """A GP office outside the enterprise: its id (it owns the GP's record system) and name."""
    place = MUNICIPALITIES[number % len(MUNICIPALITIES)]
    org = Org(land.unique(f"legekontor-{slug(place)}-{number}"), f"{place} legesenter {number}", "gp",
              f"GP office in {place}, outside the health trust.", external=True,
              file=f"gp-offices-{(number - 1) // DOCS_PER_ORG_FILE + 1:02d}")
    land.orgs.append(org)
    return org.id, org.name


def add_municipality(land: Landscape, number: int) -> tuple[str, str, str]:
    """A municipality outside the enterprise: its id, its name, and the unit that owns its systems."""
    place = MUNICIPALITIES[(number - 1) % len(MUNICIPALITIES)]
    round_ = (number - 1) // len(MUNICIPALITIES) + 1
    name = f"{place} kommune" + ("" if round_ == 1 else f" {round_}")
    file = f"municipalities-{(number - 1) // DOCS_PER_ORG_FILE + 1:02d}"
    org = Org(land.unique(f"kommune-{slug(name)}"), name, "municipality",
              f"Municipality of {place}: nursing homes and home care.", external=True, file=file)
    land.orgs.append(org)
    return org.id, name, _chain(land, org.id, f"{org.id}-helse", "", name, MUNICIPAL_LEVELS, file)


def vendor_org(land: Landscape, name: str) -> None:
    if name not in land.vendors and name not in IN_HOUSE:
        land.vendors[name] = land.unique(f"vendor-{slug(name)}")


def vendor_orgs(land: Landscape) -> list[Org]:
    return [Org(land.vendors[name], name, "vendor", f"Supplier of {name} products.", external=True)
            for name in sorted(land.vendors)]


def build_capabilities(land: Landscape) -> None:
    for top, top_name, children in CAPABILITIES:
        land.caps.append((top, top_name, None, f"Top-level capability: {top_name.lower()}."))
        land.ids.add(top)
        for cap, cap_name in children:
            land.caps.append((cap, cap_name, top, f"{cap_name}, part of {top_name.lower()}."))
            land.ids.add(cap)
