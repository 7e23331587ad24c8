"""The integrations view (aggregated between groups, platform hops), the bounded impact/context/data diagrams,
and the initiator marker on integration edges."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections import Counter

import pytest

import archrepo
from archrepo.model.elements import effective_status
from archrepo.views import ViewOptions, analyse_impact, build_view
from archrepo.views.graph import ViewGraph
from archrepo.views.render_dot import render_dot, render_image
from archrepo.views.render_mermaid import render_mermaid
from tests.conftest import ROOT, run_cli

AS_OF = dt.date(2026, 11, 26)
PLATFORM = "regional-integrasjonsplattform"


@pytest.fixture(scope="module")
def reference() -> archrepo.Repository:
    return archrepo.load(ROOT / "archrepo.yaml")


def view(repo: archrepo.Repository, name: str, **options) -> ViewGraph:
    return build_view(name, repo.model, repo.dependencies, ViewOptions(as_of=AS_OF, **options))


def _in_service(repo: archrepo.Repository) -> set[str]:
    return {a.id for a in repo.model.of_kind("Application") if effective_status(a, AS_OF) != "retired"}


def _live_integrations(repo: archrepo.Repository) -> list:
    alive = _in_service(repo)
    return [i for i in repo.model.of_kind("Integration") if i.get("status", "active") != "retired"
            and i.get("source") in alive and i.get("target") in alive]


def _count(label: str) -> int:
    return int(label.split(":", 1)[0])


def test_one_edge_per_pair_of_groups_with_the_counts(reference) -> None:
    graph = view(reference, "integrations")
    pairs = [(e.source, e.target) for e in graph.edges]
    assert len(pairs) == len(set(pairs))  # one edge per ordered pair
    # expected counts, worked out here from the model: owner at the second level of the organisation tree
    organisations = {o.id: o for o in reference.model.of_kind("Organisation")}

    def group(application_id: str) -> str:
        chain = [reference.model.get(application_id).get("owner")]
        while organisations[chain[-1]].get("parent"):
            chain.append(organisations[chain[-1]].get("parent"))
        return chain[-2] if len(chain) >= 2 else chain[-1]

    integrations = _live_integrations(reference)
    platforms = {i.get("via") for i in integrations if i.get("via")}
    expected: Counter[tuple[str, str]] = Counter()
    for integration in integrations:
        ends = [e if e in platforms else group(e) for e in (integration.get("source"), integration.get("target"))]
        route = [ends[0], integration.get("via"), ends[1]] if integration.get("via") else ends
        for start, end in itertools.pairwise(route):
            if start != end:
                expected[start, end] += 1
    assert {(e.source, e.target): _count(e.label) for e in graph.edges} == dict(expected)
    # DIPS Arena's owner, Sykehuspartner, sends to OUS (and back) through the regional platform
    labels = {(e.source, e.target): e.label for e in graph.edges}
    assert ("sykehuspartner", PLATFORM) in labels and (PLATFORM, "oslo-universitetssykehus") in labels
    assert "HL7v2" in labels[PLATFORM, "oslo-universitetssykehus"]
    assert graph.nodes["sykehuspartner"].category == "group"
    assert graph.nodes[PLATFORM].category == "integration-platform"
    assert "(pull)" in labels["norsk-helsenett", "sykehuspartner"]  # lookups initiated by their target


def test_the_platform_carries_its_weight(reference) -> None:
    """Regression: integrations routed via the platform were drawn as direct edges, leaving it alone."""
    graph = view(reference, "integrations")
    through = [i for i in _live_integrations(reference) if i.get("via") == PLATFORM]
    assert through
    into = sum(_count(e.label) for e in graph.edges if e.target == PLATFORM)
    out = sum(_count(e.label) for e in graph.edges if e.source == PLATFORM)
    direct_in = sum(1 for i in _live_integrations(reference) if i.get("target") == PLATFORM)
    direct_out = sum(1 for i in _live_integrations(reference) if i.get("source") == PLATFORM)
    assert into == len([i for i in through if i.get("source") != PLATFORM]) + direct_in
    assert out == len([i for i in through if i.get("target") != PLATFORM]) + direct_out
    landscape = view(reference, "landscape")  # the Graphviz landscape keeps one edge per application pair
    assert landscape.nodes[PLATFORM]


def test_capability_grouping_and_levels(reference) -> None:
    by_capability = view(reference, "integrations", group_by="capability")
    assert any(n.category == "group" for n in by_capability.nodes.values())
    top = view(reference, "integrations", level=1)
    assert "helse-sor-ost" in top.nodes and "sykehuspartner" not in top.nodes
    outcome = run_cli(["diagram", "integrations", "--group-by", "tag"], ROOT)
    assert outcome.exit_code == 2 and "owner or capability" in outcome.stderr


def test_focus_shows_the_groups_applications_and_one_edge_per_outside_group(reference) -> None:
    graph = view(reference, "integrations", focus="oslo-universitetssykehus")
    cluster = "cluster-oslo-universitetssykehus"
    members = {n.id for n in graph.nodes.values() if n.cluster == cluster}
    owners = {"oslo-universitetssykehus", "ous-medisinsk-biokjemi", "ous-prehospital-klinikk"}
    expected = {a for a in _in_service(reference) if reference.model.get(a).get("owner") in owners}
    assert members == expected and "flexlab" in members
    outside = [e for e in graph.edges if cluster in (e.source, e.target)]
    assert len({(e.source, e.target) for e in outside}) == len(outside)
    assert any(e.source == "flexlab" and e.target in members for e in graph.edges)  # internal integrations
    assert {e.source for e in outside if e.target == cluster} <= set(graph.nodes)
    dot = render_dot(graph)
    assert "compound=true" in dot and "lhead=" in dot and "ltail=" in dot
    assert render_image(graph, "svg").startswith(b"<?xml")  # Graphviz draws the clipped edges
    mermaid = render_mermaid(graph)
    assert any(line.strip().startswith("subgraph n_") for line in mermaid.splitlines())
    outcome = run_cli(["diagram", "integrations", "--focus", "oslo-universitetssykehu"], ROOT)
    assert outcome.exit_code == 2 and "Did you mean 'oslo-universitetssykehus'" in outcome.stderr


def test_impact_of_the_platform_includes_the_ends_of_routed_integrations(reference) -> None:
    result = analyse_impact(reference.model, reference.dependencies, PLATFORM, AS_OF)
    impacted = {a.id for a in result.applications}
    for integration in _live_integrations(reference):
        if integration.get("via") == PLATFORM:
            assert {integration.get("source"), integration.get("target")} - {PLATFORM} <= impacted


def test_depth_bounds_the_list_and_the_diagram(reference) -> None:
    complete = json.loads(run_cli(["impact", "flexlab", "--format", "json", "--as-of", "2026-11-26"], ROOT).stdout)
    assert "depth" not in complete and max(a["distance"] for a in complete["applications"]) > 2
    one = json.loads(run_cli(["impact", "flexlab", "--depth", "1", "--format", "json", "--as-of", "2026-11-26"],
                              ROOT).stdout)
    assert one["depth"] == 1 and all(a["distance"] == 1 for a in one["applications"])
    assert sum(b["applications"] for b in one["beyond"]) + len(one["applications"]) == len(complete["applications"])
    graph = view(reference, "impact", focus="flexlab", depth=1)
    drawn = {n.id for n in graph.nodes.values() if n.category not in ("process-step", "summary")} - {"flexlab"}
    assert drawn == {a["id"] for a in one["applications"]}
    notes = [n.label for n in graph.nodes.values() if n.category == "summary" and "distance" in n.label]
    assert notes and all(re.fullmatch(r"\+\d+ more at distance (\d+): see `archrepo impact flexlab --depth \1`", n)
                         for n in notes)
    assert sum(int(n.split()[0][1:]) for n in notes) == len(complete["applications"]) - len(drawn)


def test_the_impact_diagram_is_bounded_by_default(reference) -> None:
    """Regression: the impact diagram of flexlab drew 37 applications and 72 process steps."""
    graph = view(reference, "impact", focus="flexlab")
    distances = {n.fill for n in graph.nodes.values() if n.fill.startswith("distance-")}
    assert distances == {"distance-1", "distance-2"}  # two rings by default
    assert sum(1 for n in graph.nodes.values() if n.category == "process-step") <= 15
    small = view(reference, "impact", focus="flexlab", budget=10)
    assert len([n for n in small.nodes.values() if n.category != "summary"]) <= 10
    counted = sum(int(n.label.split()[0][1:]) for n in small.nodes.values()
                  if n.category == "summary" and "distance" in n.label)
    total = len(analyse_impact(reference.model, reference.dependencies, "flexlab", AS_OF).applications)
    shown = sum(1 for n in small.nodes.values() if n.fill.startswith("distance-"))
    assert shown + counted == total
    rings = {c for c in small.clusters if c.startswith("cluster~distance-")}
    assert rings and all(small.clusters[c] for c in rings)
    assert 'subgraph "cluster~distance-1"' in render_dot(small)  # a Graphviz cluster (its name starts with "cluster")


def test_context_and_data_diagrams_have_a_budget(reference) -> None:
    wide = view(reference, "context", focus="dips-arena", depth=3)
    bounded = view(reference, "context", focus="dips-arena", depth=3, budget=8)
    apps = [n for n in bounded.nodes.values() if n.category != "summary"]
    assert len(apps) == 8 and len(wide.nodes) > 8 and bounded.nodes["dips-arena"].focus
    notes = [n.label for n in bounded.nodes.values() if n.category == "summary"]
    assert notes and sum(int(n.split()[0][1:]) for n in notes) == len(wide.nodes) - 8
    data = view(reference, "data", focus="epikrise", budget=4)
    assert any(n.category == "summary" for n in data.nodes.values())
    assert len([n for n in data.nodes.values() if n.category == "application"]) <= 4


def test_pull_marker_on_integration_edges(reference) -> None:
    graph = view(reference, "context", focus="dips-arena")
    pulls = [i for i in reference.model.of_kind("Integration") if i.get("initiator") == "target"
             and i.get("target") == "dips-arena" and i.get("status", "active") != "retired"]
    assert pulls
    for integration in pulls:
        edge = next(e for e in graph.edges if (e.source, e.target) == (integration.get("source"), "dips-arena"))
        assert "pull" in edge.label and "the target fetches" in edge.tooltip
    plain = pulls[0]._replace(data={**pulls[0].data, "initiator": "source"})
    from archrepo.views.build import pull_marker

    assert pull_marker([plain]) == "" and pull_marker([pulls[0]]) == " (pull)"
    assert pull_marker([pulls[0], plain]) == " (1 pull)"
