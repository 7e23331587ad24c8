"""Command modules of the CLI, each a thin click layer over the library; `archrepo.cli` adds them explicitly."""
