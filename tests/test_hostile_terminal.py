"""Every command's output for people shows repository text as text: a rule title, a principle statement, a query
result, an impact path, a diff, a waiver, a rule case's name or a file name carrying ESC [31m, an OSC 8
hyperlink, BEL, CR or a bare C1 CSI (U+009B) reaches stdout and stderr only as visible escapes (``\\x1b``).

Each command runs as a real process (its stdout and stderr as a terminal would get them, no test runner's
buffer in between) on one hostile repository built in a temporary folder.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from tests.hostile_output import write_hostile_repo

AS_OF = "2026-11-26"
# The attacks the checks are about, each a name, description, tag, step, waiver reason … of its own elements.
PAYLOADS = {
    "sgr": "\x1b[31mred\x1b[0m \x1b[2J\x1b[H cleared",
    "osc8": "\x1b]8;;https://evil.example/\x07click here\x1b]8;;\x07 \x1b]0;title\x1b\\",
    "bell": "ring\x07 ring\x07",
    "cr": "visible\rHIDDEN overwrite",
    "csi": "bare\x9b31m csi\x9b2J",
}
HOSTILE = " ".join(PAYLOADS.values())
# C0 but newline and tab, DEL, C1: what a terminal acts on. (Bidirectional overrides have their own tests.)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
SHOWN = re.compile(r"\\(?:x|u00)(?:1b|07|9b)")  # ESC, BEL or CSI as a text or a JSON escape
ODD_FILE = "models/\x1b[31mred\x07.yaml"  # a file name is repository text too


def _yaml(data: object) -> str:
    return yaml.safe_dump(data, allow_unicode=False, sort_keys=False, width=1_000_000)


def _hostile_library(root: Path) -> None:
    """A principle, a rule (SPARQL, quoting a name), a Python rule that fails with a hostile message, and a rule
    case file whose case names are hostile."""
    (root / "principles" / "hostile.yaml").write_text(_yaml(
        {"kind": "Principle", "id": "HOSTILE-P", "name": f"name {HOSTILE}", "statement": f"statement {HOSTILE}",
         "rationale": HOSTILE, "implications": [HOSTILE], "source": HOSTILE}), encoding="utf-8")
    (root / "rules" / "ZZ001-hostile.yaml").write_text(_yaml(
        {"kind": "Rule", "id": "ZZ001", "name": "hostile-rule", "principle": "HOSTILE-P", "severity": "warning",
         "description": f"description {HOSTILE}", "remediation": f"remediation {HOSTILE}",
         "sparql": "PREFIX arch: <https://archrepo.dev/ontology#>\n"
                   "SELECT ?element ?message WHERE { ?element a arch:Application ; arch:name ?message }\n"}),
        encoding="utf-8")
    (root / "rules" / "ZZ002-crash.yaml").write_text(_yaml(
        {"kind": "Rule", "id": "ZZ002", "name": "crashing-rule", "principle": "HOSTILE-P", "severity": "error",
         "description": "fails", "remediation": "none", "python": "pyrules.crash:check"}), encoding="utf-8")
    (root / "pyrules").mkdir()
    (root / "pyrules" / "__init__.py").write_text("", encoding="utf-8")
    (root / "pyrules" / "crash.py").write_text(
        f"def check(model):\n    raise ValueError({HOSTILE!r})\n    yield\n", encoding="utf-8")
    (root / "tests" / "rules").mkdir(parents=True)
    (root / "tests" / "rules" / "ZZ001.yaml").write_text(_yaml(
        {"rule": "ZZ001", "fail": [{"name": f"case {HOSTILE}",
                                    "model": "kind: Application\nid: a\nname: A\nlifecycle: {status: active}\n",
                                    "expect": [{"element": "b"}]}]}), encoding="utf-8")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_hostile_repo(tmp_path_factory.mktemp("terminal") / "repo", PAYLOADS, long_name=False)
    with (root / "archrepo.yaml").open("a", encoding="utf-8") as config:
        config.write("principles: [principles]\nrules: [rules]\npython_rules: [pyrules]\n")
    _hostile_library(root)
    (root / ODD_FILE).write_text(textwrap.dedent("""\
        name: Odd file
        kind: Capability
        id: odd-file
        """), encoding="utf-8")  # keys out of order: `fmt --check` names the file
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=root, check=True,
                       capture_output=True)
    # the work tree differs from HEAD (an element added, names changed) for `diff`
    (root / "models" / "added.yaml").write_text(_yaml(
        {"kind": "Capability", "id": "added-cap", "name": f"added {HOSTILE}", "description": HOSTILE}),
        encoding="utf-8")
    bell = root / "models" / "bell.yaml"
    bell.write_text(bell.read_text(encoding="utf-8").replace("ring", "rang"), encoding="utf-8")
    return root


COMMANDS = {
    "check": ["check", "--as-of", AS_OF],
    "check-json": ["check", "--as-of", AS_OF, "--format", "json"],  # rule failures are told on stderr
    "validate": ["validate"],
    "rules": ["rules"],
    "rules-explain": ["rules", "--explain", "ZZ001"],
    "rules-test": ["rules", "--test"],
    "principles": ["principles"],
    "query-table": ["query", "SELECT ?name ?d WHERE { ?a arch:name ?name ; arch:description ?d }"],
    "query-construct": ["query", "CONSTRUCT { ?a arch:name ?name } WHERE { ?a arch:name ?name }"],
    "impact": ["impact", "app-sgr", "--as-of", AS_OF],
    "diff": ["diff", "HEAD", "--as-of", AS_OF],
    "fmt-check": ["fmt", "--check"],
    "fmt-diff": ["fmt", "--diff"],
    "stats": ["stats"],
    "unknown-element": ["impact", "\x1b[31mnope\x07"],
    # JSON escapes C0 itself; C1 and DEL are escaped too, so that JSON on a terminal is safe (and the same data)
    "validate-json": ["validate", "--format", "json"],
    "rules-json": ["rules", "--format", "json"],
    "principles-json": ["principles", "--format", "json"],
    "impact-json": ["impact", "app-csi", "--format", "json", "--as-of", AS_OF],
    "diff-json": ["diff", "HEAD", "--format", "json", "--as-of", AS_OF],
    "check-sarif": ["check", "--as-of", AS_OF, "--format", "sarif"],
}
QUIET = {"validate", "stats", "validate-json", "impact-json"}  # commands that have no repository text to show here


@pytest.mark.parametrize("name", list(COMMANDS))
def test_no_control_character_reaches_the_terminal(repo: Path, name: str) -> None:
    completed = subprocess.run([sys.executable, "-m", "archrepo", *COMMANDS[name]], cwd=repo, capture_output=True,
                               timeout=300, check=False)
    stdout, stderr = completed.stdout.decode("utf-8"), completed.stderr.decode("utf-8")
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    for stream, text in (("stdout", stdout), ("stderr", stderr)):
        found = sorted({f"U+{ord(c):04X}" for c in CONTROL.findall(text)})
        assert not found, f"{name}: {stream} carries {found}:\n{text[:3000]}"
    if name in QUIET:
        return
    # the hostile text is there, shown as escapes (the corpus reaches the output it is meant to reach)
    assert SHOWN.search(stdout + stderr), f"{name}: nothing hostile shown:\n{stdout[:2000]}\n{stderr[:2000]}"
