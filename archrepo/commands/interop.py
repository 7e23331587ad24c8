"""`archrepo import archimate|backstage|structurizr`: models from other tools into archrepo model files.

A thin click layer over :mod:`archrepo.interop`; the import report goes to stderr (and, with --report, as
JSON to a file). Heavy modules are imported inside the commands so that the CLI starts fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from archrepo.commands.common import ArchrepoGroup, config_option, config_path_of

__all__ = ["import_group"]


def _import_options(function: Any) -> Any:
    function = click.option("--report", "report_path", type=click.Path(path_type=Path, dir_okay=False),
                            default=None, help="Also write the import report as JSON to this file.")(function)
    function = click.option("--max-size", type=click.FloatRange(min=0, min_open=True), default=50.0,
                            show_default=True, metavar="MB",
                            help="Refuse input files larger than this, before parsing them.")(function)
    function = click.option("--force", is_flag=True,
                            help="Overwrite files the import writes that exist already.")(function)
    function = click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path, file_okay=False),
                            help="Directory for the model files (e.g. models/imported).")(function)
    return config_option(function)


@click.group("import", cls=ArchrepoGroup)
def import_group() -> None:
    """Import models from other tools as archrepo model files.

    Nothing is overwritten without --force. Whatever has no archrepo equivalent is counted in the import
    report (stderr), never dropped silently.
    """


@import_group.command("archimate")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@_import_options
@click.pass_context
def archimate_command(ctx: click.Context, file: Path, out_dir: Path, force: bool, max_size: float,
                      report_path: Path | None, config_path: Path | None) -> None:
    """Import an ArchiMate 3.x Open Exchange Format file (FILE.xml)."""
    from archrepo.interop.archimate_import import convert_archimate

    result = convert_archimate(file, max_bytes=_bytes(max_size))
    _finish(result, out_dir, force, report_path)


@import_group.command("backstage")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@_import_options
@click.pass_context
def backstage_command(ctx: click.Context, directory: Path, out_dir: Path, force: bool, max_size: float,
                      report_path: Path | None, config_path: Path | None) -> None:
    """Import the Backstage catalog entities (YAML) found under DIRECTORY."""
    from archrepo.interop.backstage import convert_backstage

    result = convert_backstage(directory, max_bytes=_bytes(max_size))
    _finish(result, out_dir, force, report_path)


@import_group.command("structurizr")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@_import_options
@click.option("--containers", is_flag=True,
              help="Import containers too, as Applications tagged `container` (default: software systems only).")
@click.pass_context
def structurizr_command(ctx: click.Context, file: Path, out_dir: Path, force: bool, max_size: float,
                        report_path: Path | None, config_path: Path | None, containers: bool) -> None:
    """Import a Structurizr workspace (workspace.json)."""
    from archrepo.interop.structurizr import convert_structurizr

    result = convert_structurizr(file, max_bytes=_bytes(max_size), containers=containers,
                                 standards=_standards(config_path_of(ctx, config_path)))
    _finish(result, out_dir, force, report_path)


def _bytes(megabytes: float) -> int:
    return int(megabytes * 1024 * 1024)


def _standards(config_path: Path | None) -> tuple[str, ...] | None:
    """``approved_standards`` of the repository we are in (or of --config), if there is one. Only that
    setting is read: the import may be what creates the model directories the full config check wants."""
    from archrepo.config import CONFIG_NAME, DEFAULT_APPROVED_STANDARDS, find_config
    from archrepo.errors import ConfigError, DiagnosticSink
    from archrepo.model.yamlsource import decode_source, parse_documents

    path = config_path or find_config(Path.cwd())
    if path is None:
        return None
    path = path / CONFIG_NAME if path.is_dir() else path
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}",
                          hint="Pass the path of an archrepo.yaml to --config.") from None
    sink = DiagnosticSink()
    text = decode_source(raw, path.name, sink)
    documents = parse_documents(text, path.name, sink) if text is not None else []
    if sink.errors:
        raise ConfigError("archrepo.yaml is invalid", diagnostics=sink.errors)
    data = documents[0].data if documents else {}
    standards = data.get("approved_standards", DEFAULT_APPROVED_STANDARDS) if isinstance(data, dict) else ()
    if not isinstance(standards, list | tuple) or not all(isinstance(s, str) for s in standards):
        raise ConfigError("approved_standards must be a list of standard names", file=path.name,
                          line=documents[0].line_of("approved_standards") if documents else 1)
    return tuple(standards)


def _finish(result: Any, out_dir: Path, force: bool, report_path: Path | None) -> None:
    from archrepo.output import write_atomic

    written = result.write(out_dir, force=force)
    click.echo(result.report.format_text(), err=True)
    click.echo(f"wrote {len(written)} file{'s' if len(written) != 1 else ''} under {out_dir}", err=True)
    if report_path is not None:
        write_atomic(report_path, json.dumps(result.report.as_dict(), indent=2, ensure_ascii=False) + "\n")
