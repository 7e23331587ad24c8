"""Per-run data handed to every rule: the loaded model and its graphs, the check date, the config."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

    from archrepo.api import Repository
    from archrepo.config import Config
    from archrepo.graph.rdf import ModelGraph
    from archrepo.graph.remote import SparqlGraph
    from archrepo.model.elements import Model

__all__ = ["RuleContext"]


@dataclass(frozen=True)
class RuleContext:
    """What a rule may read. Python rules receive it as "the loaded model": it answers the Model's own
    methods (``of_kind``, ``get``, ``elements``, iteration) and adds the graphs, the date and the config."""

    repository: Repository
    as_of: dt.date
    # the elements whose findings are wanted (a re-check near a change, for a rule with a ``reach``), or None
    # for all: a rule may use it to skip work; the engine drops findings on other elements anyway
    scope: frozenset[str] | None = None
    # a Python rule's notes between runs (JSON values), e.g. an expensive result keyed by a digest of its
    # inputs: what the last run left, on entry; what the rule leaves, for the next run. Kept in the re-check
    # state while archrepo, the config, the date and the rule (its definition and its module's source) stay
    # the same; empty without a cache
    memo: dict[str, Any] = field(default_factory=dict)
    # the rule's parameters (declared under `params:` in its YAML, set in archrepo.yaml's rules_config)
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def model(self) -> Model:
        return self.repository.model

    @property
    def rdf(self) -> ModelGraph:
        return self.repository.rdf

    @property
    def sparql_graph(self) -> SparqlGraph:
        """Where SPARQL rules run: the repository's graph in a remote store (``check --store``), else the
        embedded graph."""
        store = getattr(self.repository, "store", None)
        return store if store is not None else self.repository.rdf

    @property
    def dependencies(self) -> nx.DiGraph:
        return self.repository.dependencies

    @property
    def config(self) -> Config:
        return self.repository.config

    def __getattr__(self, name: str) -> Any:
        return getattr(self.repository.model, name)

    def __iter__(self) -> Any:
        return iter(self.repository.model)
