"""Pages a rebuild leaves as they are without making them (archrepo.site.page_inputs): each integration page is
made from the elements its inputs name alone, and after every kind of edit that reaches such pages a rebuild
writes what a build from nothing writes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest

import archrepo
from archrepo.graph.deps import build_dependency_graph
from archrepo.rules.check import CheckOptions, run_check
from archrepo.rules.definitions import load_rules
from archrepo.site import build_site
from archrepo.site.content import SiteContent
from archrepo.site.crossref import build_cross_reference
from archrepo.site.element_pages import element_page
from archrepo.site.links import element_path
from archrepo.site.page_inputs import COVERED, ReadSets
from archrepo.site.plan import Planner
from archrepo.views.marks import violation_marks
from tests.conftest import ROOT, run_cli
from tests.test_site_scale import _differences, _generate, _reference_copy

AS_OF = dt.date(2026, 11, 26)


def _content(repository: archrepo.Repository, model, result, rules, dependencies) -> SiteContent:
    return SiteContent(model=model, result=result, xref=build_cross_reference(model, result.violations),
                       as_of=AS_OF, rules=rules, enabled=frozenset(rule.id for rule in result.rules), diagrams={},
                       approved_standards=tuple(repository.config.approved_standards), explorer=True,
                       dependencies=dependencies)


def _made(content: SiteContent, planner: Planner, element) -> tuple[str, str]:
    """The element's page and its diagram, as their keys see them."""
    plan = planner.plan(element)
    content.diagrams = {element_path(element.kind, element.id): (plan.drawn, plan.note)} if plan else {}
    return repr(element_page(content, element)), repr(plan)


def _tricky(root: Path) -> Path:
    """The reference model with what an integration page can name beyond its ends: an id among its properties
    (and one no element has), an external organisation above an end's owner, a violation naming it."""
    repo = _reference_copy(root)
    path = repo / "models" / "integrations" / "clinical" / "dips-arena-to-analytics.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("mode: batch\n", "mode: batch\nproperties:\n  contact: oslo-universitetssykehus\n"
                                 "  also: [regional-integrasjonsplattform, not-an-element, 3]\n", 1),
                    encoding="utf-8")
    organisations = repo / "models" / "organisations" / "hospital-trusts.yaml"
    text = organisations.read_text(encoding="utf-8")
    organisations.write_text(text.replace("type: health-trust\nparent: helse-sor-ost\n",
                                          "type: health-trust\nparent: helse-sor-ost\nexternal: true\n", 1),
                             encoding="utf-8")
    return repo


@pytest.mark.parametrize("which", ["reference", "tricky", "generated"])
def test_a_page_is_made_from_the_elements_its_inputs_name(which: str, tmp_path: Path) -> None:
    """The page and diagram of each integration, application and data object, made from a model holding only
    the elements its inputs name (archrepo.site.page_inputs.ReadSets; and only the violations on or naming them,
    and their marks), are those made from the whole model: the input key, a digest of those elements, covers all
    a page is made from."""
    root = {"reference": lambda: ROOT, "tricky": lambda: _tricky(tmp_path / "tricky"),
            "generated": lambda: _generate(tmp_path / "generated", 120)}[which]()
    repository = archrepo.load(root / "archrepo.yaml")
    result = run_check(repository.config, CheckOptions(as_of=AS_OF))
    assert not result.errors
    rules = load_rules(repository.config, result.principles, include_disabled=True)
    model = repository.model
    whole = _content(repository, model, result, rules, repository.dependencies)
    marks = violation_marks(result)
    planner = Planner(model, repository.dependencies, as_of=AS_OF, marks=marks, ext=".html")
    covered = [element for kind in COVERED for element in model.of_kind(kind)]
    assert len(covered) > 100 and {element.kind for element in covered} == set(COVERED)
    named_by_violations = external_chains = 0
    reads = ReadSets(model, whole.xref)
    for element in covered:
        ids = reads.of(element)
        assert ids is not None
        part = dataclasses.replace(model, elements={i: model.elements[i] for i in sorted(ids) if i in model})
        violations = sorted({v for i in ids for v in (*whole.xref.by_element.get(i, ()),
                                                      *whole.xref.involving.get(i, ()))})
        named_by_violations += bool(whole.xref.involving.get(element.id) or whole.xref.by_element.get(element.id))
        external_chains += any(model.elements[i].get("external") for i in ids if i in model)
        dependencies = build_dependency_graph(part)
        alone = _content(repository, part, dataclasses.replace(result, violations=violations), rules, dependencies)
        part_planner = Planner(part, dependencies, as_of=AS_OF, marks={i: marks[i] for i in ids if i in marks},
                               ext=".html")
        assert _made(alone, part_planner, element) == _made(whole, planner, element), element.id
    assert named_by_violations and (which == "generated" or external_chains)


def _build(repo: Path, out: Path):
    return build_site(archrepo.load(repo / "archrepo.yaml"), out, as_of=AS_OF)


def _clean(repo: Path, out: Path):
    os.environ["ARCHREPO_NO_CACHE"] = "1"
    try:
        return _build(repo, out)
    finally:
        del os.environ["ARCHREPO_NO_CACHE"]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_after_each_edit_a_rebuild_writes_what_a_build_from_nothing_writes(tmp_path: Path) -> None:
    """Edits that reach pages through what they name or what names them: the owner of an application renamed,
    an organisation above it made external, a data object's master renamed, lines moved, an element appearing
    under an id a property names, an integration appearing, an application retired, the approved standards
    changed. After each, the rebuild leaves the other pages of the kinds keyed by their inputs as they are,
    unmade, and the site is byte for byte a build from nothing."""
    repo = _tricky(tmp_path / "repo")
    site = tmp_path / "site"
    first = _build(repo, site)
    covered = sum(len(archrepo.load(repo / "archrepo.yaml").model.of_kind(kind)) for kind in COVERED)
    assert first.reused == 0
    again = _build(repo, site)
    assert again.reused == covered and again.written == () and again.rendered == 0
    assert again.diagrams == first.diagrams  # (those of the pages left as they are included)
    models = repo / "models"
    edits = [  # (lines moved first: later edits bring violations, whose locations would move too)
        ("lines moved", lambda: _edit(models / "integrations" / "clinical" / "dips-arena-to-analytics.yaml",
                                      "kind: Integration", "# two lines\n# above\nkind: Integration")),
        ("owner renamed", lambda: _edit(models / "organisations" / "hospital-trusts.yaml",
                                        "name: Avdeling for medisinsk biokjemi", "name: Medisinsk biokjemi (OUS)")),
        ("external above", lambda: _edit(models / "organisations" / "helse-sor-ost.yaml", "\nname:",
                                         "\nexternal: true\nname:")),
        ("master renamed", lambda: _edit(models / "applications" / "laboratory" / "lvms.yaml", "\nname: LVMS",
                                         "\nname: LVMS (renamed)")),
        ("an id appears", lambda: (models / "organisations" / "new.yaml").write_text(
            "kind: Organisation\nid: not-an-element\nname: Now an element\ntype: department\n", encoding="utf-8")),
        # between two applications that exchange data with others: their neighbours' diagrams draw it
        ("an integration appears", lambda: (models / "integrations" / "new.yaml").write_text(
            "kind: Integration\nid: lvms-to-logistics\nname: New flow\nsource: lvms\ntarget: dips-arena\n"
            "standard: HL7v2\ndata: [logistikkoppgave]\nmode: async\n", encoding="utf-8")),
        ("retired", lambda: _edit(models / "applications" / "laboratory" / "lvms.yaml", "  status: active",
                                  "  status: retired")),
        # with the rule on approved standards off, no violation tells the pages of KITH-XML integrations apart
        ("standards", lambda: (_edit(repo / "archrepo.yaml", "KITH-XML, ", ""),
                               _edit(repo / "archrepo.yaml", "rules_config: {}", "rules_config: {INT001: {enabled: false}}"))),
    ]
    for what, edit in edits:
        edit()
        rebuilt = _build(repo, site)
        clean = _clean(repo, tmp_path / f"clean-{what}")
        assert rebuilt.files == clean.files, what
        assert not _differences(site, tmp_path / f"clean-{what}", clean.files), what
        assert rebuilt.written, what
        if what == "standards":  # part of every input key (integration pages say whether theirs is approved)
            assert rebuilt.reused == 0
        else:
            assert 0 < rebuilt.reused < covered, what
        shutil.rmtree(tmp_path / f"clean-{what}")
    page = (site / "integrations" / "dips-to-datavarehus.html").read_text(encoding="utf-8")
    assert "Now an element" in page


def test_a_page_whose_file_was_changed_or_removed_is_made_again(tmp_path: Path) -> None:
    """A page left as it is must still be what its file holds: one edited by hand, or removed, is made and
    written again, even though its inputs have not changed."""
    repo = _reference_copy(tmp_path / "repo")
    site = tmp_path / "site"
    _build(repo, site)
    edited = site / "integrations" / "dips-to-datavarehus.html"
    original = edited.read_bytes()
    edited.write_bytes(original.replace(b"</body>", b"<p>hand-made</p></body>"))
    removed = site / "integrations" / "tilgangslogg-to-logganalyse.html"
    removed.unlink()
    again = _build(repo, site)
    assert sorted(again.written) == ["integrations/dips-to-datavarehus.html",
                                     "integrations/tilgangslogg-to-logganalyse.html"]
    assert edited.read_bytes() == original and removed.is_file()


def test_another_graphviz_leaves_no_page_as_it_is(tmp_path: Path, monkeypatch) -> None:
    """A page inlines its diagram, which another Graphviz may lay out differently: with another `dot`, no page
    is left as it is on the word of its inputs (each is made and keyed with its diagram laid out again)."""
    from archrepo.site import diagram_cache

    repo = _reference_copy(tmp_path / "repo")
    site = tmp_path / "site"
    first = _build(repo, site)
    version = diagram_cache._graphviz_version()
    monkeypatch.setattr(diagram_cache, "_graphviz_version", lambda: version + " (another build)")
    again = _build(repo, site)
    assert again.reused == 0 and again.laid_out == first.laid_out


def test_the_docs_command_says_how_many_pages_it_did_not_make_again(tmp_path: Path) -> None:
    repo = _reference_copy(tmp_path / "repo")
    first = run_cli(["docs", "--as-of", AS_OF.isoformat(), "--out", str(tmp_path / "site")], repo)
    again = run_cli(["docs", "--as-of", AS_OF.isoformat(), "--out", str(tmp_path / "site")], repo)
    assert first.exit_code == 0 and again.exit_code == 0
    assert "not even made again" not in first.stderr
    diagrams = re.search(r"pages with (\d+) diagrams", first.stderr)
    assert diagrams and f"pages with {diagrams[1]} diagrams" in again.stderr
    covered = sum(len(archrepo.load(repo / "archrepo.yaml").model.of_kind(kind)) for kind in COVERED)
    assert f", {covered} of them not even made again: what they show had not changed" in again.stderr
