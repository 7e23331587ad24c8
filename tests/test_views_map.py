"""The landscape map: nested boxes of tiles, laid out by archrepo and written as SVG without Graphviz."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

import archrepo
from archrepo.model.elements import effective_status
from archrepo.views import ViewOptions
from archrepo.views.landscape_map import MAX_NESTING, LandscapeMap, MapBox, MapTile, build_map
from archrepo.views.map_formats import render_map_dot, render_map_mermaid
from archrepo.views.map_layout import TILE_FONT, TILE_LINES, TILE_WIDTH, BoxFrame, layout_map
from archrepo.views.map_svg import render_map_image, render_map_svg
from archrepo.views.render_dot import run_dot
from archrepo.views.svg import sanitise_svg
from archrepo.views.text_metrics import text_width
from tests.conftest import ROOT, run_cli, write_repo
from tests.hostile_output import LONG_NAME, PAYLOADS, write_hostile_repo

AS_OF = dt.date(2026, 11, 26)
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


@pytest.fixture(scope="module")
def reference() -> archrepo.Repository:
    return archrepo.load(ROOT / "archrepo.yaml")


def _map(repository: archrepo.Repository, **options) -> LandscapeMap:
    technology = options.pop("technology_view", False)
    return build_map(repository.model, ViewOptions(as_of=AS_OF, **options), technology_view=technology)


def _tiles_by_box(landscape: LandscapeMap) -> list[tuple[MapBox, MapTile]]:
    return [(box, tile) for root in landscape.boxes for box in root.walk() for tile in box.tiles]


def _svg_tiles(svg: ET.Element) -> list[tuple[list[str], str, list[str]]]:
    """(titles of the enclosing boxes, the tile's title, its drawn lines) of every tile of a map SVG."""
    found = []

    def visit(element: ET.Element, boxes: list[str]) -> None:
        for child in element:
            if child.tag == f"{SVG}g" and child.get("class") == "box":
                visit(child, [*boxes, child.findtext(f"{SVG}title") or ""])
            elif child.tag == f"{SVG}g" and child.get("class") == "tile":
                lines = [t.text or "" for t in child.iter(f"{SVG}tspan")]
                found.append((boxes, child.findtext(f"{SVG}title") or "", lines))
            else:
                visit(child, boxes)

    visit(svg, [])
    return found


def test_every_application_once_inside_its_owners_box(reference) -> None:
    landscape = _map(reference)
    in_service = {a.id for a in reference.model.of_kind("Application") if effective_status(a, AS_OF) != "retired"}
    placed = _tiles_by_box(landscape)
    assert sorted(tile.id for _, tile in placed) == sorted(in_service)  # each exactly once, retired left out
    for box, tile in placed:
        assert box.key == reference.model.get(tile.id).get("owner")
    # the organisation tree: Sykehuspartner's box inside Helse Sør-Øst's
    top = next(box for box in landscape.boxes if box.key == "helse-sor-ost")
    assert "sykehuspartner" in {child.key for child in top.boxes}
    # and the same in the SVG: each tile drawn inside the box of its owner, itself inside its parent's box
    svg = ET.fromstring(render_map_svg(landscape))
    drawn = _svg_tiles(svg)
    assert len(drawn) == len(in_service)
    dips = next(boxes for boxes, title, _ in drawn if "(dips-arena)" in title)
    assert dips[0].startswith("Helse Sør-Øst RHF (Organisation helse-sor-ost:")
    assert dips[-1].startswith("Sykehuspartner HF (Organisation sykehuspartner:")
    retired = _map(reference, include_retired=True)
    assert "ris-ous-legacy" in {tile.id for tile in retired.tiles()}
    assert next(t for t in retired.tiles() if t.id == "ris-ous-legacy").fill == "retired"


def _check_frames(frames: list[BoxFrame], width: int, height: int) -> int:
    """Every box inside its parent, no two siblings (boxes or tiles) overlapping; returns the tiles seen."""
    rectangles = [(f.x, f.y, f.width, f.height) for f in frames]
    seen = 0
    for frame in frames:
        assert frame.x >= 0 and frame.x + frame.width <= width and frame.y >= 0 and frame.y + frame.height <= height
        rectangles_inside = [(t.x, t.y, TILE_WIDTH, 52) for t in frame.tiles] + [
            (b.x, b.y, b.width, b.height) for b in frame.boxes]
        for x, y, w, h in rectangles_inside:
            assert x >= 0 and x + w <= frame.width and y >= 0 and y + h <= frame.height
        _no_overlap(rectangles_inside)
        seen += len(frame.tiles) + _check_frames(frame.boxes, frame.width, frame.height)
    _no_overlap(rectangles)
    return seen


def _no_overlap(rectangles: list[tuple[int, int, int, int]]) -> None:
    ordered = sorted(rectangles)
    for index, (x, y, w, h) in enumerate(ordered):
        for x2, y2, w2, h2 in ordered[index + 1:]:
            if x2 >= x + w:
                break
            assert y2 >= y + h or y >= y2 + h2, ((x, y, w, h), (x2, y2, w2, h2))


@pytest.mark.parametrize("group_by", ["owner", "capability", "tag", "none"])
def test_layout_nests_without_overlap(reference, group_by: str) -> None:
    landscape = _map(reference, group_by=group_by)
    layout = layout_map(landscape)
    assert _check_frames(layout.boxes, layout.width, layout.height) == len(landscape.tiles())
    assert all(frame.y >= layout.content_top for frame in layout.boxes)  # below the title and legend


def test_capability_map_shows_an_application_under_each_capability(reference) -> None:
    landscape = _map(reference, group_by="capability")
    placed = _tiles_by_box(landscape)
    for application in reference.model.of_kind("Application"):
        if effective_status(application, AS_OF) == "retired":
            continue
        boxes = sorted(box.key for box, tile in placed if tile.id == application.id)
        assert boxes == sorted(set(application.get("capabilities") or ())) or (
            not application.get("capabilities") and boxes == ["~capability"])
    assert "capability" in landscape.title


def test_names_fit_their_tiles_and_the_full_name_is_in_the_title(tmp_path: Path) -> None:
    repo = write_hostile_repo(tmp_path / "repo", rules=False)
    hostile = archrepo.load(repo / "archrepo.yaml")
    svg_text = render_map_svg(_map(hostile, group_by="tag"))
    svg = ET.fromstring(svg_text)  # strict XML: no control character, nothing unescaped got through
    assert {element.tag.removeprefix(SVG) for element in svg.iter()} <= {"svg", "title", "rect", "text", "g",
                                                                          "tspan", "circle", "a"}
    drawn = _svg_tiles(svg)
    for _, _, lines in drawn:
        assert 1 <= len(lines) <= TILE_LINES
        for line in lines:
            assert text_width(line, TILE_FONT) <= TILE_WIDTH - 12, line
    long_title, long_lines = next((title, lines) for _, title, lines in drawn if title.startswith("LLLL"))
    assert long_lines[-1].endswith("…") and long_title == "L" * 999 + "…"  # tooltips bounded like the others
    for key, text in PAYLOADS.items():
        title = next(t for _, t, _ in drawn if f"(app-{key})" in t)
        assert title.startswith(archrepo.escaping.shorten(archrepo.escaping.one_line(text), 1000)[:40]), key
    for element in svg.iter():
        assert not any(name.startswith("on") or name == "style" for name in element.attrib)
    assert len(LONG_NAME) > 16_000
    # the site inlines SVG through the allow-list: the map passes it unchanged in substance
    clean = ET.fromstring(sanitise_svg(svg_text.encode("utf-8"), {"class": "diagram"}))
    assert _svg_tiles(clean) == drawn


def test_map_is_byte_stable_and_has_integer_coordinates(reference) -> None:
    first = render_map_svg(_map(reference, violations={"dips-arena": ("error", ("AR001",))}))
    again = archrepo.load(ROOT / "archrepo.yaml")
    assert render_map_svg(_map(again, violations={"dips-arena": ("error", ("AR001",))})) == first
    numbers = re.findall(r'(?:x|y|width|height|cx|cy|r|transform)="([^"]*)"', first)
    assert numbers and not any("." in value for value in numbers)


def test_violations_mark_tiles_and_links_are_relative(reference) -> None:
    marks = {"dips-arena": ("error", ("AR001",)), "flexlab": ("warning", ("DAT002",))}
    link = lambda element: f"applications/{element.id}.html"  # noqa: E731
    landscape = _map(reference, violations=marks, link=link)
    tiles = {tile.id: tile for tile in landscape.tiles()}
    assert tiles["dips-arena"].severity == "error" and tiles["flexlab"].severity == "warning"
    assert tiles["imatis"].severity is None
    svg = ET.fromstring(render_map_svg(landscape))
    circles = [c.get("fill") for c in svg.iter(f"{SVG}circle")]
    assert sorted(circles) == ["#d97706", "#dc2626"]  # one badge each
    hrefs = {a.get(f"{XLINK}href") for a in svg.iter(f"{SVG}a")}
    assert "applications/dips-arena.html" in hrefs
    legend = " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))
    assert "has error violations" in legend and "has warning violations" in legend
    evil = _map(reference, link=lambda element: "javascript:alert(1)")
    assert not list(ET.fromstring(render_map_svg(evil)).iter(f"{SVG}a"))


def test_a_deep_organisation_tree_is_cut(tmp_path: Path) -> None:
    documents = [f"kind: Organisation\nid: org-{n}\nname: Org {n}\n" + (f"parent: org-{n - 1}\n" if n else "")
                 for n in range(40)]
    documents += ["kind: Application\nid: deep\nname: Deep\nowner: org-39\nlifecycle: {status: active}\n",
                  "kind: Application\nid: top\nname: Top\nowner: org-0\nlifecycle: {status: active}\n"]
    repo = write_repo(tmp_path / "repo", {"models/m.yaml": "---\n".join(documents)})
    model = archrepo.load(repo / "archrepo.yaml")
    landscape = _map(model)
    assert {tile.id for tile in landscape.tiles()} == {"deep", "top"}
    depth = max(len(list(_ancestors(landscape, "deep"))), 0)
    assert depth == MAX_NESTING
    ET.fromstring(render_map_svg(landscape))


def _ancestors(landscape: LandscapeMap, tile_id: str) -> list[str]:
    def find(boxes: list[MapBox], path: list[str]) -> list[str] | None:
        for box in boxes:
            if any(t.id == tile_id for t in box.tiles):
                return [*path, box.key]
            found = find(box.boxes, [*path, box.key])
            if found:
                return found
        return None

    return find(landscape.boxes, []) or []


TECH_MODEL = {"models/tech.yaml": """
    kind: Technology
    id: win2008
    name: Windows Server 2008
    type: operating-system
    end_of_support: 2015-01-13
    end_of_life: 2020-01-14
    ---
    kind: Technology
    id: sql2016
    name: SQL Server 2016
    type: database
    end_of_support: 2021-07-13
    end_of_life: 2028-07-14
    ---
    kind: Technology
    id: rhel8
    name: RHEL 8
    type: operating-system
    end_of_support: 2027-05-31
    ---
    kind: Technology
    id: postgres
    name: PostgreSQL 16
    type: database
    end_of_support: 2028-11-09
    runs_on: [rhel8]
    ---
    kind: Technology
    id: java
    name: Java 21
    type: runtime
    end_of_support: 2031-09-30
    ---
    kind: Technology
    id: mystery
    name: Mystery middleware
    type: middleware
    """, "models/apps.yaml": """
    kind: Application
    id: old-app
    name: Old app
    lifecycle: {status: active}
    technologies: [sql2016, win2008]
    ---
    kind: Application
    id: unsupported-app
    name: Unsupported app
    lifecycle: {status: active}
    technologies: [sql2016, java]
    ---
    kind: Application
    id: pg-app
    name: PG app
    lifecycle: {status: active}
    technologies: [postgres, java]
    ---
    kind: Application
    id: java-app
    name: Java app
    lifecycle: {status: active}
    technologies: [java, mystery]
    ---
    kind: Application
    id: bare-app
    name: Bare app
    lifecycle: {status: active}
    """}


@pytest.fixture(scope="module")
def tech_repo(tmp_path_factory) -> Path:
    return write_repo(tmp_path_factory.mktemp("tech") / "repo", TECH_MODEL)


def test_technology_view_groups_by_the_worst_state_as_of_a_date(tech_repo: Path) -> None:
    model = archrepo.load(tech_repo / "archrepo.yaml")
    landscape = _map(model, technology_view=True)
    states = {tile.id: box.key for box, tile in _tiles_by_box(landscape)}
    assert states == {"old-app": "state:end-of-life", "unsupported-app": "state:end-of-support",
                      "pg-app": "state:support-ending",  # through what PostgreSQL runs on (RHEL 8, May 2027)
                      "java-app": "state:supported", "bare-app": "state:unknown"}
    assert [box.key for box in landscape.boxes] == ["state:end-of-life", "state:end-of-support",
                                                    "state:support-ending", "state:supported", "state:unknown"]
    old = next(tile for tile in landscape.tiles() if tile.id == "old-app")
    assert "Windows Server 2008" in old.tooltip and old.fill == "tech-end-of-life"
    earlier = build_map(model.model, ViewOptions(as_of=dt.date(2014, 1, 1)), technology_view=True)
    assert {t.id: t.fill for t in earlier.tiles()}["old-app"] == "tech-supported"
    outcome = run_cli(["diagram", "technology", "--as-of", "2014-01-01", "--format", "svg"], tech_repo)
    assert outcome.exit_code == 0 and "as of 2014-01-01" in outcome.stdout


def test_landscape_grouped_by_technology(tech_repo: Path) -> None:
    model = archrepo.load(tech_repo / "archrepo.yaml")
    landscape = _map(model, group_by="technology")
    placed = {(box.key, tile.id) for box, tile in _tiles_by_box(landscape)}
    assert ("sql2016", "old-app") in placed and ("win2008", "old-app") in placed  # databases and OS
    assert ("postgres", "pg-app") in placed and ("rhel8", "pg-app") not in placed  # only what it lists itself
    assert ("~technology", "bare-app") in placed
    assert [box.label for box in landscape.boxes][:2] == ["Operating systems", "Databases"]
    outcome = run_cli(["diagram", "context", "--focus", "pg-app", "--group-by", "technology"], tech_repo)
    assert outcome.exit_code == 2 and "landscape map" in outcome.stderr


def test_map_as_dot_and_mermaid(reference) -> None:
    landscape = _map(reference)
    dot = render_map_dot(landscape)
    assert dot.startswith("digraph landscape {") and "->" not in dot
    assert dot.count("subgraph cluster_") == sum(1 for root in landscape.boxes for _ in root.walk())
    assert run_dot(dot, "svg").startswith(b"<?xml")  # Graphviz reads it
    mermaid = render_map_mermaid(landscape)
    assert mermaid.splitlines()[1] == "flowchart TB" and "-->" not in mermaid and "truncated" not in mermaid
    many = LandscapeMap("landscape", "Big", [MapBox("b", "B", tiles=[
        MapTile(f"a{n}", f"App {n}", "active") for n in range(400)])], ("active",))
    cut = render_map_mermaid(many)
    assert "truncated: 300 of 400" in cut and "+100 more applications" in cut
    assert cut.count("(\"App ") == 300


def test_png_of_the_map_is_a_png(reference) -> None:
    data = render_map_image(_map(reference), "png")
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


@pytest.mark.parametrize(("name", "args", "start"), [
    ("x.png", [], b"\x89PNG\r\n\x1a\n"),
    ("x.svg", [], b"<?xml"),
    ("x.dot", [], b"digraph landscape {"),
    ("x.mmd", [], b"%% archrepo landscape map"),
    ("x.mermaid", [], b"%% archrepo landscape map"),
    ("context.png", ["context", "--focus", "dips-arena"], b"\x89PNG\r\n\x1a\n"),
    ("impact.dot", ["impact", "--focus", "flexlab"], b"digraph impact {"),
    ("x.PNG", ["--format", "png"], b"\x89PNG\r\n\x1a\n"),
])
def test_format_from_the_output_extension(tmp_path: Path, name: str, args: list[str], start: bytes) -> None:
    """Regression: `--output x.png` used to write SVG into x.png."""
    target = tmp_path / name
    view = args[:1] if args and not args[0].startswith("-") else ["landscape"]
    rest = args[1:] if args and not args[0].startswith("-") else args
    outcome = run_cli(["diagram", *view, *rest, "--output", str(target)], ROOT)
    assert outcome.exit_code == 0, outcome.stderr
    assert target.read_bytes().startswith(start)


@pytest.mark.parametrize(("args", "words"), [
    (["--format", "svg", "--output", "x.png"], "--format svg contradicts --output x.png"),
    (["--format", "dot", "--output", "x.mmd"], "--format dot contradicts"),
    (["--output", "x.jpg"], "does not write JPG"),
])
def test_a_contradicting_format_is_exit_2(tmp_path: Path, args: list[str], words: str) -> None:
    outcome = run_cli(["diagram", "landscape", *args], tmp_path)  # refused before looking for a repository
    assert outcome.exit_code == 2 and words in outcome.stderr and "Traceback" not in outcome.stderr
    assert not (tmp_path / "x.png").exists()


def test_png_never_goes_to_a_terminal() -> None:
    import os
    import subprocess
    import sys

    primary, secondary = os.openpty()
    try:
        completed = subprocess.run([sys.executable, "-m", "archrepo", "diagram", "landscape", "--format", "png"],
                                   cwd=ROOT, stdout=secondary, stderr=subprocess.PIPE, timeout=300, check=False)
    finally:
        os.close(secondary)
        os.close(primary)
    assert completed.returncode == 2 and b"garble the terminal" in completed.stderr
