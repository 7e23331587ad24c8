"""One meaning of an integration everywhere: source sends, target receives, the initiator opens the call, both
ends depend on the `via` platform; technology components and what relies on them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import archrepo
from archrepo.views.impact import analyse_impact
from tests.conftest import ROOT, run_cli, write_repo

AS_OF = dt.date(2026, 11, 26)

LANDSCAPE = {
    "models/model.yaml": """
        kind: Application
        id: kjernejournal
        name: Kjernejournal
        lifecycle: {status: active}
        roles: [national-component]
        ---
        kind: Application
        id: dips-arena
        name: DIPS Arena
        lifecycle: {status: active}
        technologies: [oracle-19c]
        ---
        kind: Application
        id: plattform
        name: Integrasjonsplattform
        lifecycle: {status: active}
        roles: [integration-platform]
        ---
        kind: Application
        id: flexlab
        name: Flexlab
        lifecycle: {status: active}
        ---
        kind: Application
        id: gerica
        name: Gerica
        lifecycle: {status: active}
        ---
        kind: Application
        id: rapport
        name: Rapportverktøy
        lifecycle: {status: active}
        technologies: [rhel-8]
        ---
        kind: Integration
        id: kjernejournal-oppslag
        source: kjernejournal
        target: dips-arena
        initiator: target
        mode: sync
        standard: IHE-XDS
        tags: [nasjonal]
        properties: {ticket: ARK-1234}
        ---
        kind: Integration
        id: lab-til-dips
        source: flexlab
        target: dips-arena
        via: plattform
        standard: HL7v2
        ---
        kind: Integration
        id: dips-sporr-gerica
        source: dips-arena
        target: gerica
        mode: sync
        standard: REST
        ---
        kind: Technology
        id: rhel-8
        name: Red Hat Enterprise Linux 8
        type: operating-system
        end_of_support: 2029-05-31
        ---
        kind: Technology
        id: oracle-19c
        name: Oracle Database 19c
        type: database
        runs_on: [rhel-8]
        properties: {license: processor}
        """,
}


def _repository(tmp_path: Path) -> archrepo.Repository:
    write_repo(tmp_path, LANDSCAPE)
    return archrepo.load(tmp_path / "archrepo.yaml", use_cache=False)


def test_dependencies_follow_data_calls_and_platforms(tmp_path: Path) -> None:
    graph = _repository(tmp_path).dependencies
    edges = {(a, b): sorted(data["reasons"]) for a, b, data in graph.edges(data=True)}
    assert edges == {
        ("dips-arena", "kjernejournal"): ["call", "data"],  # a lookup: the caller receives, and waits
        ("dips-arena", "flexlab"): ["data"],
        ("flexlab", "plattform"): ["via"],
        ("dips-arena", "plattform"): ["via"],
        ("gerica", "dips-arena"): ["data"],  # a synchronous push: the receiver needs the data ...
        ("dips-arena", "gerica"): ["call"],  # ... and the caller waits on the receiver
    }


def test_impact_of_a_platform_includes_the_ends_of_what_runs_through_it(tmp_path: Path) -> None:
    repository = _repository(tmp_path)
    result = analyse_impact(repository.model, repository.dependencies, "plattform", AS_OF)
    assert {(a.id, a.distance) for a in result.applications} == {("flexlab", 1), ("dips-arena", 1), ("gerica", 2)}


def test_impact_of_a_technology_starts_at_its_users(tmp_path: Path) -> None:
    repository = _repository(tmp_path)
    result = analyse_impact(repository.model, repository.dependencies, "rhel-8", AS_OF)
    assert result.technologies == ["oracle-19c"]
    assert [(a.id, a.distance, a.path) for a in result.applications] == [
        ("dips-arena", 1, ("rhel-8", "dips-arena")), ("rapport", 1, ("rhel-8", "rapport")),
        ("gerica", 2, ("rhel-8", "dips-arena", "gerica"))]


def test_impact_depth_bounds_the_list_and_counts_what_lies_beyond(tmp_path: Path) -> None:
    write_repo(tmp_path, LANDSCAPE)
    full = run_cli(["impact", "flexlab", "--format", "json"], cwd=tmp_path)
    bounded = run_cli(["impact", "flexlab", "--format", "json", "--depth", "1"], cwd=tmp_path)
    assert full.exit_code == 0 and bounded.exit_code == 0, full.stderr + bounded.stderr
    everything = json.loads(full.stdout)
    assert set(everything) == {"focus", "applications", "process_steps"}  # the contract, unchanged
    assert [(a["id"], a["distance"]) for a in everything["applications"]] == [("dips-arena", 1), ("gerica", 2)]
    near = json.loads(bounded.stdout)
    assert [a["id"] for a in near["applications"]] == ["dips-arena"]
    assert near["depth"] == 1 and near["beyond"] == [{"distance": 2, "applications": 1}]
    text = run_cli(["impact", "flexlab", "--depth", "1"], cwd=tmp_path).stdout
    assert "+1 more at distance 2: see `archrepo impact flexlab --depth 2`" in text


def test_tags_properties_initiator_and_technology_in_rdf(tmp_path: Path) -> None:
    write_repo(tmp_path, LANDSCAPE)
    result = run_cli(["query", "--format", "json", """
        SELECT ?caller ?tag ?ticket ?os WHERE {
          id:kjernejournal-oppslag arch:initiatedBy ?caller ; arch:initiator "target" ; arch:tag ?tag ;
              arch:property [ arch:key "ticket" ; arch:value ?ticket ] .
          id:dips-arena arch:technology/arch:runsOn ?os .
        }"""], cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["results"]["bindings"]
    assert [(r["caller"]["value"].rsplit("/", 1)[1], r["tag"]["value"], r["ticket"]["value"],
             r["os"]["value"].rsplit("/", 1)[1]) for r in rows] == [("dips-arena", "nasjonal", "ARK-1234", "rhel-8")]


def test_runs_on_cycle_and_wrong_kinds_are_errors(tmp_path: Path) -> None:
    write_repo(tmp_path, {"models/t.yaml": """
        kind: Technology
        id: a
        name: A
        runs_on: [b]
        ---
        kind: Technology
        id: b
        name: B
        runs_on: [a]
        ---
        kind: Application
        id: app
        name: App
        lifecycle: {status: active}
        technologies: [app]
        """})
    result = run_cli(["validate"], cwd=tmp_path)
    assert result.exit_code == 2
    assert "models/t.yaml:9: error: Technology runs_on forms a cycle: a → b → a" in result.stderr
    assert "models/t.yaml:15: error: Application 'app': 'technologies[0]' refers to 'app', which is an " \
           "Application, not a Technology" in result.stderr


def test_the_reference_model_platform_impact_lists_routed_ends() -> None:
    repository = archrepo.load(ROOT / "archrepo.yaml", use_cache=False)
    model = repository.model
    routed = {e for i in model.of_kind("Integration") if i.data.get("via") == "regional-integrasjonsplattform"
              and i.data.get("status", "active") != "retired" for e in (i.data["source"], i.data["target"])}
    result = analyse_impact(model, repository.dependencies, "regional-integrasjonsplattform", AS_OF)
    assert routed - {"regional-integrasjonsplattform"} <= {a.id for a in result.applications if a.distance == 1}
    assert len(routed) > 10


def test_technology_use_read_once_answers_as_one_pass_per_technology() -> None:
    """The index a site builds once gives, for every technology of the reference model, the users a walk of the
    whole model gives: through technology that runs on it, and directly."""
    from archrepo.views.impact import TechnologyUse

    model = archrepo.load(ROOT / "archrepo.yaml", use_cache=False).model
    use = TechnologyUse(model)
    technologies = model.of_kind("Technology")
    assert any(t.data.get("runs_on") for t in technologies)
    for technology in technologies:
        reached, changed = {technology.id}, True
        while changed:  # everything that runs on it, however far up
            above = {t.id for t in technologies if reached & set(t.data.get("runs_on") or ())}
            changed = not above <= reached
            reached |= above
        users = sorted(a.id for a in model.of_kind("Application") if reached & set(a.data.get("technologies") or ()))
        assert use.users(technology.id) == (users, sorted(reached - {technology.id}))
        assert use.direct(technology.id) == {a.id for a in model.of_kind("Application")
                                             if technology.id in (a.data.get("technologies") or ())}
