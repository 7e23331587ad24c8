"""The tag PyYAML's safe loader gives a plain scalar, by its text alone (its implicit resolvers, remembered per
text), and the value of the standard tags as a model reads them: the one reading of a scalar shared by the
node walk (``yamlsource``) and the rapid path (``yamlrapid``)."""

from __future__ import annotations

from collections.abc import Container
from typing import Any

import yaml

__all__ = ["BOOL", "FLOAT", "INT", "NULL", "PLAIN_BOOLEANS", "RESOLVING", "STR", "TEXT", "TIMESTAMP", "UNUSUAL",
           "UnknownTag", "plain_value", "silent_value", "tag_of"]

STR = "tag:yaml.org,2002:str"
NULL = "tag:yaml.org,2002:null"
BOOL = "tag:yaml.org,2002:bool"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
TEXT = frozenset({STR, TIMESTAMP})  # tags whose value is the text written (dates too: the schema checks them)
# the booleans YAML 1.2 spells too; the others (yes, no, on, off, y, n) are YAML 1.1 words the loader judges
PLAIN_BOOLEANS = frozenset({"true", "false", "True", "False", "TRUE", "FALSE"})

_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_IMPLICIT: dict[str, list[tuple[str, Any]]] = {
    key: list(value) + list(yaml.resolver.Resolver.yaml_implicit_resolvers.get(None, []))
    for key, value in yaml.resolver.Resolver.yaml_implicit_resolvers.items() if key is not None}
_IMPLICIT_ANY: list[tuple[str, Any]] = list(yaml.resolver.Resolver.yaml_implicit_resolvers.get(None, []))
# the first characters of every text an implicit resolver may give another tag than str (PyYAML registers
# each resolver by them); a text starting otherwise is a str
class _Every:
    def __contains__(self, item: object) -> bool:
        return True


RESOLVING: Container[str] = frozenset(_IMPLICIT) if not _IMPLICIT_ANY else _Every()
_RESOLVED: dict[str, str] = {}  # the tag of each plain scalar's text met so far (a tenth of composing saved)
_RESOLVED_MAX = 100_000


def tag_of(value: str) -> str:
    """The tag of a plain scalar written ``value``: it depends on the text alone, and keys and values recur."""
    tag = _RESOLVED.get(value)
    if tag is None:
        tag = STR
        for candidate, regexp in _IMPLICIT.get(value[:1], _IMPLICIT_ANY):
            if regexp.match(value):
                tag = str(candidate)
                break
        if len(_RESOLVED) < _RESOLVED_MAX:
            _RESOLVED[value] = tag
    return tag


class UnknownTag(Exception):
    """A scalar with a tag that is none of the standard ones a model may use."""


def plain_value(tag: str, value: str) -> Any:
    """The value of a scalar written ``value`` with ``tag`` (the resolved or given one). A boolean is true for
    the YAML 1.1 words too (``yes``, ``on``); the caller decides whether to accept or record them."""
    if tag in TEXT:
        return value
    if tag == NULL:
        return None
    if tag == BOOL:
        return value.lower() in ("yes", "true", "on", "y")
    if tag == INT:
        return _CONSTRUCTOR.construct_yaml_int(yaml.ScalarNode(tag, value))
    if tag == FLOAT:
        return _CONSTRUCTOR.construct_yaml_float(yaml.ScalarNode(tag, value))
    raise UnknownTag(tag)


UNUSUAL: Any = object()  # what silent_value gives for a scalar the node walk has something to say of


def silent_value(tag: str, value: str) -> Any:
    """The value of a scalar written ``value`` with ``tag``, when the node walk reads it without a word to say:
    a standard tag, and a boolean only as YAML 1.2 spells it; else ``UNUSUAL`` (a tag a model may not use, which
    the walk refuses, or a boolean written as a YAML 1.1 word, which it records)."""
    if tag in TEXT:
        return value
    try:
        result = plain_value(tag, value)
    except UnknownTag:
        return UNUSUAL
    if (result is True or result is False) and value not in PLAIN_BOOLEANS:
        return UNUSUAL
    return result
