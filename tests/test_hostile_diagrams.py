"""Diagrams of a hostile model: model text is shown, never DOT, SVG or Mermaid syntax; Graphviz failures are
errors (exit 2), never mistaken for a closed stdout."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

import archrepo
from archrepo.errors import UsageError
from archrepo.escaping import one_line, shorten
from archrepo.views import ViewOptions, build_view
from archrepo.views.render_dot import render_dot, render_image
from archrepo.views.render_mermaid import render_mermaid
from tests.hostile_output import LONG_NAME, PAYLOADS, write_hostile_repo
from tests.markdown_check import assert_mermaid_is_safe

AS_OF = dt.date(2026, 11, 26)
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> archrepo.Repository:
    return archrepo.load(write_hostile_repo(tmp_path_factory.mktemp("hostile") / "repo") / "archrepo.yaml")


def _landscape(repository: archrepo.Repository, **options) -> archrepo.views.ViewGraph:
    return build_view("landscape", repository.model, repository.dependencies, ViewOptions(as_of=AS_OF, **options))


def _node_texts(svg: ET.Element) -> dict[str, str]:
    """What Graphviz drew in each node box (its <text> lines joined), by node name."""
    texts = {}
    for group in svg.iter(f"{SVG}g"):
        if group.get("class") == "node":
            title = group.find(f"{SVG}title")
            assert title is not None
            texts[title.text or ""] = " ".join(t.text or "" for t in group.iter(f"{SVG}text"))
    return texts


@pytest.mark.parametrize("group_by", ["owner", "tag"])
def test_every_name_is_drawn_exactly_as_written(hostile, group_by: str) -> None:
    """The SVG of the landscape shows each name as one line of text (cut at 80 characters), so no HTML-like
    label, no Graphviz escape (\\N, \\l, \\G …) and no line break came from the model."""
    view = _landscape(hostile, group_by=group_by)
    svg = ET.fromstring(render_image(view, "svg"))  # strict XML: control characters would fail here
    drawn = _node_texts(svg)
    for key, text in PAYLOADS.items():
        expected = shorten(one_line(text), 80)
        assert " ".join(drawn[f"app-{key}"].split()) == " ".join(expected.split()), key
    assert drawn["app-long"] == shorten(LONG_NAME, 80)
    for link in svg.iter(f"{SVG}a"):
        assert link.get(f"{XLINK}href") is None  # the CLI's diagrams link nowhere
        assert len(link.get(f"{XLINK}title") or "") <= 1000  # tooltips are bounded too
    allowed = {"svg", "g", "title", "a", "path", "polygon", "polyline", "ellipse", "text"}
    assert {element.tag.removeprefix(SVG) for element in svg.iter()} <= allowed


def test_dot_has_no_html_like_label_but_the_legend(hostile) -> None:
    dot = render_dot(_landscape(hostile, group_by="tag"))
    html_labels = [line for line in dot.splitlines() if "=<" in line]
    assert len(html_labels) == 1 and html_labels[0].lstrip().startswith("legend [label=<<TABLE")
    assert "\x1b" not in dot and "\r" not in dot


def test_mermaid_labels_are_plain_text(hostile) -> None:
    for group_by in ("owner", "tag"):
        text = render_mermaid(_landscape(hostile, group_by=group_by))
        assert_mermaid_is_safe(text)
        assert "#60;img src=x onerror=#34;window.__xss=1#34;#62;" in text  # shown, as entity codes
    process = build_view("process", hostile.model, hostile.dependencies,
                         ViewOptions(as_of=AS_OF, focus="proc-mermaid-break"))
    assert_mermaid_is_safe(render_mermaid(process))


def _cli(args: list[str], cwd: Path, path: str | None = None) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ)
    if path is not None:
        env["PATH"] = path
    return subprocess.run([sys.executable, "-m", "archrepo", *args], cwd=cwd, capture_output=True, env=env,
                          timeout=300, check=False)


def test_a_name_over_16_kb_is_drawn(tmp_path: Path) -> None:
    repo = write_hostile_repo(tmp_path / "repo", {"plain": "Plain"}, rules=False)
    for fmt in ("svg", "png"):
        outcome = _cli(["diagram", "landscape", "--layout", "graph", "--format", fmt, "-o",
                        str(tmp_path / f"out.{fmt}")], repo)
        assert outcome.returncode == 0, outcome.stderr
    drawn = _node_texts(ET.parse(tmp_path / "out.svg").getroot())
    assert drawn["app-long"] == "L" * 79 + "…"


_FAKE_DOTS = {
    "exits-1": "#!/bin/sh\nprintf 'Error: <stdin>: syntax error in line 1 near \\033[31mX\\n' >&2\nexit 1\n",
    # stops reading at once: archrepo's write into its stdin breaks (EPIPE) on a large graph
    "closes-stdin": "#!/bin/sh\nexec 0<&-\necho 'Error: out of memory' >&2\nexit 3\n",
    "killed": "#!/bin/sh\nkill -9 $$\n",
    "writes-nothing": "#!/bin/sh\ncat >/dev/null\nexit 0\n",
    "writes-garbage": "#!/bin/sh\ncat >/dev/null\necho '<svg xmlns=\"http://www.w3.org/2000/svg\"><a'\n",
}


@pytest.fixture(scope="module")
def large_repo(tmp_path_factory) -> Path:
    """A model whose DOT is far larger than a pipe buffer (64 KB)."""
    return write_hostile_repo(tmp_path_factory.mktemp("large") / "repo",
                              {f"p{n}": f"Application {n} " + "x" * 200 for n in range(150)}, rules=False)


@pytest.mark.parametrize("fake", sorted(_FAKE_DOTS))
def test_a_failing_graphviz_is_an_error(large_repo: Path, tmp_path: Path, fake: str) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dot").write_text(_FAKE_DOTS[fake], encoding="utf-8")
    (bin_dir / "dot").chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    for fmt in ("svg", "png") if fake in ("exits-1", "writes-garbage") else ("svg",):
        outcome = _cli(["diagram", "landscape", "--layout", "graph", "--format", fmt], large_repo, path)
        stderr = outcome.stderr.decode("utf-8", "replace")
        assert outcome.returncode == 2, stderr
        assert "Graphviz" in stderr and "Traceback" not in stderr and "\x1b" not in stderr
        assert outcome.stdout == b""
    if fake == "exits-1":
        assert "syntax error in line 1" in stderr and "exit status 1" in stderr
    if fake == "killed":
        assert "killed by signal 9" in stderr
    if fake == "writes-garbage":  # the landscape map is archrepo's own SVG: no Graphviz involved
        outcome = _cli(["diagram", "landscape", "--format", "svg"], large_repo, path)
        assert outcome.returncode == 0 and ET.fromstring(outcome.stdout).tag == f"{SVG}svg"
    if fake != "exits-1":
        return
    site = tmp_path / "site"
    outcome = _cli(["docs", "--out", str(site)], large_repo, path)
    assert outcome.returncode == 2 and "Graphviz" in outcome.stderr.decode("utf-8", "replace")
    assert not site.exists() or not any(site.rglob("*.html"))  # no half-written site


def test_the_svg_sanitiser_keeps_drawing_and_drops_everything_else() -> None:
    from archrepo.views.svg import sanitise_svg
    from tests.hostile_output import HOSTILE

    clean = sanitise_svg((HOSTILE / "hostile.svg").read_bytes(), {"class": "diagram", "aria-label": 'a "b" <c>'})
    root = ET.fromstring(clean)
    assert {element.tag.removeprefix(SVG) for element in root.iter()} == {
        "svg", "g", "title", "a", "polygon", "path", "text", "tspan"}
    for element in root.iter():
        assert not any(name.startswith("on") or name == "style" for name in element.attrib)
    links = [a.get(f"{XLINK}href") for a in root.iter(f"{SVG}a")]
    assert links == ["applications/app.html", None, None, None, None, None, "../../../etc/passwd#frag"]
    assert [a.get("target") for a in root.iter(f"{SVG}a")][:1] == ["_top"] and "evil" not in clean
    assert "__xss" not in clean and "javascript" not in clean.lower() and "expression" not in clean
    assert "App <b>" in "".join(root.itertext()) and 'aria-label="a &quot;b&quot; &lt;c&gt;"' in clean
    path = next(root.iter(f"{SVG}path"))
    assert path.get("fill") == "url(#gradient_1)" and path.get("stroke") is None
    assert next(root.iter(f"{SVG}g")).get("transform") == "scale(1 1) rotate(0) translate(4 46)"


def _every_view(repository: archrepo.Repository) -> list:
    """Every kind of Graphviz view of the model, with its options' variants (groups, a focused group, depths)."""
    from archrepo.views.integrations import integrations_view

    model, dependencies = repository.model, repository.dependencies
    options = ViewOptions(as_of=AS_OF)
    views = [build_view("landscape", model, dependencies, dataclasses.replace(options, group_by=group_by))
             for group_by in ("owner", "tag", "capability", "none")]
    applications = [a.id for a in model.of_kind("Application")]
    for application in applications[:12]:
        for name, depth in (("context", 1), ("context", 2), ("impact", 2)):
            views.append(build_view(name, model, dependencies,
                                    dataclasses.replace(options, focus=application, depth=depth)))
    views += [build_view("process", model, dependencies, dataclasses.replace(options, focus=p.id))
              for p in model.of_kind("Process")[:8]]
    views += [build_view("data", model, dependencies, dataclasses.replace(options, focus=d.id))
              for d in model.of_kind("DataObject")[:8]]
    for group_by in ("owner", "capability"):
        overall = integrations_view(model, dependencies, dataclasses.replace(options, group_by=group_by))
        views.append(overall)
        focused = 0
        for group in sorted(overall.nodes):
            try:  # (some nodes are integration platforms, not groups)
                views.append(integrations_view(model, dependencies,
                                               dataclasses.replace(options, group_by=group_by, focus=group)))
            except UsageError:
                continue
            focused += 1
            if focused == 4:
                break
    return views


@pytest.mark.parametrize("which", ["hostile", "reference"])
def test_dot_text_is_the_graphviz_packages_byte_for_byte(which: str, hostile, monkeypatch) -> None:
    """archrepo writes DOT itself (archrepo.views.dot_source) with the quoting of the `graphviz` package: the
    text of every view and map is exactly what the package's Digraph writes from the same calls, hostile names,
    long names, clusters, compound edges and the legend included."""
    import graphviz

    from archrepo.site.plan import plan_diagrams
    from archrepo.views import dot_source
    from archrepo.views.landscape_map import build_map
    from archrepo.views.map_formats import render_map_dot
    from tests.conftest import ROOT

    repository = hostile if which == "hostile" else archrepo.load(ROOT / "archrepo.yaml")
    views = _every_view(repository)
    plans = plan_diagrams(repository.model, repository.dependencies, as_of=AS_OF, marks={}, ext=".html")
    views += [plan.view for plan in plans.values() if plan.view is not None]
    maps = [build_map(repository.model, ViewOptions(as_of=AS_OF, group_by=g)) for g in ("owner", "capability")]
    ours = [render_dot(view) for view in views] + [render_map_dot(m) for m in maps]
    monkeypatch.setattr(dot_source, "DotSource", graphviz.Digraph)
    package = [render_dot(view) for view in views] + [render_map_dot(m) for m in maps]
    assert len(ours) > 60 and any("compound=true" in text for text in ours)
    assert any("subgraph cluster" in text for text in ours) and any("<<TABLE" in text for text in ours)
    for mine, theirs in zip(ours, package, strict=True):
        assert mine == theirs
