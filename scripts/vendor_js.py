#!/usr/bin/env python3
"""Fetch the browser libraries the offline docs site needs, pinned, with npm; copy their minified build and
licence into archrepo/site/static/vendor/ and record name, version, licence and integrity in VERSIONS.json.

    make vendor-js            (or: python scripts/vendor_js.py)

The project never copies code in, with this one exception (the site opens from the file system, with no
network, so it cannot load a library from a CDN). The files it writes are committed: the package data must
carry them and CI does not run npm. tests/test_site_vendor.py checks that the committed files are the ones
recorded here. To upgrade: change the version below, run this script, commit the result.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "archrepo" / "site" / "static" / "vendor"

# name -> (pinned version, file in the package to vendor, its licence file, SPDX licence)
PINNED: dict[str, tuple[str, str, str, str]] = {
    "cytoscape": ("3.35.0", "dist/cytoscape.min.js", "LICENSE", "MIT"),
}


def _pack(name: str, version: str, into: Path) -> tuple[Path, str]:
    """`npm pack name@version`: the registry's tarball (npm checks it against the registry's integrity)."""
    completed = subprocess.run(["npm", "pack", f"{name}@{version}", "--json", "--pack-destination", str(into)],
                               check=True, capture_output=True, text=True, cwd=into)
    meta = json.loads(completed.stdout)[0]
    if meta["version"] != version:
        sys.exit(f"npm gave {name} {meta['version']}, not the pinned {version}")
    return into / meta["filename"], meta["integrity"]


def _sha512(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def _member(archive: tarfile.TarFile, path: str) -> bytes:
    handle = archive.extractfile(f"package/{path}")
    if handle is None:
        sys.exit(f"package/{path} is not a file in the tarball")
    return handle.read()


def vendor(name: str, version: str, dist: str, licence_file: str, licence: str, work: Path) -> dict[str, str]:
    tarball, integrity = _pack(name, version, work)
    if _sha512(tarball) != integrity:  # the tarball on disk is the one the registry vouches for
        sys.exit(f"{tarball.name}: sha512 does not match npm's integrity {integrity}")
    with tarfile.open(tarball, "r:gz") as archive:
        code, licence_text = _member(archive, dist), _member(archive, licence_file)
    target = Path(dist).name
    (VENDOR / target).write_bytes(code)
    (VENDOR / f"{name}.LICENSE.txt").write_bytes(licence_text)
    return {"version": version, "license": licence, "integrity": integrity, "file": target,
            "packaged_path": dist, "file_sha256": hashlib.sha256(code).hexdigest(),
            "license_file": f"{name}.LICENSE.txt",
            "tarball": f"https://registry.npmjs.org/{name}/-/{name}-{version}.tgz"}


def main() -> None:
    VENDOR.mkdir(parents=True, exist_ok=True)
    record: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="archrepo-vendor-") as work:
        for name, (version, dist, licence_file, licence) in sorted(PINNED.items()):
            record[name] = vendor(name, version, dist, licence_file, licence, Path(work))
            print(f"vendored {name} {version} ({licence}) {record[name]['integrity']}")
    (VENDOR / "VERSIONS.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
