"""Queries that must never reach an engine: SERVICE however it is spelled, updates, store extensions, nesting
that overflows a parser. Each attack is a file under tests/fixtures/hostile/ whose first line says what the
refusal must say; a real listener on 127.0.0.1 stands for the network (and for a store) and must hear nothing,
whether the query comes from `archrepo query`, `query --store`, a `sparql:` rule or a `shacl:` rule."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, Result, run_cli, run_process, write_repo
from tests.test_validation_defects import BASE

HOSTILE = FIXTURES / "hostile"
QUERIES = sorted((HOSTILE / "queries").glob("*.rq"))
ALLOWED = sorted((HOSTILE / "queries" / "allowed").glob("*.rq"))
SHAPES = sorted((HOSTILE / "shapes").glob("*.ttl"))
RULE = """kind: Rule
id: X001
name: hostile
principle: DIGDIR-P4
severity: error
description: A hostile rule.
remediation: None.
"""


class Listener:
    """A TCP server on a free port of 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.connections: list[tuple[str, int]] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, peer = self.server.accept()
            except OSError:
                return
            self.connections.append(peer)
            connection.close()

    def heard(self) -> list[tuple[str, int]]:
        time.sleep(0.1)  # a connection the kernel completed is accepted at once; give the thread its turn
        return list(self.connections)

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def expected(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path} must start with '# expect: <what the refusal says>'"
    return first.removeprefix("# expect: ")


def hostile_text(path: Path, listener: Listener) -> str:
    return path.read_text(encoding="utf-8").replace("PORT", str(listener.port))


def runner(path: Path):  # type: ignore[no-untyped-def]
    """Nesting that overflows Oxigraph's stack would kill the test process itself: run those for real."""
    return run_process if path.name.startswith("nesting") else run_cli


def repo_with(tmp_path: Path, files: dict[str, str] | None = None, rules: bool = False) -> Path:
    config = "models: [models]\nprinciples: [principles]\nrules: [myrules]\n" if rules else "models: [models]\n"
    return write_repo(tmp_path / "repo", {**BASE, **(files or {})}, config=config)


def assert_refused(result: Result, words: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_query_command_refuses_and_sends_nothing(path: Path, listener: Listener, tmp_path: Path) -> None:
    repo = repo_with(tmp_path)
    (tmp_path / "query.rq").write_text(hostile_text(path, listener), encoding="utf-8")
    assert_refused(runner(path)(["query", f"@{tmp_path / 'query.rq'}"], repo), expected(path))
    assert listener.heard() == []


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_query_store_refuses_before_sending_anything(path: Path, listener: Listener, tmp_path: Path) -> None:
    """The listener is the store too: the query is read locally, as tokens, and never evaluated to learn its
    form, so a refused query reaches neither the store nor the SERVICE endpoint."""
    repo = repo_with(tmp_path)
    (tmp_path / "query.rq").write_text(hostile_text(path, listener), encoding="utf-8")
    store = f"http://127.0.0.1:{listener.port}/sparql"
    assert_refused(runner(path)(["query", "--store", store, f"@{tmp_path / 'query.rq'}"], repo), expected(path))
    assert listener.heard() == []


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_sparql_rule_is_refused_and_sends_nothing(path: Path, listener: Listener, tmp_path: Path) -> None:
    body = "".join(f"  {line}\n" for line in hostile_text(path, listener).splitlines())
    repo = repo_with(tmp_path, {"myrules/X001.yaml": RULE + "sparql: |\n" + body}, rules=True)
    outcome = runner(path)(["check", "--format", "json"], repo)
    assert outcome.exit_code == 2, outcome.stderr
    failures = json.loads(outcome.stdout)["rule_failures"]
    assert [f["rule"] for f in failures] == ["X001"] and expected(path) in failures[0]["message"], failures
    assert listener.heard() == []


@pytest.mark.parametrize("path", SHAPES, ids=lambda p: p.stem)
def test_shacl_rule_is_refused_and_sends_nothing(path: Path, listener: Listener, tmp_path: Path) -> None:
    body = "".join(f"  {line}\n" for line in hostile_text(path, listener).splitlines())
    repo = repo_with(tmp_path, {"myrules/X001.yaml": RULE + "shacl: |\n" + body}, rules=True)
    outcome = run_cli(["check", "--format", "json"], repo)
    assert outcome.exit_code == 2, outcome.stderr
    failures = json.loads(outcome.stdout)["rule_failures"]
    assert [f["rule"] for f in failures] == ["X001"] and expected(path) in failures[0]["message"], failures
    assert listener.heard() == []


@pytest.mark.parametrize("path", ALLOWED, ids=lambda p: p.stem)
def test_queries_that_only_mention_service_still_run(path: Path, listener: Listener, tmp_path: Path) -> None:
    repo = repo_with(tmp_path)
    (tmp_path / "query.rq").write_text(hostile_text(path, listener), encoding="utf-8")
    outcome = run_cli(["query", "--format", "json", f"@{tmp_path / 'query.rq'}"], repo)
    assert outcome.exit_code == 0, outcome.stderr
    assert listener.heard() == []


def test_a_sparql_rule_that_mentions_service_in_strings_and_comments_runs(listener: Listener,
                                                                          tmp_path: Path) -> None:
    body = ("  # SERVICE <http://127.0.0.1:PORT/sparql> { ?s ?p ?o }\n"
            "  SELECT ?element ?message WHERE { ?element a arch:Application .\n"
            "    BIND(\"the SERVICE desk owns no SERVICE <http://127.0.0.1:PORT/>\" AS ?message) }\n"
            ).replace("PORT", str(listener.port))
    repo = repo_with(tmp_path, {"myrules/X001.yaml": RULE + "sparql: |\n" + body}, rules=True)
    report = json.loads(run_cli(["check", "--format", "json"], repo).stdout)
    assert report["rule_failures"] == []
    assert [v["element"] for v in report["violations"]] == ["dips-arena"]
    assert listener.heard() == []
