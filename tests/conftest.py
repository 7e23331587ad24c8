"""Shared fixtures: temporary architecture repositories and ways to run the CLI (in process and for real)."""

from __future__ import annotations

import atexit
import functools
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import pytest_lsp
from click.testing import CliRunner
from pytest_lsp import LanguageClient

from archrepo.cli import main
from tests.lsp_support import SERVER, initialize

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Debian's Chromium, driven by Playwright: the docs site and the views are checked in a real browser
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
# a config may read only inside its repository: tests copy the standard library in (``add_standard_library``)
STD_CONFIG = "principles: [principles]\nrules: [rules]\n"


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@functools.cache
def bench_generator() -> ModuleType:
    """``bench/generate.py``, the benchmark's model generator (a script, not a package), loaded once."""
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (its dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


def write_repo(root: Path, files: Mapping[str, str | bytes], config: str | None = "models: [models]\n") -> Path:
    """Create an architecture repository: archrepo.yaml plus the given files (text is dedented); with copies
    of the standard principles (rules) when the config says ``principles: [principles]`` (``rules: [rules]``)."""
    root.mkdir(parents=True, exist_ok=True)
    if config is not None:
        add_standard_library(root, principles="principles: [principles]" in config, rules="rules: [rules]" in config)
    if config is not None:
        (root / "archrepo.yaml").write_text(config, encoding="utf-8")
    (root / "models").mkdir(exist_ok=True)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def add_standard_library(root: Path, *, principles: bool = True, rules: bool = True) -> Path:
    """Copies of this repository's principles and rules in ``root`` (links would lead outside it)."""
    for name, wanted in (("principles", principles), ("rules", rules)):
        if wanted:
            shutil.copytree(ROOT / name, root / name, dirs_exist_ok=True)
    return root


def copy_fixture(name: str, destination: Path) -> Path:
    """A copy of ``tests/fixtures/<name>`` at ``destination/<name>``: tests never run archrepo on a fixture in
    place (its caches would be left there, and one test's edits seen by the next). Links in the fixture (the
    standard library of ``violations``) are copied as what they point to."""
    target = destination / name
    # a checkout where tests once ran in place may still hold caches there: never copy them along
    shutil.copytree(FIXTURES / name, target, ignore=shutil.ignore_patterns(".archrepo-cache"))
    return target


def module_copy(name: str) -> Path:
    """A copy of ``tests/fixtures/<name>`` for a test module's constants, removed when the process ends."""
    base = Path(tempfile.mkdtemp(prefix=f"archrepo-{name}-"))
    atexit.register(shutil.rmtree, base, True)
    return copy_fixture(name, base)


# the small model, for tests that only read it: one copy per test process
SMALL = module_copy("small")


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A copy of the ``small`` fixture."""
    return copy_fixture("small", tmp_path)


@pytest.fixture
def violations(tmp_path: Path) -> Path:
    """A copy of the ``violations`` fixture (with the standard principles and rules)."""
    return copy_fixture("violations", tmp_path)


@pytest.fixture(autouse=True, scope="session")
def _cache_key_outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The cache key of the test run lives in a temporary folder, not in the home directory."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        yield


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """No test may leave a cache in a fixture: that is what a test running on a fixture in place does."""
    if hasattr(session.config, "workerinput"):
        return  # the controller of an xdist run looks, once, after every worker
    left = sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob(".archrepo-cache"))
    if left:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print(f"\nerror: tests left caches in fixtures (a test ran archrepo on a fixture in place): {left}",
              file=sys.stderr)


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    def factory(files: Mapping[str, str | bytes], config: str | None = "models: [models]\n", name: str = "repo") -> Path:
        return write_repo(tmp_path / name, files, config)
    return factory


def run_cli(args: list[str], cwd: Path) -> Result:
    """Run the CLI in process (click's runner), in ``cwd``, stdout and stderr kept apart."""
    runner = CliRunner()
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(old)
    return Result(result.exit_code, result.stdout, result.stderr)


def run_process(args: list[str], cwd: Path, stdin: str | None = None) -> Result:
    """Run the installed `archrepo` as a real subprocess."""
    completed = subprocess.run([sys.executable, "-m", "archrepo", *args], cwd=cwd, capture_output=True,
                               text=True, input=stdin, timeout=300, check=False)
    return Result(completed.returncode, completed.stdout, completed.stderr)


def interrupt_process(args: list[str], cwd: Path, *, ready: Callable[[], bool] = lambda: True,
                      after: float = 1.0) -> tuple[Result, float]:
    """Run the installed `archrepo` as a real subprocess, wait until ``ready()`` holds (at most 120 s) and
    ``after`` seconds more, check that it still runs, and press Ctrl-C (SIGINT): what it wrote and returned, and
    how many seconds it took to end after the signal."""
    process = subprocess.Popen([sys.executable, "-m", "archrepo", *args], cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not ready() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(after)
        assert process.poll() is None, process.communicate(timeout=5)
        process.send_signal(signal.SIGINT)
        interrupted = time.monotonic()
        stdout, stderr = process.communicate(timeout=20)
        seconds = time.monotonic() - interrupted
    finally:
        process.kill()
    return Result(process.returncode, stdout, stderr), seconds


@pytest.fixture
def cli() -> Callable[[list[str], Path], Result]:
    return run_cli


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium for the tests of a module. (Not one for the session: while Playwright's sync API is
    open, the thread's event loop counts as running, and the pytest-asyncio tests after it on the same worker,
    the language server's, could not run.) The modules that use it skip themselves without /usr/bin/chromium."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (`make browser` installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Tab:
    """A page that records console errors and uncaught exceptions."""

    def __init__(self, browser: Any) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.page.on("console", lambda message: self.errors.append(f"console.{message.type}: {message.text}")
                     if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))

    def open(self, path: Path) -> None:
        self.page.goto(path.as_uri(), wait_until="load")


@pytest.fixture
def tab(browser: Any) -> Iterator[Tab]:
    """A fresh page of the module's browser, closed after the test."""
    opened = Tab(browser)
    yield opened
    opened.page.close()



@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient):
    """A real `archrepo lsp` over stdio, initialised, for the language server's test modules."""
    await initialize(lsp_client)
    yield
    await lsp_client.shutdown_session()
