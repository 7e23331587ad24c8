"""Dataclasses whose repr is a cache key (a page of the site, a view a diagram is drawn from): made for every
page and diagram of every build, so without the guard that dataclasses put around a repr against cycles (a
thread id and a set of the objects being shown, a quarter of the time of a page's repr); these hold no cycle."""

from __future__ import annotations

from typing import TypeVar

__all__ = ["plain_repr"]

T = TypeVar("T", bound=type)


def plain_repr(cls: T) -> T:
    """Apply above ``@dataclass``: the same repr, unguarded."""
    cls.__repr__ = cls.__repr__.__wrapped__  # type: ignore[attr-defined,method-assign]
    return cls
