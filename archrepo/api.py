"""The library API under the CLI: load a repository once, share its graphs with everything after."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from archrepo.config import Config, load_config
from archrepo.model import Model
from archrepo.model.loader import load_model

if TYPE_CHECKING:
    import networkx as nx

    from archrepo.graph.rdf import ModelGraph

__all__ = ["Repository", "load"]


@dataclass
class Repository:
    """A loaded architecture repository: config, validated model, and (built on first use, once) its graphs."""

    config: Config
    model: Model

    @cached_property
    def rdf(self) -> ModelGraph:
        """The RDF graph in an embedded Oxigraph store."""
        from archrepo.graph.rdf import build_graph

        return build_graph(self.model, self.config.base_iri, self.config.approved_standards)

    @cached_property
    def dependencies(self) -> nx.DiGraph:
        """Applications and who depends on whom (edge: dependent → dependency)."""
        from archrepo.graph.deps import build_dependency_graph

        return build_dependency_graph(self.model)


def load(config_path: Path | str | None = None, *, cwd: Path | None = None) -> Repository:
    """Find and read the config, then load and validate the model. Raises ConfigError or ModelError."""
    config = load_config(Path(config_path) if config_path else None, cwd=cwd)
    return Repository(config, load_model(config))
