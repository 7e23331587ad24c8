"""Hostile input to the importers: refused quickly, in bounded memory, with exit 2 and a clear message."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from archrepo.commands.interop import import_group

NS = "http://www.opengroup.org/xsd/archimate/3.0/"

XXE = f"""<?xml version="1.0"?>
<!DOCTYPE model [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<model xmlns="{NS}" identifier="m"><name>&secret;</name></model>
"""
PARAMETER_XXE = f"""<?xml version="1.0"?>
<!DOCTYPE model [ <!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote; ]>
<model xmlns="{NS}" identifier="m"><name>x</name></model>
"""
BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE model [
 <!ENTITY a "lollollollollollollollollollol">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
 <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<model xmlns="{NS}" identifier="m"><name>&i;</name></model>
"""


def hostile_files(directory: Path) -> dict[str, tuple[Path, str]]:
    """name → (file, what the message must say). The 200 MB file is sparse: no disk or time spent on it."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, text in (("xxe", XXE), ("parameter-xxe", PARAMETER_XXE), ("billion-laughs", BILLION_LAUGHS)):
        (directory / f"{name}.xml").write_text(text, encoding="utf-8")
        files[name] = (directory / f"{name}.xml", "refused: the file declares XML entities")
    big = directory / "big.xml"
    with big.open("wb") as handle:
        handle.write(f'<model xmlns="{NS}" identifier="m">'.encode())
        handle.truncate(200 * 1024 * 1024)
    files["200mb"] = (big, "over the limit of 50.0 MB; not parsed")
    deep = directory / "deep.xml"
    deep.write_text(f'<model xmlns="{NS}">' + "<a>" * 5000 + "</a>" * 5000 + "</model>", encoding="utf-8")
    files["deep"] = (deep, "nested more than")
    return files


CASES = ["xxe", "parameter-xxe", "billion-laughs", "200mb", "deep"]


@pytest.mark.parametrize("case", CASES)
def test_refused_in_process(case: str, tmp_path: Path) -> None:
    path, message = hostile_files(tmp_path / "in")[case]
    tracemalloc.start()
    started = time.monotonic()
    result = CliRunner().invoke(import_group, ["archimate", str(path), "--out", str(tmp_path / "out")],
                                catch_exceptions=False)
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr and str(path) in result.stderr and "Traceback" not in result.stderr
    assert "root:" not in result.stderr  # nothing of /etc/passwd
    assert elapsed < 5 and peak < 20 * 1024 * 1024
    assert not (tmp_path / "out").exists()


def test_a_trusted_large_file_can_be_allowed(tmp_path: Path) -> None:
    path = tmp_path / "padded.xml"
    path.write_text(f'<model xmlns="{NS}" identifier="m"><name>m</name></model>' + " " * 2 * 1024 * 1024,
                    encoding="utf-8")
    runner = CliRunner()
    refused = runner.invoke(import_group, ["archimate", str(path), "--out", str(tmp_path / "a"), "--max-size", "1"])
    assert refused.exit_code == 2 and "over the limit of 1.0 MB" in refused.stderr
    allowed = runner.invoke(import_group, ["archimate", str(path), "--out", str(tmp_path / "b"), "--max-size", "3"])
    assert allowed.exit_code == 0, allowed.stderr


def test_hostile_yaml_and_json_are_refused(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    # Backstage files may use anchors; an alias bomb is stopped after a bounded number of expanded values
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]" for i in range(9)]
    (catalog / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    tracemalloc.start()
    result = CliRunner().invoke(import_group, ["backstage", str(catalog), "--out", str(tmp_path / "o")])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.exit_code == 2 and "bomb.yaml" in result.stderr and "alias bomb" in result.stderr
    assert "Traceback" not in result.stderr and peak < 100 * 1024 * 1024
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100000 + "]" * 100000, encoding="utf-8")
    result = CliRunner().invoke(import_group, ["structurizr", str(deep), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "nested too deeply" in result.stderr


def _registered() -> bool:
    from archrepo.cli import main

    return "import" in main.commands


@pytest.mark.skipif(not _registered(), reason="`import` is not registered in archrepo.cli yet")
def test_refused_by_the_real_command(tmp_path: Path) -> None:
    """`python -m archrepo import archimate …` as a subprocess, measuring its own peak memory."""
    files = hostile_files(tmp_path / "in")
    probe = (
        "import json, resource, subprocess, sys, time\n"
        "started = time.monotonic()\n"
        "done = subprocess.run([sys.executable, '-m', 'archrepo', 'import', 'archimate', sys.argv[1], '--out',"
        " sys.argv[2]], capture_output=True, text=True, timeout=60)\n"
        "print(json.dumps({'code': done.returncode, 'stderr': done.stderr, 'seconds': time.monotonic() - started,"
        " 'max_rss_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))\n")
    for case in CASES:
        path, message = files[case]
        completed = subprocess.run([sys.executable, "-c", probe, str(path), str(tmp_path / "out")],
                                   capture_output=True, text=True, timeout=120, check=True,
                                   env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
        outcome = json.loads(completed.stdout)
        assert outcome["code"] == 2, outcome
        assert message in outcome["stderr"] and "Traceback" not in outcome["stderr"]
        assert outcome["seconds"] < 10 and outcome["max_rss_kb"] < 150 * 1024, outcome
        assert not (tmp_path / "out").exists()
