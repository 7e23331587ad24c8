"""Write a synthetic architecture repository for the archrepo benchmark (the generator lives in bench/generator/).

    python bench/generate.py --applications 10000 --out /tmp/model-10k [--shape NAME] [--seed 42] [--violations 0.03]

Imported (as the harness and the tests do, by path), this module is the generator package: ``generate``,
``generate_shape``, ``SHAPES`` …
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

PACKAGE = "bench_generator"  # a name of its own: bench/ is not a package, and "generator" is too common


def load() -> ModuleType:
    """The package bench/generator/, imported once under ``PACKAGE``."""
    if PACKAGE not in sys.modules:
        folder = Path(__file__).resolve().parent / "generator"
        spec = importlib.util.spec_from_file_location(PACKAGE, folder / "__init__.py",
                                                      submodule_search_locations=[str(folder)])
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[PACKAGE] = module  # before running it: its modules import each other through it
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[PACKAGE]
            raise
    return sys.modules[PACKAGE]


_package = load()
globals().update({name: getattr(_package, name) for name in _package.__all__})

if __name__ == "__main__":
    sys.exit(_package.main())
