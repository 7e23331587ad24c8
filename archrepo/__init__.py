"""archrepo: an enterprise architecture repository and model checker.

The library API is small: ``archrepo.load()`` returns a :class:`~archrepo.api.Repository` with the
validated model and, built on first use, its RDF and dependency graphs.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["Repository", "__version__", "load"]


def __getattr__(name: str) -> Any:  # lazy, so `archrepo --version` does not import rdflib
    if name in ("load", "Repository"):
        from archrepo import api

        return getattr(api, name)
    raise AttributeError(name)
