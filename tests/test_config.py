"""archrepo.yaml: discovery by walking up, defaults, validation with located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from archrepo.config import DEFAULT_APPROVED_STANDARDS, find_config, load_config
from archrepo.errors import ConfigError


def test_found_by_walking_up(tmp_path: Path) -> None:
    (tmp_path / "models" / "deep" / "er").mkdir(parents=True)
    (tmp_path / "archrepo.yaml").write_text("models: [models]\n")
    assert find_config(tmp_path / "models" / "deep" / "er") == tmp_path / "archrepo.yaml"
    config = load_config(cwd=tmp_path / "models" / "deep")
    assert config.root == tmp_path.resolve()
    assert config.models == ("models",)


def test_contract_example_is_read(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "archrepo.yaml").write_text(
        "models: [models]\nprinciples: [principles]\nrules: [rules]\nwaivers: waivers.yaml\n"
        "baseline: .archrepo-baseline.json\napproved_standards: [HL7v2, FHIR-R4]\npython_rules: []\n"
        "rules_config:\n  AR005: {severity: info}\n  QA001: {enabled: false}\n")
    config = load_config(cwd=tmp_path)
    assert config.waivers == "waivers.yaml"
    assert config.baseline == ".archrepo-baseline.json"
    assert config.approved_standards == ("HL7v2", "FHIR-R4")
    assert config.rules_config["AR005"].severity == "info"
    assert config.rules_config["QA001"].enabled is False
    assert config.rules_config["AR005"].enabled is True


def test_defaults(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "archrepo.yaml").write_text("")
    config = load_config(cwd=tmp_path)
    assert config.models == ("models",)
    assert config.approved_standards == DEFAULT_APPROVED_STANDARDS
    assert config.waivers is None


def test_explicit_path_overrides_discovery(tmp_path: Path) -> None:
    other = tmp_path / "other"
    (other / "src").mkdir(parents=True)
    (other / "custom.yaml").write_text("models: [src]\n")
    config = load_config(other / "custom.yaml", cwd=tmp_path)
    assert config.root == other.resolve()
    assert config.models == ("src",)


def test_no_config_and_no_models_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(cwd=tmp_path)
    assert "archrepo init" in (raised.value.hint or "")


def test_no_config_but_models_directory_uses_defaults(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    assert load_config(cwd=tmp_path).root == tmp_path.resolve()


@pytest.mark.parametrize(("text", "line", "words"), [
    ("models: [models]\nmodles: [x]\n", 2, "unknown field 'modles'"),
    ("models: models\n", 1, "'models' must be a list"),
    ("models: [models]\nrules_config:\n  AR001: {severity: loud}\n", 3, "invalid value 'loud'"),
    ("models: [models]\nrules_config:\n  AR001: {enable: false}\n", 3, "unknown field 'rules_config.AR001.enable'"),
    ("- models\n", 1, "must be a mapping"),
    ("models: [nowhere]\n", 1, "does not exist"),
    ("models: [models]\nbase_iri: not an iri\n", 2, "base_iri"),
])
def test_invalid_config_is_located(tmp_path: Path, text: str, line: int, words: str) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "archrepo.yaml").write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_config(cwd=tmp_path)
    rendered = raised.value.format()
    assert f"archrepo.yaml:{line}:" in rendered, rendered
    assert words in rendered, rendered
