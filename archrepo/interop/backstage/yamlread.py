"""YAML as Backstage reads it: anchors, aliases and merge keys (``<<``) accepted, duplicate keys refused,
and every alias expansion counted, so that an alias bomb stops after a bounded amount of work and memory.

archrepo's own model files refuse anchors (:mod:`archrepo.model.yamlsource`); catalog files written for
Backstage use them, and Backstage accepts them, so the importer must too.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["MAX_NODES", "CatalogYamlError", "load_documents"]

MAX_NODES = 200_000  # values built per file, aliases expanded: far above any real catalog file
MAX_DEPTH = 100
_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_MAP, _SEQ, _MERGE = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:merge"


class CatalogYamlError(Exception):
    """A catalog file that cannot be read: its line and what is wrong."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


class _Budget:
    def __init__(self) -> None:
        self.left = MAX_NODES

    def spend(self, node: yaml.Node) -> None:
        self.left -= 1
        if self.left < 0:
            raise CatalogYamlError(node.start_mark.line + 1, f"more than {MAX_NODES} values once its YAML aliases "
                                   "are expanded (an alias bomb?); not read")


def load_documents(text: str) -> list[tuple[int, Any]]:
    """(first line, data) of every non-empty document of ``text``; CatalogYamlError for the first problem."""
    loader = _Loader(text)
    documents: list[tuple[int, Any]] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                data = _convert(node, _Budget(), set(), 0)
                if data is not None:
                    documents.append((node.start_mark.line + 1, data))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise CatalogYamlError(mark.line + 1 if mark else 1,
                               f"YAML syntax error: {exc.problem or exc.context or 'invalid YAML'}") from None
    except yaml.YAMLError as exc:
        raise CatalogYamlError(1, f"YAML error: {exc}") from None
    finally:
        loader.dispose()
    return documents


def _convert(node: yaml.Node, budget: _Budget, active: set[int], depth: int) -> Any:
    """Plain data from a node; ``active``: the nodes being converted above this one (a recursive alias)."""
    budget.spend(node)
    line = node.start_mark.line + 1
    if depth > MAX_DEPTH:
        raise CatalogYamlError(line, f"nested more than {MAX_DEPTH} levels deep; not read")
    if id(node) in active:
        raise CatalogYamlError(line, "a YAML alias refers to a value that contains it; not read")
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    active.add(id(node))
    try:
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise CatalogYamlError(line, f"YAML tag '{node.tag}' is not supported")
            return [_convert(item, budget, active, depth + 1) for item in node.value]
        if node.tag != _MAP or not isinstance(node, yaml.MappingNode):
            raise CatalogYamlError(line, f"YAML tag '{node.tag}' is not supported")
        return _mapping(node, budget, active, depth)
    finally:
        active.discard(id(node))


def _mapping(node: yaml.MappingNode, budget: _Budget, active: set[int], depth: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    merged: dict[str, Any] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if key_node.tag == _MERGE:
            for source in _merge_sources(_convert(value_node, budget, active, depth + 1), line):
                for key, value in source.items():
                    merged.setdefault(key, value)
            continue
        if not isinstance(key_node, yaml.ScalarNode):
            raise CatalogYamlError(line, "a mapping key must be a plain name")
        key = str(_scalar(key_node))
        if key in result:
            raise CatalogYamlError(line, f"duplicate key '{key}' (Backstage refuses the file)")
        result[key] = _convert(value_node, budget, active, depth + 1)
    for key, value in merged.items():  # keys written in the mapping win over merged ones
        result.setdefault(key, value)
    return result


def _merge_sources(value: Any, line: int) -> list[dict[str, Any]]:
    sources = value if isinstance(value, list) else [value]
    if not all(isinstance(source, dict) for source in sources):
        raise CatalogYamlError(line, "a merge key (<<) must name a mapping or a list of mappings")
    return sources


def _scalar(node: yaml.ScalarNode) -> Any:
    if node.tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"):
        return node.value
    if node.tag == "tag:yaml.org,2002:null":
        return None
    if node.tag == "tag:yaml.org,2002:bool":
        return node.value.lower() in ("yes", "true", "on", "y")
    if node.tag == "tag:yaml.org,2002:int":
        return _CONSTRUCTOR.construct_yaml_int(node)
    if node.tag == "tag:yaml.org,2002:float":
        return _CONSTRUCTOR.construct_yaml_float(node)
    raise CatalogYamlError(node.start_mark.line + 1, f"YAML tag '{node.tag}' is not supported")
