"""`archrepo schema`: the field reference of the model files, for people and for editors."""

from __future__ import annotations

from pathlib import Path

import click

from archrepo.commands.common import config_option, emit

__all__ = ["schema"]


@click.command()
@config_option
@click.argument("kind", required=False)
@click.option("--json", "as_json", is_flag=True,
              help="One JSON Schema (Draft 2020-12) for every kind, dispatching on `kind`, for editors; with KIND: "
                   "that kind's schema.")
@click.option("--markdown", is_flag=True, help="The reference as Markdown (what docs/model.md holds).")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file (atomically) instead of stdout.")
def schema(config_path: Path | None, kind: str | None, as_json: bool, markdown: bool, output: Path | None) -> None:
    """The field reference of the model files: every kind (or KIND), every field with its type, whether it is
    required, the allowed values, the default, an example and what it means."""
    import json

    from archrepo.errors import UsageError
    from archrepo.model.editor_schema import editor_schema_text
    from archrepo.model.reference import kind_schema, render_markdown, render_text

    if as_json and markdown:
        raise UsageError("--json and --markdown are two formats: give one of them")
    chosen = _kind(kind) if kind else None
    if markdown and chosen:
        raise UsageError("--markdown writes the whole reference (docs/model.md): leave out KIND")
    if as_json:
        emit(json.dumps(kind_schema(chosen), indent=2, ensure_ascii=False) + "\n" if chosen else editor_schema_text(),
             output)
    elif markdown:
        emit(render_markdown(), output)
    else:
        emit(render_text((chosen,) if chosen else None), output)


def _kind(name: str) -> str:
    from archrepo.errors import UsageError
    from archrepo.model.elements import KINDS
    from archrepo.model.schema import suggest

    by_lower = {kind.lower(): kind for kind in KINDS}
    found = by_lower.get(name.lower())
    if found is None:
        close = suggest(name, KINDS)
        raise UsageError(f"no kind '{name}'", hint=(f"Did you mean {close}? " if close else "")
                         + f"Kinds: {', '.join(KINDS)}.")
    return found
