"""One measured run in a fresh process (the harness, bench/run.py, starts it): prints JSON with seconds per
stage and peak memory. ``floor`` parses the model files with PyYAML's C loader and nothing else; ``stages``
runs archrepo's pipeline stage by stage, as `archrepo check` does."""

from __future__ import annotations

import datetime as dt
import gc
import json
import resource
import sys
import time
from pathlib import Path

AS_OF = dt.date(2026, 11, 26)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def floor(root: Path) -> dict[str, float]:
    import yaml

    start = time.perf_counter()
    files = sorted(p for p in (root / "models").rglob("*") if p.suffix in (".yaml", ".yml"))
    for path in files:
        for _ in yaml.load_all(path.read_bytes(), Loader=yaml.CSafeLoader):
            pass
    return {"floor": time.perf_counter() - start, "files": len(files), "peak_mb": _peak_mb()}


def stages(root: Path) -> dict[str, float]:
    from archrepo.api import Repository
    from archrepo.config import load_config
    from archrepo.errors import DiagnosticSink
    from archrepo.model.loader import FileResult, _check_document, discover_files, validate_model
    from archrepo.model.yamlsource import decode_source, parse_documents
    from archrepo.report import ReportOptions, render
    from archrepo.rules.check import CheckResult
    from archrepo.rules.definitions import load_principles, load_rules
    from archrepo.rules.engine import run_rules

    times: dict[str, float] = {}
    start = time.perf_counter()
    config = load_config(root / "archrepo.yaml")
    parsed = []
    for path, relative in discover_files(config):
        sink = DiagnosticSink()
        text = decode_source(path.read_bytes(), relative, sink)
        parsed.append((relative, parse_documents(text or "", relative, sink), sink))
    times["load"] = time.perf_counter() - start

    start = time.perf_counter()
    files = []
    for relative, documents, sink in parsed:
        result = FileResult(relative)
        for document in documents:
            kind, valid = _check_document(document, relative, sink)
            if kind is not None:
                result.documents.append((kind, document, valid))
        result.diagnostics = sink.items
        files.append(result)
    model, diagnostics = validate_model(config, files)
    assert model is not None, diagnostics[:5]
    times["validate"] = time.perf_counter() - start

    start = time.perf_counter()
    repository = Repository(config, model)
    repository.rdf  # noqa: B018 - built on first use
    repository.dependencies  # noqa: B018
    times["graph"] = time.perf_counter() - start

    start = time.perf_counter()
    principles = load_principles(config)
    rules = load_rules(config, principles)
    violations, failures = run_rules(repository, rules, AS_OF)
    assert not failures, failures
    times["rules"] = time.perf_counter() - start

    start = time.perf_counter()
    result = CheckResult(AS_OF, len(model), rules, principles, violations, failures)
    render("json", result, ReportOptions())
    render("sarif", result, ReportOptions())
    times["report"] = time.perf_counter() - start
    times["violations"] = len(violations)
    times["elements"] = len(model)
    times["triples"] = len(repository.rdf)
    times["peak_mb"] = _peak_mb()
    return times


def rules_one_by_one(root: Path) -> dict[str, float]:
    """Seconds per rule (for finding the slow one)."""
    import archrepo
    from archrepo.rules.definitions import load_principles, load_rules
    from archrepo.rules.engine import run_rules

    repository = archrepo.load(root / "archrepo.yaml")
    repository.rdf  # noqa: B018
    repository.dependencies  # noqa: B018
    config = repository.config
    out = {}
    for rule in load_rules(config, load_principles(config)):
        start = time.perf_counter()
        run_rules(repository, [rule], AS_OF)
        out[rule.id] = time.perf_counter() - start
    return out


if __name__ == "__main__":
    gc.collect()
    what, root = sys.argv[1], Path(sys.argv[2])
    print(json.dumps({"floor": floor, "stages": stages, "rules": rules_one_by_one}[what](root)))
