"""`archrepo import <format>`: models from other tools into archrepo model files.

One click command per importer of :func:`archrepo.interop.formats.importers`, all built by
:func:`_import_command` (the formats differ only in their description, the kind of SOURCE and their flags).
The import report goes to stderr (and, with --report, as JSON to a file). The converters are imported when a
command runs, so that the CLI starts fast.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from archrepo.commands.common import ArchrepoGroup, config_option, config_path_of
from archrepo.escaping import terminal_lines
from archrepo.interop.formats import Importer, ImportOptions, importers

__all__ = ["import_group"]


@click.group("import", cls=ArchrepoGroup)
def import_group() -> None:
    """Import models from other tools as archrepo model files.

    Nothing is overwritten without --force, and no imported element takes an id the repository already has
    (it is renamed, and the report says so). Whatever has no archrepo equivalent is counted in the import
    report (stderr), never dropped silently; every imported model passes `archrepo validate` and `fmt --check`.
    """


def _import_command(importer: Importer) -> click.Command:
    source_type = click.Path(path_type=Path, dir_okay=importer.source != "file",
                             file_okay=importer.source != "directory")

    @click.pass_context
    def command(ctx: click.Context, source: Path, out_dir: Path, force: bool, max_size: float,
                report_path: Path | None, config_path: Path | None, **flags: bool) -> None:
        options = ImportOptions(max_bytes=int(max_size * 1024 * 1024),
                                flags=frozenset(name for name, given in flags.items() if given))
        result = _convert(importer, source, out_dir, force, options, config_path_of(ctx, config_path))
        _finish(result, out_dir, force, report_path)

    params: list[click.Parameter] = [
        click.Argument(["source"], type=source_type),
        click.Option(["--out", "out_dir"], required=True, type=click.Path(path_type=Path, file_okay=False),
                     help="Directory for the model files (e.g. models/imported)."),
        click.Option(["--force"], is_flag=True, help="Overwrite files the import writes that exist already."),
        click.Option(["--max-size"], type=click.FloatRange(min=0, min_open=True), default=50.0, show_default=True,
                     metavar="MB", help="Refuse input files larger than this, before parsing them."),
        click.Option(["--report", "report_path"], type=click.Path(path_type=Path, dir_okay=False), default=None,
                     help="Also write the import report (every note) as JSON to this file."),
        *(click.Option([f"--{flag.name}"], is_flag=True, help=flag.help) for flag in importer.flags),
    ]
    return config_option(click.Command(importer.name, callback=command, params=params, help=importer.help,
                                       short_help=f"Import {importer.summary}."))


def _convert(importer: Importer, source: Path, out_dir: Path, force: bool, options: ImportOptions,
             config_path: Path | None) -> Any:
    """Convert with the ids of the target repository reserved. With --force, the files this import
    overwrites do not count: their ids are free again (a second pass when that changes anything)."""
    from archrepo.interop.target import TargetRepository, existing_ids

    repository = TargetRepository.find(config_path, Path.cwd())
    options = replace(options, standards=repository.standards if repository else None,
                      existing=existing_ids(repository, out_dir))
    result = importer.convert(source, options)
    if force:
        overwritten = [out_dir.joinpath(*relative.split("/")) for relative in result.render()]
        free = existing_ids(repository, out_dir, skip=overwritten)
        if free != options.existing:
            result = importer.convert(source, replace(options, existing=free))
    return result


def _finish(result: Any, out_dir: Path, force: bool, report_path: Path | None) -> None:
    from archrepo.output import write_atomic

    written = result.write(out_dir, force=force)
    click.echo(terminal_lines(result.report.format_text().split("\n")), err=True, nl=False)  # names from the source
    click.echo(f"wrote {len(written)} file{'s' if len(written) != 1 else ''} under {out_dir}", err=True)
    if report_path is not None:
        write_atomic(report_path, json.dumps(result.report.as_dict(), indent=2, ensure_ascii=False) + "\n",
                     in_place=True)


for _importer in importers():
    import_group.add_command(_import_command(_importer))
