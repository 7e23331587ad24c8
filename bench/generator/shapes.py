"""Named model shapes: the benchmark's model and models of other shapes, as generator options
(`python bench/generate.py --shape NAME`, `python bench/run.py --shapes NAME,…`)."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Options


@dataclass(frozen=True)
class Shape:
    name: str
    what: str
    violation_rate: float = 0.03
    files_per_dir: int = 200
    docs_per_file: int = 40
    layout: str = "tree"
    org_depth: int = 1
    integrations_per_app: float = 5.0

    def options(self, applications: int, seed: int = 42) -> Options:
        return Options(applications, seed, self.violation_rate, self.files_per_dir, self.docs_per_file, self.layout,
                       self.org_depth, self.integrations_per_app)


SHAPES: dict[str, Shape] = {shape.name: shape for shape in (
    Shape("bench", "the benchmark model: about 40 elements per file, in folders per trust and area"),
    Shape("small-files", "many small files: one element per file", docs_per_file=1),
    Shape("large-files", "a few very large files: up to 5,000 elements each, in one folder", docs_per_file=5000,
          layout="kind"),
    Shape("deep-orgs", "deep organisation trees: 8 levels of departments, systems owned at the bottom", org_depth=8),
    Shape("violations", "a high share of violations: 30 % of the elements break a rule", violation_rate=0.3),
    Shape("issue-16", "the shape issue #16 measured (705 files, 61,000 elements at 10,000 applications): 3.43 "
          "integrations per application, 87 elements per file, one folder per kind", docs_per_file=87, layout="kind",
          integrations_per_app=3.43),
)}
