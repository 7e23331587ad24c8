"""References to implementations by name (``"package.module:function"``), imported only when used.

The format and view registries are dictionaries of such references, so that the command line can offer their
names as choices without importing a single renderer at start-up (``archrepo --help`` stays fast), while the
same dictionaries are what the library dispatches on: one list of formats, not one per command.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["resolve"]


def resolve(reference: str) -> Any:
    """The object ``reference`` names (``"archrepo.report.text:render_text"``)."""
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)
