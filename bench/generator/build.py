"""The generator's pipeline: the landscape built in a fixed order from one random source, then written."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from .applications import build_applications, index_endpoints
from .data import build_data
from .integration_violations import plant_integrations
from .integrations import Flows
from .layout import HEADER, write
from .model import Landscape, Options
from .organisations import build_capabilities, build_organisations
from .processes import build_processes
from .technology import build_technology
from .violations import RULES_BY_KIND, data_quota, plant_data_objects, plant_elements, plant_orphans


def build(options: Options) -> Landscape:
    """The whole landscape in memory, with the violations planted and recorded."""
    land = Landscape(options, RULES_BY_KIND)
    build_organisations(land)
    build_capabilities(land)
    build_applications(land)
    plant_orphans(land)
    index_endpoints(land)
    total, quota = data_quota(land)
    build_data(land, total - quota["DAT001"] - quota["DAT002"])
    plant_data_objects(land, quota)
    flows = Flows(land)
    flows.build()
    build_processes(land)
    catalogue = build_technology(land)
    plant_elements(land, catalogue)
    plant_integrations(land, flows)
    return land


def header(options: Options) -> str:
    """The first lines of archrepo.yaml: how to write this repository again."""
    flags = [f"--applications {options.applications}", f"--seed {options.seed}",
             f"--violations {options.violation_rate}"]
    default = Options(options.applications)
    for field in fields(Options):
        value = getattr(options, field.name)
        if field.name not in ("applications", "seed", "violation_rate") and value != getattr(default, field.name):
            flags.append(f"--{field.name.replace('_', '-')} {value}")
    return f"{HEADER} {' '.join(flags)}\nmodels: [models]\n"


def write_repository(out: Path, options: Options) -> dict[str, int]:
    """Write the repository of ``options`` into ``out``; the number of elements of each kind."""
    land = build(options)
    write(Path(out), land, header(options))
    return {"Organisation": len(land.orgs) + len(land.vendors), "Capability": len(land.caps),
            "Application": len(land.apps), "DataObject": len(land.data), "Integration": len(land.integs),
            "Process": len(land.procs), "Technology": len(land.techs)}
