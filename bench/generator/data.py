"""Data objects: each with a master, an active application in the enterprise (or a national register), and a
classification no higher than its master's."""

from __future__ import annotations

from .documents import slug
from .model import App, Data, Landscape
from .tables import CATEGORY, CLASSIFICATION, EPJ_DATA, NATIONAL_COMPONENTS, SENS


def build_data(land: Landscape, count: int) -> None:
    """``count`` data objects: the EPJ's in every trust, the national registers', then those of other masters."""
    for trust in land.trusts:
        assert trust.epj is not None
        for name, cls in EPJ_DATA:
            add_data(land, name, cls, trust.epj, f"data/{trust.key}")
    for app in land.nationals:
        for name, cls in next(c[5] for c in NATIONAL_COMPONENTS if c[0] == app.id):
            add_data(land, name, cls, app, "data/national")
    masters = master_candidates(land)
    for app in land.rng.sample(masters, min(len(masters), max(0, count - len(land.data)))):
        add_master_data(land, app)
    while len(land.data) < count:
        add_master_data(land, land.rng.choice(masters))


def master_candidates(land: Landscape) -> list[App]:
    return [a for a in land.apps if a.status == "active" and not a.orphan
            and a.group in ("trust", "regional", "external") and a.cat != "epj"]


def pick_template(land: Landscape, app: App) -> tuple[str, int]:
    """A data object ``app`` would plausibly hold: (short name, classification index)."""
    if app.cat in CATEGORY:
        return land.rng.choice(CATEGORY[app.cat].data)
    if app.cat == "gp-epj":
        return land.rng.choice((("Henvisning fra fastlege", SENS), ("Legeopplysninger", SENS)))
    if app.cat.startswith("municipal"):
        return land.rng.choice((("PLO-melding", SENS), ("Helseopplysninger ved innleggelse", SENS)))
    return land.rng.choice(EPJ_DATA)


def data_file(app: App) -> str:
    if app.group == "external":
        return "data/external"
    return f"data/{app.trust.key}" if app.trust is not None else "data/regional"


def add_master_data(land: Landscape, app: App) -> Data:
    name, cls = pick_template(land, app)
    return add_data(land, name, min(cls, app.cls), app, data_file(app))


def add_data(land: Landscape, short: str, cls: int, master: App, file: str) -> Data:
    data_id = land.unique(f"{master.id}-{slug(short)}")
    what = f"{short}, {CLASSIFICATION[cls]}; the system of record is {master.name}."
    data = Data(data_id, f"{short} ({master.name})", short, cls, master, what, file)
    land.data.append(data)
    return data
