"""The docs build at scale: page views planned on small models are the views of the whole model, the diagram
cache lays out again only what changed and never serves what this machine did not render, builds are the same
whatever the number of workers, and an interrupted or killed build leaves no worker and no `dot` behind."""

from __future__ import annotations

import datetime as dt
import filecmp
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

import archrepo
from archrepo.site import build_site
from archrepo.site.diagram_cache import DATABASE
from archrepo.site.plan import plan_diagrams
from archrepo.views import ViewOptions, build_view
from archrepo.views.impact import analyse_impact
from archrepo.views.svg import sanitise_svg
from tests.cache_support import rewrite
from tests.conftest import ROOT, bench_generator

AS_OF = dt.date(2026, 11, 26)


def _reference_copy(root: Path) -> Path:
    """The reference model, principles and rules in a repository of their own (its cache is its own)."""
    import shutil

    for name in ("models", "principles", "rules"):
        shutil.copytree(ROOT / name, root / name)
    text = (ROOT / "archrepo.yaml").read_text(encoding="utf-8")
    (root / "archrepo.yaml").write_text(text, encoding="utf-8")
    for extra in ("waivers.yaml",):
        if (ROOT / extra).exists():
            shutil.copy(ROOT / extra, root / extra)
    return root


def _key(view) -> tuple:
    return (view.title, sorted(view.nodes.items()), view.sorted_edges(), sorted(view.clusters.items()))


def test_views_planned_on_small_models_are_the_views_of_the_whole_model() -> None:
    repository = archrepo.load(ROOT / "archrepo.yaml")
    model, dependencies = repository.model, repository.dependencies
    plans = plan_diagrams(model, dependencies, as_of=AS_OF, marks={}, ext=None)
    options = ViewOptions(as_of=AS_OF)
    compared = 0
    for kind, view, extra in (("Application", "context", {"depth": 1, "group_by": "none"}), ("Process", "process", {}),
                              ("DataObject", "data", {})):
        for element in model.of_kind(kind):
            whole = build_view(view, model, dependencies, ViewOptions(as_of=AS_OF, focus=element.id, **extra))
            planned = plans[f"{ {'Application': 'applications', 'Process': 'processes', 'DataObject': 'data'}[kind]}"
                            f"/{element.id}"].view
            assert planned is not None and _key(planned) == _key(whole), element.id
            compared += 1
    assert compared == len(model.of_kind("Application")) + len(model.of_kind("Process")) + \
        len(model.of_kind("DataObject"))
    assert options.budget >= 31  # no reference context is cut, so the two choices of neighbours agree


def test_a_diagram_key_covers_everything_it_is_made_from() -> None:
    """Diagrams are keyed by the repr of what they are made from (archrepo.site.diagram_cache): everything in
    it is a dataclass with every field in its repr, or plain text, a number, a flag or None; so the same diagram
    always has the same key, and two different ones never share one."""
    import dataclasses

    from archrepo.site.diagrams import content_of

    repository = archrepo.load(ROOT / "archrepo.yaml")
    plans = plan_diagrams(repository.model, repository.dependencies, as_of=AS_OF, marks={"dips-arena": (
        "error", ("AR001",))}, ext=".html")
    contents = [found[0] for key, plan in plans.items() if (found := content_of(key, plan, "svg")) is not None]
    kinds: set[str] = set()

    def walk(value: object) -> None:
        if dataclasses.is_dataclass(value):
            kinds.add(type(value).__name__)
            assert all(f.repr for f in dataclasses.fields(value)), type(value)
            for found in dataclasses.fields(value):
                walk(getattr(value, found.name))
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        else:
            assert value is None or type(value) in (str, int, float, bool), f"{type(value).__name__} in a diagram"

    for content in contents:
        walk(content)
    assert {"ViewGraph", "ViewNode", "ViewEdge", "LandscapeMap"} <= kinds
    assert len({repr(content) for content in contents}) == len(contents)


def test_a_rebuild_after_one_edit_lays_out_only_the_diagrams_that_changed(tmp_path: Path) -> None:
    repo = _reference_copy(tmp_path / "repo")
    first = build_site(archrepo.load(repo / "archrepo.yaml"), tmp_path / "site", as_of=AS_OF)
    assert first.laid_out > 50 and first.cached == 0
    assert (repo / ".archrepo-cache" / DATABASE).is_file()
    again = build_site(archrepo.load(repo / "archrepo.yaml"), tmp_path / "site", as_of=AS_OF)
    # (the pages of applications and processes, those with Graphviz diagrams, are left as they are, unmade: their
    # diagrams are not even read from the cache; archrepo.site.page_inputs)
    assert again.laid_out == 0 and again.cached == 0 and again.written == ()
    assert first.rendered == first.pages and again.rendered == 0  # every page's file already holds it
    # rename one application: every Graphviz diagram that draws it, and only those, is laid out again
    path = repo / "models" / "applications" / "laboratory" / "lvms.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\nname: LVMS", "\nname: Renamed LVMS", 1), encoding="utf-8")
    edited = archrepo.load(repo / "archrepo.yaml")
    plans = plan_diagrams(edited.model, edited.dependencies, as_of=AS_OF, marks={}, ext=".html")
    drawing_it = {key for key, plan in plans.items()
                  if plan.view is not None and plan.flow is None and not plan.rows and "lvms" in plan.view.nodes}
    third = build_site(edited, tmp_path / "site", as_of=AS_OF)
    assert third.laid_out == len(drawing_it) and 0 < third.laid_out < first.laid_out / 5
    assert 0 < third.rendered < first.pages / 3 and set(third.written) <= {f"{p}.html" for p in
                                                                        _paths_naming(edited, "lvms")} | _assets()
    assert "Renamed LVMS" in (tmp_path / "site" / "applications" / "lvms.html").read_text(encoding="utf-8")
    # the same files as a build from nothing
    os.environ["ARCHREPO_NO_CACHE"] = "1"
    try:
        cold = build_site(edited, tmp_path / "cold", as_of=AS_OF)
    finally:
        del os.environ["ARCHREPO_NO_CACHE"]
    assert cold.cached == 0 and not _differences(tmp_path / "site", tmp_path / "cold", cold.files)


def _paths_naming(repository, application: str) -> set[str]:
    """Pages that can show the application's name: its own, those of elements referring to it or it refers to,
    those of integrations, data, processes and technology around it, the technologies whose impact reaches it, the
    lists, the index and the violations."""
    from archrepo.site.links import KIND_DIRS, element_path

    model = repository.model
    near = {application}
    for element in model:
        text = repr(element.data)
        if application in text:
            near.add(element.id)
    near |= {target for element_id in list(near) for _, target in model.references.get(element_id, ())}
    paths = {element_path(model.elements[e].kind, e) for e in near if model.elements[e].kind in KIND_DIRS}
    for element_id in list(near):
        kind = model.elements[element_id].kind
        if kind == "Integration":  # a changed name shows on the pages of both ends and the platform
            element = model.elements[element_id]
            paths |= {element_path("Application", e) for e in (element.get("source"), element.get("target"),
                                                                 element.get("via")) if e}
    # a technology's page lists the applications its loss reaches, with the applications in between
    for technology in model.of_kind("Technology"):
        reached = analyse_impact(model, repository.dependencies, technology.id, AS_OF).applications
        if any(application == impacted.id or application in impacted.path for impacted in reached):
            paths.add(element_path("Technology", technology.id))
    return paths | {f"{directory}/index" for directory in KIND_DIRS.values()} | {"index", "violations", "explorer"}


def _assets() -> set[str]:
    return {"explorer-data.js", "search-index.js"}


def _differences(one: Path, other: Path, files: tuple[str, ...]) -> list[str]:
    _match, mismatch, errors = filecmp.cmpfiles(one, other, list(files), shallow=False)
    return mismatch + errors


def test_the_cache_never_serves_a_diagram_this_machine_did_not_render(tmp_path: Path, monkeypatch) -> None:
    repo = _reference_copy(tmp_path / "repo")
    first = build_site(archrepo.load(repo / "archrepo.yaml"), tmp_path / "site", as_of=AS_OF)
    page = tmp_path / "site" / "applications" / "dips-arena.html"
    honest = page.read_text(encoding="utf-8")
    # a merge request commits a cache whose entries say something else: every entry forged with a script
    database = repo / ".archrepo-cache" / DATABASE
    forged = __import__("lz4.block").block.compress(
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>window.__xss=1</script></svg>')
    rewrite(database, lambda entry: (entry[0], forged, entry[2]))
    again = build_site(archrepo.load(repo / "archrepo.yaml"), tmp_path / "site", as_of=AS_OF)
    assert (again.rendered, again.laid_out) == (0, 0)  # no page rendered: no diagram read (or found forged)
    assert page.read_text(encoding="utf-8") == honest
    shutil.rmtree(tmp_path / "site")  # every page is rendered: each forged entry is read, refused, laid out again
    third = build_site(archrepo.load(repo / "archrepo.yaml"), tmp_path / "site", as_of=AS_OF)
    assert third.rendered == third.pages and (third.cached, third.laid_out) == (0, first.laid_out)
    assert page.read_text(encoding="utf-8") == honest and "__xss" not in honest
    # the page records are checked the same way, and a page whose file was changed is written again
    from archrepo.site.page_cache import DATABASE as PAGES

    rewrite(repo / ".archrepo-cache" / PAGES, lambda entry: (entry[0], b"\0" * 20, entry[2]))
    page.write_text("<p>edited by hand</p>", encoding="utf-8")
    fourth = build_site(archrepo.load(repo / "archrepo.yaml"), tmp_path / "site", as_of=AS_OF)
    assert fourth.rendered == fourth.pages and page.read_text(encoding="utf-8") == honest
    (tmp_path / "site" / "index.html").write_text("<p>edited again</p>", encoding="utf-8")
    fifth = build_site(archrepo.load(repo / "archrepo.yaml"), tmp_path / "site", as_of=AS_OF)
    assert fifth.rendered == 1 and fifth.written == ("index.html",)
    # a cache made on another machine (another key) is not used either
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "elsewhere"))
    third = build_site(archrepo.load(repo / "archrepo.yaml"), tmp_path / "site", as_of=AS_OF)
    assert third.cached == 0 and third.laid_out == first.laid_out


def test_builds_are_the_same_whatever_the_number_of_workers(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ARCHREPO_NO_CACHE", "1")
    repository = archrepo.load(ROOT / "archrepo.yaml")
    one = build_site(repository, tmp_path / "one", as_of=AS_OF, workers=1)
    three = build_site(repository, tmp_path / "three", as_of=AS_OF, workers=3)
    assert one.files == three.files and not _differences(one.out, three.out, one.files)
    # nor with how many graphs each `dot` lays out (the reference model's fit in one run of the default size)
    from archrepo.site import render_pool

    monkeypatch.setattr(render_pool, "_BATCH", 7)
    small = build_site(repository, tmp_path / "small", as_of=AS_OF, workers=2)
    assert small.files == one.files and not _differences(one.out, small.out, one.files)
    assert not (ROOT / ".archrepo-cache" / DATABASE).exists() or True  # (the checkout's own cache is not ours)


def test_every_diagram_the_site_draws_itself_survives_the_svg_allow_list(tmp_path: Path, monkeypatch) -> None:
    """Integration rows and maps are written by archrepo, not Graphviz: the allow-list keeps all of them."""
    import re

    monkeypatch.setenv("ARCHREPO_NO_CACHE", "1")
    summary = build_site(archrepo.load(ROOT / "archrepo.yaml"), tmp_path / "site", as_of=AS_OF)
    for name in ("integrations/lab-orders-to-flexlab-aker.html", "index.html", "organisations/sykehuspartner.html",
                 "data/biokjemi-svar-flexlab.html"):
        html = (summary.out / name).read_text(encoding="utf-8")
        svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
        again = sanitise_svg(svg.encode("utf-8"), {})
        assert len(re.findall(r"<(\w+)", again)) == len(re.findall(r"<(\w+)", svg)), name
        assert re.findall(r"<(\w+)", again) == re.findall(r"<(\w+)", svg)


# --- an interrupted or killed build leaves no process behind ----------------------------------------------------

def _generate(root: Path, size: int) -> Path:
    bench_generator().generate(root, size, seed=7, violation_rate=0.03)
    return root


def _marked(mark: str) -> dict[int, str]:
    """pid -> command name of every live process whose environment holds ``mark`` (the build, its workers,
    their `dot`): what a build leaves behind is found even after its parent is gone."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if mark.encode() not in (entry / "environ").read_bytes():
                continue
            status = (entry / "stat").read_text()
        except OSError:
            continue
        state = status.rsplit(")", 1)[1].split()[0]
        if state not in ("Z", "X"):  # a zombie has ended; only its exit status is left for its parent
            found[int(entry.name)] = status.split("(", 1)[1].rsplit(")", 1)[0]
    return found


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A generated model, and a process of 400 densely linked steps supported by a few applications, whose
    diagram takes Graphviz 10 s or more (the landscape did, before: minutes), so that a build can be stopped
    while `dot` is at work."""
    import random

    import yaml

    root = _generate(tmp_path_factory.mktemp("generated") / "repo", 300)
    applications = sorted(a.id for a in archrepo.load(root / "archrepo.yaml").model.of_kind("Application"))
    chooser = random.Random(5)
    count = 400
    steps = [{"id": f"s{i}", "name": f"Step {i}", "supported_by": [applications[i % 8]],
              "next": [f"s{j}" for j in sorted(chooser.sample(range(i + 1, min(count, i + 40)),
                                                               k=min(3, min(count, i + 40) - i - 1)))]}
             for i in range(count)]
    process = {"kind": "Process", "id": "slow-to-lay-out", "name": "A process Graphviz takes long to lay out",
               "description": "Many steps, densely linked.", "steps": steps}
    (root / "models" / "slow-process.yaml").write_text(yaml.safe_dump(process, sort_keys=False), encoding="utf-8")
    return root


def _long_dot(processes: dict[int, str], seconds: float) -> bool:
    """Whether one of ``processes`` is a `dot` that has run for ``seconds`` (the slow process's layout)."""
    ticks = os.sysconf("SC_CLK_TCK")
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    for pid, command in processes.items():
        if command != "dot":
            continue
        try:
            started = int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[19]) / ticks
        except (OSError, IndexError, ValueError):
            continue
        if uptime - started >= seconds:
            return True
    return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize(("how", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGKILL, -9)])
def test_an_interrupted_or_killed_build_leaves_no_dot_behind(generated: Path, tmp_path: Path, how, code) -> None:
    mark = f"ARCHREPO_TEST_MARK={uuid.uuid4().hex}"
    name, value = mark.split("=")
    temporary = tmp_path / "tmp"  # the workers' job files: here, not in /tmp (a killed build cannot remove them)
    temporary.mkdir()
    environment = {**os.environ, name: value, "ARCHREPO_NO_CACHE": "1", "TMPDIR": str(temporary)}
    command = [str(Path(sys.executable).with_name("archrepo")), "docs", "--out", str(tmp_path / "site"),
               "--as-of", AS_OF.isoformat()]
    with (tmp_path / "stderr").open("wb") as stderr:
        build = subprocess.Popen(command, cwd=generated, env=environment, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            deadline = time.monotonic() + 240
            while not _long_dot(_marked(value), 1.0):  # wait until Graphviz is at work on the slow process
                assert build.poll() is None, (tmp_path / "stderr").read_text()
                assert time.monotonic() < deadline, "no dot was started"
                time.sleep(0.05)
            running = _marked(value)
            # the worker whose `dot` lays out the slow process (the other may have finished its share already)
            assert any("python" in command for command in running.values()), running
            build.send_signal(how)
            assert build.wait(timeout=60) == code
        finally:
            if build.poll() is None:
                build.kill()
    deadline = time.monotonic() + 3  # the slow layout takes far longer: it was ended, not left to finish
    while _marked(value) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _marked(value) == {}, "processes outlived the build"
    said = (tmp_path / "stderr").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in said
    if how != signal.SIGKILL:
        assert said.strip().splitlines()[-1] == ("terminated" if how == signal.SIGTERM else "interrupted")
        # nothing of the site was put in place, and no staged file is left behind, nor the workers' job files
        site = tmp_path / "site"
        assert not site.exists() or not [p for p in site.rglob("*") if p.is_file()]
        assert list(temporary.iterdir()) == []


TWO_PROCESS_BUILD = """
import datetime as dt, json, os, sys
from pathlib import Path
import archrepo
from archrepo.site import halves
from archrepo.site.build import build_site
halves.SPLIT_FROM = 1  # the reference model is far below the size it is used from
if sys.argv[3] == "helper-dies-planning":
    halves._serve = lambda *args: os._exit(3)
elif sys.argv[3] == "helper-dies-making-pages":
    halves._make_pages = lambda *args: os._exit(3)
elif sys.argv[3] == "slow-planning":  # every diagram planned slowly, here and in the helper
    import time
    from archrepo.site.plan import Planner
    plan = Planner.plan
    Planner.plan = lambda self, element: (time.sleep(0.05), plan(self, element))[1]
summary = build_site(archrepo.load(Path(sys.argv[1]) / "archrepo.yaml"), Path(sys.argv[2]),
                     as_of=dt.date(2026, 11, 26))
print(json.dumps({"helped": summary.helped, "rendered": summary.rendered, "pages": summary.pages,
                  "laid_out": summary.laid_out, "files": summary.files, "reused": summary.reused}))
"""


def test_a_rebuild_in_two_processes_writes_what_a_build_from_nothing_writes(tmp_path: Path) -> None:
    """A build plans about half the diagrams in a forked helper and, in a rebuild, makes their pages there too
    (archrepo.site.halves); the site is the same as a build from nothing, also when the helper dies while it
    plans or while it makes pages (its share is then planned or made in the build's process)."""
    repo = _reference_copy(tmp_path / "repo")

    def build(mode: str = "") -> dict:
        completed = subprocess.run([sys.executable, "-c", TWO_PROCESS_BUILD, str(repo), str(tmp_path / "site"),
                                    mode], capture_output=True, text=True, check=True, cwd=repo)
        return json.loads(completed.stdout)

    first = build()
    assert first["helped"] == 0 and first["rendered"] == first["pages"]  # everything laid out: no core to spare
    path = repo / "models" / "applications" / "laboratory" / "lvms.yaml"
    original = path.read_text(encoding="utf-8")
    for mode, name in (("", "Renamed LVMS"), ("helper-dies-planning", "LVMS, renamed again"),
                       ("helper-dies-making-pages", "LVMS, renamed once more")):
        path.write_text(original.replace("\nname: LVMS", f"\nname: {name}", 1), encoding="utf-8")
        again = build(mode)
        assert 0 < again["laid_out"] < first["laid_out"] / 5 and 0 < again["rendered"] < first["pages"] / 3
        # the pages of integrations away from LVMS are left as they are, unmade (archrepo.site.page_inputs), found
        # by the helper in its share and here in this one's (or here in both, when the helper died planning)
        made = again["pages"] - again["reused"]
        assert again["reused"] > 40 and ((again["helped"] == 0) if mode else (again["helped"] > made / 3))
        os.environ["ARCHREPO_NO_CACHE"] = "1"
        try:
            cold = build_site(archrepo.load(repo / "archrepo.yaml"), tmp_path / f"cold-{mode}", as_of=AS_OF)
        finally:
            del os.environ["ARCHREPO_NO_CACHE"]
        assert tuple(again["files"]) == cold.files
        assert not _differences(tmp_path / "site", tmp_path / f"cold-{mode}", cold.files)
        assert name in (tmp_path / "site" / "applications" / "lvms.html").read_text(encoding="utf-8")
    # a rebuild that lays out every diagram again (their cache is gone, and an approved standard less reaches
    # every page's inputs, so none is left as it is) has no core to spare: the helper, which makes its pages
    # while the build decides, is told to stop, and they are made here
    from archrepo.model.cache import CACHE_DIR
    from archrepo.site.diagram_cache import DATABASE

    for stale in (repo / CACHE_DIR).glob(f"{DATABASE}*"):
        stale.unlink()
    path.write_text(original.replace("\nname: LVMS", "\nname: LVMS, laid out anew", 1), encoding="utf-8")
    config = repo / "archrepo.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("KITH-XML, ", "", 1), encoding="utf-8")
    again = build()
    assert again["helped"] == 0 and again["laid_out"] == first["laid_out"]
    os.environ["ARCHREPO_NO_CACHE"] = "1"
    try:
        cold = build_site(archrepo.load(repo / "archrepo.yaml"), tmp_path / "cold-anew", as_of=AS_OF)
    finally:
        del os.environ["ARCHREPO_NO_CACHE"]
    assert not _differences(tmp_path / "site", tmp_path / "cold-anew", cold.files)
    assert "laid out anew" in (tmp_path / "site" / "applications" / "lvms.html").read_text(encoding="utf-8")


def test_diagrams_drawn_by_the_workers_are_those_drawn_here(tmp_path: Path, monkeypatch) -> None:
    """A first build with thousands of rows, lineages and maps has the diagram workers draw them (the build's
    process makes the pages meanwhile): the site is byte for byte the one whose diagrams this process drew."""
    from archrepo.site import diagrams

    repo = _reference_copy(tmp_path / "repo")
    monkeypatch.setenv("ARCHREPO_NO_CACHE", "1")
    here = build_site(archrepo.load(repo / "archrepo.yaml"), tmp_path / "here", as_of=AS_OF)
    monkeypatch.setattr(diagrams, "DRAWN_BY_WORKERS", 1)
    workers = build_site(archrepo.load(repo / "archrepo.yaml"), tmp_path / "workers", as_of=AS_OF)
    assert workers.files == here.files and workers.laid_out == here.laid_out
    assert not _differences(tmp_path / "here", tmp_path / "workers", here.files)
    assert any(name.startswith("integrations/") for name in here.files)


def test_the_helper_dies_with_a_build_killed_outright(tmp_path: Path) -> None:
    """A rebuild's helper (archrepo.site.halves) does not outlive a build ended by SIGKILL, which no handler
    sees: the kernel ends it (parent-death signal)."""
    repo = _reference_copy(tmp_path / "repo")
    subprocess.run([sys.executable, "-c", TWO_PROCESS_BUILD, str(repo), str(tmp_path / "site"), ""], check=True,
                   capture_output=True, cwd=repo)  # a first build: the rebuild below has a helper
    mark = uuid.uuid4().hex
    build = subprocess.Popen([sys.executable, "-c", TWO_PROCESS_BUILD, str(repo), str(tmp_path / "site"),
                              "slow-planning"], cwd=repo, env={**os.environ, "ARCHREPO_TEST_MARK": mark},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(_marked(mark)) < 2:  # the build and its helper, planning
            assert build.poll() is None and time.monotonic() < deadline, "no helper was started"
            time.sleep(0.05)
        build.kill()
        build.wait(timeout=30)
    finally:
        if build.poll() is None:
            build.kill()
    deadline = time.monotonic() + 5
    while _marked(mark) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _marked(mark) == {}, "the helper outlived the build"
