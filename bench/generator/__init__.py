"""Deterministic generator of synthetic architecture repositories for the archrepo benchmark and tests.

    python bench/generate.py --applications 10000 --out /tmp/model-10k [--shape NAME] [--seed 42] [--violations 0.03]

writes ``DIR/archrepo.yaml``, ``DIR/models/**.yaml`` shaped like a regional health landscape (a regional
authority, a shared IT provider, hospital trusts with departments, national components, municipalities and
GP offices outside the enterprise, vendors, the technology it all runs on), a copy of the standard ``rules/`` and
``principles/`` (as ``archrepo init`` makes them, so that ``archrepo check`` runs as is) and
``DIR/expected-violations.json``: every violation planted on purpose, as ``{rule, element}`` (``elements`` for a
cycle, where the rule picks which integration to name; ``severity`` where the planting decides it). The same
options give byte-identical files: one ``random.Random(seed)``, no clock, no iteration over sets or hash order.

With ``--violations 0`` the model breaks no standard rule, by construction (each builder's docstring says how);
with a rate ``r`` about ``r`` of the elements of each kind break one rule each. Only lifecycle and support dates
depend on the check date, and they are laid out so that the same violations hold for any ``--as-of`` from
2026-01-01 to 2027-12-31 (designed for 2026-11-26). Whether the planted list is right is not the generator's
claim to make: tests/test_generator.py runs the rules and compares.

Modules: tables and technology_catalogue (domain data), model (elements, options, the shared state),
organisations, applications, data, integrations and links, processes, technology (builders), violations and
integration_violations (planting), documents and layout (YAML text, files), shapes (named option sets), build
(the pipeline), cli.
"""

from __future__ import annotations

from pathlib import Path

from .build import build, write_repository
from .cli import main
from .documents import q
from .layout import HEADER
from .model import AS_OF, Options
from .shapes import SHAPES, Shape
from .violations import RULES_BY_KIND

__all__ = ["AS_OF", "HEADER", "RULES_BY_KIND", "SHAPES", "Options", "Shape", "build", "generate", "generate_shape",
           "main", "q", "write_repository"]


def generate(out: Path, applications: int, seed: int = 42, violation_rate: float = 0.03, files_per_dir: int = 200,
             *, docs_per_file: int = 40, layout: str = "tree", org_depth: int = 1,
             integrations_per_app: float = 5.0) -> dict[str, int]:
    """Write a synthetic architecture repository into ``out``; the number of elements of each kind."""
    return write_repository(Path(out), Options(applications, seed, violation_rate, files_per_dir, docs_per_file,
                                               layout, org_depth, integrations_per_app))


def generate_shape(out: Path, shape: str, applications: int, seed: int = 42) -> dict[str, int]:
    """Write the repository of a named shape (see ``SHAPES``) with ``applications`` applications."""
    return write_repository(Path(out), SHAPES[shape].options(applications, seed))
