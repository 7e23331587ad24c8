"""The vendored browser library of the docs site: the committed files are the ones recorded (version, licence,
hash), the package ships them, and the site copies them with their licence."""

from __future__ import annotations

import hashlib
import json
import re
from importlib.resources import files

from tests.conftest import ROOT

VENDOR = ROOT / "archrepo" / "site" / "static" / "vendor"
SCRIPT = ROOT / "scripts" / "vendor_js.py"


def _record() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads((VENDOR / "VERSIONS.json").read_text(encoding="utf-8"))
    return data


def test_every_vendored_file_matches_its_recorded_hash_version_and_licence() -> None:
    record = _record()
    assert set(record) == {"cytoscape"}
    pins = dict(re.findall(r'"([a-z0-9-]+)": \("([0-9.]+)"', SCRIPT.read_text(encoding="utf-8")))
    for name, entry in record.items():
        code = (VENDOR / entry["file"]).read_bytes()
        assert hashlib.sha256(code).hexdigest() == entry["file_sha256"], f"{entry['file']} is not the vendored file"
        assert entry["version"] == pins[name], "VERSIONS.json and the pin in scripts/vendor_js.py differ"
        assert re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", entry["integrity"])
        assert entry["tarball"].endswith(f"/{name}-{entry['version']}.tgz")
        licence = (VENDOR / entry["license_file"]).read_text(encoding="utf-8")
        assert entry["license"] == "MIT" and "Permission is hereby granted, free of charge" in licence
        assert f"| {entry['version']} |" in (VENDOR / "README.md").read_text(encoding="utf-8")
    # the build itself says which version it is (Cytoscape.js exposes it at run time too)
    assert b'"3.35.0"' in (VENDOR / "cytoscape.min.js").read_bytes()


def test_the_installed_package_carries_the_vendored_files() -> None:
    """What pip installs (package data), not only the source tree."""
    vendored = files("archrepo.site").joinpath("static", "vendor")
    for entry in _record().values():
        assert vendored.joinpath(entry["file"]).is_file()
        assert vendored.joinpath(entry["license_file"]).is_file()
    globs = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for pattern in ("site/static/vendor/*.js", "site/static/vendor/*.txt", "site/static/vendor/*.json"):
        assert pattern in globs
