"""The landscape under construction: one object per element, and the shared state every builder works on.

Dates are kept as ordinals. ``AS_OF`` is the design date: the generated model is laid out around it so that the
planted violations, and nothing else, hold for any check date from 2026-01-01 to 2027-12-31.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

AS_OF = dt.date(2026, 11, 26)
AS_OF_DAY = AS_OF.toordinal()


def day(text: str) -> int:
    return dt.date.fromisoformat(text).toordinal()


def iso(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).isoformat()


@dataclass(frozen=True)
class Options:
    """Everything that decides the generated repository (the same options give byte-identical files)."""

    applications: int
    seed: int = 42
    violation_rate: float = 0.03
    files_per_dir: int = 200        # most entries in one directory (part-NN folders beyond)
    docs_per_file: int = 40         # YAML documents per file (1: one element per file)
    layout: str = "tree"            # tree: folders per trust and area; kind: one folder per kind
    org_depth: int = 1              # levels of departments under a hospital trust (and of units in a municipality)
    integrations_per_app: float = 5.0

    def validate(self) -> None:
        if self.applications < 100:
            raise ValueError("--applications must be at least 100")
        if not 0.0 <= self.violation_rate <= 0.5:
            raise ValueError("--violations must be between 0 and 0.5")
        if self.files_per_dir < 2 or self.docs_per_file < 1:
            raise ValueError("--files-per-dir must be at least 2 and --docs-per-file at least 1")
        if self.layout not in ("tree", "kind"):
            raise ValueError("--layout must be tree or kind")
        if not 1 <= self.org_depth <= 12:
            raise ValueError("--org-depth must be between 1 and 12")
        if not 2.5 <= self.integrations_per_app <= 20:
            raise ValueError("--integrations-per-app must be between 2.5 and 20")


@dataclass(slots=True, eq=False)
class Org:
    id: str
    name: str
    type: str
    description: str | None
    parent: str | None = None
    external: bool = False
    file: str = ""


@dataclass(slots=True, eq=False)
class Trust:
    key: str
    org: str
    name: str
    short: str
    owners: dict[str, list[str]] = field(default_factory=dict)   # department key -> the units that own systems
    epj: App | None = None
    platforms: list[App] = field(default_factory=list)
    apps: list[App] = field(default_factory=list)
    endpoints: list[App] = field(default_factory=list)       # may be ends of integrations
    in_service: list[App] = field(default_factory=list)      # active/phase-out endpoints (process supporters)
    externals: list[App] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class App:
    idx: int                     # also the call order: synchronous calls go from a lower to a higher index
    id: str
    name: str
    cat: str
    group: str                   # trust | regional | national | external | platform
    trust: Trust | None
    owner: str | None
    external: bool
    status: str
    since: int
    phase_out: int | None
    retire: int | None
    crit: int
    cls: int
    roles: tuple[str, ...]
    vendor: str | None
    hosting: str | None
    caps: tuple[str, ...]
    tags: tuple[str, ...]
    country: bool
    description: str | None
    file: str
    orphan: bool = False
    technologies: list[Tech] = field(default_factory=list)

    @property
    def retired(self) -> bool:
        """Out of service on the design date (by status or by its retire date)."""
        return self.status == "retired" or (self.retire is not None and self.retire <= AS_OF_DAY)

    @property
    def national(self) -> bool:
        return "national-component" in self.roles

    @property
    def core(self) -> bool:
        return "core-system" in self.roles

    @property
    def platform(self) -> bool:
        return "integration-platform" in self.roles


@dataclass(slots=True, eq=False)
class Data:
    id: str
    name: str
    short: str
    cls: int
    master: App | None
    description: str | None
    file: str
    carriable: bool = True


@dataclass(slots=True, eq=False)
class Integ:
    id: str
    src: App
    tgt: App
    data: list[Data]
    via: App | None
    standard: str
    mode: str
    status: str
    since: int
    until: int | None
    enc: bool | None
    auth: str | None
    name: str
    description: str | None
    file: str
    initiator: str = "source"    # who opens the call: source (a push) or target (a lookup or pull)
    write_status: bool = True
    write_mode: bool = True
    write_initiator: bool = False

    @property
    def caller(self) -> App:
        return self.tgt if self.initiator == "target" else self.src

    @property
    def called(self) -> App:
        return self.src if self.initiator == "target" else self.tgt


@dataclass(slots=True, eq=False)
class Step:
    id: str
    name: str
    supported_by: list[App] | None
    next: list[str]


@dataclass(slots=True, eq=False)
class Proc:
    id: str
    name: str
    owner: str
    capability: str
    description: str | None
    steps: list[Step]
    trust: Trust
    file: str = ""


@dataclass(slots=True, eq=False)
class Tech:
    id: str
    name: str
    type: str
    vendor: str | None
    version: str | None
    end_of_support: int | None
    end_of_life: int | None
    ring: str | None
    ring_since: int | None
    runs_on: list[Tech]
    description: str | None
    owner: str | None = "sykehuspartner"


@dataclass(frozen=True)
class Planted:
    """A violation put in on purpose: the rule, the element, and what the planting decided about it.

    ``elements`` (instead of one element) is for a violation about several elements where the rule picks which
    one to name (a cycle); ``severity`` where the planting decides it (end of support or end of life)."""

    rule: str
    elements: tuple[str, ...]
    severity: str | None = None

    def record(self) -> dict[str, object]:
        out: dict[str, object] = {"rule": self.rule}
        if len(self.elements) == 1:
            out["element"] = self.elements[0]
        else:
            out["elements"] = sorted(self.elements)
        if self.severity is not None:
            out["severity"] = self.severity
        return out


class Landscape:
    """The elements built so far, the random source, and the ids in use. Builders add to it in a fixed order."""

    def __init__(self, options: Options, rules_by_kind: dict[str, tuple[str, ...]]) -> None:
        options.validate()
        self.options = options
        self.n = options.applications
        self.rate = options.violation_rate
        self.rng = random.Random(options.seed)
        self.rules_by_kind = rules_by_kind
        self.orgs: list[Org] = []
        self.caps: list[tuple[str, str, str | None, str | None]] = []  # id, name, parent, description
        self.trusts: list[Trust] = []
        self.apps: list[App] = []
        self.data: list[Data] = []
        self.integs: list[Integ] = []
        self.procs: list[Proc] = []
        self.techs: list[Tech] = []
        self.planted: list[Planted] = []
        self.ids: set[str] = set()
        self.vendors: dict[str, str] = {}
        self.regional_platforms: list[App] = []
        self.regional: list[App] = []
        self.nationals: list[App] = []
        self.nhn: App | None = None

    def unique(self, base: str) -> str:
        candidate, n = base, 2
        while candidate in self.ids:
            candidate, n = f"{base}-{n}", n + 1
        self.ids.add(candidate)
        return candidate

    def date(self, lo: str, hi: str) -> int:
        return self.rng.randint(day(lo), day(hi))

    def weighted(self, weights: tuple[int, ...]) -> int:
        return self.rng.choices(range(len(weights)), weights=weights)[0]

    def quota(self, kind: str, total: int) -> dict[str, int]:
        """How many elements of ``kind`` to break for each of its rules: about ``rate`` of them, round-robin."""
        rules = self.rules_by_kind[kind]
        broken = round(self.rate * total)
        return {rule: broken // len(rules) + (1 if i < broken % len(rules) else 0) for i, rule in enumerate(rules)}

    def plant(self, rule: str, *elements: str, severity: str | None = None) -> None:
        self.planted.append(Planted(rule, elements, severity))

    def planted_records(self) -> list[dict[str, object]]:
        unique = {(p.rule, tuple(sorted(p.elements)), p.severity or ""): p for p in self.planted}
        return [unique[key].record() for key in sorted(unique)]
