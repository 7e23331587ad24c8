"""The `archrepo` command: the group, its error boundary and the commands, each in its own module under
``archrepo.commands`` (a thin click layer over the library API).

Heavy modules (rdflib, pyoxigraph, networkx, jsonschema) are imported inside the commands, so that
`archrepo --version` and `--help` start fast. Every ArchrepoError is turned into a clear message and
exit code 2 in one place, :meth:`ArchrepoGroup.invoke`.
"""

from __future__ import annotations

from pathlib import Path

import click

from archrepo import __version__
from archrepo.commands.common import ArchrepoGroup, config_option


def run() -> None:
    """The console script: the command, then leave without freeing the loaded model object by object."""
    from archrepo.commands.process import run_then_leave

    run_then_leave(main)


@click.group(cls=ArchrepoGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="archrepo", message="%(prog)s %(version)s")
@config_option
@click.pass_context
def main(ctx: click.Context, config_path: Path | None) -> None:
    """archrepo: an architecture repository and model checker.

    Loads the YAML model files of an architecture repository, validates them, builds an RDF graph and
    checks it against the organisation's architecture principles.
    """
    ctx.ensure_object(dict)


def _register() -> None:
    """Command groups that live in their own modules, added explicitly (no registration by import side effect)."""
    from archrepo.commands.check import baseline, check
    from archrepo.commands.fmt import fmt
    from archrepo.commands.git import diff, init
    from archrepo.commands.interop import import_group
    from archrepo.commands.library import principles_command, rules_command
    from archrepo.commands.lsp import lsp
    from archrepo.commands.model import export, query, stats, validate
    from archrepo.commands.schema import schema
    from archrepo.commands.site import docs
    from archrepo.commands.store import publish
    from archrepo.commands.views import diagram, impact

    for command in (validate, stats, check, baseline, rules_command, principles_command, export, query):
        main.add_command(command)
    main.add_command(diagram)
    main.add_command(impact)
    main.add_command(diff)
    main.add_command(init)
    main.add_command(docs)
    main.add_command(fmt)
    main.add_command(import_group)
    main.add_command(publish)
    main.add_command(schema)
    main.add_command(lsp)


_register()

if __name__ == "__main__":  # pragma: no cover
    main()
