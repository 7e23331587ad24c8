"""Views on the reference model, golden DOT and Mermaid for the small fixture, real Graphviz SVG and PNG."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

import archrepo
from archrepo.views import ViewOptions, analyse_impact, build_view
from archrepo.views.render_dot import render_dot
from archrepo.views.render_mermaid import render_mermaid
from tests.conftest import FIXTURES, ROOT, SMALL, run_cli, run_process

AS_OF = dt.date(2026, 11, 26)
GOLDEN = FIXTURES / "golden"


@pytest.fixture(scope="module")
def reference() -> archrepo.Repository:
    return archrepo.load(ROOT / "archrepo.yaml")


@pytest.fixture(scope="module")
def small() -> archrepo.Repository:
    return archrepo.load(SMALL / "archrepo.yaml")


def view(repo: archrepo.Repository, name: str, **options):
    return build_view(name, repo.model, repo.dependencies, ViewOptions(as_of=AS_OF, **options))


def test_landscape_has_every_application_in_service_clustered_by_owner(reference) -> None:
    graph = view(reference, "landscape")
    in_service = {a.id for a in reference.model.of_kind("Application")
                  if archrepo.model.effective_status(a, AS_OF) != "retired"}
    assert set(graph.nodes) == in_service
    assert "ris-ous-legacy" not in graph.nodes  # retired
    assert graph.nodes["dips-arena"].category == "core-system"
    assert graph.nodes["nhn-edi"].category == "national-component"
    assert graph.nodes["flexlab"].fill == "phase-out"
    assert graph.nodes["dips-arena"].cluster == "cluster-sykehuspartner"
    edge = next(e for e in graph.edges if (e.source, e.target) == ("lvms", "dips-arena"))
    assert edge.label  # the standard(s)
    assert "ris-ous-legacy" in view(reference, "landscape", include_retired=True).nodes


def test_landscape_filters_and_grouping(reference) -> None:
    tagged = view(reference, "landscape", tags=("regional",))
    assert tagged.nodes and all("regional" in (reference.model.get(n).get("tags") or ()) for n in tagged.nodes)
    owned = view(reference, "landscape", owners=("norsk-helsenett",))
    assert {"kjernejournal", "helsenorge", "nhn-edi"} <= set(owned.nodes)
    assert "dips-arena" not in owned.nodes
    by_capability = view(reference, "landscape", group_by="capability")
    assert any(label == "Pasientjournal" for label in by_capability.clusters.values())
    assert not view(reference, "landscape", group_by="none").clusters


def test_context_depth(reference) -> None:
    one = view(reference, "context", focus="imatis", depth=1)
    assert one.nodes["imatis"].focus
    neighbours = {i.get("target") for i in reference.model.of_kind("Integration") if i.get("source") == "imatis"}
    neighbours |= {i.get("source") for i in reference.model.of_kind("Integration") if i.get("target") == "imatis"}
    assert set(one.nodes) == neighbours | {"imatis"}
    two = view(reference, "context", focus="imatis", depth=2)
    assert set(two.nodes) > set(one.nodes)


def test_impact_view_and_analysis(reference) -> None:
    result = analyse_impact(reference.model, reference.dependencies, "lvms", AS_OF)
    ids = {a.id: a for a in result.applications}
    assert "dips-arena" in ids and ids["dips-arena"].distance == 1 and ids["dips-arena"].path == ("lvms", "dips-arena")
    for app in result.applications:
        assert app.path[0] == "lvms" and len(app.path) == app.distance + 1
        for dependent, dependency in zip(app.path[1:], app.path, strict=False):
            assert reference.dependencies.has_edge(dependent, dependency)
    assert result.process_steps
    graph = view(reference, "impact", focus="lvms")
    assert graph.nodes["lvms"].fill == "focus"
    assert graph.nodes["dips-arena"].fill == "distance-1"
    assert any(n.category == "process-step" for n in graph.nodes.values())


def test_process_view_follows_next(reference) -> None:
    graph = view(reference, "process", focus="henvisning-til-poliklinikk")
    steps = [n for n in graph.nodes.values() if n.category == "process-step"]
    process = reference.model.get("henvisning-til-poliklinikk")
    assert len(steps) == len(process.data["steps"])
    nexts = {(e.source, e.target) for e in graph.edges if e.category == "next"}
    for step in process.data["steps"]:
        for following in step.get("next") or ():
            assert (f"henvisning-til-poliklinikk/{step['id']}", f"henvisning-til-poliklinikk/{following}") in nexts
    assert "dips-arena" in graph.nodes


def test_data_lineage_from_the_master(reference) -> None:
    graph = view(reference, "data", focus="epikrise")
    master = reference.model.get("epikrise").get("master")
    assert any(e.category == "master" and e.source == master for e in graph.edges)
    carriers = [i for i in reference.model.of_kind("Integration") if "epikrise" in (i.get("data") or ())
                and i.get("status", "active") != "retired"]
    for integration in carriers:
        assert any((e.source, e.target) == (integration.get("source"), integration.get("target"))
                   for e in graph.edges)


@pytest.mark.parametrize(("args", "words"), [
    (["diagram", "context", "--focus", "dips-arna"], "Did you mean 'dips-arena'"),
    (["diagram", "context"], "needs --focus"),
    (["diagram", "process", "--focus", "dips-arena"], "that is Application, not Process"),
    (["diagram", "data", "--focus", "epikrse"], "Did you mean 'epikrise'"),
    (["impact", "kjernejornal"], "Did you mean 'kjernejournal'"),
    (["diagram", "landscape", "--owner", "nobody"], "--owner nobody"),
])
def test_missing_focus_is_exit_2_with_a_suggestion(args: list[str], words: str) -> None:
    outcome = run_cli(args, ROOT)
    assert outcome.exit_code == 2 and words in outcome.stderr and "Traceback" not in outcome.stderr


@pytest.mark.parametrize(("name", "options"), [
    ("landscape", {}), ("context", {"focus": "dips-arena", "depth": 2}), ("impact", {"focus": "dips-arena"}),
    ("process", {"focus": "henvisning-til-poliklinikk"}), ("data", {"focus": "epikrise"}),
])
@pytest.mark.parametrize("renderer", ["dot", "mermaid"])
def test_golden_files_of_the_small_model(small, name: str, options: dict, renderer: str) -> None:
    """Refresh with ARCHREPO_UPDATE_GOLDEN=1 pytest tests/test_views.py, then review the diff in git."""
    marks = {"henvisning-to-dips": ("warning", ("INT002",)), "old-ris": ("error", ("AR002",))}
    graph = view(small, name, violations=marks, **options)
    text = render_dot(graph) if renderer == "dot" else render_mermaid(graph)
    golden = GOLDEN / f"{name}.{'dot' if renderer == 'dot' else 'mmd'}"
    if os.environ.get("ARCHREPO_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    again = view(archrepo.load(SMALL / "archrepo.yaml"), name, violations=marks, **options)
    assert text == (render_dot(again) if renderer == "dot" else render_mermaid(again))


def test_svg_is_valid_xml_and_png_is_a_png(tmp_path: Path) -> None:
    svg = tmp_path / "landscape.svg"
    assert run_process(["diagram", "landscape", "--format", "svg", "-o", str(svg), "--violations"], ROOT).exit_code == 0
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "DIPS Arena" in svg.read_text(encoding="utf-8")
    png = tmp_path / "context.png"
    outcome = run_process(["diagram", "context", "--focus", "dips-arena", "--format", "png", "-o", str(png)], ROOT)
    assert outcome.exit_code == 0, outcome.stderr
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_mermaid_and_dot_to_stdout() -> None:
    outcome = run_cli(["diagram", "process", "--focus", "henvisning-til-poliklinikk", "--format", "mermaid"], ROOT)
    assert outcome.exit_code == 0 and outcome.stdout.splitlines()[1] == "flowchart LR"
    assert run_cli(["diagram", "landscape", "--format", "dot"], ROOT).stdout.startswith("digraph landscape {")


def test_violations_mark_nodes_and_edges(reference) -> None:
    outcome = run_cli(["diagram", "context", "--focus", "imatis", "--format", "dot", "--violations",
                       "--as-of", "2026-11-26"], ROOT)
    assert outcome.exit_code == 0
    assert 'color="#d97706"' in outcome.stdout  # INT002 on the point-to-point integration into DIPS Arena
    assert "INT002" in outcome.stdout  # in the tooltip


def test_impact_command_text_and_json() -> None:
    outcome = run_cli(["impact", "lvms", "--format", "json", "--as-of", "2026-11-26"], ROOT)
    data = json.loads(outcome.stdout)
    assert data["focus"] == "lvms"
    assert {"id", "distance", "path"} == set(data["applications"][0])
    assert {"process", "step"} == set(data["process_steps"][0])
    text = run_cli(["impact", "lvms"], ROOT).stdout
    assert text.startswith("Impact of LVMS") and "PROCESS STEPS" in text


SMALL_MODEL = {"models/m.yaml": """
    kind: Organisation
    id: vestre-viken
    name: Vestre Viken HF
    ---
    kind: Application
    id: lab-system
    name: Lab
    owner: vestre-viken
    lifecycle: {status: active}
    ---
    kind: DataObject
    id: provesvar
    name: Prøvesvar
    classification: sensitive
    master: lab-system
    """}


@pytest.mark.parametrize(("args", "words"), [
    (["diagram", "context"], "For example: archrepo diagram context --focus lab-system"),
    (["diagram", "data"], "For example: archrepo diagram data --focus provesvar"),
    (["diagram", "process"], "This model has no Process."),
    (["diagram", "context", "--focus", "dips-arena"], "Application ids in this model: lab-system."),
    (["diagram", "context", "--focus", "provesvar"], "For DataObject 'provesvar': `archrepo diagram data --focus provesvar`"),
    (["diagram", "data", "--focus", "lab-system"], "`archrepo diagram context --focus lab-system`"),
    (["impact", "provesvar"], "`archrepo diagram data --focus provesvar`"),
    (["diagram", "landscape", "--owner", "vestre-vikn"], "Did you mean 'vestre-viken'?"),
    (["diagram", "landscape", "--owner", "lab-system"], "that is Application, not Organisation"),
])
def test_focus_and_owner_errors_suggest_ids_of_this_model_and_the_right_view(make_repo, args: list[str],
                                                                            words: str) -> None:
    outcome = run_cli([*args, "--format", "dot"] if args[0] == "diagram" else args, make_repo(SMALL_MODEL))
    assert outcome.exit_code == 2, outcome.stdout
    assert words in outcome.stderr, outcome.stderr
    assert "dips-arena" not in outcome.stderr.replace("--focus dips-arena", "")


def test_two_edges_between_the_same_boxes_keep_their_order() -> None:
    """Two edges from one box to the same other box (sync and async integrations of one pair) are written with
    ``ordering=out``; a view without such a pair is not."""
    from archrepo.views.graph import ViewEdge, ViewGraph, ViewNode

    def view(*edges: tuple[str, str, str]) -> ViewGraph:
        graph = ViewGraph("context", "Context")
        for name in ("a", "b", "c"):
            graph.add_node(ViewNode(name, name.upper(), "application", "active"))
        for source, target, category in edges:
            graph.add_edge(ViewEdge(source, target, category, category))
        return graph

    assert "ordering=out" in render_dot(view(("a", "b", "integration"), ("a", "b", "sync")))
    assert "ordering=out" not in render_dot(view(("a", "b", "integration"), ("b", "a", "sync"), ("a", "c", "sync")))


def test_a_diagram_with_parallel_edges_comes_out_the_same_after_any_graphs() -> None:
    """Graphviz 2.43 orders parallel edges by where they lie in memory, which the graphs a `dot` read before have
    moved: this context diagram of a 10,000-application model came out with its two edges from Moss DIPS Arena to
    Moss Blodbank swapped after some graphs of its batch (`bench/run.py` found its rebuilt page differing from a
    build from nothing). Written with ``ordering=out``, it comes out as it does alone after any of them; without,
    it does not (with Graphviz 2.43)."""
    from archrepo.site.diagram_cache import _graphviz_version
    from archrepo.site.dot_batch import render_batch

    fixture = json.loads((FIXTURES / "graphviz" / "parallel-edges.json").read_text(encoding="utf-8"))
    before, diagram = fixture["before"], fixture["diagram"]
    assert "ordering=out" in diagram

    def swapped(text: str) -> int:
        """How many times of 24 the diagram comes out otherwise than alone, in a batch after other graphs."""
        batch: list[str] = []
        places = []
        for turn in range(24):
            batch += [before[turn % len(before)]] * (turn % 3)
            places.append(len(batch))
            batch.append(text)
        alone = render_batch([text])[0]
        out = render_batch(batch)
        return sum(1 for place in places if out[place] != alone)

    assert swapped(diagram) == 0
    if " 2.43." in _graphviz_version():
        assert swapped(diagram.replace(" ordering=out", "", 1)) > 0
