"""The library API under the CLI: load a repository once, share its graphs with everything after."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from archrepo.config import Config, load_config
from archrepo.errors import ModelError
from archrepo.model import Model
from archrepo.model.loader import FileResult, ReadStats, read_model_files, validate_model

if TYPE_CHECKING:
    from collections.abc import Callable

    import networkx as nx

    from archrepo.graph.loading import GraphLoader
    from archrepo.graph.rdf import ModelGraph

__all__ = ["Repository", "load", "read_files"]


@dataclass
class Repository:
    """A loaded architecture repository: config, validated model, and (built on first use, once) its graphs."""

    config: Config
    model: Model
    files: list[FileResult] | None = None  # the parsed files, with each one's triples when read for a graph
    # the store the files' triples were loaded into as they were parsed (``read_files``), if they were
    loader: GraphLoader | None = None

    @cached_property
    def rdf(self) -> ModelGraph:
        """The RDF graph in an embedded Oxigraph store."""
        from archrepo.graph.loading import build_graph

        if self.loader is not None and self.files is not None:
            return self.loader.graph(self.model, self.files)
        prepared = None
        files = self.files
        if files is not None and all("ntriples" in f.extras for f in files):
            prepared = (f.extras["ntriples"] for f in files)  # streamed into the store, one file at a time
        return build_graph(self.model, self.config.base_iri, self.config.approved_standards, prepared)

    def with_graph(self, graph: ModelGraph) -> Repository:
        """The same repository answering ``rdf`` with another graph (a partial one, for a re-check)."""
        other = Repository(self.config, self.model, self.files, self.loader)
        other.__dict__["rdf"] = graph  # the slot functools.cached_property fills on first use
        return other

    @cached_property
    def dependencies(self) -> nx.DiGraph:
        """Applications and who depends on whom (edge: dependent → dependency)."""
        from archrepo.graph.deps import build_dependency_graph

        return build_dependency_graph(self.model)


def read_files(config: Config, *, use_cache: bool = True, stats: ReadStats | None = None,
               loader: GraphLoader | None = None, triples: bool = True,
               all_parsed: Callable[[], None] | None = None) -> list[FileResult]:
    """The repository's model files, parsed (cached, in parallel) with each file's part of the RDF graph;
    ``loader`` (for a ``Repository`` of them) loads the triples of the files parsed as they arrive.
    ``triples=False``: without them (for a caller that never queries the graph), reusing the parses cached
    with them. ``all_parsed``: see ``read_model_files``."""
    from archrepo.graph.rdf import ntriples_extra

    extra = ntriples_extra(config.base_iri)
    if not triples:
        return read_model_files(config, use_cache=use_cache, stats=stats, reuse=extra[0])
    return read_model_files(config, use_cache=use_cache, extra=extra, stats=stats,
                            on_parsed=loader.add if loader is not None else None, all_parsed=all_parsed)


def load(config_path: Path | str | None = None, *, cwd: Path | None = None, use_cache: bool = True,
         graph: bool = True, triples: bool = True) -> Repository:
    """Find and read the config, then load and validate the model. Raises ConfigError or ModelError.

    ``graph``: fill the RDF store while the files are parsed (for callers that query it); with False it is
    built on first use of ``rdf`` instead, and a caller that never uses it (a view) never pays for it.
    ``triples=False`` (with ``graph=False``): the files are not even turned into triples (the parse cache
    then holds parses a check cannot use; one it made serves); a graph asked for is built from the model."""
    from archrepo.graph.loading import GraphLoader

    config = load_config(Path(config_path) if config_path else None, cwd=cwd)
    loader = GraphLoader(config.base_iri, config.approved_standards) if graph else None
    files = read_files(config, use_cache=use_cache, loader=loader, triples=triples or graph)
    model, diagnostics = validate_model(config, files)
    if model is None:
        raise ModelError.from_diagnostics(diagnostics, "the model is invalid")
    return Repository(config, model, files, loader)
