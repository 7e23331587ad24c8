"""`archrepo query` is bounded like a rule: a query past its time (--timeout, default the config's rule_timeout)
ends with a clear message and exit 2, and Ctrl-C ends a query that never ends at once with exit 130. Real
processes: a query stuck in Oxigraph cannot be abandoned inside a test process."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import interrupt_process, run_cli, run_process, write_repo
from tests.test_validation_defects import BASE

# every triple joined with itself eight times, with a FILTER that never holds: no answer in any reasonable time
NEVER_ENDING = """
SELECT ?s WHERE {
  ?s ?p1 ?o1 . ?s2 ?p2 ?o2 . ?s3 ?p3 ?o3 . ?s4 ?p4 ?o4 . ?s5 ?p5 ?o5 . ?s6 ?p6 ?o6 . ?s7 ?p7 ?o7 . ?s8 ?p8 ?o8 .
  FILTER(STRLEN(CONCAT(STR(?o1), STR(?o2), STR(?o3), STR(?o4), STR(?o5), STR(?o6), STR(?o7), STR(?o8))) < 0)
}"""


def _repo(tmp_path: Path, extra_config: str = "") -> Path:
    repo = write_repo(tmp_path / "repo", BASE, config="models: [models]\n" + extra_config)
    (repo / "never.rq").write_text(NEVER_ENDING, encoding="utf-8")
    return repo


@pytest.mark.parametrize("how", ["option", "config"])
def test_a_query_past_its_time_is_a_clear_error(tmp_path: Path, how: str) -> None:
    repo = _repo(tmp_path, "rule_timeout: 1.5\n" if how == "config" else "rule_timeout: 600\n")
    started = time.monotonic()
    outcome = run_process(["query", "@never.rq", *(["--timeout", "1.5"] if how == "option" else [])], repo)
    assert time.monotonic() - started < 60
    assert outcome.exit_code == 2, outcome.stderr
    assert "the query did not finish within 1.5 s" in outcome.stderr and "--timeout" in outcome.stderr
    assert outcome.stdout == "" and "Traceback" not in outcome.stderr


def test_a_query_within_its_time_answers_as_before(tmp_path: Path) -> None:
    outcome = run_cli(["query", "SELECT ?a WHERE { ?a a arch:Application } ORDER BY ?a", "--timeout", "30",
                       "--format", "csv"], _repo(tmp_path))
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stdout.splitlines()[0] == "a" and len(outcome.stdout.splitlines()) > 1


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_a_timeout_that_is_no_positive_number_is_refused(tmp_path: Path, value: str) -> None:
    outcome = run_cli(["query", "ASK {}", "--timeout", value], _repo(tmp_path))
    assert outcome.exit_code == 2 and "Invalid value for '--timeout'" in outcome.stderr


def test_ctrl_c_ends_a_query_that_never_ends_with_130_at_once(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    started = time.monotonic()  # how long loading and a trivial query take here, on this machine, now
    assert run_process(["query", "ASK {}"], repo).exit_code == 0
    loading = time.monotonic() - started
    # well inside the query (its budget is the default 60 s)
    outcome, seconds = interrupt_process(["query", "@never.rq"], repo, after=2 * loading + 1.5)
    assert outcome.exit_code == 130, outcome.stderr
    assert seconds < 10
    assert "interrupted" in outcome.stderr and "Traceback" not in outcome.stderr and outcome.stdout == ""
