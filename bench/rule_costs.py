"""Measure what each standard rule costs and write archrepo/standard/rule-costs.json, the table by which a check
orders its rules, the costliest first (archrepo/rules/schedule.py).

    python bench/rule_costs.py [--applications 10000] [--repeat 3]

Run it after changing a standard rule's query (a test fails until the table describes the rules as they are).
Each rule is evaluated on the generated benchmark model (bench/run.py makes it if missing, under BENCH_MODELS),
in this process, ``--repeat`` times; its least CPU time is kept (the others are the same work, slowed by
something else on the machine). Only the ranking matters to the schedule, so the figures of another machine do
as well.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import AS_OF, ensure_model  # noqa: E402  (bench/ is not a package)

TABLE = HERE.parent / "archrepo" / "standard" / "rule-costs.json"


def measure(root: Path, repeat: int) -> dict[str, dict[str, object]]:
    """rule id -> {"body": digest, "seconds": least CPU time} of every rule of the model at ``root``."""
    import archrepo
    from archrepo.rules.context import RuleContext
    from archrepo.rules.definitions import load_principles, load_rules
    from archrepo.rules.engine import ADAPTERS
    from archrepo.rules.schedule import body_digest

    repository = archrepo.load(root / "archrepo.yaml", use_cache=False)
    repository.rdf  # noqa: B018  (built before any rule is timed)
    as_of = dt.date.fromisoformat(AS_OF)
    table: dict[str, dict[str, object]] = {}
    for rule in load_rules(repository.config, load_principles(repository.config)):
        context = RuleContext(repository, as_of, None, {}, rule.param_values)
        times = []
        for _ in range(repeat):
            start = time.thread_time()
            list(ADAPTERS[rule.engine](rule, context))
            times.append(time.thread_time() - start)
        table[rule.id] = {"body": body_digest(rule), "seconds": round(min(times), 4)}
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root, _ = ensure_model("bench", args.applications)
    table = measure(root, args.repeat)
    document = {"about": "CPU seconds of each standard rule on the benchmark model, least of "
                         f"{args.repeat} runs; written by bench/rule_costs.py, read by archrepo/rules/schedule.py",
                "applications": args.applications, "rules": dict(sorted(table.items()))}
    temporary = TABLE.with_suffix(".tmp")
    temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, TABLE)
    for rule_id, entry in sorted(table.items(), key=lambda item: -float(item[1]["seconds"])):  # type: ignore[arg-type]
        print(f"{rule_id:10s} {entry['seconds']:.3f} s")


if __name__ == "__main__":
    main()
