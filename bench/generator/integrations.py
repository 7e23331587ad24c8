"""Integrations: data flows outward from the masters, so that an application only ever sends data it masters
or has received through an active integration carrying the same data object.

The order: every master sends its data out; the national registers are looked up by systems of every trust;
every active application and every platform takes part in an active integration; applications that left
service keep old, retired integrations; then integrations are added until there are ``integrations_per_app``
per application."""

from __future__ import annotations

from collections import defaultdict

from . import links
from .model import App, Data, Integ, Landscape


class Flows:
    """The integrations being built, and what each application knows (masters or has received) so far."""

    def __init__(self, land: Landscape) -> None:
        self.land = land
        self.rng = land.rng
        self.known: list[list[Data]] = [[] for _ in land.apps]
        self.known_ids: list[set[str]] = [set() for _ in land.apps]
        self.knowers: list[App] = []
        self.covered = [False] * len(land.apps)
        self.via_uses = [0] * len(land.apps)
        self.pair_count: dict[tuple[int, int], int] = defaultdict(int)
        for data in land.data:
            if data.carriable and data.master is not None:
                self.learn(data.master, data)

    def build(self) -> None:
        land = self.land
        for app in list(self.knowers):
            self.send_own_data(app)
        self.look_up_registers()
        for app in land.apps:
            if app.status == "active" and not app.orphan and not self.covered[app.idx] and app.group != "platform" \
                    and app is not land.nhn:
                self.cover(app)
        for platform in [*land.regional_platforms, *(p for t in land.trusts for p in t.platforms), land.nhn]:
            if platform is not None and self.via_uses[platform.idx] < 2:
                self.cover_platform(platform)
        for app in land.apps:
            if app.retired and not app.orphan and app.group == "trust":
                for _ in range(self.rng.choice((1, 1, 2))):
                    self.flow_to(app)
        target = round(land.options.integrations_per_app * land.n)
        attempts = 0
        while len(land.integs) < target and attempts < 4 * target:
            attempts += 1
            src = pick_source(self.land, self.knowers)
            tgt = pick_target(self.land, src)
            if tgt is not None:
                self.connect(src, tgt, self.choose_data(src, tgt))

    def learn(self, app: App, data: Data) -> None:
        if data.id not in self.known_ids[app.idx]:
            if not self.known[app.idx]:
                self.knowers.append(app)
            self.known_ids[app.idx].add(data.id)
            self.known[app.idx].append(data)

    def send_own_data(self, app: App) -> None:
        """The master sends its data objects, in bundles of one to three, to one to three targets each."""
        own = [d for d in self.known[app.idx] if d.master is app]
        self.rng.shuffle(own)
        start = 0
        while start < len(own):
            size = self.rng.randint(1, 3)
            bundle, start = own[start:start + size], start + size
            for _ in range(self.rng.choice((1, 1, 2, 2, 3))):
                self.flow_from(app, bundle)

    def look_up_registers(self) -> None:
        """The national registers are used by the EPJ and another system of every trust (mostly as lookups)."""
        registers = [a for a in self.land.nationals if a.id in links.LOOKED_UP and self.known[a.idx]]
        for trust in self.land.trusts:
            for register in registers:
                for tgt in (trust.epj, self.rng.choice(trust.endpoints)):
                    if tgt is not None:
                        self.connect(register, tgt, self.choose_data(register, tgt))

    def flow_from(self, src: App, bundle: list[Data]) -> None:
        for _ in range(4):
            tgt = pick_target(self.land, src)
            if tgt is None:
                continue
            data = [d for d in bundle if d.cls <= tgt.cls]
            if data:
                self.connect(src, tgt, data)
                return

    def flow_to(self, tgt: App) -> None:
        trust = tgt.trust
        for _ in range(8):
            src = trust.epj if trust is not None and self.rng.random() < 0.5 else self.rng.choice(self.knowers)
            if src is None or src is tgt or src.retired:
                continue
            data = self.choose_data(src, tgt)
            if data:
                self.connect(src, tgt, data)
                return

    def cover(self, app: App) -> None:
        """Give an active application an active integration: it receives from a nearby master."""
        trust = app.trust or self.rng.choice(self.land.trusts)
        for attempt in range(20):
            src = trust.epj if attempt < 4 else self.rng.choice(self.knowers)
            if src is None or src is app or src.status == "planned" or src.retired:
                continue
            data = self.choose_data(src, app, tries=6)
            if data:
                self.connect(src, app, data, force_active=True)
                return
        raise RuntimeError(f"could not connect {app.id}")  # pragma: no cover - every trust EPJ has open data

    def cover_platform(self, platform: App) -> None:
        land = self.land
        trust = platform.trust or self.rng.choice(land.trusts)
        assert trust.epj is not None
        if platform is land.nhn:
            pool = trust.externals or [a for t in land.trusts for a in t.externals]
        elif platform.trust is None and land.regional:
            pool = land.regional
        else:
            pool = trust.in_service
        for _ in range(40):
            tgt = self.rng.choice(pool)
            if tgt is trust.epj or tgt.status != "active":
                continue
            data = self.choose_data(trust.epj, tgt, tries=6)
            if data:
                self.connect(trust.epj, tgt, data, via=platform, force_active=True)
                if self.via_uses[platform.idx] >= 2:
                    return

    def choose_data(self, src: App, tgt: App, tries: int = 3) -> list[Data]:
        """One to three data objects ``src`` knows and ``tgt`` is classified for."""
        known = self.known[src.idx]
        if not known:
            return []
        chosen: list[Data] = []
        wanted = self.rng.choice((1, 1, 1, 2, 2, 3))
        for _ in range(wanted + tries):
            data = self.rng.choice(known)
            if data.cls <= tgt.cls and data not in chosen:
                chosen.append(data)
                if len(chosen) == wanted:
                    break
        return chosen

    def connect(self, src: App, tgt: App, data: list[Data], *, via: App | None = None,
                force_active: bool = False) -> Integ | None:
        if not data or src is tgt:
            return None
        if via is None:
            via = links.route(self.land, src, tgt)
            if via is not None and tgt.core and links.platform_leg_fits(src, tgt) and self.rng.random() < 0.15:
                # the platform's own legs instead of a route through it: into the platform, then out of it
                self.add(src, via, data, None, True)
                return self.add(via, tgt, data, None, True)
        return self.add(src, tgt, data, via, force_active)

    def add(self, src: App, tgt: App, data: list[Data], via: App | None, force_active: bool) -> Integ:
        land = self.land
        status, since, until = links.timing(land, src, tgt, force_active)
        std = links.standard(land, src, tgt, via, data)
        initiator, mode = links.call(land, src, tgt, std)
        enc, auth = links.security(land, src, tgt, data)
        key = (src.idx, tgt.idx)
        self.pair_count[key] += 1
        base = f"{src.id}-to-{tgt.id}"
        integ_id = land.unique(base if self.pair_count[key] == 1 else f"{base}-{self.pair_count[key]}")
        name, description = links.text(src, tgt, data, via, std, initiator)
        rng = self.rng
        # a list of its own (the legs of a platform share their data): plantings add to it
        integ = Integ(integ_id, src, tgt, list(data), via, std, mode, status, since, until, enc, auth, name,
                      description, links.folder(src, tgt), initiator,
                      write_status=status != "active" or rng.random() < 0.7,
                      write_mode=mode != "async" or rng.random() < 0.7, write_initiator=rng.random() < 0.1)
        land.integs.append(integ)
        if status == "active":
            for app in (src, tgt, via):
                if app is not None:
                    self.covered[app.idx] = True
            if via is not None:
                self.via_uses[via.idx] += 1
            for d in data:
                self.learn(tgt, d)
        return integ


def pick_source(land: Landscape, knowers: list[App]) -> App:
    """Some trust's EPJ (often), else any application that knows some data."""
    if land.rng.random() < 0.12:
        epj = land.rng.choice(land.trusts).epj
        assert epj is not None
        return epj
    return land.rng.choice(knowers)


def pick_target(land: Landscape, src: App) -> App | None:
    """Where ``src`` sends: mostly within its own trust, sometimes regional, national or external systems."""
    rng = land.rng
    trust = src.trust or rng.choice(land.trusts)
    roll = rng.random()
    if src.group == "national":
        pool = [trust.epj] if roll < 0.5 else trust.endpoints
    elif src.group == "external":
        pool = [trust.epj] if roll < 0.6 else trust.endpoints
    elif src.group == "regional":
        pool = trust.endpoints if roll < 0.6 else land.regional if roll < 0.85 else land.nationals
    elif roll < 0.10 and src is not trust.epj:
        pool = [trust.epj]
    elif roll < 0.72:
        pool = trust.endpoints
    elif roll < 0.80:
        pool = land.regional
    elif roll < 0.88:
        pool = land.nationals
    elif roll < 0.95:
        pool = trust.externals or trust.endpoints
    else:
        pool = rng.choice(land.trusts).endpoints
    if not pool:
        return None
    tgt = rng.choice(pool)
    if tgt is None or tgt is src or tgt.orphan:
        return None
    return tgt
