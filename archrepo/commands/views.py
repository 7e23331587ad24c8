"""`archrepo diagram` and `archrepo impact`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from archrepo.commands.common import config_option, emit, load_repository, parse_date
from archrepo.views.registry import DIAGRAM_FORMATS, GRAPH_VIEWS, MAP_VIEWS, VIEW_NAMES, format_of_extension

__all__ = ["diagram", "impact"]


_OTHER_IMAGES = frozenset({".jpg", ".jpeg", ".gif", ".pdf", ".webp", ".bmp", ".tif", ".tiff", ".eps", ".ps"})


def output_format(fmt: str | None, output: Path | None) -> str:
    """The format: --format, else the --output file's extension, else SVG; a contradiction is a usage error."""
    from archrepo.errors import UsageError

    suffix = output.suffix.lower() if output is not None else ""
    by_extension = format_of_extension(suffix)
    if fmt is not None and by_extension is not None and fmt != by_extension:
        raise UsageError(f"--format {fmt} contradicts --output {output} (a .{suffix[1:]} file is {by_extension})",
                         hint=f"Leave out --format, or name the file with the extension of {fmt}.")
    if fmt is None and by_extension is None and suffix in _OTHER_IMAGES:
        raise UsageError(f"--output {output}: archrepo does not write {suffix[1:].upper()}",
                         hint="Use .svg, .png, .dot or .mmd (or --format).")
    return fmt or by_extension or "svg"


@click.command()
@config_option
@click.argument("view", type=click.Choice(VIEW_NAMES))
@click.option("--focus", metavar="ID", default=None,
              help="The element the view is about (context, impact, process, data); integrations: a group.")
@click.option("--depth", type=click.IntRange(1, 10), default=None,
              help="context: how many hops (default 1); impact: distance rings drawn (default 2).")
@click.option("--budget", type=click.IntRange(2, 10_000), default=60, show_default=True,
              help="context, impact, data: at most about this many nodes; the rest as summary notes.")
@click.option("--format", "fmt", type=click.Choice(list(DIAGRAM_FORMATS)), default=None,
              help="Default: from the --output extension (.svg .png .dot .mmd), else svg.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file (atomically); PNG needs it unless stdout is redirected.")
@click.option("--layout", type=click.Choice(["map", "graph"]), default="map", show_default=True,
              help="landscape: a map of nested boxes (no edges), or a Graphviz graph with the integrations.")
@click.option("--group-by", type=click.Choice(["owner", "capability", "technology", "tag", "none"]),
              default="owner", show_default=True,
              help="landscape and context: the boxes/clusters; integrations: owner or capability.")
@click.option("--level", type=click.IntRange(1, 20), default=2, show_default=True,
              help="integrations: group by the organisation (capability) this deep in its tree (1: top).")
@click.option("--include-retired", is_flag=True, help="Show retired applications and integrations too.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Only applications with this tag (repeatable).")
@click.option("--owner", "owners", multiple=True, metavar="ORG",
              help="Only applications owned by this organisation or one below it (repeatable).")
@click.option("--violations", is_flag=True, help="Mark elements with violations (red: error, amber: warning).")
@click.option("--as-of", "as_of", metavar="DATE", default=None,
              help="Lifecycle (and technology support) as of this date (default: today).")
@click.pass_context
def diagram(ctx: click.Context, config_path: Path | None, view: str, focus: str | None, depth: int | None,
            budget: int, fmt: str | None, output: Path | None, layout: str, group_by: str, level: int,
            include_retired: bool, tags: tuple[str, ...], owners: tuple[str, ...], violations: bool,
            as_of: str | None) -> None:
    """Draw a view: the landscape map, integrations between groups, technology lifecycle, or the context,
    impact, process or data lineage of one element."""
    from archrepo.views import ViewOptions

    fmt = output_format(fmt, output)
    _check_grouping(view, layout, group_by)
    # views read the model; marking violations runs a check, which reads the files again through the cache
    repository = load_repository(ctx, config_path, graph=False, triples=violations)
    day = parse_date(as_of, "--as-of")
    marks = {}
    if violations:
        from archrepo.rules.check import CheckOptions, run_check
        from archrepo.views.marks import violation_marks

        marks = violation_marks(run_check(repository.config, CheckOptions(as_of=day)))
    for owner in owners:
        from archrepo.views.impact import require_element

        require_element(repository.model, owner, ("Organisation",), option="--owner")
    options = ViewOptions(focus=focus, depth=depth, group_by=group_by, level=level, budget=budget,
                          include_retired=include_retired, tags=tags, owners=owners, as_of=day, violations=marks)
    if view in MAP_VIEWS and (layout == "map" or view not in GRAPH_VIEWS):
        _write(_render_map(repository, options, fmt, technology=MAP_VIEWS[view]), fmt, output)
    else:
        _write(_render_graph(repository, view, options, fmt), fmt, output)


def _check_grouping(view: str, layout: str, group_by: str) -> None:
    from archrepo.errors import UsageError

    if view == "integrations" and group_by not in ("owner", "capability"):
        raise UsageError(f"--group-by {group_by}: the integrations view groups by owner or capability")
    if group_by == "technology" and (view != "landscape" or layout != "map"):
        raise UsageError("--group-by technology is for the landscape map",
                         hint="archrepo diagram landscape --group-by technology")


def _render_map(repository: Any, options: Any, fmt: str, *, technology: bool) -> str | bytes:
    from archrepo.views.landscape_map import build_map
    from archrepo.views.map_formats import render_map_dot, render_map_mermaid
    from archrepo.views.map_svg import render_map_image

    landscape = build_map(repository.model, options, technology_view=technology)
    if fmt == "dot":
        return render_map_dot(landscape)
    if fmt == "mermaid":
        return render_map_mermaid(landscape)
    return render_map_image(landscape, fmt)


def _render_graph(repository: Any, view: str, options: Any, fmt: str) -> str | bytes:
    from archrepo.views import build_view
    from archrepo.views.render_dot import render_dot, render_image
    from archrepo.views.render_mermaid import render_mermaid

    graph = build_view(view, repository.model, repository.dependencies, options)
    if fmt == "dot":
        return render_dot(graph)
    if fmt == "mermaid":
        return render_mermaid(graph)
    return render_image(graph, fmt)


def _write(data: str | bytes, fmt: str, output: Path | None) -> None:
    """Text through emit; images to the file (atomically) or to stdout, but a PNG never to a terminal."""
    if isinstance(data, str):
        emit(data, output)
        return
    if output is not None:
        from archrepo.output import write_atomic

        write_atomic(output, data, in_place=True)  # named on the command line: a FIFO, /dev/stdout … are fine
        click.echo(f"wrote {output}", err=True)
    elif fmt == "png" and sys.stdout.isatty():
        from archrepo.errors import UsageError

        raise UsageError("a PNG would garble the terminal", hint="Add --output FILE.png, or redirect stdout.")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@click.command()
@config_option
@click.argument("element_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--as-of", "as_of", metavar="DATE", default=None)
@click.option("--depth", type=click.IntRange(1, None), default=None,
              help="Only applications up to this many hops away (default: all, with their distance).")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None)
@click.pass_context
def impact(ctx: click.Context, config_path: Path | None, element_id: str, fmt: str, as_of: str | None,
           depth: int | None, output: Path | None) -> None:
    """What depends on ID (an application or a technology), transitively, and which process steps are touched.

    Follows the dependency direction: receivers depend on senders, synchronous callers on what they call, both
    ends of an integration on the platform it runs via; a technology's impact starts at the applications that
    use it."""
    from archrepo.escaping import json_text, terminal_text
    from archrepo.views.impact import analyse_impact

    repository = load_repository(ctx, config_path, graph=False, triples=False)  # views read the model
    model = repository.model
    result = analyse_impact(model, repository.dependencies, element_id, parse_date(as_of, "--as-of"), depth)
    if fmt == "json":
        emit(json_text(json.dumps(result.as_dict(), indent=2, ensure_ascii=False)) + "\n", output)
        return
    within = f" within {depth} hop{'s' if depth != 1 else ''}" if depth is not None else ""
    lines = [f"Impact of {model.elements[element_id].name} ({element_id}): "
             f"{len(result.applications)} application(s) depend on it{within}, "
             f"{len(result.process_steps)} process step(s) touched", ""]
    if result.technologies:
        lines += [f"Technology running on it: {', '.join(result.technologies)}", ""]
    if result.applications:
        width = max(len(a.id) for a in result.applications)
        lines.append(f"{'DIST':>4}  {'APPLICATION'.ljust(width)}  PATH")
        lines += [f"{a.distance:>4}  {a.id.ljust(width)}  {' → '.join(a.path)}" for a in result.applications]
        lines.append("")
    for distance, count in sorted(result.beyond.items()):
        lines.append(f"+{count} more at distance {distance}: see `archrepo impact {element_id} --depth {distance}`")
    if result.beyond:
        lines.append("")
    if result.process_steps:
        lines.append("PROCESS STEPS")
        for process_id, step_id in result.process_steps:
            process = model.elements[process_id]
            step = next(s for s in process.data["steps"] if s["id"] == step_id)
            lines.append(f"  {process.name} ({process_id}): {step['name']} ({step_id})")
    emit("\n".join(terminal_text(line) for line in lines).rstrip() + "\n", output)  # names: shown, not obeyed
