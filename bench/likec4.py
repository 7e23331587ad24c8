"""The side-by-side with LikeC4 (issue #11): the same generated model of 1,000 applications, converted to
LikeC4's DSL, built into LikeC4's static site (a landscape and 20 neighbourhood views) and validated, next to
`archrepo check` and `archrepo docs` (a page and a diagram for every element, and the explorer).

    python bench/likec4.py [--applications 1000] [--out bench/likec4-results.md]

LikeC4 comes from npm (``likec4@VERSION``, the newest release that runs on Node 20), installed into a temporary
folder for the run and removed after it: never committed, never installed globally. Every command runs in a
fresh process; wall time and the peak resident set of its largest process are recorded (LikeC4's CLI and the
processes it waits for; archrepo and its diagram workers).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run as harness  # noqa: E402  (bench/run.py: the same generated model, made once)

LIKEC4 = "likec4@1.46.0"
NEIGHBOURHOODS = 20
AS_OF = harness.AS_OF


def _name(element_id: str) -> str:
    """A LikeC4 identifier for an archrepo id (ids are [a-z0-9-]; LikeC4 names start with a letter)."""
    return "e_" + re.sub(r"[^A-Za-z0-9_]", "_", element_id)


def _title(text: object) -> str:
    return "'" + re.sub(r"\s+", " ", str(text)).replace("\\", "\\\\").replace("'", "\\'") + "'"


def convert(root: Path) -> tuple[str, int]:
    """The model as LikeC4 DSL: organisations nested by parent, applications in their owner, one relationship per
    integration (source → target, labelled with the standard), the landscape and the neighbourhood views of the
    applications with the most integrations. Returns the text and the number of relationships."""
    sys.path.insert(0, str(harness.ROOT))
    import archrepo

    model = archrepo.load(root / "archrepo.yaml").model
    children: dict[str | None, list] = {}
    for element in [*model.of_kind("Organisation"), *model.of_kind("Application")]:
        parent = element.get("parent") if element.kind == "Organisation" else element.get("owner")
        children.setdefault(parent if parent in model else None, []).append(element)
    paths: dict[str, str] = {}
    lines = ["specification {", "  element organisation", "  element application", "}", "", "model {"]

    def emit(element, prefix: str, depth: int) -> None:
        paths[element.id] = f"{prefix}{_name(element.id)}"
        kind = "organisation" if element.kind == "Organisation" else "application"
        inside = children.get(element.id, [])
        lines.append(f"{'  ' * depth}{_name(element.id)} = {kind} {_title(element.name)}" + (" {" if inside else ""))
        for child in inside:
            emit(child, paths[element.id] + ".", depth + 1)
        if inside:
            lines.append(f"{'  ' * depth}}}")

    for top in children.get(None, []):
        emit(top, "", 1)
    degree: Counter[str] = Counter()
    relationships = 0
    for integration in model.of_kind("Integration"):
        source, target = integration.get("source"), integration.get("target")
        if source == target:
            continue
        lines.append(f"  {paths[source]} -> {paths[target]} {_title(integration.get('standard'))}")
        degree.update((source, target))
        relationships += 1
    lines += ["}", "", "views {", "  view index {", "    title 'Landscape'", "    include *", "  }"]
    for number, (application, _) in enumerate(degree.most_common(NEIGHBOURHOODS), start=1):
        lines += [f"  view neighbourhood{number} of {paths[application]} {{", "    include *", "  }"]
    lines.append("}")
    return "\n".join(lines) + "\n", relationships


def _measure(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of the largest process among the command and those it waited for."""
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    output = process.stdout.read().decode("utf-8", "replace") if process.stdout else ""
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise RuntimeError(f"{' '.join(args)} failed:\n{output[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024


def likec4(dsl: str, work: Path) -> dict[str, float]:
    """Install LikeC4 into ``work`` (not timed), then time `likec4 validate` and `likec4 build`."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "package.json").write_text('{"name": "archrepo-likec4-bench", "private": true}\n', encoding="utf-8")
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", LIKEC4], cwd=work, check=True)
    (work / "model.c4").write_text(dsl, encoding="utf-8")
    cli = str(work / "node_modules" / ".bin" / "likec4")
    validate, validate_mb = _measure([cli, "validate", str(work)], work)
    build, build_mb = _measure([cli, "build", "-o", str(work / "dist"), str(work)], work)
    views = len(list((work / "dist").rglob("*.html"))) if (work / "dist").exists() else 0
    return {"validate": validate, "validate_mb": validate_mb, "build": build, "build_mb": build_mb,
            "files": sum(1 for p in (work / "dist").rglob("*") if p.is_file()) if views else 0}


def archrepo_runs(root: Path, work: Path) -> dict[str, float]:
    shutil.rmtree(root / ".archrepo-cache", ignore_errors=True)
    check, check_mb = _measure([harness.PYTHON, "-m", "archrepo", "check", "--as-of", AS_OF, "--format", "json",
                                "--output", os.devnull], root)
    shutil.rmtree(root / ".archrepo-cache", ignore_errors=True)
    docs, docs_mb = _measure([harness.PYTHON, "-m", "archrepo", "docs", "--as-of", AS_OF, "--out",
                              str(work / "site")], root)
    pages = sum(1 for _ in (work / "site").rglob("*.html"))
    shutil.rmtree(root / ".archrepo-cache", ignore_errors=True)
    return {"check": check, "check_mb": check_mb, "docs": docs, "docs_mb": docs_mb, "pages": pages}


def report(size: int, relationships: int, ours: dict[str, float], theirs: dict[str, float]) -> str:
    load = os.getloadavg()[0]
    return "\n".join([
        "# archrepo and LikeC4 on the same model", "",
        f"{dt.date.today().isoformat()} · {os.cpu_count()} CPUs · {platform.processor() or platform.machine()} · "
        f"load average {load:.1f} · `python bench/likec4.py --applications {size}` · {LIKEC4} on Node "
        f"{subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()}", "",
        f"The benchmark model of {size:,} applications (bench/generator/, shape `bench`), converted to LikeC4's DSL: "
        f"organisations nested by parent, applications in their owner, {relationships:,} relationships (one per "
        f"integration), the landscape view and {NEIGHBOURHOODS} neighbourhood views (`include *` of the "
        "applications with the most integrations). archrepo draws a diagram on every element page "
        f"({ours['pages']:,} pages) and writes the explorer.", "",
        "| tool | command | what it makes | s | peak MB |", "|---|---|---|---:|---:|",
        f"| LikeC4 | `likec4 validate` | checks the model | {theirs['validate']:.1f} | {theirs['validate_mb']:.0f} |",
        f"| LikeC4 | `likec4 build` | static site: landscape + {NEIGHBOURHOODS} views ({theirs['files']:,} files) | "
        f"{theirs['build']:.1f} | {theirs['build_mb']:.0f} |",
        f"| archrepo | `archrepo check` | schema, references and 20 architecture rules | {ours['check']:.1f} | "
        f"{ours['check_mb']:.0f} |",
        f"| archrepo | `archrepo docs` | {ours['pages']:,} pages with a diagram each, search, explorer | "
        f"{ours['docs']:.1f} | {ours['docs_mb']:.0f} |", "",
        "Both from nothing (archrepo's cache removed before each command). Peak memory is that of the largest "
        "process (Node for LikeC4; archrepo's main process, its diagram workers are smaller).", ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=HERE / "likec4-results.md")
    options = parser.parse_args()
    root, _ = harness.ensure_model("bench", options.applications)
    dsl, relationships = convert(root)
    with tempfile.TemporaryDirectory(prefix="archrepo-likec4-") as folder:
        work = Path(folder)
        theirs = likec4(dsl, work / "likec4")
        ours = archrepo_runs(root, work)
    text = report(options.applications, relationships, ours, theirs)
    print(text)
    options.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
