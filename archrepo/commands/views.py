"""`archrepo diagram` and `archrepo impact`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from archrepo.commands.common import config_option, emit, load_repository, parse_date

__all__ = ["diagram", "impact"]


@click.command()
@config_option
@click.argument("view", type=click.Choice(["landscape", "context", "impact", "process", "data"]))
@click.option("--focus", metavar="ID", default=None, help="The element the view is about (all views but landscape).")
@click.option("--depth", type=click.IntRange(1, 10), default=1, show_default=True, help="context: how many hops.")
@click.option("--format", "fmt", type=click.Choice(["dot", "svg", "png", "mermaid"]), default="svg", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file (atomically); PNG needs it unless stdout is redirected.")
@click.option("--group-by", type=click.Choice(["owner", "capability", "tag", "none"]), default="owner",
              show_default=True, help="landscape and context: what the clusters are.")
@click.option("--include-retired", is_flag=True, help="Show retired applications and integrations too.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Only applications with this tag (repeatable).")
@click.option("--owner", "owners", multiple=True, metavar="ORG",
              help="Only applications owned by this organisation or one below it (repeatable).")
@click.option("--violations", is_flag=True, help="Mark elements with violations (red: error, amber: warning).")
@click.option("--as-of", "as_of", metavar="DATE", default=None, help="Lifecycle as of this date (default: today).")
@click.pass_context
def diagram(ctx: click.Context, config_path: Path | None, view: str, focus: str | None, depth: int, fmt: str,
            output: Path | None, group_by: str, include_retired: bool, tags: tuple[str, ...],
            owners: tuple[str, ...], violations: bool, as_of: str | None) -> None:
    """Draw a dependency view: landscape, context, impact, process or data lineage."""
    from archrepo.views import ViewOptions, build_view
    from archrepo.views.render_dot import render_dot, render_image
    from archrepo.views.render_mermaid import render_mermaid

    repository = load_repository(ctx, config_path)
    day = parse_date(as_of, "--as-of")
    marks = {}
    if violations:
        from archrepo.rules.check import CheckOptions, run_check
        from archrepo.views.marks import violation_marks

        marks = violation_marks(run_check(repository.config, CheckOptions(as_of=day)))
    for owner in owners:
        from archrepo.views.impact import require_element

        require_element(repository.model, owner, ("Organisation",), option="--owner")
    options = ViewOptions(focus=focus, depth=depth, group_by=group_by, include_retired=include_retired,
                          tags=tags, owners=owners, as_of=day, violations=marks)
    graph = build_view(view, repository.model, repository.dependencies, options)
    if fmt == "dot":
        emit(render_dot(graph), output)
    elif fmt == "mermaid":
        emit(render_mermaid(graph), output)
    else:
        data = render_image(graph, fmt)
        if output is not None:
            from archrepo.output import write_atomic

            write_atomic(output, data)
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
    from archrepo.escaping import terminal_text
    from archrepo.views.impact import analyse_impact

    repository = load_repository(ctx, config_path)
    model = repository.model
    result = analyse_impact(model, repository.dependencies, element_id, parse_date(as_of, "--as-of"), depth)
    if fmt == "json":
        emit(json.dumps(result.as_dict(), indent=2, ensure_ascii=False) + "\n", output)
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
