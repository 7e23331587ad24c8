"""The benchmark's model generator (bench/generate.py): deterministic, valid, the right shape, clean at rate 0."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import archrepo

GENERATOR = Path(__file__).resolve().parent.parent / "bench" / "generate.py"
APPS = 200


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def _tree(root: Path) -> dict[str, bytes]:
    """Every file the generator wrote (not the parse cache that loading leaves in ``.archrepo-cache``)."""
    files = (path for path in sorted(root.rglob("*")) if path.is_file())
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in files
            if not path.relative_to(root).parts[0].startswith(".")}


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
    assert {"organisations", "applications", "integrations", "data", "processes"} <= top


def test_clean_model_expects_no_violations(clean: tuple[Path, dict[str, int]]) -> None:
    root, _ = clean
    assert json.loads((root / "expected-violations.json").read_text(encoding="utf-8")) == []
    assert (root / "archrepo.yaml").read_text(encoding="utf-8").startswith(gen.HEADER)


def test_violations_are_recorded_and_spread_over_the_rules(broken: tuple[Path, dict[str, int]]) -> None:
    root, counts = broken
    archrepo.load(root / "archrepo.yaml")  # still a valid model: the violations are rule violations only
    expected = json.loads((root / "expected-violations.json").read_text(encoding="utf-8"))
    assert expected == sorted(expected, key=lambda v: (v["rule"], v["element"]))
    assert len({(v["rule"], v["element"]) for v in expected}) == len(expected)
    by_rule = Counter(v["rule"] for v in expected)
    assert set(by_rule) == {rule for rules in gen.RULES_BY_KIND.values() for rule in rules}
    assert 0.07 * sum(counts.values()) <= len(expected) <= 0.13 * sum(counts.values())


def test_refuses_to_overwrite_a_repository_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "archrepo.yaml").write_text("models: [models]\n", encoding="utf-8")
    with pytest.raises(FileExistsError):
        gen.generate(tmp_path, APPS, violation_rate=0.0)


def test_yaml_quoting_reads_back_as_the_same_string() -> None:
    import yaml

    for text in ["NO", "yes", "Off", "null", "12", "2026-01-01", "a: b", "x #y", "- item", "[a]", '"q"', "Bærum",
                 "DIPS Arena", "back\\slash", "trailing ", "«Motta» til «Sende»", "*star", "&amp"]:
        assert yaml.safe_load(f"key: {gen.q(text)}\n") == {"key": text}, text


@pytest.mark.parametrize("fixture", ["clean", "broken"])
def test_rule_engine_finds_exactly_the_expected_violations(fixture: str, request: pytest.FixtureRequest,
                                                           cli: Callable[[list[str], Path], Any]) -> None:
    """The standard rules, run by `archrepo check`, report exactly what the generator put in."""
    root, _ = request.getfixturevalue(fixture)
    if not (root / "rules").is_dir():
        pytest.skip("the package ships no standard rules to copy")
    result = cli(["check", "--format", "json", "--as-of", "2026-11-26", "--fail-on", "never"], root)
    if result.exit_code == 2 and "No such command" in result.stderr:
        pytest.skip("archrepo check is not there yet")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["errors"] == []
    found = sorted({(v["rule"], v["element"]) for v in report["violations"]})
    recorded = json.loads((root / "expected-violations.json").read_text(encoding="utf-8"))
    expected = [(v["rule"], v["element"]) for v in recorded]
    assert found == expected
