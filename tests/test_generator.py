"""The benchmark's model generator (bench/generate.py, the package bench/generator/): deterministic, valid, the
right shape, and the violations it planted are exactly what a real `archrepo check` finds (the rules are the
oracle: the generator only records what it planted), for every named shape."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import archrepo
from tests.conftest import bench_generator

GENERATOR = Path(__file__).resolve().parent.parent / "bench" / "generate.py"
APPS = 200
AS_OF = "2026-11-26"
WINDOW = ("2026-01-01", "2027-12-31")  # the planted violations, and only they, hold on any date in between


gen = bench_generator()


def _tree(root: Path) -> dict[str, bytes]:
    """Every file the generator wrote (not the parse cache that loading leaves in ``.archrepo-cache``)."""
    files = (path for path in sorted(root.rglob("*")) if path.is_file())
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in files
            if not path.relative_to(root).parts[0].startswith(".")}


def _planted(root: Path) -> list[dict[str, Any]]:
    return json.loads((root / "expected-violations.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    root = tmp_path_factory.mktemp("clean")
    return root, gen.generate(root, APPS, seed=42, violation_rate=0.0)


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    root = tmp_path_factory.mktemp("broken")
    return root, gen.generate(root, APPS, seed=42, violation_rate=0.1)


def test_same_arguments_give_byte_identical_trees(clean: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    root, counts = clean
    again = gen.generate(tmp_path / "again", APPS, seed=42, violation_rate=0.0)
    assert again == counts
    first, second = _tree(root), _tree(tmp_path / "again")
    assert list(first) == list(second)
    assert [name for name in first if first[name] != second[name]] == []


@pytest.mark.parametrize("shape", ["small-files", "large-files", "deep-orgs", "violations", "issue-16"])
def test_every_shape_is_deterministic(shape: str, tmp_path: Path) -> None:
    gen.generate_shape(tmp_path / "one", shape, 100, seed=3)
    gen.generate_shape(tmp_path / "two", shape, 100, seed=3)
    assert _tree(tmp_path / "one") == _tree(tmp_path / "two")


def test_another_seed_gives_another_model(clean: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    gen.generate(tmp_path / "other", APPS, seed=7, violation_rate=0.0)
    assert _tree(clean[0]) != _tree(tmp_path / "other")


def test_output_loads_and_has_the_expected_shape(clean: tuple[Path, dict[str, int]]) -> None:
    root, counts = clean
    model = archrepo.load(root / "archrepo.yaml").model  # raises ModelError on any schema or reference error
    assert model.counts() == counts
    assert counts["Application"] == APPS
    assert 4.5 * APPS <= counts["Integration"] <= 5.5 * APPS
    assert 1.4 * APPS <= counts["DataObject"] <= 1.6 * APPS
    assert counts["Process"] == APPS // 20
    assert 55 <= counts["Capability"] <= 65
    assert counts["Organisation"] >= 40
    apps = model.of_kind("Application")
    roles = Counter(role for app in apps for role in app.data.get("roles") or ())
    assert roles["core-system"] == 5  # one EPJ per trust, at least five trusts
    assert roles["integration-platform"] >= 10
    assert roles["national-component"] == 20
    statuses = Counter(app.data["lifecycle"]["status"] for app in apps)
    assert set(statuses) == {"active", "planned", "phase-out", "retired"}
    assert statuses["active"] > 0.75 * APPS
    external = {org.id for org in model.of_kind("Organisation") if org.data.get("external")}
    assert sum(1 for app in apps if app.data.get("owner") in external) >= APPS // 50
    standards = {integration.data["standard"] for integration in model.of_kind("Integration")}
    assert {"HL7v2", "FHIR-R4", "KITH-XML", "DICOM", "REST", "SOAP"} <= standards
    steps = [len(p.data["steps"]) for p in model.of_kind("Process")]
    assert min(steps) >= 4 and max(steps) <= 7
    top = {path.relative_to(root / "models").parts[0] for path in (root / "models").rglob("*.yaml")}
    assert {"organisations", "applications", "integrations", "data", "processes", "technology"} <= top


def test_lookups_are_initiated_by_their_target(clean: tuple[Path, dict[str, int]]) -> None:
    """A share of the synchronous integrations are lookups (the target calls), among them systems of the
    trusts looking up national registers; platforms have legs of their own (an end, no ``via``), and no
    integration is routed through one of its own ends."""
    model = archrepo.load(clean[0] / "archrepo.yaml").model
    integrations = [i.data for i in model.of_kind("Integration")]
    sync = [i for i in integrations if i.get("mode") == "sync"]
    lookups = [i for i in sync if i.get("initiator") == "target"]
    assert 0.1 * len(sync) <= len(lookups) <= 0.9 * len(sync)
    national = {a.id for a in model.of_kind("Application") if "national-component" in (a.data.get("roles") or ())}
    assert any(i["source"] in national and i["target"] not in national for i in lookups)
    assert any(i.get("initiator") == "source" for i in integrations)  # written out now and then, as people do
    platforms = {a.id for a in model.of_kind("Application") if "integration-platform" in (a.data.get("roles") or ())}
    assert any(i["source"] in platforms and "via" not in i for i in integrations)
    assert [i["id"] for i in integrations if i.get("via") in (i["source"], i["target"])] == []


def test_technology_layer(clean: tuple[Path, dict[str, int]]) -> None:
    model = archrepo.load(clean[0] / "archrepo.yaml").model
    technologies = {t.id: t.data for t in model.of_kind("Technology")}
    assert {"database", "operating-system", "runtime", "platform", "middleware"} <= {
        t["type"] for t in technologies.values()}

    def depth(tech_id: str) -> int:
        return 1 + max((depth(base) for base in technologies[tech_id].get("runs_on") or ()), default=0)

    assert max(depth(t) for t in technologies) >= 3  # e.g. middleware on a runtime on an OS on the private cloud
    assert any(t.get("ring") == "hold" and t.get("ring_since") for t in technologies.values())
    apps = [a.data for a in model.of_kind("Application")]
    assert sum(1 for a in apps if a.get("technologies")) >= 0.5 * APPS
    # in the clean model, out-of-support products sit only under applications on their way out
    legacy = {t for t, data in technologies.items() if str(data.get("end_of_support") or data.get("end_of_life")
                                                           or "9999") < WINDOW[0]}
    users = {a["lifecycle"]["status"] for a in apps for t in a.get("technologies") or () if t in legacy}
    assert users == {"phase-out"}


def test_clean_model_plants_nothing(clean: tuple[Path, dict[str, int]]) -> None:
    root, _ = clean
    assert _planted(root) == []
    assert (root / "archrepo.yaml").read_text(encoding="utf-8").startswith(gen.HEADER)


def test_violations_are_recorded_and_spread_over_the_rules(broken: tuple[Path, dict[str, int]]) -> None:
    root, counts = broken
    archrepo.load(root / "archrepo.yaml")  # still a valid model: the violations are rule violations only
    planted = _planted(root)
    keys = [(v["rule"], v.get("element") or v["elements"][0]) for v in planted]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    by_rule = Counter(v["rule"] for v in planted)
    assert set(by_rule) == {rule for rules in gen.RULES_BY_KIND.values() for rule in rules}
    assert 0.07 * sum(counts.values()) <= len(planted) <= 0.13 * sum(counts.values())
    assert {v.get("severity") for v in planted if v["rule"] == "TEC001"} == {"warning", "error"}
    assert all(len(v["elements"]) == 2 for v in planted if v["rule"] == "INT003")


def test_refuses_to_overwrite_a_repository_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "archrepo.yaml").write_text("models: [models]\n", encoding="utf-8")
    with pytest.raises(FileExistsError):
        gen.generate(tmp_path, APPS, violation_rate=0.0)


def test_yaml_quoting_reads_back_as_the_same_string() -> None:
    import yaml

    for text in ["NO", "yes", "Off", "null", "12", "2026-01-01", "a: b", "x #y", "- item", "[a]", '"q"', "Bærum",
                 "DIPS Arena", "back\\slash", "trailing ", "«Motta» til «Sende»", "*star", "&amp", ".NET 10", "19c"]:
        assert yaml.safe_load(f"key: {gen.q(text)}\n") == {"key": text}, text


def _check(root: Path, cli: Callable[[list[str], Path], Any], as_of: str) -> list[dict[str, Any]]:
    result = cli(["check", "--format", "json", "--as-of", as_of, "--fail-on", "never"], root)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["errors"] == []
    return report["violations"]


def _compare(root: Path, violations: list[dict[str, Any]]) -> None:
    """Every planted violation is found, and nothing else. A planted cycle lists its integrations (the rule names
    one and relates the others); a planted severity must be the one reported."""
    planted = _planted(root)
    several = {p["rule"] for p in planted if "elements" in p}
    graded = {p["rule"] for p in planted if "severity" in p}
    expected = sorted({(p["rule"], tuple(sorted(p.get("elements") or [p["element"]])), p.get("severity"))
                       for p in planted})
    found = sorted({(v["rule"], tuple(sorted([v["element"], *v["related"]])) if v["rule"] in several
                     else (v["element"],), v["severity"] if v["rule"] in graded else None) for v in violations})
    missing, extra = sorted(set(expected) - set(found)), sorted(set(found) - set(expected))
    assert (missing, extra) == ([], []), f"planted but not found: {missing[:5]}; found but not planted: {extra[:5]}"


@pytest.mark.parametrize(("fixture", "as_of"), [("clean", AS_OF), ("clean", WINDOW[0]), ("clean", WINDOW[1]),
                                                ("broken", AS_OF), ("broken", WINDOW[0]), ("broken", WINDOW[1])])
def test_check_finds_exactly_the_planted_violations(fixture: str, as_of: str, request: pytest.FixtureRequest,
                                                    cli: Callable[[list[str], Path], Any]) -> None:
    """The standard rules, run by `archrepo check` on any date of the window, report exactly what was planted."""
    root, _ = request.getfixturevalue(fixture)
    _compare(root, _check(root, cli, as_of))


SHAPE_SIZES = {"small-files": 110, "large-files": 150, "deep-orgs": 150, "violations": 150, "issue-16": 150}


@pytest.mark.parametrize("shape", sorted(SHAPE_SIZES))
def test_each_shape_is_what_it_says_and_exact(shape: str, tmp_path: Path,
                                              cli: Callable[[list[str], Path], Any]) -> None:
    root = tmp_path / shape
    counts = gen.generate_shape(root, shape, SHAPE_SIZES[shape], seed=5)
    files = sorted((root / "models").rglob("*.yaml"))
    documents = [path.read_text(encoding="utf-8").count("\nkind: ") + 1 for path in files]
    elements = sum(counts.values())
    assert sum(documents) == elements
    model = archrepo.load(root / "archrepo.yaml").model
    if shape == "small-files":
        assert set(documents) == {1}
        assert all(path.stem == yaml_id(path) for path in files[:50])
    elif shape == "large-files":
        assert len(files) <= 8 and max(documents) >= 0.5 * counts["Integration"]
    elif shape == "deep-orgs":
        parents = {o.id: o.data.get("parent") for o in model.of_kind("Organisation")}

        def levels(org: str | None) -> int:
            return 0 if org is None else 1 + levels(parents[org])

        owners = [a.data["owner"] for a in model.of_kind("Application") if a.data.get("owner")]
        assert max(levels(owner) for owner in owners) >= 10  # region, trust, 8 levels of departments
    elif shape == "violations":
        assert len(_planted(root)) >= 0.25 * elements
    elif shape == "issue-16":
        assert 3.2 * counts["Application"] <= counts["Integration"] <= 3.6 * counts["Application"]
        assert 70 <= elements / len(files) <= 100
    _compare(root, _check(root, cli, AS_OF))


def yaml_id(path: Path) -> str:
    return next(line[4:] for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("id: "))


def test_no_directory_holds_more_than_files_per_dir(tmp_path: Path) -> None:
    gen.generate(tmp_path, 150, violation_rate=0.0, files_per_dir=10, docs_per_file=5)
    directories = [tmp_path / "models", *(p for p in (tmp_path / "models").rglob("*") if p.is_dir())]
    assert max(len(list(d.iterdir())) for d in directories) <= 10
    assert any(p.name.startswith("part-") for p in directories)


def test_command_line(tmp_path: Path) -> None:
    """The script runs on its own; a shape's settings can be overridden; bad options are a message and exit 2."""
    run = [sys.executable, str(GENERATOR)]
    ok = subprocess.run([*run, "--applications", "100", "--out", str(tmp_path / "m"), "--shape", "small-files",
                         "--docs-per-file", "3", "--violations", "0"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "0 expected violations" in ok.stderr
    config = (tmp_path / "m" / "archrepo.yaml").read_text(encoding="utf-8")
    assert config.startswith(f"{gen.HEADER} --applications 100 --seed 42 --violations 0.0 --docs-per-file 3\n")
    usage = subprocess.run([*run, "--help"], capture_output=True, text=True)
    assert usage.returncode == 0 and all(shape in usage.stdout for shape in gen.SHAPES), usage.stderr
    bad = subprocess.run([*run, "--applications", "50", "--out", str(tmp_path / "n")], capture_output=True, text=True)
    assert bad.returncode == 2 and "--applications must be at least 100" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_benchmark_harness_writes_a_section_per_shape_and_keeps_the_others(tmp_path: Path) -> None:
    """bench/run.py on one small shape: its section (with check/floor) replaces nothing but its own."""
    results = tmp_path / "results.md"
    results.write_text("# archrepo benchmark\n\nold intro\n\n## bench: the benchmark model\n\nkept table\n\n"
                       "## issue-16: old\n\nold figures\n\n## start-up\n\nold start-up\n", encoding="utf-8")
    run = subprocess.run([sys.executable, str(GENERATOR.parent / "run.py"), "--shapes", "issue-16", "--sizes", "100",
                          "--repeat", "1", "--out", str(results)], capture_output=True, text=True,
                         env={**os.environ, "BENCH_MODELS": str(tmp_path / "models")})
    assert run.returncode == 0, run.stderr
    text = results.read_text(encoding="utf-8")
    assert "## bench: the benchmark model\n\nkept table\n" in text
    assert "old figures" not in text and "old start-up" not in text
    assert text.index("## bench") < text.index("## issue-16") < text.index("## start-up")
    table = [line for line in text[text.index("## issue-16"):].splitlines() if line.startswith("| 100 |")]
    assert len(table) == 1 and re.search(r"\*\*\d+\.\d\d×\*\*", table[0])  # check / floor
    assert "check / floor" in run.stderr
