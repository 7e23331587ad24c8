"""The documentation site without a browser: the Markdown tree of the reference model, the `docs` command,
and the promise never to overwrite or delete files in the output directory that archrepo did not write."""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import archrepo
from archrepo.commands.common import ArchrepoGroup
from archrepo.commands.site import docs
from archrepo.errors import UsageError
from archrepo.site import SiteSummary, build_site
from tests.conftest import ROOT, SMALL

AS_OF = dt.date(2026, 11, 26)
_LINK = re.compile(r"(?<!\\)\]\(([^)\s]+)\)")
_DIRS = {"Application": "applications", "Process": "processes", "Integration": "integrations",
         "DataObject": "data", "Organisation": "organisations", "Capability": "capabilities"}


@pytest.fixture(scope="module")
def reference() -> archrepo.Repository:
    return archrepo.load(ROOT / "archrepo.yaml")


@pytest.fixture(scope="module")
def markdown(reference, tmp_path_factory) -> SiteSummary:
    return build_site(reference, tmp_path_factory.mktemp("md") / "architecture", fmt="markdown", as_of=AS_OF)


def test_markdown_has_every_page(markdown, reference) -> None:
    out = markdown.out
    assert markdown.entry == out / "index.md" and markdown.entry.is_file()
    for kind, directory in _DIRS.items():
        assert (out / directory / "index.md").is_file()
        for element in reference.model.of_kind(kind):
            assert (out / directory / f"{element.id}.md").is_file(), element.id
    for principle in (ROOT / "principles").glob("*.yaml"):
        principle_id = re.search(r"^id: (\S+)$", principle.read_text(encoding="utf-8"), re.MULTILINE).group(1)
        assert (out / "principles" / f"{principle_id}.md").is_file()
    assert {p.stem for p in (out / "rules").glob("*.md")} - {"index"} == {p.name.split("-")[0]
                                                                          for p in (ROOT / "rules").glob("*.yaml")}
    assert not list(out.rglob("*.html")) and not (out / "static").exists()


@functools.cache
def _slugs(path: Path) -> set[str]:
    """Heading anchors as GitHub and MkDocs make them: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.replace("\\", "")).strip().lower().replace(" ", "-") for h in headings}


def test_markdown_links_resolve(markdown) -> None:
    out = markdown.out.resolve()
    broken = []
    for page in sorted(out.rglob("*.md")):
        for target in _LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            path = (page.parent / file).resolve() if file else page
            if not path.is_file() or out not in path.parents:
                broken.append(f"{page.relative_to(out)}: {target}")
            elif anchor and anchor not in _slugs(path):
                broken.append(f"{page.relative_to(out)}: {target} (no such heading)")
    assert broken == []
    index = (out / "index.md").read_text(encoding="utf-8")
    assert "[Applications](applications/index.md)" in index and "| Principle | Rules | Error |" in index


def test_markdown_element_pages_have_mermaid_fences(markdown, reference) -> None:
    out = markdown.out
    for kind in ("Application", "Process", "Integration", "DataObject"):
        for element in reference.model.of_kind(kind):
            text = (out / _DIRS[kind] / f"{element.id}.md").read_text(encoding="utf-8")
            fence = re.search(r"^```mermaid\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)
            assert fence, f"{element.id}: no mermaid fence"
            assert "\nflowchart LR\n" in fence.group(1) or "\nflowchart TB\n" in fence.group(1)
    page = (out / "applications" / "dips-arena.md").read_text(encoding="utf-8")
    assert "n_dips_arena" in page and "| Owner | [Sykehuspartner HF](../organisations/sykehuspartner.md) |" in page
    assert (out / "organisations" / "sykehuspartner.md").read_text(encoding="utf-8").count("```mermaid") == 1


def test_markdown_escapes_text_and_tables(markdown) -> None:
    text = (markdown.out / "integrations" / "lab-results-sftp.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| [SEC001]")]
    assert len(rows) == 1 and rows[0].count(" | ") == 5  # six cells, no stray pipes from the text
    rule = (markdown.out / "rules" / "AR001.md").read_text(encoding="utf-8")
    assert "```sparql\nPREFIX arch:" in rule


@pytest.fixture
def small() -> archrepo.Repository:
    return archrepo.load(SMALL / "archrepo.yaml")


def test_rebuilding_in_place_rewrites_nothing(small, tmp_path) -> None:
    first = build_site(small, tmp_path / "site", as_of=AS_OF)
    assert set(first.written) == set(first.files)
    again = build_site(small, tmp_path / "site", as_of=AS_OF)
    assert again.written == () and again.removed == () and again.files == first.files


def test_files_it_did_not_write_are_never_overwritten_or_deleted(small, tmp_path) -> None:
    out = tmp_path / "site"
    (out / "applications").mkdir(parents=True)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "applications" / "dips-arena.html").write_text("<p>my own page</p>", encoding="utf-8")
    with pytest.raises(UsageError, match="did not generate") as raised:
        build_site(small, out, as_of=AS_OF)
    assert "dips-arena.html" in str(raised.value)
    assert (out / "applications" / "dips-arena.html").read_text(encoding="utf-8") == "<p>my own page</p>"
    assert sorted(p.name for p in out.rglob("*")) == ["applications", "dips-arena.html", "notes.txt"]
    (out / "applications" / "dips-arena.html").unlink()
    summary = build_site(small, out, as_of=AS_OF)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine" and "notes.txt" not in summary.files


def test_pages_of_removed_elements_are_removed_but_edited_ones_kept(small, tmp_path) -> None:
    out = tmp_path / "site"
    build_site(small, out, as_of=AS_OF)
    stale = out / "applications" / "gone.html"
    stale.write_text((out / "applications" / "dips-arena.html").read_text(encoding="utf-8"), encoding="utf-8")
    manifest = out / ".archrepo-docs-html.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        '"applications/dips-arena.html"', '"applications/dips-arena.html",\n  "applications/gone.html",\n'
        '  "applications/mine.html"'), encoding="utf-8")
    (out / "applications" / "mine.html").write_text("edited by hand, marker removed", encoding="utf-8")
    summary = build_site(small, out, as_of=AS_OF)
    assert summary.removed == ("applications/gone.html",)
    assert not stale.exists() and (out / "applications" / "mine.html").exists()


def test_html_and_markdown_share_a_directory(small, tmp_path) -> None:
    html = build_site(small, tmp_path / "site", as_of=AS_OF)
    markdown = build_site(small, tmp_path / "site", fmt="markdown", as_of=AS_OF)
    assert html.entry.is_file() and markdown.entry.is_file()
    assert build_site(small, tmp_path / "site", as_of=AS_OF).written == ()


def test_an_element_called_index_does_not_replace_the_list_page(make_repo) -> None:
    root = make_repo({"models/apps.yaml": """
        kind: Application
        id: index
        name: The Index
        lifecycle: {status: active}
        ---
        kind: Application
        id: other
        name: Other
        lifecycle: {status: active}
        """})
    summary = build_site(archrepo.load(root / "archrepo.yaml"), root / "site", as_of=AS_OF)
    listing = (root / "site" / "applications" / "index.html").read_text(encoding="utf-8")
    assert 'href="../applications/_index.html"' in listing and 'href="../applications/other.html"' in listing
    assert "<h1>The Index</h1>" in (root / "site" / "applications" / "_index.html").read_text(encoding="utf-8")
    assert "applications/_index.html" in summary.files


def _cli(args: list[str]):
    group = ArchrepoGroup()  # the CLI's error boundary, with only this command (main registers it too)
    group.add_command(docs)
    result = CliRunner().invoke(group, args, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_docs_command(tmp_path) -> None:
    out = tmp_path / "docs"
    code, stdout, stderr = _cli(["docs", "--config", str(SMALL / "archrepo.yaml"), "--out", str(out),
                                 "--as-of", "2026-11-26"])
    assert code == 0 and stdout == ""
    assert "pages with" in stderr and "index.html" in stderr
    assert (out / "index.html").is_file() and (out / "applications" / "dips-arena.html").is_file()
    code, _, stderr = _cli(["docs", "--config", str(SMALL / "archrepo.yaml"), "--out", str(tmp_path / "md"),
                            "--format", "markdown"])
    assert code == 0 and (tmp_path / "md" / "index.md").is_file()


@pytest.mark.parametrize(("args", "words"), [
    (["--as-of", "26.11.2026"], "not a date"),
    (["--format", "pdf"], "Invalid value for '--format'"),
])
def test_docs_command_usage_errors(tmp_path, args: list[str], words: str) -> None:
    code, _, stderr = _cli(["docs", "--config", str(SMALL / "archrepo.yaml"), "--out", str(tmp_path / "o"), *args])
    assert code == 2 and words in stderr and "Traceback" not in stderr


def test_docs_command_refuses_foreign_files(tmp_path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "index.html").write_text("<h1>the team's own start page</h1>", encoding="utf-8")
    code, _, stderr = _cli(["docs", "--config", str(SMALL / "archrepo.yaml"), "--out", str(out)])
    assert code == 2 and "did not generate" in stderr and "hint:" in stderr
    assert (out / "index.html").read_text(encoding="utf-8") == "<h1>the team's own start page</h1>"
    (tmp_path / "file").write_text("x", encoding="utf-8")
    code, _, stderr = _cli(["docs", "--config", str(SMALL / "archrepo.yaml"), "--out", str(tmp_path / "file")])
    assert code == 2 and "Traceback" not in stderr


def _docs_with_stderr_on(terminal: bool, tmp_path: Path) -> str:
    """`archrepo docs` in a real process, its stderr a terminal (a pseudo-terminal) or a pipe (a CI log)."""
    import os
    import pty
    import subprocess
    import sys

    command = [str(Path(sys.executable).with_name("archrepo")), "docs", "--config", str(SMALL / "archrepo.yaml"),
               "--out", str(tmp_path / f"site-{terminal}"), "--as-of", "2026-11-26"]
    if not terminal:
        return subprocess.run(command, capture_output=True, text=True, check=True).stderr
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=follower)
        os.close(follower)
        said = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the process ended
                break
            if not chunk:
                break
            said += chunk
        assert process.wait() == 0
    finally:
        os.close(leader)
    return said.decode("utf-8", "replace")


def test_a_progress_bar_on_a_terminal_and_none_in_a_ci_log(tmp_path) -> None:
    on_terminal = _docs_with_stderr_on(True, tmp_path)
    assert re.search(r"\r\[#+\.*\] [\d,]+ / [\d,]+ diagrams and pages", on_terminal)
    assert "wrote " in on_terminal
    in_log = _docs_with_stderr_on(False, tmp_path)
    assert "\r" not in in_log and "diagrams and pages" not in in_log and "wrote " in in_log


def test_a_page_key_covers_everything_on_the_page() -> None:
    """Pages are keyed by their repr (archrepo.site.page_cache): every field of a page and of everything on it
    is in its repr and is plain text, a number, a flag or None, so the same page always has the same key and two
    different pages never share one."""
    import dataclasses

    from archrepo.rules.check import CheckOptions, run_check
    from archrepo.rules.definitions import load_rules
    from archrepo.site.build import site_pages
    from archrepo.site.content import SiteContent
    from archrepo.site.crossref import build_cross_reference
    from archrepo.site.links import Field, Item, Page, Section

    for kind in (Page, Section, Field, Item):
        assert all(f.repr for f in dataclasses.fields(kind)), f"a field of {kind.__name__} is not in its repr"
    repository = archrepo.load(ROOT / "archrepo.yaml")
    result = run_check(repository.config, CheckOptions(as_of=dt.date(2026, 11, 26)))
    content = SiteContent(model=repository.model, result=result,
                          xref=build_cross_reference(repository.model, result.violations), as_of=result.as_of,
                          rules=load_rules(repository.config, result.principles, include_disabled=True),
                          enabled=frozenset(rule.id for rule in result.rules), diagrams={}, approved_standards=(),
                          explorer=True, dependencies=repository.dependencies)
    seen: set[type] = set()

    def walk(value: object) -> None:
        if dataclasses.is_dataclass(value):
            assert type(value) in (Page, Section, Field, Item), type(value)
            for found in dataclasses.fields(value):
                walk(getattr(value, found.name))
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
        else:
            seen.add(type(value))
            assert value is None or type(value) in (str, int, bool), f"{type(value).__name__} on a page"

    pages = site_pages(content)
    for page in pages:
        walk(page)
    assert str in seen and bool in seen
    assert len({repr(page) for page in pages}) == len(pages)


@pytest.mark.parametrize("name", ["", ".", "./", "/", "/a", "//a", "../a", "a/../b", "..", "a/..", "./..", "a", "a/b.html",
                                  "a/./b", "./a", "a//b", "...", "a..b", ".hidden", "a/.", " ", "a\\..\\b", "x/y/z.md"])
def test_a_manifest_entry_is_trusted_as_pathlib_reads_it(name: str) -> None:
    """The manifest is untrusted input: an entry counts only if it names a plain path inside the site folder,
    with the meaning pathlib gives it (read as strings, for thousands of entries)."""
    from archrepo.site.ownership import _inside

    parts = Path(name).parts
    assert _inside(name) == (bool(parts) and not Path(name).is_absolute() and ".." not in parts)
