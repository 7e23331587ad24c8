"""The benchmark harness (`make bench`): generated models of 1,000 / 10,000 / 50,000 applications, each stage
of `archrepo check` timed next to the floor measured in the same run (PyYAML's C loader reading the same
files and nothing else), peak memory, the re-check after editing one file, and CLI start-up.

    python bench/run.py [--sizes 1000,10000] [--repeat 3] [--out bench/results.md]

Every measurement runs in a fresh process; the medians of ``--repeat`` runs are reported. The table is
printed and written to ``bench/results.md`` with the machine's CPU count and the date. Set
``BENCH_SIZES=1000,10000,50000`` (or ``--sizes``) for the 50,000-application model: it takes a while.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MODELS = HERE / "models"
PYTHON = sys.executable
VERIFY_UP_TO = 10_000  # sizes whose re-check is also compared with a full check (one more full run)


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", HERE / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def ensure_model(size: int) -> Path:
    """The generated model of ``size`` applications, made once and reused while the generator is unchanged."""
    target = MODELS / f"apps-{size}"
    stamp = target / ".generator-stamp"
    digest = hashlib.sha256((HERE / "generate.py").read_bytes())
    for library in ("rules", "principles"):  # the generated repository carries copies of them
        for path in sorted((ROOT / library).glob("*.yaml")):
            digest.update(path.name.encode() + path.read_bytes())
    fingerprint = digest.hexdigest()
    if stamp.exists() and stamp.read_text() == fingerprint:
        return target
    if target.exists():
        shutil.rmtree(target)
    _generator().generate(target, applications=size, seed=42, violation_rate=0.03)
    stamp.write_text(fingerprint)
    return target


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB and stdout of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    stdout = process.stdout.read().decode() if process.stdout else ""
    stderr = process.stderr.read().decode() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise RuntimeError(f"{' '.join(args)} failed:\n{stderr[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, stdout


def _renamed(original: bytes) -> bytes:
    """The file with its first element renamed: a real edit (its data, its triples and the messages of
    violations that name it change), not just new bytes."""
    edited, count = re.subn(rb"^name: (.*)$", rb"name: \1 (renamed by the benchmark)", original, count=1,
                            flags=re.MULTILINE)
    assert count == 1, "every generated element has a name"
    return edited


def _median(values: list[float]) -> float:
    return statistics.median(values)


def measure(size: int, repeat: int) -> dict[str, float]:
    model = ensure_model(size)
    cache = model / ".archrepo-cache"
    archrepo = [PYTHON, "-m", "archrepo"]
    check = [*archrepo, "check", "--as-of", "2026-11-26", "--format", "json", "--output", os.devnull]
    report, full = model / ".archrepo-cache" / "bench-recheck.json", model / ".archrepo-cache" / "bench-full.json"
    floors, stages, fulls, peaks, rechecks = [], [], [], [], []
    verified = False
    for _ in range(repeat):
        floors.append(json.loads(_run([PYTHON, str(HERE / "stages.py"), "floor", str(model)], ROOT)[2])["floor"])
        stages.append(json.loads(_run([PYTHON, str(HERE / "stages.py"), "stages", str(model)], ROOT)[2]))
        shutil.rmtree(cache, ignore_errors=True)
        seconds, peak, _ = _run(check, model)  # the full check: nothing cached
        fulls.append(seconds)
        peaks.append(peak)
        edited = sorted((model / "models").rglob("*.yaml"))[len(list((model / "models").rglob("*.yaml"))) // 2]
        original = edited.read_bytes()
        try:
            edited.write_bytes(_renamed(original))
            rechecks.append(_run([*check[:-1], str(report)], model)[0])  # one file changed since the cached run
            if not verified and size <= VERIFY_UP_TO:  # the re-check must say exactly what a full check says
                _run([*check[:-1], str(full)], model, {"ARCHREPO_NO_CACHE": "1"})
                if json.loads(report.read_bytes()) != json.loads(full.read_bytes()):
                    raise RuntimeError(f"the re-check after editing {edited} differs from a full check")
                verified = True
        finally:
            edited.write_bytes(original)
    shutil.rmtree(cache, ignore_errors=True)
    stage = {key: _median([s[key] for s in stages]) for key in ("load", "validate", "graph", "rules", "report")}
    return {"size": size, "elements": stages[0]["elements"], "triples": stages[0]["triples"],
            "files": len(list((model / "models").rglob("*.yaml"))), "floor": _median(floors), **stage,
            "check": _median(fulls), "peak_mb": max(peaks), "recheck": _median(rechecks)}


def startup(repeat: int) -> dict[str, float]:
    times = {}
    for flag in ("--version", "--help"):
        times[flag] = _median([_run([PYTHON, "-m", "archrepo", flag], ROOT)[0] for _ in range(max(repeat, 5))])
    return times


def table(rows: list[dict[str, float]], start: dict[str, float]) -> str:
    lines = ["# archrepo benchmark", "",
             f"{dt.date.today().isoformat()} · {os.cpu_count()} CPUs · {platform.processor() or platform.machine()} · "
             f"Python {platform.python_version()} · medians of the runs", "",
             "| applications | elements | files | triples | floor (C loader) s | load s | validate s | graph s | "
             "rules s | report s | **check s** | **check / floor** | peak MB | re-check s | **re-check / check** |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['size']:,} | {r['elements']:,} | {r['files']:,} | {r['triples']:,} | {r['floor']:.2f} | "
                     f"{r['load']:.2f} | {r['validate']:.2f} | {r['graph']:.2f} | {r['rules']:.2f} | "
                     f"{r['report']:.2f} | **{r['check']:.2f}** | **{r['check'] / r['floor']:.2f}×** | "
                     f"{r['peak_mb']:.0f} | {r['recheck']:.2f} | **{r['recheck'] / r['check']:.2f}×** |")
    lines += ["", "Stages (load … report) are timed one after the other in one process (bench/stages.py); "
              "`check` is the whole `archrepo check --format json` in a fresh process with an empty cache; "
              "`re-check` is the same command after renaming the first element of one file (the cache from the first "
              "run in place); up to 10,000 applications its report is checked to be identical to a full check's. "
              "Peak memory is the maximum resident set of the check process.", "",
              f"CLI start-up: `archrepo --version` {start['--version']:.3f} s, "
              f"`archrepo --help` {start['--help']:.3f} s."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "1000,10000"))
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", "3")))
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    args = parser.parse_args()
    # byte-compiled as an installed package is (this machine may set PYTHONDONTWRITEBYTECODE): no run pays
    # for compiling archrepo's modules
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "archrepo")], check=True)
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"measuring {size:,} applications …", file=sys.stderr, flush=True)
        rows.append(measure(size, args.repeat))
    text = table(rows, startup(args.repeat))
    print(text)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
