"""Model layer: YAML files → validated elements with a source map (see ``archrepo.model.loader``)."""

from archrepo.model.elements import KINDS, Element, Location, Model, SourceMap, effective_status

__all__ = ["KINDS", "Element", "Location", "Model", "SourceMap", "effective_status"]
