"""The technology layer: the catalogue as Technology elements, and the stack each application names in
``technologies:``.

A clean model keeps, by construction: applications name only supported products (phase-out ones may also
keep a legacy product); a product on ``hold`` is named only by applications in service since before it was put
on hold; every catalogue product is named by, or runs under what is named by, an application in service."""

from __future__ import annotations

from .documents import slug
from .model import App, Landscape, Tech, day
from .technology_catalogue import CURRENT, LEGACY, LEGACY_BY_KEY, STACKS, Product

STACKED_GROUPS = ("trust", "regional", "platform")


class Catalogue:
    """Technology elements by product key: the current products from the start, legacy ones on first use."""

    def __init__(self, land: Landscape) -> None:
        self.land = land
        self.by_key: dict[str, Tech] = {}
        self.products: dict[str, Product] = {p.key: p for p in CURRENT}
        for product in CURRENT:
            self.get(product.key)

    def get(self, key: str) -> Tech:
        if key not in self.by_key:
            product = self.products.get(key) or LEGACY_BY_KEY[key]
            runs_on = [self.get(base) for base in product.runs_on]  # the base is written before what runs on it
            assert product.key not in self.land.ids, product.key
            self.land.ids.add(product.key)
            tech = Tech(product.key, product.name, product.type, product.vendor, product.version,
                        _day(product.end_of_support), _day(product.end_of_life), product.ring,
                        _day(product.ring_since), runs_on, f"{product.name}: {product.what}.")
            self.by_key[key] = tech
            self.land.techs.append(tech)
        return self.by_key[key]

    def allowed(self, app: App, key: str) -> bool:
        """Whether ``app`` may name product ``key`` in a clean model (hold: only in use from before the hold)."""
        product = self.products[key]
        if product.ring != "hold" or product.ring_since is None:
            return True
        return app.status in ("active", "phase-out") and app.since < day(product.ring_since)

    def add_abandoned(self, name: str, type_: str, vendor: str, end_of_life: str) -> Tech:
        tech = Tech(self.land.unique(slug(name)), name, type_, vendor, None, None, day(end_of_life), None, None, [],
                    f"{name}: left in the catalogue after the last system using it was decommissioned.")
        self.land.techs.append(tech)
        return tech


def _day(text: str | None) -> int | None:
    return day(text) if text is not None else None


def build_technology(land: Landscape) -> Catalogue:
    catalogue = Catalogue(land)
    for app in land.apps:
        if app.group in STACKED_GROUPS and not app.retired and (app.cat == "epj" or land.rng.random() < 0.85):
            _stack(land, catalogue, app)
        if app.group == "trust" and app.status == "phase-out" and not app.retired and land.rng.random() < 0.5:
            severity, through = land.rng.choice(list(LEGACY))
            app.technologies.append(catalogue.get(land.rng.choice(LEGACY[severity, through]).key))
    _cover(land, catalogue)
    return catalogue


def _stack(land: Landscape, catalogue: Catalogue, app: App) -> None:
    if app.cat == "epj" or app.group == "platform":
        family = app.cat if app.cat == "epj" else "platform"
    else:
        family = land.rng.choices(("java", "windows", "cloud"), weights=(5, 4, 3 if app.status == "planned" else 1))[0]
    for slot in STACKS[family]:
        key = land.rng.choice(slot)
        if key is not None and not catalogue.allowed(app, key):
            key = next(k for k in slot if k is not None and catalogue.allowed(app, k))
        if key is not None:
            app.technologies.append(catalogue.get(key))


def _cover(land: Landscape, catalogue: Catalogue) -> None:
    """Name every current product that no application in service relies on yet in some stack that may hold it."""
    users = [a for a in land.apps if a.technologies and not a.retired]
    used: set[str] = set()
    for app in users:
        _close(app.technologies, used)
    for product in CURRENT:
        if product.key in used:
            continue
        fits = [a for a in users if catalogue.allowed(a, product.key)]
        app = land.rng.choice(fits)
        app.technologies.append(catalogue.get(product.key))
        _close(app.technologies[-1:], used)


def _close(techs: list[Tech], used: set[str]) -> None:
    stack = list(techs)
    while stack:
        tech = stack.pop()
        if tech.id not in used:
            used.add(tech.id)
            stack.extend(tech.runs_on)
