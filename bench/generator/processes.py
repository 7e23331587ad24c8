"""Processes of the trusts: four to seven steps each, supported by applications in service of the same trust."""

from __future__ import annotations

from collections import defaultdict

from .documents import slug
from .model import App, Landscape, Proc, Step, Trust
from .tables import PROCESSES


def build_processes(land: Landscape) -> None:
    counter: dict[str, int] = defaultdict(int)
    for i in range(max(1, round(land.n / 20))):
        trust = land.trusts[i % len(land.trusts)]
        key, title, caps, cats, step_names = PROCESSES[(i // len(land.trusts) + i) % len(PROCESSES)]
        helpers = [a for a in trust.in_service if a.cat in cats] or trust.in_service
        counter[f"{trust.key}-{key}"] += 1
        n = counter[f"{trust.key}-{key}"]
        k = land.rng.randint(4, 7)
        picked = sorted(land.rng.sample(range(len(step_names)), k))
        names = [step_names[j] for j in picked]
        ids = _unique_list([slug(s) for s in names])
        steps = []
        for j, (step_id, step_name) in enumerate(zip(ids, names, strict=True)):
            nxt = [ids[j + 1]] if j + 1 < k else []
            if j + 2 < k and land.rng.random() < 0.12:
                nxt.append(ids[j + 2])
            steps.append(Step(step_id, step_name, _supporters(land, trust, key, helpers), nxt))
        name = f"{title}, {trust.short}" + ("" if n == 1 else f" ({n})")
        land.procs.append(Proc(
            land.unique(f"{trust.key}-{key}" + ("" if n == 1 else f"-{n}")), name, trust.org, land.rng.choice(caps),
            f"{title} at {trust.name}: from «{names[0]}» to «{names[-1]}».", steps, trust,
            f"processes/processes-{i // 25 + 1:03d}"))


def _supporters(land: Landscape, trust: Trust, key: str, helpers: list[App]) -> list[App]:
    """The EPJ (often) and one to three systems of the process's kinds."""
    supporters: list[App] = []
    if land.rng.random() < (0.2 if key == "innkjop" else 0.6) and trust.epj is not None:
        supporters.append(trust.epj)
    for _ in range(land.rng.choice((0, 1, 1, 2)) + (0 if supporters else 1)):
        app = land.rng.choice(helpers)
        if app not in supporters:
            supporters.append(app)
    return supporters


def _unique_list(items: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for item in items:
        if item in seen:
            seen[item] += 1
            out.append(f"{item}-{seen[item]}")
        else:
            seen[item] = 1
            out.append(item)
    return out
