"""Every kind of defect a person can write gives exit 2, the right file and line, a clear message, no traceback.

Cases are data: a base model that is valid, one or more files that break it, and the diagnostics expected
(file, line, words the message must contain). Both the in-process runner and a real subprocess are used.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import Result, run_cli, run_process, write_repo

BASE = {
    "models/base.yaml": """
        kind: Organisation
        id: sykehuspartner
        name: Sykehuspartner HF
        type: it-provider
        ---
        kind: Application
        id: dips-arena
        name: DIPS Arena
        owner: sykehuspartner
        lifecycle: {status: active, since: 2016-03-01}
        ---
        kind: DataObject
        id: epikrise
        name: Epikrise
        classification: sensitive
        master: dips-arena
        ---
        kind: Capability
        id: pasientjournal
        name: Pasientjournal
        """,
}


@dataclass
class Case:
    name: str
    files: dict[str, str | bytes]
    expect: list[tuple[str, int, str]]  # file, line, words in the message
    config: str = "models: [models]\n"
    hint: list[str] = field(default_factory=list)  # words expected somewhere in the output (hints)


APP = "kind: Application\nid: {id}\nname: X\nowner: sykehuspartner\nlifecycle: {{status: active}}\n"

CASES = [
    Case("unparsable-yaml", {"models/bad.yaml": 'kind: Organisation\nid: a\nname: "unterminated\n'},
         [("models/bad.yaml", 4, "YAML syntax error")]),
    Case("bad-indentation", {"models/bad.yaml": "kind: Organisation\nid: a\n  name: A\n"},
         [("models/bad.yaml", 3, "YAML syntax error")]),
    Case("tab-indent", {"models/tab.yaml": "kind: Organisation\nid: a\n\tname: A\n"},
         [("models/tab.yaml", 3, "tab")], hint=["spaces"]),
    Case("duplicate-key", {"models/dup.yaml": "kind: Organisation\nid: a\nname: A\nname: B\n"},
         [("models/dup.yaml", 4, "duplicate key 'name'")], hint=["line 3"]),
    Case("duplicate-id", {"models/dup.yaml": "kind: Organisation\nid: sykehuspartner\nname: Again\n"},
         [("models/dup.yaml", 2, "duplicate id 'sykehuspartner'")], hint=["models/base.yaml:1"]),
    Case("unknown-kind", {"models/k.yaml": "kind: Applicaton\nid: a\nname: A\n"},
         [("models/k.yaml", 1, "unknown kind 'Applicaton'")], hint=["Application"]),
    Case("unknown-field", {"models/f.yaml": APP.format(id="a") + "ownr: sykehuspartner\n"},
         [("models/f.yaml", 6, "unknown field 'ownr'")], hint=["did you mean 'owner'"]),
    Case("unknown-nested-field", {"models/f.yaml": APP.format(id="a").replace("{status: active}",
                                                                              "{status: active, retired: 2020-01-01}")},
         [("models/f.yaml", 5, "unknown field 'lifecycle.retired'")], hint=["retire"]),
    Case("wrong-type", {"models/t.yaml": "kind: Organisation\nid: a\nname: [A, B]\n"},
         [("models/t.yaml", 3, "'name' must be a string")]),
    Case("yaml-boolean-as-string", {"models/t.yaml": "kind: Organisation\nid: a\nname: yes\n"},
         [("models/t.yaml", 3, "'name' must be a string, not a boolean")], hint=["quote"]),
    Case("bad-enum", {"models/e.yaml": APP.format(id="a").replace("status: active", "status: actve")},
         [("models/e.yaml", 5, "'lifecycle.status' has an invalid value 'actve'")], hint=["active"]),
    Case("bad-date", {"models/d.yaml": APP.format(id="a").replace("{status: active}",
                                                                  "{status: active, since: 2026-02-30}")},
         [("models/d.yaml", 5, "not a valid date: '2026-02-30'")], hint=["YYYY-MM-DD"]),
    Case("date-wrong-shape", {"models/d.yaml": APP.format(id="a").replace("{status: active}",
                                                                         "{status: active, since: 1.3.2020}")},
         [("models/d.yaml", 5, "not a valid date")]),
    Case("dangling-reference", {"models/r.yaml": APP.format(id="a").replace("owner: sykehuspartner",
                                                                           "owner: sykehuspartnr")},
         [("models/r.yaml", 4, "refers to 'sykehuspartnr', which does not exist")],
         hint=["did you mean 'sykehuspartner'"]),
    Case("reference-wrong-kind", {"models/r.yaml": "kind: DataObject\nid: lab\nname: Lab\nclassification: open\n"
                                                   "master: sykehuspartner\n"},
         [("models/r.yaml", 5, "which is an Organisation, not an Application")]),
    Case("dangling-list-reference", {"models/r.yaml": APP.format(id="a") + "capabilities:\n  - pasientjournal\n"
                                                      "  - pasientjornal\n"},
         [("models/r.yaml", 8, "'capabilities[1]' refers to 'pasientjornal'")]),
    Case("binary-file", {"models/blob.yaml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
         [("models/blob.yaml", 1, "binary file")]),
    Case("non-utf8", {"models/latin1.yaml": "kind: Organisation\nid: a\nname: Sørlandet\n".encode("latin-1")},
         [("models/latin1.yaml", 3, "not valid UTF-8")], hint=["UTF-8"]),
    Case("alias-bomb", {"models/bomb.yaml": "kind: Organisation\nid: a\nname: A\ndescription: &a [lol, lol, lol]\n"
                        + "".join(f"p{i}: &a{i} [" + ",".join([f"*a{i - 1}" if i > 1 else "*a"] * 9) + "]\n"
                                  for i in range(1, 10))},
         [("models/bomb.yaml", 4, "anchor")], hint=["in full"]),
    Case("alias-only", {"models/alias.yaml": "kind: Organisation\nid: a\nname: A\n---\nkind: Organisation\nid: b\n"
                        "name: B\nparent: *x\n"},
         [("models/alias.yaml", 8, "alias")]),
    Case("list-instead-of-mapping", {"models/list.yaml": "- kind: Organisation\n  id: a\n  name: A\n"},
         [("models/list.yaml", 1, "is a list")], hint=["---"]),
    Case("scalar-document", {"models/scalar.yaml": "just some text\n"},
         [("models/scalar.yaml", 1, "single value")]),
    Case("missing-kind", {"models/m.yaml": "id: a\nname: A\n"}, [("models/m.yaml", 1, "missing 'kind'")]),
    Case("missing-id", {"models/m.yaml": "kind: Organisation\nname: A\n"},
         [("models/m.yaml", 1, "missing required field 'id'")]),
    Case("missing-required-nested", {"models/m.yaml": "kind: Application\nid: a\nname: A\nlifecycle: {since: 2020-01-01}\n"},
         [("models/m.yaml", 4, "missing required field 'lifecycle.status'")]),
    Case("malformed-id", {"models/m.yaml": "kind: Organisation\nid: Dips_Arena\nname: A\n"},
         [("models/m.yaml", 2, "malformed id 'Dips_Arena'")], hint=["dips-arena"]),
    Case("step-next-unknown", {"models/p.yaml": "kind: Process\nid: p\nname: P\nsteps:\n  - id: a\n    name: A\n"
                                                "    next: [b]\n  - id: c\n    name: C\n"},
         [("models/p.yaml", 7, "has next 'b', which is not a step")]),
    Case("duplicate-step-id", {"models/p.yaml": "kind: Process\nid: p\nname: P\nsteps:\n  - id: a\n    name: A\n"
                                                "  - id: a\n    name: B\n"},
         [("models/p.yaml", 7, "step id 'a' is used twice")]),
    Case("parent-cycle", {"models/c.yaml": "kind: Capability\nid: x\nname: X\nparent: y\n---\nkind: Capability\n"
                                           "id: y\nname: Y\nparent: x\n"},
         [("models/c.yaml", 4, "parents form a cycle")]),
    Case("custom-tag", {"models/t.yaml": "kind: Organisation\nid: a\nname: !secret A\n"},
         [("models/t.yaml", 3, "tag '!secret'")]),
    Case("application-lifecycle-flat", {"models/l.yaml": "kind: Application\nid: a\nname: A\nowner: sykehuspartner\n"
                                                        "status: active\nsince: 2016-03-01\n"},
         [("models/l.yaml", 5, "Applications write their lifecycle under `lifecycle:`")],
         hint=["Write `lifecycle: {status: active, since: 2016-03-01}`", "archrepo fmt"]),
    Case("integration-lifecycle-mapping", {"models/l.yaml": "kind: Integration\nid: i\nsource: dips-arena\n"
                                                           "target: dips-arena\nstandard: HL7v2\n"
                                                           "lifecycle: {status: retired, since: 2020-01-01}\n"},
         [("models/l.yaml", 6, "Integrations write their lifecycle flat")],
         hint=["Integrations write their lifecycle flat: `status: retired` and `since: 2020-01-01` "
               "(instead of `lifecycle:`)"]),
    Case("properties-yaml-boolean", {"models/o.yaml": "kind: Organisation\nid: a\nname: A\nproperties:\n"
                                                     "  hosting_country: NO\n  tested: true\n"},
         [("models/o.yaml", 5, "'properties.hosting_country' is written `NO`, which YAML reads as the boolean false")],
         hint=["quote the value, or write true/false"]),
    Case("over-indented-list-item", {"models/p.yaml": "kind: Process\nid: p\nname: P\nsteps:\n  - id: s1\n"
                                                     "    name: A\n     - id: s2\n"},
         [("models/p.yaml", 7, "YAML syntax error")], hint=["indent every `- ` of a list the same"]),
    Case("over-indented-list-item-read-as-text", {"models/t.yaml": "kind: Organisation\nid: a\nname: A\ntags:\n"
                                                                  "  - regional\n    - klinisk\n"},
         [("models/t.yaml", 6, "indented further than the one above it")], hint=["'regional - klinisk'"]),
    Case("unknown-config-key", {}, [("archrepo.yaml", 2, "unknown field 'rulez'")],
         config="models: [models]\nrulez: [rules]\n", hint=["rules"]),
    Case("config-bad-value", {}, [("archrepo.yaml", 2, "'rules_config.AR001.severity' has an invalid value 'fatal'")],
         config="models: [models]\nrules_config: {AR001: {severity: fatal}}\n"),
    Case("config-missing-model-path", {}, [("archrepo.yaml", 1, "model path 'modelz' does not exist")],
         config="models: [modelz]\n"),
    Case("config-unparsable", {}, [("archrepo.yaml", 2, "YAML syntax error")], config="models: [models\nrules: x\n"),
]


def _check(result: Result, case: Case) -> None:
    output = result.stderr
    assert result.exit_code == 2, f"{case.name}: exit {result.exit_code}\n{output}{result.stdout}"
    assert "Traceback" not in output + result.stdout
    assert "internal error" not in output
    lines = output.splitlines()
    for file, line, words in case.expect:
        prefix = f"{file}:{line}: error:"
        matching = [text for text in lines if text.startswith(prefix)]
        assert matching, f"{case.name}: no diagnostic at {file}:{line}\n{output}"
        assert any(words.lower() in text.lower() for text in matching), \
            f"{case.name}: {words!r} not in the message at {file}:{line}\n{output}"
    for words in case.hint:
        assert words.lower() in output.lower(), f"{case.name}: hint {words!r} missing\n{output}"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_defect_is_reported_with_file_and_line(case: Case, tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", {**BASE, **case.files}, case.config)
    _check(run_cli(["validate"], repo), case)


def test_defect_kinds_are_many() -> None:
    assert len({c.name for c in CASES}) >= 20


@pytest.mark.parametrize("case", [c for c in CASES if c.name in ("tab-indent", "alias-bomb", "non-utf8",
                                                                  "dangling-reference", "unknown-config-key")],
                         ids=lambda c: c.name)
def test_defect_through_a_real_process(case: Case, tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", {**BASE, **case.files}, case.config)
    _check(run_process(["validate"], repo), case)
    _check(run_process(["stats"], repo), case)  # every command that loads the model reports the same way


def test_all_defects_of_one_model_are_reported_in_one_run(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = dict(BASE)
    chosen = [c for c in CASES if c.config == "models: [models]\n" and c.name not in ("duplicate-id",)]
    for case in chosen:
        for name, content in case.files.items():
            if isinstance(content, str):  # give each case's elements their own ids, lines unchanged
                content = re.sub(r"\b(id|parent): (a|b|x|y|p|lab)\n", rf"\1: {case.name}-\2\n", content)
            files[name.replace("models/", f"models/{case.name}-")] = content
    repo = write_repo(tmp_path / "repo", files)
    result = run_cli(["validate"], repo)
    assert result.exit_code == 2
    for case in chosen:
        for file, line, _words in case.expect:
            where = f"{file.replace('models/', f'models/{case.name}-')}:{line}: error:"
            assert where in result.stderr, f"{case.name} not reported in the combined run"
    assert "Traceback" not in result.stderr


def test_alias_bomb_is_refused_quickly_without_expanding(tmp_path: Path) -> None:
    bomb = "kind: Organisation\nid: a\nname: A\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]\n" for i in range(1, 30))
    repo = write_repo(tmp_path / "repo", {**BASE, "models/bomb.yaml": bomb})
    result = run_process(["validate"], repo)
    assert result.exit_code == 2
    assert "models/bomb.yaml:4: error: YAML anchor" in result.stderr


def test_empty_file_is_a_warning_not_an_error(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", {**BASE, "models/empty.yaml": "", "models/comments.yml": "# nothing yet\n"})
    result = run_cli(["validate"], repo)
    assert result.exit_code == 0, result.stderr
    assert "models/empty.yaml:1: warning: the file is empty" in result.stderr
    assert "models/comments.yml:1: warning: the file is empty" in result.stderr


def test_validate_json_lists_errors_for_tools(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", {**BASE, **CASES[6].files})
    result = run_cli(["validate", "--format", "json"], repo)
    import json

    report = json.loads(result.stdout)
    assert result.exit_code == 2
    assert report["valid"] is False
    assert report["errors"][0]["file"] == "models/f.yaml"
    assert report["errors"][0]["line"] == 6


def test_a_cross_spelled_lifecycle_is_one_error_with_the_rewrite(tmp_path: Path) -> None:
    """Not also "missing required field 'lifecycle'", nor one "unknown field" per key."""
    files = {**BASE, "models/l.yaml": "kind: Application\nid: a\nname: A\nstatus: phase-out\nretire: '2030-01-01'\n"
                                      "until: 2031-01-01\n"}
    result = run_cli(["validate"], write_repo(tmp_path / "repo", files))
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("models/l.yaml:")]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith("models/l.yaml:4: error: Application 'a': Applications write their lifecycle")
    assert "`retire` is given twice" in result.stderr  # retire and until mean the same for an application


def test_an_over_indented_list_item_is_not_told_to_quote_a_value(tmp_path: Path) -> None:
    files = {**BASE, "models/p.yaml": "kind: Process\nid: p\nname: P\nsteps:\n  - id: s1\n    name: A\n"
                                      "     - id: s2\n"}
    result = run_cli(["validate"], write_repo(tmp_path / "repo", files))
    assert result.exit_code == 2
    assert "Quote the whole value" not in result.stderr
    assert "The list item on line 7 is indented 5 spaces, the one on line 5 2" in result.stderr


def test_yes_and_no_outside_properties_keep_their_schema_meaning(tmp_path: Path) -> None:
    files = {**BASE, "models/o.yaml": "kind: Organisation\nid: ext\nname: Ext\nexternal: yes\n"
                                      "properties: {quoted: 'NO', flag: false}\n"}
    result = run_cli(["validate"], write_repo(tmp_path / "repo", files))
    assert result.exit_code == 0, result.stderr


def test_validate_reports_everything_check_would_refuse(tmp_path: Path) -> None:
    """Waivers (a bad expiry, a missing approver, an unknown rule), principles, rules and the baseline: all in
    one run of `validate`, each with file and line, as `check` refuses them."""
    repo = write_repo(tmp_path / "repo", BASE, config="models: [models]\nprinciples: [principles]\n"
                      "rules: [rules]\nwaivers: waivers.yaml\nbaseline: known.json\n")  # with the library
    (repo / "waivers.yaml").write_text(
        "- rule: SEC001\n  element: dips-arena\n  reason: Legacy.\n  approved_by: Arkitekturrådet\n  expires: 2027-02-30\n"
        "- rule: AR001\n  element: dips-arena\n  reason: Legacy.\n  expires: 2027-01-01\n", encoding="utf-8")
    (repo / "principles" / "broken.yaml").write_text("kind: Principle\nid: X-1\nname: X\n", encoding="utf-8")
    (repo / "rules" / "X001.yaml").write_text("kind: Rule\nid: X001\nname: x\nprinciple: DIGDIR-P4\n"
                                              "severity: fatal\ndescription: X.\nremediation: Y.\nsparql: x\n")
    (repo / "known.json").write_text('{"version": 1, "violations": [', encoding="utf-8")
    result = run_cli(["validate"], repo)
    assert result.exit_code == 2, result.stderr
    for where, words in [("waivers.yaml:5", "not a valid date: '2027-02-30'"),
                         ("waivers.yaml:6", "missing required field 'approved_by'"),
                         ("principles/broken.yaml:1", "missing required field 'statement'"),
                         ("rules/X001.yaml:5", "invalid value 'fatal'"),
                         ("known.json:1", "not valid JSON")]:
        assert any(line.startswith(where) and words in line for line in result.stderr.splitlines()), \
            f"{where} {words!r} not reported:\n{result.stderr}"
    check = run_cli(["check"], repo)
    assert check.exit_code == 2  # what validate refused, check refuses too

    # with the rules fixed, an unknown rule id in a waiver gets a "did you mean"
    (repo / "rules" / "X001.yaml").unlink()
    (repo / "principles" / "broken.yaml").unlink()
    (repo / "known.json").unlink()
    (repo / "waivers.yaml").write_text("- rule: SEC01\n  element: dips-arena\n  reason: Legacy.\n"
                                       "  approved_by: Arkitekturrådet\n  expires: 2027-01-01\n", encoding="utf-8")
    result = run_cli(["validate", "--format", "json"], repo)
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert [(e["file"], e["line"]) for e in report["errors"]] == [("waivers.yaml", 1)]
    assert "Did you mean 'SEC001'" in report["errors"][0]["hint"]
    (repo / "waivers.yaml").write_text("[]\n", encoding="utf-8")
    assert run_cli(["validate"], repo).exit_code == 0
