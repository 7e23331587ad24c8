"""Pages of the docs site that follow the model's meaning: a page per Technology (lifecycle state as of the
site's date, what it runs on, who relies on it, the impact of losing it, the TEC violations it is part of), and
integration pages that say who sends, who receives, who opens the call and through what."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

import archrepo
from archrepo.site import build_site
from tests.conftest import CHROMIUM, write_repo
from tests.hostile_output import PAYLOADS
from tests.test_hostile_site import inspect_pages

AS_OF = dt.date(2026, 11, 26)

MODEL = """
    kind: Organisation
    id: trust
    name: Trust
    ---
    kind: Technology
    id: rhel-8
    name: {rhel}
    description: An operating system.
    type: operating-system
    vendor: {vendor}
    version: "8.10"
    end_of_support: 2026-05-31
    end_of_life: 2029-05-31
    ---
    kind: Technology
    id: postgres-15
    name: PostgreSQL 15
    description: A database.
    type: database
    vendor: PostgreSQL Global Development Group
    version: "15"
    end_of_support: 2027-11-11
    end_of_life: 2027-11-11
    runs_on: [rhel-8]
    ---
    kind: Application
    id: lab
    name: Lab system
    description: Uses the database.
    owner: trust
    lifecycle: {{status: active}}
    technologies: [postgres-15]
    ---
    kind: Application
    id: epr
    name: Patient record
    description: Runs on the operating system directly.
    owner: trust
    lifecycle: {{status: active}}
    technologies: [rhel-8]
    ---
    kind: Application
    id: platform
    name: Integration platform
    description: Carries integrations.
    owner: trust
    roles: [integration-platform]
    lifecycle: {{status: active}}
    ---
    kind: Application
    id: portal
    name: Portal
    description: Reads lab results.
    owner: trust
    lifecycle: {{status: active}}
    ---
    kind: Integration
    id: results-to-portal
    name: Lab results to the portal
    description: The portal looks results up.
    source: lab
    target: portal
    via: platform
    standard: FHIR-R4
    mode: sync
    initiator: target
    security: {{encrypted: true, authentication: mtls}}
    ---
    kind: Integration
    id: orders-to-lab
    name: Orders to the lab
    description: Pushed by the record.
    source: epr
    target: lab
    standard: HL7v2
    security: {{encrypted: true, authentication: mtls}}
"""
CONFIG = "models: [models]\nprinciples: [principles]\nrules: [rules]\napproved_standards: [FHIR-R4, HL7v2]\n"


def _site(tmp_path: Path, rhel: str = "Red Hat Enterprise Linux 8", vendor: str = "Red Hat"):
    import json

    repo = write_repo(tmp_path / "repo", {"models/model.yaml": MODEL.format(rhel=json.dumps(rhel),
                                                                            vendor=json.dumps(vendor))}, CONFIG)
    return build_site(archrepo.load(repo / "archrepo.yaml"), tmp_path / "site", as_of=AS_OF)


def _text(html: str) -> str:
    """The page's text, tags dropped and whitespace folded (enough to read what a section says)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _section(html: str, anchor: str) -> str:
    found = re.search(rf'<section id="{anchor}".*?</section>', html, re.S)
    assert found, anchor
    return _text(found.group(0))


def test_a_technology_page_says_its_state_chain_users_and_impact(tmp_path: Path) -> None:
    summary = _site(tmp_path)
    rhel = (summary.out / "technologies" / "rhel-8.html").read_text(encoding="utf-8")
    details = _section(rhel, "details")
    assert "End of support passed" in details and "end of support 2026-05-31" in details
    assert "as of 2026-11-26" in details and "8.10" in details and "Red Hat" in details
    assert "PostgreSQL 15" in _section(rhel, "above")  # runs on it
    users = _section(rhel, "applications")
    assert "Patient record active Trust directly" in users
    assert "Lab system active Trust through technology that runs on it" in users
    impact = _section(rhel, "impact")
    # the lab relies on it (1), the portal needs the lab's data (2); the platform depends on neither
    assert "Application Distance Through Patient record 1 Lab system 1 Portal 2 Lab system" in impact
    assert "Integration platform" not in impact
    # TEC001 is about the applications, with the technology in `related`: the page lists it
    assert "TEC001" in _section(rhel, "involved")
    postgres = (summary.out / "technologies" / "postgres-15.html").read_text(encoding="utf-8")
    assert "Support ends within 12 months" in _section(postgres, "details")
    assert "Red Hat Enterprise Linux 8" in _section(postgres, "details")  # runs on
    listing = _text((summary.out / "technologies" / "index.html").read_text(encoding="utf-8"))
    assert "Red Hat Enterprise Linux 8 rhel-8 operating-system 8.10 End of support passed 2" in listing
    lab = (summary.out / "applications" / "lab.html").read_text(encoding="utf-8")
    assert "PostgreSQL 15 Support ends within 12 months" in _section(lab, "details")
    index = (summary.out / "search-index.js").read_text(encoding="utf-8")
    assert '"u":"technologies/rhel-8.html"' in index and '"k":"Technology"' in index
    assert "technologies/index.html" in (summary.out / "index.html").read_text(encoding="utf-8")


def test_an_integration_page_says_who_sends_receives_initiates_and_carries(tmp_path: Path) -> None:
    summary = _site(tmp_path)
    page = (summary.out / "integrations" / "results-to-portal.html").read_text(encoding="utf-8")
    details = _section(page, "details")
    assert ("Lab system sends data to Portal through Integration platform; Portal opens the call (a pull), sync."
            in details)
    assert "Source Lab system sends the data" in details and "Target Portal receives it" in details
    assert "Initiated by Portal the target: it asks the source for the data" in details
    assert "Via Integration platform carries it" in details
    # the diagram: boxes in data order, arrows left to right, the one that opens the call marked
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    boxes = re.findall(r'<g class="node"><title>([^<;]*)', svg)
    assert [b.split(" (")[0] for b in boxes] == ["Lab system", "Integration platform", "Portal"]
    xs = [int(x) for x in re.findall(r'<rect x="(\d+)"', svg)]
    assert xs == sorted(xs)
    marked = re.search(r"<title>Portal[^<]*</title>.*?</g>", svg, re.S).group(0)
    assert "opens the call" in marked and "opens the call" not in re.search(
        r"<title>Lab system[^<]*</title>.*?</g>", svg, re.S).group(0)
    push = (summary.out / "integrations" / "orders-to-lab.html").read_text(encoding="utf-8")
    assert "Patient record opens the call (a push)" in _section(push, "details")
    assert "point-to-point" in _section(push, "details")
    record = (summary.out / "applications" / "epr.html").read_text(encoding="utf-8")
    out = _section(record, "integrations-out")
    assert "Receiver" in out and "Initiated by" in out and "Orders to the lab Lab system HL7v2 async Patient record" in out


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium")
def test_technology_pages_of_hostile_names_are_inert(tmp_path: Path, browser) -> None:
    payload = PAYLOADS["html-img"] + PAYLOADS["attribute-break"]
    summary = _site(tmp_path, rhel=payload, vendor=PAYLOADS["javascript-url"])
    navigate = {"technologies/rhel-8.html", "technologies/postgres-15.html", "technologies/index.html",
                "applications/epr.html"}
    assert inspect_pages(browser, summary.out, navigate) == []
