"""`python bench/generate.py --applications N --out DIR [--shape NAME] [options]`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from .build import write_repository
from .shapes import SHAPES

DESCRIPTION = "Write a synthetic architecture repository (a regional health landscape) for the archrepo benchmark."


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--applications", type=int, required=True, help="number of applications (>= 100)")
    parser.add_argument("--out", type=Path, required=True, help="directory of the repository to write")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--shape", choices=sorted(SHAPES), default="bench",
                        help="a named shape; the options below override its settings: "
                        + "; ".join(f"{s.name}: {s.what}" for s in SHAPES.values()).replace("%", "%%"))
    parser.add_argument("--violations", type=float, dest="violation_rate",
                        help="share of elements that break one rule each (0 for a clean model)")
    parser.add_argument("--files-per-dir", type=int, help="most entries in one directory")
    parser.add_argument("--docs-per-file", type=int, help="YAML documents per file (1: one element per file)")
    parser.add_argument("--layout", choices=("tree", "kind"), help="folders per trust and area, or per kind")
    parser.add_argument("--org-depth", type=int, help="levels of departments under a hospital trust")
    parser.add_argument("--integrations-per-app", type=float, help="integrations per application")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    options = SHAPES[args.shape].options(args.applications, args.seed)
    overrides = {name: getattr(args, name) for name in ("violation_rate", "files_per_dir", "docs_per_file", "layout",
                                                         "org_depth", "integrations_per_app")}
    options = replace(options, **{k: v for k, v in overrides.items() if v is not None})
    start = time.perf_counter()
    try:
        counts = write_repository(args.out, options)
    except (ValueError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - start
    expected = json.loads((args.out / "expected-violations.json").read_text(encoding="utf-8"))
    files = sum(1 for _ in (args.out / "models").rglob("*.yaml"))
    print("  ".join(f"{kind} {count}" for kind, count in counts.items()), file=sys.stderr)
    print(f"{sum(counts.values())} elements in {files} files, {len(expected)} expected violations, "
          f"{elapsed:.1f} s -> {args.out}", file=sys.stderr)
    return 0
