"""Applications: regional platforms and systems, each trust's EPJ, integration platforms and departmental
systems, the systems of GP offices and municipalities, and the national components (last: the highest indices,
so that trusts may call them synchronously).

Lifecycles are laid out around the design date: retire dates of retired applications lie before 2026, those of
phase-out ones in 2028 or later, planned ones start in 2027-2028."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .documents import slug
from .model import App, Landscape, Trust, day
from .organisations import add_gp_office, add_municipality, vendor_org
from .tables import CATEGORIES, CATEGORY, CONF, HOSTING, NATIONAL_COMPONENTS, REGIONAL_CATEGORIES, SENS, Category

Lifecycle = tuple[str, int, int | None, int | None]  # status, since, phase_out, retire


@dataclass(frozen=True)
class Kind:
    """What an application is: everything but its lifecycle, hosting and index."""

    id_base: str
    name: str
    cat: str
    group: str
    owner: str
    crit: int
    cls: int
    roles: tuple[str, ...]
    vendor: str | None
    caps: tuple[str, ...]
    tags: tuple[str, ...]
    what: str
    file: str
    external: bool = False


def lifecycle(land: Landscape, special: bool = False) -> Lifecycle:
    roll = 0.0 if special else land.rng.random()
    if roll < 0.85:
        return "active", land.date("2003-01-01", "2026-06-30"), None, None
    if roll < 0.90:
        return "planned", land.date("2027-01-01", "2028-12-31"), None, None
    if roll < 0.97:
        phase_out = land.date("2021-01-01", "2026-06-30")
        return "phase-out", land.date("1998-01-01", "2012-12-31"), phase_out, land.date("2028-01-01", "2031-12-31")
    phase_out = land.date("2014-01-01", "2020-12-31")
    retire = land.rng.randint(phase_out + 180, min(phase_out + 1500, day("2025-12-31")))
    return "retired", land.date("1995-01-01", "2008-12-31"), phase_out, retire


def add_app(land: Landscape, kind: Kind, trust: Trust | None, life: Lifecycle | None = None) -> App:
    status, since, phase_out, retire = life or lifecycle(land)
    rng = land.rng
    country = (kind.cls >= CONF and rng.random() < 0.6) or rng.random() < 0.1
    hosting = rng.choice(HOSTING) if rng.random() < 0.8 else None
    if kind.vendor is not None:
        vendor_org(land, kind.vendor)
    app = App(len(land.apps), land.unique(kind.id_base), kind.name, kind.cat, kind.group, trust, kind.owner,
              kind.external, status, since, phase_out, retire, kind.crit, kind.cls, kind.roles, kind.vendor, hosting,
              kind.caps, kind.tags, country, f"{kind.name}: {kind.what}.", kind.file)
    land.apps.append(app)
    return app


def platform_count(t_index: int) -> int:
    return 3 if t_index % 3 == 0 else 2


def build_applications(land: Landscape) -> None:
    n_nat = min(len(NATIONAL_COMPONENTS), max(5, land.n // 10))
    n_regional = max(8, round(land.n * 0.03))
    n_external_orgs = max(2, round(land.n / 50))
    n_external_apps = sum(1 if i % 5 < 3 else 1 + (i % 2) for i in range(n_external_orgs))
    per_trust_fixed = sum(1 + platform_count(i) for i in range(len(land.trusts)))
    rest = land.n - 2 - n_nat - n_regional - n_external_apps - per_trust_fixed
    if rest < 3 * len(land.trusts):
        raise ValueError("too few applications for this many trusts")
    _regional(land, n_regional)
    _trusts(land, rest)
    _externals(land, n_external_orgs)
    _nationals(land, n_nat)
    assert len(land.apps) == land.n, (len(land.apps), land.n)


def _regional(land: Landscape, count: int) -> None:
    for key, label in (("regional-integrasjonsplattform", "Regional integrasjonsplattform"),
                       ("regional-api-plattform", "Regional API-plattform")):
        land.regional_platforms.append(add_app(land, Kind(
            key, label, "platform", "platform", "sykehuspartner", 3, SENS, ("integration-platform",),
            "Sykehuspartner", ("integrasjon", "api-forvaltning"), ("regional", "platform"),
            "shared integration platform for regional and national flows", "applications/regional/platforms"),
            None, lifecycle(land, special=True)))
    for i in range(count):
        cat = CATEGORY[REGIONAL_CATEGORIES[i % len(REGIONAL_CATEGORIES)]]
        number = i // len(REGIONAL_CATEGORIES) + 1
        rng = land.rng
        land.regional.append(add_app(land, Kind(
            f"regional-{cat.key}-{number}", f"Regional {cat.label.lower()} {number}", cat.key, "regional",
            rng.choice(("helse-sor-ost", "sykehuspartner")), land.weighted(cat.crit), land.weighted(cat.cls), (),
            rng.choice(cat.vendors), cat.caps, ("regional", cat.area), f"regional solution for {cat.what}",
            f"applications/regional/{cat.area}"), None))


def _trusts(land: Landscape, rest: int) -> None:
    """Each trust's EPJ and integration platforms, then its departmental systems (``rest`` in all)."""
    weights = [land.rng.uniform(0.5, 2.0) for _ in land.trusts]
    sizes = apportion(rest, weights)
    cat_weights = tuple(c.weight for c in CATEGORIES)
    for t_index, (trust, size) in enumerate(zip(land.trusts, sizes, strict=True)):
        base = f"applications/{trust.key}"
        trust.epj = add_app(land, Kind(
            f"{trust.key}-dips-arena", f"DIPS Arena {trust.short}", "epj", "trust", trust.org, 3, SENS,
            ("core-system",), "DIPS AS", ("pasientjournal", "pasientadministrasjon"), (trust.key, "epj"),
            f"electronic patient record and patient administration at {trust.name}", f"{base}/clinical"),
            trust, lifecycle(land, special=True))
        for p in range(platform_count(t_index)):
            label = ("Integrasjonsmotor", "Meldingsplattform", "API-gateway")[p]
            trust.platforms.append(add_app(land, Kind(
                f"{trust.key}-{slug(label)}", f"{label} {trust.short}", "platform", "platform", "sykehuspartner", 3,
                SENS, ("integration-platform",), land.rng.choice(("Tietoevry", "Microsoft", "Sykehuspartner")),
                ("integrasjon",), (trust.key, "platform"),
                f"integration platform carrying the internal flows of {trust.name}", f"{base}/clinical"),
                trust, lifecycle(land, special=True)))
        counters: dict[str, int] = defaultdict(int)
        for _ in range(size):
            cat = CATEGORIES[land.rng.choices(range(len(CATEGORIES)), weights=cat_weights)[0]]
            counters[cat.key] += 1
            trust.apps.append(add_app(land, _departmental(land, trust, cat, counters[cat.key]), trust))


def _departmental(land: Landscape, trust: Trust, cat: Category, k: int) -> Kind:
    units = trust.owners[cat.dept]
    owner = units[0] if len(units) == 1 else land.rng.choice(units)
    return Kind(f"{trust.key}-{cat.key}-{k}", f"{trust.short} {cat.label} {k}", cat.key, "trust", owner,
                land.weighted(cat.crit), land.weighted(cat.cls), (), land.rng.choice(cat.vendors), cat.caps,
                (trust.key, cat.area), f"{cat.what} at {trust.name}", f"applications/{trust.key}/{cat.area}")


def _externals(land: Landscape, count: int) -> None:
    """The systems of GP offices and municipalities, each tied to a trust it exchanges messages with."""
    gp = municipality = 0
    for i in range(count):
        trust = land.trusts[i % len(land.trusts)]
        rng = land.rng
        if i % 5 < 3:
            gp += 1
            org, name = add_gp_office(land, gp)
            trust.externals.append(add_app(land, Kind(
                f"{org}-epj", f"Fastlege-EPJ {name}", "gp-epj", "external", org, 2, SENS, (),
                rng.choice(("CGM", "Infodoc", "Pridok")), ("pasientjournal",), ("gp", "external"),
                "the GP's electronic patient record", "applications/external/gp", external=True),
                trust, lifecycle(land, special=True)))
            continue
        municipality += 1
        org, name, unit = add_municipality(land, municipality)
        kinds = [("plo", "Pleie- og omsorgssystem", "records of nursing homes and home care")]
        if i % 2:
            kinds.append(("helsestasjon", "Helsestasjonsjournal", "records of the child health centre"))
        for key, label, what in kinds:
            trust.externals.append(add_app(land, Kind(
                f"{org}-{key}", f"{label} {name}", f"municipal-{key}", "external", unit, 2, SENS, (),
                rng.choice(("Visma", "Tietoevry", "CGM")), ("samhandling-kommune",), ("municipality", "external"),
                what, "applications/external/municipal", external=True), trust, lifecycle(land, special=True)))


def _nationals(land: Landscape, count: int) -> None:
    for nid, name, owner, cls, crit, _data, what in NATIONAL_COMPONENTS[:count]:
        roles = ("national-component", "external-channel") if nid == "helsenorge" else ("national-component",)
        app = add_app(land, Kind(
            nid, name, "national", "national", owner, crit, cls, roles, "Norsk helsenett SF",
            ("samhandling",) if nid != "fest" else ("legemiddelkatalog",), ("national",), what,
            "applications/national/national-components", external=True), None, lifecycle(land, special=True))
        app.hosting, app.country = "Norsk helsenett datasenter", True
        if nid == "nhn-meldingstjener":
            land.nhn = app
        else:
            land.nationals.append(app)


def index_endpoints(land: Landscape) -> None:
    """Which systems of each trust take part in integrations (not the orphans) and in processes (in service)."""
    for trust in land.trusts:
        trust.endpoints = [a for a in [trust.epj, *trust.apps] if a is not None and not a.orphan]
        trust.in_service = [a for a in trust.endpoints if not a.retired]


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder; deterministic)."""
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    sizes = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: (sizes[i] - raw[i], i))
    for i in by_remainder[:total - sum(sizes)]:
        sizes[i] += 1
    return sizes

