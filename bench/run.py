"""The benchmark harness (`make bench`): generated models of several shapes and sizes, `archrepo check` timed next
to the floor measured in the same run (PyYAML's C loader reading the same files and nothing else), peak memory;
for the benchmark shape also each stage, the re-check after editing one file, and CLI start-up.

    python bench/run.py [--shapes bench,small-files,…] [--sizes 1000,10000] [--repeat 3] [--out bench/results.md]
                        [--only floor,check]

Shapes are the generator's named presets (bench/generator/shapes.py; ``BENCH_SHAPES``, default all), sizes the
number of applications (``BENCH_SIZES``, default 1000,10000; add 50000 for the largest model: it takes a while).
Every measurement runs in a fresh process; the medians of ``--repeat`` runs are reported (peak memory: the
maximum). Each shape has a section in ``bench/results.md``; a run rewrites the sections of the shapes it
measured and keeps the others.

To add a figure: a function in ``MEASUREMENTS`` (one repetition on one model, returning named values) and the
``COLUMNS`` that show them; a column appears in a shape's table when its measurement ran for that shape.
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MODELS = Path(os.environ.get("BENCH_MODELS", HERE / "models"))  # the generated models, kept between runs
PYTHON = sys.executable
AS_OF = "2026-11-26"
VERIFY_UP_TO = 10_000  # sizes whose re-check (and docs rebuild) is also compared with a run from nothing
TITLE = "# archrepo benchmark"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", HERE / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


GENERATOR = _generator()


def _fingerprint(shape: str, size: int) -> str:
    """What the model depends on: the generator's code, the standard rules it copies, the shape's options."""
    digest = hashlib.sha256(repr(GENERATOR.SHAPES[shape].options(size)).encode())
    for path in [HERE / "generate.py", *sorted((HERE / "generator").glob("*.py"))]:
        digest.update(path.name.encode() + path.read_bytes())
    for library in ("rules", "principles"):
        for path in sorted((ROOT / library).glob("*.yaml")):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def ensure_model(shape: str, size: int) -> tuple[Path, dict[str, int]]:
    """The generated model (and its element counts), made once and reused while nothing it depends on changed."""
    target = MODELS / f"{shape}-{size}"
    stamp = target / ".generator-stamp"
    fingerprint = _fingerprint(shape, size)
    if stamp.exists():
        made = json.loads(stamp.read_text())
        if made.get("fingerprint") == fingerprint:
            return target, made["counts"]
    if target.exists():
        shutil.rmtree(target)
    counts = GENERATOR.generate_shape(target, shape, size, seed=42)
    stamp.write_text(json.dumps({"fingerprint": fingerprint, "counts": counts}))
    return target, counts


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB and stdout of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, **(env or {})})
    stdout_bytes, stderr_bytes = b"", b""
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if process.stdout:
        stdout_bytes = process.stdout.read()
    if process.stderr:
        stderr_bytes = process.stderr.read()
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise RuntimeError(f"{' '.join(args)} failed:\n{stderr_bytes.decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, stdout_bytes.decode()


@dataclass
class Model:
    """The model being measured, and what one measurement leaves for the next (the check's cache)."""

    shape: str
    size: int
    root: Path
    counts: dict[str, int]
    verified: bool = False
    site_verified: bool = False
    leftovers: list[Path] = field(default_factory=list)  # what the measurements made, removed after them all

    @property
    def cache(self) -> Path:
        return self.root / ".archrepo-cache"

    def files(self) -> list[Path]:
        return sorted((self.root / "models").rglob("*.yaml"))


CHECK = [PYTHON, "-m", "archrepo", "check", "--as-of", AS_OF, "--format", "json", "--output"]


def measure_floor(model: Model) -> dict[str, float]:
    out = json.loads(_run([PYTHON, str(HERE / "stages.py"), "floor", str(model.root)], ROOT)[2])
    return {"floor": out["floor"]}


def measure_stages(model: Model) -> dict[str, float]:
    out = json.loads(_run([PYTHON, str(HERE / "stages.py"), "stages", str(model.root)], ROOT)[2])
    return {key: out[key] for key in ("load", "validate", "graph", "rules", "report", "triples")}


def measure_check(model: Model) -> dict[str, float]:
    """The whole `archrepo check` with nothing cached; leaves its cache for the re-check."""
    shutil.rmtree(model.cache, ignore_errors=True)
    # a real file, never --output /dev/null: an older archrepo renamed its atomic write over the device
    seconds, peak, _ = _run([*CHECK, str(model.root.parent / f"check-{model.shape}-{model.size}.json")], model.root)
    return {"check": seconds, "peak_mb": peak}


def _renamed(original: bytes) -> bytes:
    """The file with its first element renamed: a real edit (its data, its triples and the messages of
    violations that name it change), not just new bytes."""
    edited, count = re.subn(rb"^name: (.*)$", rb"name: \1 (renamed by the benchmark)", original, count=1,
                            flags=re.MULTILINE)
    assert count == 1, "every generated element has a name"
    return edited


def measure_recheck(model: Model) -> dict[str, float]:
    """`archrepo check` again after renaming the first element of one file, the check's cache in place; up to
    VERIFY_UP_TO applications, once, its report must equal a full check's."""
    files = model.files()
    edited = files[len(files) // 2]
    original = edited.read_bytes()
    report, full = model.cache / "bench-recheck.json", model.cache / "bench-full.json"
    try:
        edited.write_bytes(_renamed(original))
        seconds = _run([*CHECK, str(report)], model.root)[0]
        if not model.verified and model.size <= VERIFY_UP_TO:
            _run([*CHECK, str(full)], model.root, {"ARCHREPO_NO_CACHE": "1"})
            if json.loads(report.read_bytes()) != json.loads(full.read_bytes()):
                raise RuntimeError(f"the re-check after editing {edited} differs from a full check")
            model.verified = True
    finally:
        edited.write_bytes(original)
    return {"recheck": seconds}


def measure_views(model: Model) -> dict[str, float]:
    """`archrepo diagram landscape` (the map, archrepo's own SVG) and `diagram integrations` (Graphviz), each in a
    fresh process with an empty cache, like the check they are compared with."""
    figures: dict[str, float] = {}
    for name, view in (("map", "landscape"), ("integrations", "integrations")):
        shutil.rmtree(model.cache, ignore_errors=True)
        seconds, peak, _ = _run([PYTHON, "-m", "archrepo", "diagram", view, "--as-of", AS_OF, "--output",
                                 str(model.root / f"bench-{name}.svg")], model.root)
        figures[name], figures[f"{name}_mb"] = seconds, peak
    return figures


def _run_tree(args: list[str], cwd: Path) -> tuple[float, float, float]:
    """Wall seconds, peak RSS in MB of the largest process, and CPU seconds (user + system) of one process and
    every process it waited for (the docs build's diagram workers and their `dot`)."""
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = process.stderr.read() if process.stderr else b""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{stderr.decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def measure_docs(model: Model) -> dict[str, float]:
    """`archrepo docs` from nothing (no cache, no earlier site), then again after renaming the first element of
    one file with the first build's cache and site in place (the rebuild an author waits for). Up to VERIFY_UP_TO
    applications, once, the rebuilt site must be byte for byte a build from nothing of the edited model.

    Each build from nothing writes to a folder never used before, and the sites are removed only once the model's
    measurements are over (``Model.leftovers``): ext4 allocates no inode freed in the last minute or so while it
    finds others, and 8,000 pages created just after deleting the 8,000 of the repetition before cost 3.5 s of
    kernel time in open() (1.5 s of a 1,000-application build) that a first build into a new folder never pays."""
    shutil.rmtree(model.cache, ignore_errors=True)
    site = model.root.parent / f"{model.root.name}-site-{os.getpid()}-{len(model.leftovers)}"
    shutil.rmtree(site, ignore_errors=True)
    model.leftovers.append(site)
    command = [PYTHON, "-m", "archrepo", "docs", "--as-of", AS_OF, "--out", str(site)]
    seconds, peak, cpu = _run_tree(command, model.root)
    files = model.files()
    edited = files[len(files) // 2]
    original = edited.read_bytes()
    try:
        edited.write_bytes(_renamed(original))
        again, _, again_cpu = _run_tree(command, model.root)
        if not model.site_verified and model.size <= VERIFY_UP_TO:
            clean = site.with_name(f"{site.name}-from-nothing")
            model.leftovers.append(clean)
            _run([*command[:-1], str(clean)], model.root, {"ARCHREPO_NO_CACHE": "1"})
            differing = _differences(site, clean)
            if differing:
                raise RuntimeError(f"the site rebuilt after editing {edited} differs from a build from nothing: "
                                   f"{', '.join(differing[:5])}")
            model.site_verified = True
    finally:
        edited.write_bytes(original)
    return {"docs": seconds, "docs_mb": peak, "docs_cpu": cpu, "redocs": again, "redocs_cpu": again_cpu}


def _differences(one: Path, other: Path) -> list[str]:
    """The files (relative paths) that only one of two folders has, or that differ in content."""
    mine = {p.relative_to(one).as_posix() for p in one.rglob("*") if p.is_file()}
    theirs = {p.relative_to(other).as_posix() for p in other.rglob("*") if p.is_file()}
    return sorted((mine ^ theirs) | {name for name in mine & theirs
                                     if (one / name).read_bytes() != (other / name).read_bytes()})


@dataclass(frozen=True)
class Measurement:
    name: str
    run: Callable[[Model], dict[str, float]]
    shapes: tuple[str, ...] | None = None  # None: every shape


# in this order in every repetition (the re-check uses the cache the check left)
MEASUREMENTS = (
    Measurement("floor", measure_floor),
    Measurement("check", measure_check),  # next to the floor: their ratio is taken run by run (see measure)
    Measurement("stages", measure_stages, ("bench",)),
    Measurement("recheck", measure_recheck, ("bench",)),
    Measurement("views", measure_views, ("bench",)),  # after the re-check: it empties the cache that one uses
    Measurement("docs", measure_docs, ("bench",)),
)


def _ratio(row: dict[str, float]) -> float:
    """check / floor: the median of each run's ratio, the floor measured just before the check (this machine's
    speed drifts by tens of per cent over minutes, and a ratio of two medians would mix runs taken at different
    speeds); of the medians when only one of them was measured in a run."""
    return row["ratio"] if "ratio" in row else row["check"] / row["floor"]


def _spread(row: dict[str, float]) -> str:
    """The lowest and highest of the runs' check / floor, when there were several."""
    return f" ({row['ratio_low']:.2f}–{row['ratio_high']:.2f})" if "ratio_low" in row else ""


# summarised by the maximum over the repetitions; everything else by the median
MAXIMA = {"peak_mb", "map_mb", "integrations_mb", "docs_mb"}


@dataclass(frozen=True)
class Column:
    header: str
    needs: str                         # the measurement that provides it ("" for the model's own figures)
    cell: Callable[[dict[str, float]], str]
    align: str = "---:"


COLUMNS = (
    Column("applications", "", lambda r: f"{r['size']:,}"),
    Column("elements", "", lambda r: f"{r['elements']:,}"),
    Column("files", "", lambda r: f"{r['files']:,}"),
    Column("triples", "stages", lambda r: f"{r['triples']:,}"),
    Column("floor (C loader) s", "floor", lambda r: f"{r['floor']:.2f}"),
    *(Column(f"{stage} s", "stages", lambda r, s=stage: f"{r[s]:.2f}")
      for stage in ("load", "validate", "graph", "rules", "report")),
    Column("**check s**", "check", lambda r: f"**{r['check']:.2f}**"),
    Column("**check / floor**", "check", lambda r: f"**{_ratio(r):.2f}×**{_spread(r)}"),
    Column("peak MB", "check", lambda r: f"{r['peak_mb']:.0f}"),
    Column("re-check s", "recheck", lambda r: f"{r['recheck']:.2f}"),
    Column("**re-check / check**", "recheck", lambda r: f"**{r['recheck'] / r['check']:.2f}×**"),
    Column("map s", "views", lambda r: f"{r['map']:.2f}"),
    Column("**map / check**", "views", lambda r: f"**{r['map'] / r['check']:.2f}×**"),
    Column("map peak MB", "views", lambda r: f"{r['map_mb']:.0f}"),
    Column("integrations s", "views", lambda r: f"{r['integrations']:.2f}"),
    Column("**integrations / check**", "views", lambda r: f"**{r['integrations'] / r['check']:.2f}×**"),
    Column("docs s (CPU s)", "docs", lambda r: f"{r['docs']:.1f} ({r['docs_cpu']:.1f})"),
    Column("**docs / check**", "docs", lambda r: f"**{r['docs'] / r['check']:.1f}×**"),
    Column("docs peak MB", "docs", lambda r: f"{r['docs_mb']:.0f}"),
    Column("docs after an edit s (CPU s)", "docs", lambda r: f"{r['redocs']:.1f} ({r['redocs_cpu']:.1f})"),
    Column("**after an edit / docs**", "docs", lambda r: f"**{r['redocs'] / r['docs']:.2f}×**"),
)
_RATIO_NOTE = ("check / floor is the median of each run's ratio, the check measured just after the floor; the "
               "lowest and highest ratio in parentheses.")
NOTES = {
    "bench": "Stages (load … report) are timed one after the other in one process (bench/stages.py); `check` is "
             "the whole `archrepo check --format json` in a fresh process with an empty cache. " + _RATIO_NOTE +
             " `re-check` is the same command after renaming the first element of one file (the cache from the "
             "first run in place); up to 10,000 applications its report is checked to be identical to a full "
             "check's. Peak memory is "
             "the maximum resident set of the check process. `map` is `archrepo diagram landscape` (the map, SVG) "
             "and `integrations` `archrepo diagram integrations` (Graphviz SVG), each in a fresh process with an "
             "empty cache. `docs` is `archrepo docs` (HTML: a page and a diagram per element, the explorer) from "
             "nothing (no cache, no site; a folder never used before, see `measure_docs`), with the CPU time of "
             "it and its diagram workers in parentheses and the peak of its largest process; `docs after an "
             "edit` builds it again after renaming the first element of one file, with the first build's cache "
             "and site in place.",
}
OTHER_NOTE = ("`check` is the whole `archrepo check --format json` in a fresh process with an empty cache; the floor "
              "is PyYAML's C loader reading the same files. " + _RATIO_NOTE +
              " Peak memory is the maximum resident set of the check.")


ONLY: set[str] | None = None  # --only: the measurements to run (None: all)


def _applies(measurement: Measurement, shape: str) -> bool:
    return (measurement.shapes is None or shape in measurement.shapes) and (ONLY is None or measurement.name in ONLY)


def measure(shape: str, size: int, repeat: int) -> dict[str, float]:
    root, counts = ensure_model(shape, size)
    model = Model(shape, size, root, counts)
    runs: dict[str, list[float]] = {}
    try:
        for _ in range(repeat):
            this: dict[str, float] = {}
            for measurement in MEASUREMENTS:
                if _applies(measurement, shape):
                    this.update(measurement.run(model))
            for key, value in this.items():
                runs.setdefault(key, []).append(value)
            if "floor" in this and "check" in this:  # the check over the floor measured just before it
                runs.setdefault("ratio", []).append(this["check"] / this["floor"])
    finally:
        shutil.rmtree(model.cache, ignore_errors=True)
        for leftover in model.leftovers:
            shutil.rmtree(leftover, ignore_errors=True)
    row = {key: (max(values) if key in MAXIMA else statistics.median(values)) for key, values in runs.items()}
    if len(runs.get("ratio", ())) > 1:  # the spread of the runs' ratios: how far the median stands from 1.0×
        row["ratio_low"], row["ratio_high"] = min(runs["ratio"]), max(runs["ratio"])
    return {**row, "size": size, "elements": sum(counts.values()), "files": len(model.files())}


def section(shape: str, rows: list[dict[str, float]], repeat: int) -> str:
    ran = {m.name for m in MEASUREMENTS if _applies(m, shape)} | {""}
    columns = [c for c in COLUMNS if c.needs in ran]
    runs = f"medians of {repeat} runs" if repeat > 1 else "one run"
    lines = [f"## {shape}: {GENERATOR.SHAPES[shape].what}", "",
             f"{dt.date.today().isoformat()} · {os.cpu_count()} CPUs · {platform.processor() or platform.machine()} · "
             f"Python {platform.python_version()} · {runs} · `python bench/generate.py --shape {shape} "
             "--applications N`", "",
             "| " + " | ".join(c.header for c in columns) + " |", "|" + "|".join(c.align for c in columns) + "|"]
    lines += ["| " + " | ".join(c.cell(row) for c in columns) + " |" for row in rows]
    return "\n".join([*lines, "", NOTES.get(shape, OTHER_NOTE)]) + "\n"


def startup(repeat: int) -> str:
    times = {flag: statistics.median([_run([PYTHON, "-m", "archrepo", flag], ROOT)[0] for _ in range(max(repeat, 5))])
             for flag in ("--version", "--help")}
    return (f"## start-up\n\nCLI start-up: `archrepo --version` {times['--version']:.3f} s, "
            f"`archrepo --help` {times['--help']:.3f} s.\n")


def merge(existing: str, sections: dict[str, str]) -> str:
    """The results file with ``sections`` (by name) replaced or added, the others kept, in the shapes' order."""
    kept: dict[str, str] = {}
    for part in re.split(r"^(?=## )", existing, flags=re.MULTILINE)[1:]:
        kept[part[3:].split(":")[0].split("\n")[0].strip()] = part.rstrip("\n") + "\n"
    kept.update(sections)
    order = [*GENERATOR.SHAPES, "start-up"]
    names = sorted(kept, key=lambda name: order.index(name) if name in order else len(order))
    intro = (f"{TITLE}\n\nGenerated models (bench/generator/) of each shape, measured in fresh processes by "
             "`make bench` (bench/run.py); a run rewrites the sections of the shapes it measured.\n")
    return "\n".join([intro, *(kept[name] for name in names)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default=os.environ.get("BENCH_SHAPES", ",".join(GENERATOR.SHAPES)))
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "1000,10000"))
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", "3")))
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    parser.add_argument("--only", default=os.environ.get("BENCH_ONLY"),
                        help="measurements to run, e.g. floor,check (default: all of " +
                             ",".join(m.name for m in MEASUREMENTS) + "); the others' columns are left out")
    args = parser.parse_args()
    global ONLY
    if args.only:
        ONLY = {name.strip() for name in args.only.split(",") if name.strip()}
        unknown_measurements = ONLY - {m.name for m in MEASUREMENTS}
        if unknown_measurements:
            parser.error(f"unknown measurement {', '.join(sorted(unknown_measurements))}")
    shapes = [s.strip() for s in args.shapes.split(",") if s.strip()]
    unknown = [s for s in shapes if s not in GENERATOR.SHAPES]
    if unknown:
        parser.error(f"unknown shape {', '.join(unknown)}; the shapes are {', '.join(GENERATOR.SHAPES)}")
    sizes = [int(s) for s in args.sizes.split(",")]
    # byte-compiled as an installed package is (this machine may set PYTHONDONTWRITEBYTECODE): no run pays
    # for compiling archrepo's modules
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "archrepo")], check=True)
    sections = {}
    for shape in shapes:
        rows = []
        for size in sizes:
            print(f"measuring {shape}, {size:,} applications …", file=sys.stderr, flush=True)
            rows.append(measure(shape, size, args.repeat))
            print(f"  check / floor {_ratio(rows[-1]):.2f}×{_spread(rows[-1])}", file=sys.stderr, flush=True)
        sections[shape] = section(shape, rows, args.repeat)
        print(sections[shape])
    sections["start-up"] = startup(args.repeat)
    print(sections["start-up"])
    existing = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    args.out.write_text(merge(existing, sections), encoding="utf-8")


if __name__ == "__main__":
    main()
